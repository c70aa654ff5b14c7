// Name suggestions: "did you mean" for unknown names, the rule for a name
// that looks like a mistyped column, and what to write for a constant that
// mlec does not have.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mlec::interp {

// Optimal string alignment distance (Damerau-Levenshtein without repeated
// edits of one substring): insertions, deletions, substitutions and
// transpositions of adjacent characters each cost 1.
int edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `name`, if it is close enough to be a plausible
// typo: distance <= 1 for names of up to 4 characters, else <= 2.
std::optional<std::string> closest(std::string_view name, std::span<const std::string> candidates);

// What makes a name that is not a column look like one of the data's
// columns: the likely typo of a column, which must not silently become a
// parameter. `columns` are the resembled columns in header order: one, or
// for `numbered` every column of the name's stem (x1, x2 for x3).
struct ColumnLikeness {
    std::vector<std::string> columns;
    bool numbered = false;
};

// The rule, in this order (the first that holds decides):
//   1. the same name but for case and '_' (X1, x_1 for x1; Age for age);
//   2. the same stem with another number: x3 or x_3 when a column is x1
//      (stem = the name without its trailing digits, compared as in 1);
//   3. one inserted, dropped or swapped character when both names have 2 or
//      more characters (ag, hieght for age, height), except one letter put
//      before the column's name (bage, bx1 for age, x1), which is how
//      coefficients are named;
//   4. one replaced character when both names have 5 or more characters
//      (sigmu for sigma).
// So b1 beside x1, b10 beside x10, c beside a: coefficients named after
// their columns are one replaced character apart by design, and a stem
// counts only when it is a column's stem.
std::optional<ColumnLikeness> looks_like_column(std::string_view name, std::span<const std::string> columns);

// "column 'weight'" or "columns 'x1', 'x2'" (at most 4 named).
std::string describe(const ColumnLikeness& likeness);

// For a well-known constant that mlec does not have (e, inf, NaN, NA,
// TRUE, ...): what to write instead, as in "write exp(1) for Euler's number".
std::optional<std::string> not_a_constant(std::string_view name);

// A distribution's name in another tool (R's gaussian, dnorm, dpois;
// Stan's neg_binomial_2, normal_id_glm) and mlec's name for it: what an
// unknown distribution or function of that name suggests.
struct ForeignName {
    std::string_view mlec;   // "normal"
    bool r_density = false;  // R's d<name>(y, ...), which is mlec's <name>_lpdf(y | ...)
    bool glm = false;        // Stan's *_glm: in mlec the linear predictor is written out
};
std::optional<ForeignName> foreign_name(std::string_view name);

// The advice for a foreign name: how to write it in mlec, after '~' when
// `sampling`, else in an expression.
std::string foreign_advice(std::string_view name, const ForeignName& f, bool sampling);

}  // namespace mlec::interp

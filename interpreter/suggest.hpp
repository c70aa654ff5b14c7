// Name suggestions: "did you mean" for unknown names, the warning for a
// parameter whose name is one typo away from a column's, and what to write
// for a constant that mlec does not have.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace mlec::interp {

// Optimal string alignment distance (Damerau-Levenshtein without repeated
// edits of one substring): insertions, deletions, substitutions and
// transpositions of adjacent characters each cost 1.
int edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `name`, if it is close enough to be a plausible
// typo: distance <= 1 for names of up to 4 characters, else <= 2.
std::optional<std::string> closest(std::string_view name, std::span<const std::string> candidates);

// True when a parameter name looks like a mistyped column name: one edit
// apart by a change of case or an inserted/removed '_' (x_1 for x1), by an
// inserted, dropped or swapped character in names of 3 or more characters
// (wieght for weight), or by one replaced character in names of 5 or more
// (sigmu for sigma). Coefficients named after their columns (b10 and x10,
// c and a) are one substitution apart by design, not by typo.
bool looks_like_typo(std::string_view parameter, std::string_view column);

// For a well-known constant that mlec does not have (e, inf, NaN, NA,
// TRUE, ...): what to write instead, as in "write exp(1) for Euler's number".
std::optional<std::string> not_a_constant(std::string_view name);

}  // namespace mlec::interp

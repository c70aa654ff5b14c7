// Name suggestions: "did you mean" for unknown names, and the warning for a
// parameter whose name is one typo away from a column's.
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
// apart, and either both names have at least 3 characters or the edit is a
// change of case or an inserted/removed '_' (short names like b1 and x1, or
// c and a, are one edit apart by accident, not by typo).
bool looks_like_typo(std::string_view parameter, std::string_view column);

}  // namespace mlec::interp

// The lexical pass before X3 (plain C++): it rejects what X3 should never
// see (characters outside the language, malformed numbers, names too long,
// `**`, unbalanced closing brackets, nesting deep enough to exhaust the
// stack) and builds the copy of the text that X3 reads, where comments,
// '\r' and the newlines that continue a statement are blanks (offsets
// unchanged, so spans stay valid). Names and numbers are grammar/tokens.hpp's,
// the same that the X3 rules read.
#pragma once

#include <optional>
#include <string>

#include "grammar/source_text.hpp"
#include "grammar/syntax_errors.hpp"

namespace mlec::grammar {

// Brackets, '^' chains and unary signs each cost a level of recursion in the
// parser and in every later tree walk.
inline constexpr int max_nesting = 256;
// Longer names are refused rather than carried into every message that
// quotes them (a 1 MB identifier is a generated file gone wrong).
inline constexpr std::uint32_t max_name_length = 255;

struct Prescan {
    std::string text;  // what X3 reads
    std::optional<ParseError> error;
};

Prescan prescan(const SourceText& source);

}  // namespace mlec::grammar

// The wording of syntax errors, in the manner of Lua and Clang: what was
// expected, after which token, and what was found instead, with a caret at
// the place. X3-free: model_grammar.cpp hands over the name of the rule an
// expectation failed on (the names are model_grammar_def.hpp's), the prescan
// its characters and brackets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "grammar/source_text.hpp"

namespace mlec::grammar {

struct ParseError {
    Span span;
    std::string message;
};

// An offset into the model text (parse_model refuses a text of 4 GiB or more).
inline std::uint32_t to_offset(std::size_t n) { return static_cast<std::uint32_t>(n); }

// A token or piece of text in quotes; a long one is cut and ends in "...".
std::string quote(std::string_view text);

// "expected ')' to close the call to 'normal' (opened at 2:11)": the bracket
// at `opener` of `text` (the prescan's copy of the source) is still open.
std::string closing_message(const SourceText& source, std::string_view text, std::uint32_t opener);

// Turns the rule X3 expected (its name, see model_grammar_def.hpp) and the
// place it failed, `where` in `text`, into a message and a caret.
ParseError expectation_error(const SourceText& source, std::string_view text, std::string_view rule,
                             std::uint32_t where);

// "unexpected character 'é' (U+00E9)": the code point, so that look-alikes
// (a non-breaking space, a typographic minus) can be told apart.
ParseError character_error(std::string_view text, std::uint32_t at);

}  // namespace mlec::grammar

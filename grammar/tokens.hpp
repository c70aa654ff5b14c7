// The tokens of the .mle language that have a syntax of their own, names
// and numbers, and the character classes they are made of: the one
// definition that the X3 rules (model_grammar_def.hpp, which wraps these
// functions as parsers), the prescan (prescan.cpp, which checks tokens
// before X3 sees them) and the error wording (syntax_errors.cpp, which
// quotes them) all use, so that they cannot disagree. X3-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace mlec::grammar {

// Blanks separate tokens within a statement; '\n' and ';' end statements.
constexpr bool is_blank(char c) { return c == ' ' || c == '\t'; }
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
constexpr bool is_name_char(char c) { return is_name_start(c) || is_digit(c); }
// Characters of a name or of a number (1.5e3), for quoting the token near an error.
constexpr bool is_word_char(char c) { return is_name_char(c) || c == '.'; }

// name: [A-Za-z_][A-Za-z0-9_]*
// The end of the name that starts at `at`, or `at` when none does.
constexpr std::size_t name_end(std::string_view text, std::size_t at) {
    if (at >= text.size() || !is_name_start(text[at])) return at;
    std::size_t end = at + 1;
    while (end < text.size() && is_name_char(text[end])) ++end;
    return end;
}

// number: digits ['.' {digit}] [exponent] | '.' digits [exponent]
// exponent: ('e' | 'E') ['+' | '-'] digits
// The end of the number that starts at `at`, or `at` when none does. An
// 'e' without digits after it is not part of the number ("1e" is "1" and
// then a word character, which the prescan calls a malformed number); a
// '.' is, with or without digits ("1." is 1). No sign: '-' is an operator.
constexpr std::size_t number_end(std::string_view text, std::size_t at) {
    const auto digit_at = [&](std::size_t i) { return i < text.size() && is_digit(text[i]); };
    const auto digits_end = [&](std::size_t i) {
        while (digit_at(i)) ++i;
        return i;
    };
    std::size_t end = at;
    if (digit_at(at)) {
        end = digits_end(at);
        if (end < text.size() && text[end] == '.') end = digits_end(end + 1);
    } else if (at < text.size() && text[at] == '.' && digit_at(at + 1)) {
        end = digits_end(at + 1);
    } else {
        return at;
    }
    if (end < text.size() && (text[end] == 'e' || text[end] == 'E')) {
        std::size_t exponent = end + 1;
        if (exponent < text.size() && (text[exponent] == '+' || text[exponent] == '-')) ++exponent;
        if (digit_at(exponent)) end = digits_end(exponent);
    }
    return end;
}

inline std::uint32_t skip_blanks(std::string_view text, std::uint32_t at) {
    while (at < text.size() && is_blank(text[at])) ++at;
    return at;
}

}  // namespace mlec::grammar

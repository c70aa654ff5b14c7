// The one translation unit that compiles the X3 grammar: it instantiates the
// rules, runs them, turns the X3 syntax tree into ast.hpp's plain tree and
// turns a failed expectation into a positioned message.
//
// Parsing is two passes over the text:
//   1. `prescan` (plain C++) rejects what X3 should never see: characters
//      outside the language, malformed numbers, `**` (a power in R and
//      Python), unbalanced closing brackets and nesting deep enough to exhaust
//      the stack. It also builds the copy of the text that X3 reads, where
//      comments, '\r' and the newlines that continue a statement are blanks
//      (offsets unchanged, so spans stay valid).
//   2. X3 parses that copy; an `expectation_failure` names the rule that was
//      expected, and `expectation_error` words it like Lua and Clang do:
//      what was expected, after which token, and what was found instead.

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "grammar/model_grammar_def.hpp"
#include "grammar/parse.hpp"

namespace mlec::grammar::parser {
BOOST_SPIRIT_INSTANTIATE(model_type, iterator_type, context_type)
}  // namespace mlec::grammar::parser

namespace mlec {

namespace {

namespace syntax = grammar::syntax;
namespace x3 = boost::spirit::x3;

// Brackets, '^' chains and unary signs each cost a level of recursion in the
// parser and in every later tree walk.
constexpr int max_nesting = 256;
// A chain `a + b + c ...` is a loop in the parser but a left-deep tree after
// it; its height bounds the recursion of everything that walks the tree.
constexpr int max_tree_height = 2048;
// Longer names are refused rather than carried into every message that
// quotes them (a 1 MB identifier is a generated file gone wrong).
constexpr std::uint32_t max_name_length = 255;

struct ParseError {
    Span span;
    std::string message;
};

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_name_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_name_char(char c) { return is_name_start(c) || is_digit(c); }
// Characters of a name or of a number (1.5e3), for quoting the token near an error.
bool is_word_char(char c) { return is_name_char(c) || c == '.'; }

std::uint32_t to_offset(std::size_t n) { return static_cast<std::uint32_t>(n); }

// A quoted token or piece of text; one longer than `max_quoted` characters
// is cut and ends in "...", so that a 1 MB number or expression does not
// make a 1 MB message (the caret already shows where it is).
constexpr std::size_t max_quoted = 60;

std::string quote(std::string_view text) {
    std::size_t characters = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0U) != 0x80U && characters++ == max_quoted) {
            return "'" + std::string(text.substr(0, i)) + "...'";
        }
    }
    return "'" + std::string(text) + "'";
}

std::string position_text(const SourceText& source, std::uint32_t offset) {
    const LineColumn at = source.locate(offset);
    return std::to_string(at.line) + ":" + std::to_string(at.column);
}

// A token of the blanked text, found by looking at characters only: enough to
// say "after '+'" or "found 'sigma'" without a lexer.
struct Token {
    std::uint32_t begin = 0;
    std::uint32_t end = 0;
    std::string_view text;  // empty at the end of input; "\n" or ";" at a statement end

    bool is_end_of_input() const { return text.empty(); }
    bool is_statement_end() const { return text == "\n" || text == ";"; }
    bool is_real() const { return !is_end_of_input() && !is_statement_end(); }
};

std::size_t utf8_length(unsigned char lead) {
    if (lead >= 0xF0U) return 4;
    if (lead >= 0xE0U) return 3;
    if (lead >= 0xC0U) return 2;
    return 1;
}

std::uint32_t skip_blanks(std::string_view text, std::uint32_t at) {
    while (at < text.size() && is_blank(text[at])) {
        ++at;
    }
    return at;
}

Token token_at(std::string_view text, std::uint32_t at) {
    if (at >= text.size()) {
        return {to_offset(text.size()), to_offset(text.size()), {}};
    }
    std::size_t end = at + 1;
    const char c = text[at];
    if (is_word_char(c)) {
        while (end < text.size() && is_word_char(text[end])) {
            ++end;
        }
    } else if (c == '+' && end < text.size() && text[end] == '=') {
        ++end;
    } else {
        end = std::min(text.size(), at + utf8_length(static_cast<unsigned char>(c)));
    }
    return {at, to_offset(end), text.substr(at, end - at)};
}

// The token that ends right before `at` (blanks skipped), if it is on the
// same statement.
std::optional<Token> token_before(std::string_view text, std::uint32_t at) {
    std::uint32_t end = at;
    while (end > 0 && is_blank(text[end - 1])) {
        --end;
    }
    if (end == 0 || text[end - 1] == '\n' || text[end - 1] == ';') {
        return std::nullopt;
    }
    std::uint32_t begin = end - 1;
    if (is_word_char(text[begin])) {
        while (begin > 0 && is_word_char(text[begin - 1])) {
            --begin;
        }
    } else if (text[begin] == '=' && begin > 0 && text[begin - 1] == '+') {
        --begin;
    }
    return Token{begin, end, text.substr(begin, end - begin)};
}

// Where the statement containing `at` starts (its first non-blank).
std::uint32_t statement_begin(std::string_view text, std::uint32_t at) {
    std::uint32_t begin = std::min<std::uint32_t>(at, to_offset(text.size()));
    while (begin > 0 && text[begin - 1] != '\n' && text[begin - 1] != ';') {
        --begin;
    }
    return skip_blanks(text, begin);
}

std::string_view first_word(std::string_view text, std::uint32_t at) {
    std::uint32_t end = at;
    while (end < text.size() && is_name_char(text[end])) {
        ++end;
    }
    return text.substr(at, end - at);
}

// What an opening bracket belongs to, for "expected ')' to close the call to
// 'normal' (opened at 2:11)" and "expected ',' between the arguments of 'normal'".
struct OpenerDescription {
    std::string what;
    std::string items;  // empty when a ',' makes no sense inside
};

OpenerDescription describe_opener(std::string_view text, std::uint32_t opener) {
    const std::optional<Token> before = token_before(text, opener);
    const bool after_name = before && is_name_start(before->text.front());
    if (text[opener] == '(') {
        if (after_name && before->text == "in") {
            return {"the interval 'in ('", ""};
        }
        if (after_name) {
            return {"the call to " + quote(before->text),
                    "arguments of " + quote(before->text)};
        }
        return {"'('", ""};
    }
    if (!after_name) {
        return {"the vector", "elements of the vector"};
    }
    if (before->text == "simplex") {
        const std::optional<Token> owner = token_before(text, before->begin);
        const std::string name = owner ? quote(owner->text) : quote("simplex");
        return {"the size of " + name, ""};
    }
    // In `param beta[3]` the brackets hold dimensions; elsewhere, indices.
    const std::optional<Token> before_name = token_before(text, before->begin);
    const bool declared = first_word(text, statement_begin(text, opener)) == "param" &&
                          before_name &&
                          (before_name->text == "param" || before_name->text == ",");
    if (declared) {
        return {"the dimensions of " + quote(before->text),
                "dimensions of " + quote(before->text)};
    }
    return {"the index of " + quote(before->text), "indices of " + quote(before->text)};
}

// The innermost bracket still open at `at` (the text before it is balanced
// apart from open brackets, which the prescan guarantees).
std::optional<std::uint32_t> unclosed_opener(std::string_view text, std::uint32_t at) {
    int depth = 0;
    for (std::uint32_t i = std::min<std::uint32_t>(at, to_offset(text.size())); i > 0; --i) {
        const char c = text[i - 1];
        if (c == ')' || c == ']') {
            ++depth;
        } else if (c == '(' || c == '[') {
            if (depth == 0) {
                return i - 1;
            }
            --depth;
        }
    }
    return std::nullopt;
}

// "opened at" in a message that reports a missing closing bracket.
std::string closing_message(const SourceText& source, std::string_view text,
                            std::uint32_t opener) {
    const char close = text[opener] == '(' ? ')' : ']';
    return "expected " + quote(std::string(1, close)) + " to close " +
           describe_opener(text, opener).what + " (opened at " +
           position_text(source, opener) + ")";
}

std::string collapse_blanks(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (is_blank(c) || c == '\n') {
            if (!out.empty() && out.back() != ' ') {
                out += ' ';
            }
        } else {
            out += c;
        }
    }
    while (!out.empty() && out.back() == ' ') {
        out.pop_back();
    }
    if (out.size() > 40) {
        out = out.substr(0, 37) + "...";
    }
    return out;
}

// Turns the rule X3 expected (its name, see model_grammar_def.hpp) and the
// place it failed into a message and a caret.
ParseError expectation_error(const SourceText& source, std::string_view text,
                             std::string_view rule, std::uint32_t where) {
    const std::uint32_t at = skip_blanks(text, where);
    const Token found = token_at(text, at);
    const std::optional<Token> previous = token_before(text, at);
    const std::string after = previous ? " after " + quote(previous->text) : "";
    // A token on the same source line is what the user wrote instead; past the
    // line's end the caret goes right after the last token that was fine.
    const bool found_here = found.is_real() &&
                            (!previous || source.locate(previous->end).line ==
                                              source.locate(found.begin).line);
    const Span at_found{found.begin, found.end};
    const Span after_previous = previous ? Span{previous->end, previous->end} : at_found;

    auto fail = [&](std::string message, std::string_view hint = {}) {
        if (found_here) {
            message += ", found " + quote(found.text);
        }
        if (!hint.empty()) {
            message += " (" + std::string(hint) + ")";
        }
        return ParseError{found_here ? at_found : after_previous, std::move(message)};
    };

    if (rule == "expression") {
        return fail("expected expression" + after);
    }
    if (rule == "call_close" || rule == "index_close" || rule == "vector_close" ||
        rule == "dims_close" || rule == "group_close" || rule == "interval_close") {
        const std::optional<std::uint32_t> opener = unclosed_opener(text, at);
        if (!opener) {
            return fail("expected a closing bracket" + after);
        }
        const OpenerDescription description = describe_opener(text, *opener);
        const bool starts_operand =
            found.is_real() && (is_word_char(found.text.front()) ||
                                found.text == "(" || found.text == "[");
        if (found_here && starts_operand && !description.items.empty()) {
            return {at_found, "expected ',' between the " + description.items + ", found " +
                                  quote(found.text)};
        }
        return fail(closing_message(source, text, *opener));
    }
    if (rule == "distribution") {
        return fail("expected a distribution" + after, "as in 'y ~ normal(mu, sigma)'");
    }
    if (rule == "distribution_open") {
        return fail("expected '(' after the distribution" +
                        (previous ? " " + quote(previous->text) : std::string()),
                    "a distribution is a call, as in 'normal(mu, sigma)'");
    }
    if ((rule == "sample_tilde" || rule == "statement_end") &&
        (found.text == "~" || found.text == "=")) {
        // `mu = a +` then `y ~ normal(mu, 1)`: the operator joined the two
        // lines, and the second line's '~' is where the parser noticed.
        const std::uint32_t begin = statement_begin(text, at);
        const std::string_view original = source.text();
        const std::size_t newline = original.substr(0, found.begin).rfind('\n');
        const bool joined_by_operator =
            newline != std::string_view::npos && newline >= begin &&
            !unclosed_opener(text, to_offset(newline));  // not inside brackets
        if (joined_by_operator) {
            const std::optional<Token> operator_token = token_before(text, to_offset(newline));
            if (operator_token &&
                std::string_view("+-*/^,~=|").find(operator_token->text.back()) !=
                    std::string_view::npos) {
                return {Span{operator_token->end, operator_token->end},
                        "expected expression after " + quote(operator_token->text) +
                            " (a line that ends with an operator continues on the next line)"};
            }
        }
    }
    if (rule == "sample_tilde") {
        const std::uint32_t begin = statement_begin(text, at);
        const std::uint32_t end = previous ? previous->end : at;
        const std::string left = collapse_blanks(text.substr(begin, end - begin));
        if (found.text == "=") {
            return {Span{begin, end}, "cannot assign to " + quote(left) +
                                          ": the left side of '=' must be a name"};
        }
        const bool is_name = !left.empty() && is_name_start(left.front()) &&
                             std::all_of(left.begin(), left.end(), is_name_char);
        if (is_name) {
            return fail("expected '~' or '=' after " + quote(left));
        }
        return fail("expected '~' after " + quote(left),
                    "an expression alone is not a statement");
    }
    if (rule == "statement_end") {
        const std::uint32_t begin = statement_begin(text, at);
        const std::string_view keyword = first_word(text, begin);
        if (keyword == "param" || keyword == "data") {
            return fail("expected ',' or end of statement" + after);
        }
        const bool sampling = text.substr(begin, at - begin).find('~') != std::string_view::npos;
        const bool after_operand = previous && (is_word_char(previous->text.back()) ||
                                                previous->text == ")" || previous->text == "]");
        if (!sampling && after_operand) {
            return fail("expected an operator or end of statement" + after);
        }
        return fail("expected end of statement" + after);
    }
    if (rule == "statement") {
        const std::string message = "expected a statement, found " + quote(found.text);
        if (found.text == "~") {
            return {at_found, "expected an outcome before '~' (as in 'y ~ normal(mu, sigma)')"};
        }
        if (found.text == "|") {
            return {at_found, message + " ('|' belongs inside a call, as in "
                                        "'normal_lpdf(y | mu, sigma)')"};
        }
        return {at_found, message};
    }
    if (rule == "plus_assign") {
        return fail("expected '+='" + after, "as in 'target += expr'");
    }
    if (rule == "report_name") {
        return fail("expected a name" + after, "as in 'report name = expr'");
    }
    if (rule == "report_equals") {
        return fail("expected '='" + after, "as in 'report name = expr'");
    }
    if (rule == "param_name") {
        return fail("expected a parameter name" + after,
                    found.text == "in" ? "'in' is a keyword" : "");
    }
    if (rule == "data_name") {
        return fail("expected a column name" + after);
    }
    if (rule == "simplex_open") {
        return fail("expected '['" + after, "as in 'w simplex[3]'");
    }
    if (rule == "lower_bound") {
        return fail("expected a lower bound" + after);
    }
    if (rule == "upper_bound") {
        return fail("expected an upper bound" + after);
    }
    if (rule == "interval_open") {
        return fail("expected '('" + after, "as in 'p in (0, 1)'");
    }
    if (rule == "interval_comma") {
        return fail("expected ',' between the bounds of 'in (lo, hi)'");
    }
    return fail("expected " + std::string(rule) + after);
}

// "unexpected character 'é' (U+00E9)": the code point, so that look-alikes
// (a non-breaking space, a typographic minus) can be told apart.
ParseError character_error(std::string_view text, std::uint32_t at) {
    const auto lead = static_cast<unsigned char>(text[at]);
    const std::size_t length = utf8_length(lead);
    std::uint32_t code_point = lead;
    bool valid = lead < 0x80U || (lead >= 0xC2U && lead <= 0xF4U && at + length <= text.size());
    if (valid && length > 1) {
        code_point = lead & (0xFFU >> (length + 1));
        for (std::size_t k = 1; k < length; ++k) {
            const auto byte = static_cast<unsigned char>(text[at + k]);
            valid = valid && (byte & 0xC0U) == 0x80U;
            code_point = (code_point << 6) | (byte & 0x3FU);
        }
    }
    if (!valid) {
        static const char* digits = "0123456789ABCDEF";
        return {Span{at, at + 1}, std::string("invalid UTF-8 byte 0x") + digits[lead >> 4] +
                                      digits[lead & 0xFU]};
    }
    char hex[16];
    const auto result = std::to_chars(hex, hex + sizeof hex, code_point, 16);
    std::string u(hex, result.ptr);
    for (char& c : u) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    u.insert(0, std::string(u.size() < 4 ? 4 - u.size() : 0, '0'));
    const Span span{at, to_offset(at + length)};
    if (code_point >= 0x80U) {
        return {span, "unexpected character " + quote(text.substr(at, length)) + " (U+" + u +
                          "; only comments may contain non-ASCII characters)"};
    }
    if (code_point < 0x20U || code_point == 0x7FU) {
        return {span, "unexpected character U+" + u};
    }
    return {span, "unexpected character " + quote(text.substr(at, 1))};
}

struct Prescan {
    std::string text;  // what X3 reads
    std::optional<ParseError> error;
};

// The lexical pass (see the top of this file).
Prescan prescan(const SourceText& source) {
    Prescan out{source.text(), std::nullopt};
    std::string& text = out.text;
    struct Open {
        std::uint32_t at;
        char bracket;
    };
    std::vector<Open> open;
    // Per bracket level, the run of '^' and unary signs since the last
    // operator that the parser handles in a loop (+ - * / , and the like).
    std::vector<int> chain{0};
    if (text.rfind("\xEF\xBB\xBF", 0) == 0) {
        text.replace(0, 3, "   ");  // a UTF-8 byte order mark, as some editors write
    }
    int depth = 0;  // open brackets + all chains: the recursion the text needs
    bool after_operand = false;  // decides whether '-' is unary
    bool continues = false;      // the line so far ends with an operator

    auto end_chain = [&] {
        depth -= chain.back();
        chain.back() = 0;
    };
    auto too_deep = [&](std::uint32_t at) {
        return ParseError{Span{at, at + 1}, "expression nested too deeply (more than " +
                                                std::to_string(max_nesting) + " levels)"};
    };

    for (std::uint32_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (is_blank(c)) {
            continue;
        }
        if (c == '\r') {
            text[i] = ' ';
            continue;
        }
        if (c == '#') {
            for (; i < text.size() && text[i] != '\n'; ++i) {
                text[i] = ' ';
            }
            --i;
            continue;
        }
        if (c == '\n' || c == ';') {
            if (c == '\n' && (!open.empty() || continues)) {
                text[i] = ' ';
                continue;
            }
            end_chain();
            after_operand = false;
            continues = false;
            continue;
        }
        continues = false;
        if (is_name_start(c)) {
            std::uint32_t end = i + 1;
            while (end < text.size() && is_name_char(text[end])) {
                ++end;
            }
            if (end - i > max_name_length) {
                out.error = ParseError{Span{i, end}, "name too long (" + std::to_string(end - i) +
                                                         " characters; at most " +
                                                         std::to_string(max_name_length) + ")"};
                return out;
            }
            if (end < text.size() && text[end] == '.') {
                out.error = ParseError{Span{end, end + 1}, "unexpected '.' after " +
                                                               quote(text.substr(i, end - i)) +
                                                               " (names cannot contain '.')"};
                return out;
            }
            i = end - 1;
            after_operand = true;
            continue;
        }
        if (is_digit(c) || (c == '.' && i + 1 < text.size() && is_digit(text[i + 1]))) {
            // digits ['.' digits] [('e' | 'E') ['+' | '-'] digits]
            std::uint32_t end = i;
            while (end < text.size() && is_digit(text[end])) ++end;
            if (end < text.size() && text[end] == '.') {
                ++end;
                while (end < text.size() && is_digit(text[end])) ++end;
            }
            if (end < text.size() && (text[end] == 'e' || text[end] == 'E')) {
                std::uint32_t exponent = end + 1;
                if (exponent < text.size() && (text[exponent] == '+' || text[exponent] == '-')) {
                    ++exponent;
                }
                if (exponent < text.size() && is_digit(text[exponent])) {
                    end = exponent;
                    while (end < text.size() && is_digit(text[end])) ++end;
                }
            }
            if (end < text.size() && is_word_char(text[end])) {
                while (end < text.size() && is_word_char(text[end])) ++end;
                out.error = ParseError{Span{i, end}, "malformed number " +
                                                         quote(text.substr(i, end - i))};
                return out;
            }
            i = end - 1;
            after_operand = true;
            continue;
        }
        if (c == '*' && i + 1 < text.size() && text[i + 1] == '*') {
            // R and Python write a power as `a ** b`; X3 would only say that
            // an expression was expected after the first '*'.
            out.error = ParseError{Span{i, i + 2}, "'**' is not an operator in mlec; write '^' for a "
                                                   "power, as in 'x ^ 2'"};
            return out;
        }
        switch (c) {
            case '(':
            case '[':
                open.push_back({i, c});
                chain.push_back(0);
                if (++depth > max_nesting) {
                    out.error = too_deep(i);
                    return out;
                }
                after_operand = false;
                continue;
            case ')':
            case ']': {
                const char expected_open = c == ')' ? '(' : '[';
                if (open.empty()) {
                    out.error = ParseError{
                        Span{i, i + 1}, "unexpected " + quote(std::string(1, c)) +
                                            " with no matching " +
                                            quote(std::string(1, expected_open))};
                    return out;
                }
                if (open.back().bracket != expected_open) {
                    out.error = ParseError{Span{i, i + 1},
                                           closing_message(source, text, open.back().at) +
                                               ", found " + quote(std::string(1, c))};
                    return out;
                }
                depth -= 1 + chain.back();
                chain.pop_back();
                open.pop_back();
                after_operand = true;
                continue;
            }
            case '+':
            case '-':
                if (c == '+' && i + 1 < text.size() && text[i + 1] == '=') {
                    ++i;  // '+=' ends with '=': the statement goes on
                    end_chain();
                } else if (after_operand) {
                    end_chain();
                } else {
                    ++chain.back();
                    if (++depth > max_nesting) {
                        out.error = too_deep(i);
                        return out;
                    }
                }
                after_operand = false;
                continues = true;
                continue;
            case '^':
                ++chain.back();
                if (++depth > max_nesting) {
                    out.error = too_deep(i);
                    return out;
                }
                after_operand = false;
                continues = true;
                continue;
            case '*':
            case '/':
            case ',':
            case '~':
            case '=':
            case '|':
                end_chain();
                after_operand = false;
                continues = true;
                continue;
            case '<':
            case '>':
                // Bounds, not operators: `param s >` at a line's end is an
                // error to report there, not a statement to continue.
                end_chain();
                after_operand = false;
                continue;
            default:
                out.error = character_error(text, i);
                return out;
        }
    }
    return out;
}

// The X3 syntax tree -> ast.hpp's tree. A returned expression carries the
// height of its tree so that chains too long to walk safely are refused.
class Converter {
public:
    explicit Converter(std::string_view text) : text_(text) {}

    std::optional<ParseError> error;

    ast::Model model(const syntax::Model& tree) {
        ast::Model out;
        for (const syntax::Statement& statement : tree) {
            out.statements.push_back(boost::apply_visitor(
                [this](const auto& node) { return this->statement(node); }, statement));
            if (error) {
                break;
            }
        }
        return out;
    }

private:
    struct Tree {
        ast::Expr expr;
        int height = 1;
    };

    std::string_view text_;

    std::uint32_t offset(const char* p) const { return to_offset(p - text_.data()); }
    Span span(const syntax::Located& node) const { return {offset(node.from), offset(node.to)}; }

    void fail(Span at, std::string message) {
        if (!error) {
            error = ParseError{at, std::move(message)};
        }
    }

    static ast::ExprPtr boxed(ast::Expr expr) {
        return std::make_unique<ast::Expr>(std::move(expr));
    }

    Tree binary(ast::BinaryOp op, Tree lhs, Tree rhs) {
        Tree out;
        out.height = std::max(lhs.height, rhs.height) + 1;
        out.expr.span = {lhs.expr.span.begin, rhs.expr.span.end};
        if (out.height > max_tree_height) {
            fail(out.expr.span, "expression too long (more than " +
                                    std::to_string(max_tree_height) +
                                    " operations in a chain); split it into local definitions");
            return lhs;
        }
        out.expr.node = ast::Binary{op, boxed(std::move(lhs.expr)), boxed(std::move(rhs.expr))};
        return out;
    }

    Tree expression(const syntax::Expression& node) {
        Tree out = product(node.first);
        for (const syntax::SumTail& tail : node.rest) {
            if (error) break;
            out = binary(tail.op == '+' ? ast::BinaryOp::add : ast::BinaryOp::sub,
                         std::move(out), product(tail.operand));
        }
        return out;
    }

    Tree product(const syntax::Product& node) {
        Tree out = unary(node.first);
        for (const syntax::ProductTail& tail : node.rest) {
            if (error) break;
            out = binary(tail.op == '*' ? ast::BinaryOp::mul : ast::BinaryOp::div,
                         std::move(out), unary(tail.operand));
        }
        return out;
    }

    Tree unary(const syntax::Unary& node) {
        // The signs' offsets: the grammar keeps only their characters.
        std::vector<std::uint32_t> at;
        std::uint32_t cursor = offset(node.from);
        for (std::size_t k = 0; k < node.signs.size(); ++k) {
            cursor = skip_blanks(text_, cursor);
            at.push_back(cursor++);
        }
        Tree out = power(node.operand);
        for (std::size_t k = node.signs.size(); k-- > 0;) {
            if (node.signs[k] == '-') {
                ast::Expr negated;
                negated.span = out.expr.span;
                negated.node = ast::Negate{boxed(std::move(out.expr))};
                out.expr = std::move(negated);
                ++out.height;
            }
            out.expr.span.begin = at[k];  // a dropped '+' still belongs to the span
        }
        return out;
    }

    Tree power(const syntax::Power& node) {
        Tree base = primary(node.base);
        if (!node.exponent) {
            base.expr.span = span(node);  // with the parentheses of a group
            return base;
        }
        Tree out = binary(ast::BinaryOp::pow, std::move(base), unary(node.exponent->get()));
        out.expr.span = span(node);
        return out;
    }

    Tree primary(const syntax::Primary& node) {
        return boost::apply_visitor([this](const auto& alternative) { return this->operand(alternative); },
                                    node);
    }

    Tree operand(const syntax::Number& node) {
        Tree out;
        out.expr.span = span(node);
        const std::string& text = node.text;
        double value = 0;
        const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
        if (result.ec == std::errc::result_out_of_range) {
            value = std::strtod(text.c_str(), nullptr);  // underflow: 0 or a subnormal
        }
        if (!std::isfinite(value)) {
            fail(out.expr.span, "number " + quote(text) + " is too large for a double");
        }
        out.expr.node = ast::Number{value};
        return out;
    }

    Tree operand(const syntax::Name& node) {
        Tree out;
        out.expr.span = span(node);
        out.expr.node = ast::Name{node.text};
        return out;
    }

    Tree operand(const x3::forward_ast<syntax::Expression>& node) { return expression(node.get()); }

    Tree operand(const x3::forward_ast<syntax::Call>& node) { return call(node.get()); }

    Tree call(const syntax::Call& node) {
        Tree out;
        out.expr.span = span(node);
        ast::Call result;
        result.callee = node.callee.text;
        result.callee_span = span(node.callee);
        if (node.arguments) {
            result.args.push_back(take(expression(node.arguments->first), out.height));
            for (std::size_t k = 0; k < node.arguments->rest.size(); ++k) {
                const syntax::ArgumentTail& tail = node.arguments->rest[k];
                if (tail.separator == '|') {
                    if (k != 0) {
                        const std::uint32_t bar = offset(tail.from);
                        fail(Span{bar, bar + 1},
                             "'|' can only follow the first argument, as in "
                             "'normal_lpdf(y | mu, sigma)'");
                    }
                    result.conditional = true;
                }
                result.args.push_back(take(expression(tail.value), out.height));
            }
        }
        out.expr.node = std::move(result);
        return out;
    }

    Tree operand(const x3::forward_ast<syntax::Index>& node) {
        const syntax::Index& index = node.get();
        Tree out;
        out.expr.span = span(index);
        ast::Index result;
        result.name = index.name.text;
        result.name_span = span(index.name);
        result.indices = expressions(index.indices, out.height);
        out.expr.node = std::move(result);
        return out;
    }

    Tree operand(const x3::forward_ast<syntax::VectorLiteral>& node) {
        Tree out;
        out.expr.span = span(node.get());
        out.expr.node = ast::VectorLiteral{expressions(node.get(), out.height)};
        return out;
    }

    // Moves a child out of its Tree, raising the parent's height to fit it.
    static ast::Expr take(Tree child, int& parent_height) {
        parent_height = std::max(parent_height, child.height + 1);
        return std::move(child.expr);
    }

    std::vector<ast::Expr> expressions(const std::vector<syntax::Expression>& nodes,
                                       int& parent_height) {
        std::vector<ast::Expr> out;
        for (const syntax::Expression& node : nodes) {
            out.push_back(take(expression(node), parent_height));
        }
        return out;
    }

    ast::Expr value(const syntax::Expression& node) { return expression(node).expr; }

    ast::Statement statement(const syntax::Sample& node) {
        ast::Sample sample{value(node.outcome), call(node.distribution).expr};
        return {span(node), std::move(sample)};
    }

    ast::Statement statement(const syntax::Assign& node) {
        return {span(node), ast::Assign{node.name.text, span(node.name), value(node.value)}};
    }

    ast::Statement statement(const syntax::Param& node) {
        ast::Param param;
        for (const syntax::ParamDecl& decl : node) {
            ast::ParamDecl out;
            out.name = decl.name.text;
            out.name_span = span(decl.name);
            out.simplex = decl.simplex;
            int height = 0;
            out.dims = expressions(decl.dims, height);
            if (decl.simplex && out.dims.size() != 1) {
                fail(out.name_span, "a simplex has exactly one size, as in 'w simplex[3]'");
            }
            if (decl.interval) {
                if (decl.lower || decl.upper) {
                    fail(out.name_span, quote(decl.name.text) +
                                            " has both 'in (lo, hi)' and '>'/'<' bounds; "
                                            "give one or the other");
                }
                out.lower = value(decl.interval->lower);
                out.upper = value(decl.interval->upper);
            }
            if (decl.lower) out.lower = value(*decl.lower);
            if (decl.upper) out.upper = value(*decl.upper);
            if (decl.start) out.start = value(*decl.start);
            param.decls.push_back(std::move(out));
        }
        return {span(node), std::move(param)};
    }

    ast::Statement statement(const syntax::Data& node) {
        ast::Data data;
        for (const syntax::Name& name : node) {
            data.names.push_back({name.text, span(name)});
        }
        return {span(node), std::move(data)};
    }

    ast::Statement statement(const syntax::Target& node) {
        return {span(node), ast::TargetAdd{value(node.value)}};
    }

    ast::Statement statement(const syntax::Report& node) {
        return {span(node), ast::Report{node.name.text, span(node.name), value(node.value)}};
    }
};

}  // namespace

ParseResult parse_model(const SourceText& source) {
    ParseResult result;
    auto fail = [&](const ParseError& error) {
        result.diagnostics.push_back(source.diagnostic(error.span, error.message));
        return std::move(result);
    };
    if (source.text().size() >= std::numeric_limits<std::uint32_t>::max()) {
        result.diagnostics.push_back(
            Diagnostic{Severity::error, Category::model, source.name(), 0, 0,
                       "model file is too large (4 GiB or more)", "", 1});
        return result;
    }

    const Prescan scanned = prescan(source);
    if (scanned.error) {
        return fail(*scanned.error);
    }

    const std::string& text = scanned.text;
    const char* first = text.data();
    const char* const last = text.data() + text.size();
    syntax::Model tree;
    try {
        const bool ok = x3::phrase_parse(first, last, grammar::model(), x3::ascii::blank, tree);
        if (!ok || first != last) {
            return fail(expectation_error(source, text, "statement", to_offset(first - text.data())));
        }
    } catch (const x3::expectation_failure<grammar::iterator_type>& failure) {
        return fail(expectation_error(source, text, failure.which(),
                                      to_offset(failure.where() - text.data())));
    }

    Converter converter(text);
    ast::Model model = converter.model(tree);
    if (converter.error) {
        return fail(*converter.error);
    }
    result.model = std::move(model);
    return result;
}

}  // namespace mlec

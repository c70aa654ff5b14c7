// The prescan (prescan.hpp): one pass over the characters, one function per
// kind of token, keeping the brackets still open and the recursion the text
// will need.
#include "grammar/prescan.hpp"

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "grammar/tokens.hpp"

namespace mlec::grammar {

namespace {

class Prescanner {
public:
    explicit Prescanner(const SourceText& source) : source_(source), text_(source.text()) {}

    Prescan run() && {
        if (text_.rfind("\xEF\xBB\xBF", 0) == 0) {
            text_.replace(0, 3, "   ");  // a UTF-8 byte order mark, as some editors write
        }
        std::optional<ParseError> error;
        for (std::uint32_t i = 0; i < text_.size() && !error;) {
            error = token(i);
        }
        return {std::move(text_), std::move(error)};
    }

private:
    struct Open {
        std::uint32_t at;
        char bracket;
    };

    const SourceText& source_;
    std::string text_;  // the copy X3 reads, blanked as the scan goes
    std::vector<Open> open_;
    // Per bracket level, the run of '^' and unary signs since the last
    // operator that the parser handles in a loop (+ - * / , and the like).
    std::vector<int> chain_{0};
    int depth_ = 0;               // open brackets + all chains: the recursion the text needs
    bool after_operand_ = false;  // decides whether '-' is unary
    bool continues_ = false;      // the line so far ends with an operator

    std::uint32_t size() const { return to_offset(text_.size()); }

    // The token (or blank, comment, line end) at i; moves i past it.
    std::optional<ParseError> token(std::uint32_t& i) {
        const char c = text_[i];
        if (is_blank(c)) {
            ++i;
            return std::nullopt;
        }
        if (c == '\r') {
            text_[i++] = ' ';
            return std::nullopt;
        }
        if (c == '#') {
            blank_comment(i);
            return std::nullopt;
        }
        if (c == '\n' || c == ';') {
            statement_break(i++);
            return std::nullopt;
        }
        continues_ = false;
        if (is_name_start(c)) {
            return name(i);
        }
        if (number_end(text_, i) > i) {
            return number(i);
        }
        return symbol(i);
    }

    // A comment runs to the end of its line, which stays.
    void blank_comment(std::uint32_t& i) {
        for (; i < size() && text_[i] != '\n'; ++i) {
            text_[i] = ' ';
        }
    }

    // A newline inside brackets or after an operator continues the statement
    // (X3 reads a blank); otherwise it ends the statement, as ';' does.
    void statement_break(std::uint32_t i) {
        if (text_[i] == '\n' && (!open_.empty() || continues_)) {
            text_[i] = ' ';
            return;
        }
        end_chain();
        after_operand_ = false;
        continues_ = false;
    }

    std::optional<ParseError> name(std::uint32_t& i) {
        const std::uint32_t end = to_offset(name_end(text_, i));
        if (end - i > max_name_length) {
            return ParseError{Span{i, end}, "name too long (" + std::to_string(end - i) + " characters; at most " +
                                                std::to_string(max_name_length) + ")"};
        }
        if (end < size() && text_[end] == '.') {
            return ParseError{Span{end, end + 1}, "unexpected '.' after " +
                                                      quote(std::string_view(text_).substr(i, end - i)) +
                                                      " (names cannot contain '.')"};
        }
        i = end;
        after_operand_ = true;
        return std::nullopt;
    }

    // A number runs into no name or other number: `1e`, `2x`, `1.5.2`.
    std::optional<ParseError> number(std::uint32_t& i) {
        std::uint32_t end = to_offset(number_end(text_, i));
        if (end < size() && is_word_char(text_[end])) {
            while (end < size() && is_word_char(text_[end])) ++end;
            return ParseError{Span{i, end}, "malformed number " + quote(std::string_view(text_).substr(i, end - i))};
        }
        i = end;
        after_operand_ = true;
        return std::nullopt;
    }

    // An operator or bracket at i; anything else is a character the
    // language does not have.
    std::optional<ParseError> symbol(std::uint32_t& i) {
        const char c = text_[i];
        if (c == '*' && i + 1 < size() && text_[i + 1] == '*') {
            // R and Python write a power as `a ** b`; X3 would only say that
            // an expression was expected after the first '*'.
            return ParseError{Span{i, i + 2},
                              "'**' is not an operator in mlec; write '^' for a "
                              "power, as in 'x ^ 2'"};
        }
        if (c == '&' && !(i + 1 < size() && text_[i + 1] == '&')) {
            // R's vectorized and: mlec's values are per row already.
            return ParseError{Span{i, i + 1}, "'&' is not an operator in mlec; write '&&' for 'and'"};
        }
        if ((c == '|' || c == '&') && i + 1 < size() && text_[i + 1] == c) {
            i += 2;
            end_chain();
            after_operand_ = false;
            continues_ = true;
            return std::nullopt;
        }
        if (c == '!' && !(i + 1 < size() && text_[i + 1] == '=')) return deepen_chain(i++);  // not: a sign
        switch (c) {
            case '(':
            case '[': return open_bracket(i++);
            case ')':
            case ']': return close_bracket(i++);
            case '+':
            case '-': return sign(i);
            case '^': return deepen_chain(i++);
            case '*':
            case '/':
            case ',':
            case '~':
            case '=':
            case '|':
            case '!':
            case '?':
            case ':':
                ++i;
                end_chain();
                after_operand_ = false;
                continues_ = true;
                return std::nullopt;
            case '<':
            case '>':
                // Bounds, not operators: `param s >` at a line's end is an
                // error to report there, not a statement to continue.
                ++i;
                end_chain();
                after_operand_ = false;
                return std::nullopt;
            default: return character_error(text_, i);
        }
    }

    std::optional<ParseError> open_bracket(std::uint32_t at) {
        open_.push_back({at, text_[at]});
        chain_.push_back(0);
        if (++depth_ > max_nesting) {
            return too_deep(at);
        }
        after_operand_ = false;
        return std::nullopt;
    }

    std::optional<ParseError> close_bracket(std::uint32_t at) {
        const char c = text_[at];
        const char expected_open = c == ')' ? '(' : '[';
        if (open_.empty()) {
            return ParseError{Span{at, at + 1}, "unexpected " + quote(std::string(1, c)) + " with no matching " +
                                                    quote(std::string(1, expected_open))};
        }
        if (open_.back().bracket != expected_open) {
            return ParseError{Span{at, at + 1},
                              closing_message(source_, text_, open_.back().at) + ", found " + quote(std::string(1, c))};
        }
        depth_ -= 1 + chain_.back();
        chain_.pop_back();
        open_.pop_back();
        after_operand_ = true;
        return std::nullopt;
    }

    // '+=' ends with '=': the statement goes on. After an operand '+' and
    // '-' are operators; otherwise signs, a level of recursion each.
    std::optional<ParseError> sign(std::uint32_t& i) {
        if (text_[i] == '+' && i + 1 < size() && text_[i + 1] == '=') {
            i += 2;
            end_chain();
        } else if (after_operand_) {
            ++i;
            end_chain();
        } else if (auto error = deepen_chain(i++)) {
            return error;
        }
        after_operand_ = false;
        continues_ = true;
        return std::nullopt;
    }

    // A '^' or a unary sign at `at`: the parser recurses once more for it.
    std::optional<ParseError> deepen_chain(std::uint32_t at) {
        ++chain_.back();
        if (++depth_ > max_nesting) {
            return too_deep(at);
        }
        after_operand_ = false;
        continues_ = true;
        return std::nullopt;
    }

    void end_chain() {
        depth_ -= chain_.back();
        chain_.back() = 0;
    }

    static ParseError too_deep(std::uint32_t at) {
        return ParseError{Span{at, at + 1},
                          "expression nested too deeply (more than " + std::to_string(max_nesting) + " levels)"};
    }
};

}  // namespace

Prescan prescan(const SourceText& source) { return Prescanner(source).run(); }

}  // namespace mlec::grammar

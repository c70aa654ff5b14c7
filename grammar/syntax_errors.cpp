// Syntax errors worded (syntax_errors.hpp): the tokens around the place,
// what an open bracket belongs to, and one function per kind of failure.
#include "grammar/syntax_errors.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <system_error>
#include <utility>

#include "grammar/tokens.hpp"

namespace mlec::grammar {

namespace {

// A quoted token or piece of text; one longer than `max_quoted` characters
// is cut and ends in "...", so that a 1 MB number or expression does not
// make a 1 MB message (the caret already shows where it is).
constexpr std::size_t max_quoted = 60;

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
        // `random (a, b)[g] ~ ...`: the names of correlated effects
        if (after_name && before->text == "random" && before->begin == statement_begin(text, opener)) {
            return {"the names of the random effects", "names of the random effects"};
        }
        if (after_name) {
            return {"the call to " + quote(before->text), "arguments of " + quote(before->text)};
        }
        return {"'('", ""};
    }
    if (!after_name) {
        return {"the vector", "elements of the vector"};
    }
    // `dist(...) T[` is a truncation; `T[` elsewhere indexes a name T.
    if (const std::optional<Token> call_end = token_before(text, before->begin);
        before->text == "T" && call_end && call_end->text == ")") {
        return {"the truncation 'T['", ""};
    }
    if (before->text == "simplex" || before->text == "ordered" || before->text == "positive_ordered" ||
        before->text == "corr") {
        const std::optional<Token> owner = token_before(text, before->begin);
        const std::string name = owner ? quote(owner->text) : quote("simplex");
        return {"the size of " + name, ""};
    }
    // In `param beta[3]` the brackets hold dimensions; elsewhere, indices.
    const std::optional<Token> before_name = token_before(text, before->begin);
    const bool declared = first_word(text, statement_begin(text, opener)) == "param" && before_name &&
                          (before_name->text == "param" || before_name->text == ",");
    if (declared) {
        return {"the dimensions of " + quote(before->text), "dimensions of " + quote(before->text)};
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

}  // namespace

std::string quote(std::string_view text) {
    // (appended piece by piece: GCC 12 warns falsely, -Wrestrict, about
    // "'" + std::string once this function is out of line)
    std::string out = "'";
    std::size_t characters = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0U) != 0x80U && characters++ == max_quoted) {
            out += text.substr(0, i);
            out += "...'";
            return out;
        }
    }
    out += text;
    out += '\'';
    return out;
}

std::string closing_message(const SourceText& source, std::string_view text, std::uint32_t opener) {
    const char close = text[opener] == '(' ? ')' : ']';
    return "expected " + quote(std::string(1, close)) + " to close " + describe_opener(text, opener).what +
           " (opened at " + position_text(source, opener) + ")";
}

namespace {

// What an expectation failure sees around the place X3 stopped: the token
// found there, the one before it, and where a caret goes.
struct Failure {
    const SourceText& source;
    std::string_view text;
    std::uint32_t at;  // where X3 stopped, blanks skipped
    Token found;
    std::optional<Token> previous;
    std::string after;  // " after 'previous'", or empty
    bool found_here;    // the found token is on the previous token's line
    Span at_found;
    Span after_previous;

    Failure(const SourceText& source_, std::string_view text_, std::uint32_t where)
        : source(source_), text(text_), at(skip_blanks(text_, where)), found(token_at(text_, at)),
          previous(token_before(text_, at)), after(previous ? " after " + quote(previous->text) : ""),
          // A token on the same source line is what the user wrote instead; past the
          // line's end the caret goes right after the last token that was fine.
          found_here(found.is_real() &&
                     (!previous || source.locate(previous->end).line == source.locate(found.begin).line)),
          at_found{found.begin, found.end}, after_previous(previous ? Span{previous->end, previous->end} : at_found) {}

    ParseError fail(std::string message, std::string_view hint = {}) const {
        if (found_here) {
            message += ", found " + quote(found.text);
        }
        if (!hint.empty()) {
            message += " (" + std::string(hint) + ")";
        }
        return ParseError{found_here ? at_found : after_previous, std::move(message)};
    }
};

bool is_closing_rule(std::string_view rule) {
    return rule == "call_close" || rule == "index_close" || rule == "vector_close" || rule == "dims_close" ||
           rule == "group_close" || rule == "interval_close" || rule == "censoring_close" ||
           rule == "truncation_close" || rule == "def_close" || rule == "random_names_close";
}

// A closing bracket was expected: a missing ',' between items, or the
// bracket, naming what it closes and where that opened.
ParseError closing_error(const Failure& f) {
    const std::optional<std::uint32_t> opener = unclosed_opener(f.text, f.at);
    if (!opener) {
        return f.fail("expected a closing bracket" + f.after);
    }
    const OpenerDescription description = describe_opener(f.text, *opener);
    const bool starts_operand =
        f.found.is_real() && (is_word_char(f.found.text.front()) || f.found.text == "(" || f.found.text == "[");
    if (f.found_here && starts_operand && !description.items.empty()) {
        return {f.at_found, "expected ',' between the " + description.items + ", found " + quote(f.found.text)};
    }
    return f.fail(closing_message(f.source, f.text, *opener));
}

// `mu = a +` then `y ~ normal(mu, 1)`: the operator joined the two lines,
// and the second line's '~' or '=' is where the parser noticed.
std::optional<ParseError> joined_lines_error(const Failure& f) {
    const std::uint32_t begin = statement_begin(f.text, f.at);
    const std::string_view original = f.source.text();
    const std::size_t newline = original.substr(0, f.found.begin).rfind('\n');
    const bool joined_by_operator = newline != std::string_view::npos && newline >= begin &&
                                    !unclosed_opener(f.text, to_offset(newline));  // not inside brackets
    if (joined_by_operator) {
        const std::optional<Token> operator_token = token_before(f.text, to_offset(newline));
        if (operator_token &&
            std::string_view("+-*/^,~=|").find(operator_token->text.back()) != std::string_view::npos) {
            return ParseError{Span{operator_token->end, operator_token->end},
                              "expected expression after " + quote(operator_token->text) +
                                  " (a line that ends with an operator continues on the next line)"};
        }
    }
    return std::nullopt;
}

// A statement that is neither a sample nor an assignment.
ParseError sample_tilde_error(const Failure& f) {
    const std::uint32_t begin = statement_begin(f.text, f.at);
    const std::uint32_t end = f.previous ? f.previous->end : f.at;
    const std::string left = collapse_blanks(f.text.substr(begin, end - begin));
    if (f.found.text == "=") {
        return {Span{begin, end}, "cannot assign to " + quote(left) + ": the left side of '=' must be a name"};
    }
    const bool is_name =
        !left.empty() && is_name_start(left.front()) && std::all_of(left.begin(), left.end(), is_name_char);
    if (is_name) {
        return f.fail("expected '~' or '=' after " + quote(left));
    }
    return f.fail("expected '~' after " + quote(left), "an expression alone is not a statement");
}

// A statement went on where it should have ended.
ParseError statement_end_error(const Failure& f) {
    const std::uint32_t begin = statement_begin(f.text, f.at);
    const std::string_view keyword = first_word(f.text, begin);
    if (keyword == "param" || keyword == "data") {
        return f.fail("expected ',' or end of statement" + f.after);
    }
    if (f.found.text == "|") {
        // R's vectorized or; '|' alone is only the bar of normal_lpdf(y | ...)
        return {f.at_found, "'|' is not an operator in mlec; write '||' for 'or'"};
    }
    const bool sampling = f.text.substr(begin, f.at - begin).find('~') != std::string_view::npos;
    const bool after_operand =
        f.previous && (is_word_char(f.previous->text.back()) || f.previous->text == ")" || f.previous->text == "]");
    if (!sampling && after_operand) {
        return f.fail("expected an operator or end of statement" + f.after);
    }
    return f.fail("expected end of statement" + f.after);
}

// Something that cannot start a statement.
ParseError statement_error(const Failure& f) {
    const std::string message = "expected a statement, found " + quote(f.found.text);
    if (f.found.text == "~") {
        return {f.at_found, "expected an outcome before '~' (as in 'y ~ normal(mu, sigma)')"};
    }
    if (f.found.text == "|") {
        return {f.at_found, message +
                                " ('|' belongs inside a call, as in "
                                "'normal_lpdf(y | mu, sigma)')"};
    }
    return {f.at_found, message};
}

// `y ~ x1 + x2` and `y ~ 1 + x`: R's model formulas, where mlec wants a
// distribution. Said at the formula's first term.
std::optional<ParseError> formula_error(const Failure& f, std::string_view rule) {
    const bool after_name = rule == "distribution_open" && f.previous && f.found_here &&
                            (f.found.text == "+" || f.found.text == "*" || f.found.text == ":");
    const bool intercept = rule == "distribution" && f.found_here && (f.found.text == "1" || f.found.text == "0");
    if (!after_name && !intercept) {
        return std::nullopt;
    }
    const Span at = after_name ? Span{f.previous->begin, f.previous->end} : f.at_found;
    return ParseError{at,
                      "this is an R formula; in mlec write the distribution and its mean, as in "
                      "'y ~ normal(b0 + b1*x1 + b2*x2, sigma)'"};
}

// The rules whose message is a fixed phrase (and hint) after the failure.
ParseError phrase_error(const Failure& f, std::string_view rule) {
    if (rule == "expression") {
        return f.fail("expected expression" + f.after);
    }
    if (auto formula = formula_error(f, rule)) {
        return std::move(*formula);
    }
    if (rule == "branch_colon") {
        return f.fail("expected ':'" + f.after, "a conditional is written 'c ? a : b'");
    }
    if (rule == "distribution") {
        return f.fail("expected a distribution" + f.after, "as in 'y ~ normal(mu, sigma)'");
    }
    if (rule == "distribution_open") {
        std::string message = "expected '(' after the distribution";
        if (f.previous) {
            message += ' ';
            message += quote(f.previous->text);
        }
        return f.fail(std::move(message), "a distribution is a call, as in 'normal(mu, sigma)'");
    }
    if (rule == "plus_assign") {
        return f.fail("expected '+='" + f.after, "as in 'target += expr'");
    }
    if (rule == "report_name") {
        return f.fail("expected a name" + f.after, "as in 'report name = expr'");
    }
    if (rule == "report_equals") {
        return f.fail("expected '='" + f.after, "as in 'report name = expr'");
    }
    if (rule == "def_name") {
        return f.fail("expected a function name" + f.after, "as in 'def f(x, k) = x / (k + x)'");
    }
    if (rule == "def_open") {
        return f.fail("expected '('" + f.after,
                      "a function's arguments are named in parentheses, as in 'def f(x, k) = x / (k + x)'");
    }
    if (rule == "def_argument") {
        return f.fail("expected an argument name" + f.after, "as in 'def f(x, k) = x / (k + x)'");
    }
    if (rule == "def_equals") {
        return f.fail("expected '='" + f.after, "as in 'def f(x, k) = x / (k + x)'");
    }
    if (rule == "param_name") {
        return f.fail("expected a parameter name" + f.after, f.found.text == "in" ? "'in' is a keyword" : "");
    }
    if (rule == "random_column_open") {
        return f.fail("expected '['" + f.after,
                      "correlated random effects are one set per level of a column, as in "
                      "'random (a, b)[g] ~ multi_normal(0, [sa, sb], R)'");
    }
    if (rule == "random_name") {
        return f.fail("expected a random effect's name" + f.after,
                      "as in 'random (a, b)[g] ~ multi_normal(0, [sa, sb], R)'");
    }
    if (rule == "per_column") {
        return f.fail("expected a column name" + f.after, "as in 'target += normal_lpdf(u[g] | 0, tau) per g'");
    }
    if (rule == "data_name") {
        return f.fail("expected a column name" + f.after);
    }
    if (rule == "simplex_open") {
        // (the constraint just read: simplex, ordered, positive_ordered or corr)
        const std::string constraint = f.previous ? std::string(f.previous->text) : "simplex";
        std::string example(constraint == "simplex" ? "as in 'w " : constraint == "corr" ? "as in 'R " : "as in 'c ");
        example.append(constraint).append("[3]'");
        return f.fail("expected '['" + f.after, example);
    }
    if (rule == "lower_bound") {
        return f.fail("expected a lower bound" + f.after);
    }
    if (rule == "upper_bound") {
        return f.fail("expected an upper bound" + f.after);
    }
    if (rule == "interval_open") {
        return f.fail("expected '('" + f.after, "as in 'p in (0, 1)'");
    }
    if (rule == "censoring_open") {
        return f.fail("expected '('" + f.after, "as in 'censored(right = status)'");
    }
    if (rule == "censor_key") {
        return f.fail("expected 'key = value'" + f.after,
                      "the keys of censored(...) are left, right, interval and upper");
    }
    if (rule == "censor_equals") {
        return f.fail("expected '='" + f.after, "as in 'censored(right = status)'");
    }
    if (rule == "truncation_open") {
        return f.fail("expected '['" + f.after, "as in 'T[0, ]'");
    }
    if (rule == "truncation_comma") {
        return f.fail("expected ',' between the bounds of 'T[lo, hi]'", "leave a side empty to leave it open");
    }
    if (rule == "interval_comma") {
        return f.fail("expected ',' between the bounds of 'in (lo, hi)'");
    }
    std::string message = "expected ";
    message += rule;
    return f.fail(message + f.after);
}

// `y ~ normal(mu, s)` written as `target += normal_lpdf(y | mu, s)`, or
// nothing when the text after '~' is not one call (a truncation, a
// censoring, a long statement).
std::optional<std::string> as_target(std::string_view statement, std::size_t tilde) {
    const std::string outcome = collapse_blanks(statement.substr(0, tilde));
    const std::string call = collapse_blanks(statement.substr(tilde + 1));
    const std::size_t name = name_end(call, 0);
    if (outcome.size() + call.size() > 60 || name == 0 || name >= call.size() || call[name] != '(' ||
        call.back() != ')')
        return std::nullopt;
    int depth = 0;  // the call's '(' must close at its end: 'normal(a) T[0, ]' is not one call
    for (std::size_t i = name; i + 1 < call.size(); ++i) {
        depth += call[i] == '(' ? 1 : call[i] == ')' ? -1 : 0;
        if (depth == 0) return std::nullopt;
    }
    const std::string_view arguments = std::string_view(call).substr(name + 1, call.size() - name - 2);
    std::string out = "target += ";
    out.append(call.substr(0, name)).append("_lpdf(").append(outcome);
    if (!arguments.empty()) out.append(" | ").append(arguments);
    return out.append(")");
}

// `per` after anything but `target += expr`: a term counted once per level
// of a column is only written that way (docs/language.md, "Group-level
// terms"); said at the 'per'.
ParseError per_error(const Failure& f) {
    const std::uint32_t begin = statement_begin(f.text, f.at);
    const std::string_view before = f.text.substr(begin, f.at - begin);
    const Token column = token_at(f.text, skip_blanks(f.text, f.found.end));
    const std::string g =
        column.is_real() && is_name_start(column.text.front()) ? std::string(column.text) : std::string("g");
    std::string message = "'per' applies only to 'target += expr per ";
    message.append(g).append("'");
    const std::size_t tilde = before.find('~');
    if (first_word(f.text, begin) == "target") {
        message.append(", after the whole expression, which is then counted once per level of ").append(g);
    } else if (first_word(f.text, begin) == "random" && tilde != std::string_view::npos) {
        message.append(": a 'random' statement's effects are already one per level of the column in its ")
            .append("brackets (random u[g] ~ normal(0, s)); remove the 'per'");
    } else if (tilde != std::string_view::npos) {
        message.append(": a '~' statement gives the distribution of the outcome on every row, each row one ")
            .append("observation (counted in n, drawn by simulate and the bootstrap), while 'per ")
            .append(g)
            .append("' counts a term once per level of ")
            .append(g);
        if (const auto rewrite = as_target(before, tilde))
            message.append("; for such a term write '")
                .append(*rewrite)
                .append(" per ")
                .append(g)
                .append("' (_lpmf for a discrete distribution)");
    } else {
        message.append(", which counts that term once per level of ")
            .append(g)
            .append(" instead of once per row; here there is no term to count");
    }
    return {f.at_found, std::move(message)};
}

// Whether the failure is at a 'per' that follows an operand: a group-level
// term written where there is none.
bool misplaced_per(const Failure& f) {
    if (!f.found_here || f.found.text != "per" || !f.previous) return false;
    const std::string_view p = f.previous->text;
    const bool keyword = p == "param" || p == "data" || p == "def" || p == "report" || p == "weight" || p == "target";
    return !keyword && (is_word_char(p.back()) || p == ")" || p == "]");
}

}  // namespace

ParseError expectation_error(const SourceText& source, std::string_view text, std::string_view rule,
                             std::uint32_t where) {
    const Failure failure(source, text, where);
    if (misplaced_per(failure)) {
        return per_error(failure);
    }
    if (is_closing_rule(rule)) {
        return closing_error(failure);
    }
    if ((rule == "sample_tilde" || rule == "statement_end") &&
        (failure.found.text == "~" || failure.found.text == "=")) {
        if (auto joined = joined_lines_error(failure)) {
            return std::move(*joined);
        }
    }
    if (rule == "sample_tilde") {
        return sample_tilde_error(failure);
    }
    if (rule == "statement_end") {
        return statement_end_error(failure);
    }
    if (rule == "statement") {
        return statement_error(failure);
    }
    return phrase_error(failure, rule);
}

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
        return {Span{at, at + 1}, std::string("invalid UTF-8 byte 0x") + digits[lead >> 4] + digits[lead & 0xFU]};
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

}  // namespace mlec::grammar

// One definition of the tokens: grammar/tokens.hpp says what a name and a
// number are, and both the prescan (which rejects malformed ones) and the X3
// rules (which read them) call it. Tricky inputs with their exact results:
// the token functions, the prescan's verdict, and the parser's tree, which
// must hold exactly the token the functions find.

#include <catch2/catch.hpp>

#include <iomanip>
#include <sstream>
#include <string>
#include <string_view>
#include <variant>

#include "grammar/parse.hpp"
#include "grammar/prescan.hpp"
#include "grammar/tokens.hpp"

namespace {

using namespace mlec;

struct TokenCase {
    std::string_view text;
    std::size_t end;  // where the token that starts at 0 ends (0: none starts there)
};

// The model `a = <text>`.
SourceText assignment(std::string_view text) { return SourceText("m.mle", std::string("a = ").append(text)); }

// What `a = <text>` parses to: "number V [b, e)", "name N [b, e)", or the
// error "line:column: message". (Streams, not operator+: GCC 12 warns
// falsely, -Wrestrict, about "[" + std::to_string(...).)
std::string parsed(std::string_view text) {
    const ParseResult result = parse_model(assignment(text));
    std::ostringstream out;
    if (!result.model) {
        const Diagnostic& d = result.diagnostics.at(0);
        out << d.line << ':' << d.column << ": " << d.message;
        return out.str();
    }
    const auto& assign = std::get<ast::Assign>(result.model->statements.at(0).node);
    if (const auto* number = std::get_if<ast::Number>(&assign.value.node))
        out << "number " << std::setprecision(17) << number->value;
    else if (const auto* name = std::get_if<ast::Name>(&assign.value.node)) out << "name " << name->name;
    else out << "other";
    out << " [" << assign.value.span.begin << ", " << assign.value.span.end << ')';
    return out.str();
}

// The prescan's verdict on `a = <text>`: "ok" or "[b, e) message".
std::string prescanned(std::string_view text) {
    const grammar::Prescan scan = grammar::prescan(assignment(text));
    if (!scan.error) return "ok";
    std::ostringstream out;
    out << '[' << scan.error->span.begin << ", " << scan.error->span.end << ") " << scan.error->message;
    return out.str();
}

}  // namespace

TEST_CASE("a number: digits, an optional point and fraction, an exponent only with its digits") {
    for (const TokenCase c : {TokenCase{"1", 1},
                              {"1e", 1},
                              {"1.", 2},
                              {".5", 2},
                              {"1e-3", 4},
                              {"1E+3", 4},
                              {"1e+", 1},
                              {"0.5e", 3},
                              {"1.e5", 4},
                              {"12.5e3x", 6},
                              {"1.2.3", 3},
                              {".", 0},
                              {"..5", 0},
                              {"-1", 0},
                              {"x1", 0},
                              {"e5", 0},
                              {"007", 3}}) {
        INFO(c.text);
        CHECK(grammar::number_end(c.text, 0) == c.end);
    }
    CHECK(grammar::number_end("a = 2.5e-1;", 4) == 10);
    CHECK(grammar::number_end("a = 2.5e-1;", 3) == 3);
}

TEST_CASE("a name: a letter or '_', then letters, digits and '_'") {
    for (const TokenCase c : {TokenCase{"x1", 2},
                              {"_a", 2},
                              {"_", 1},
                              {"a.b", 1},
                              {"a_b2 c", 4},
                              {"1a", 0},
                              {".a", 0},
                              {"\xC3\xA9", 0},
                              {"a\xC3\xA9", 1},
                              {"inf", 3},
                              {"", 0}}) {
        INFO(c.text);
        CHECK(grammar::name_end(c.text, 0) == c.end);
    }
    CHECK(grammar::name_end("y ~ x_2", 4) == 7);
}

TEST_CASE("the character classes of names and numbers") {
    for (char c = 0; c >= 0; ++c) {
        const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        const bool digit = c >= '0' && c <= '9';
        INFO(static_cast<int>(c));
        CHECK(grammar::is_digit(c) == digit);
        CHECK(grammar::is_name_start(c) == (letter || c == '_'));
        CHECK(grammar::is_name_char(c) == (letter || digit || c == '_'));
        CHECK(grammar::is_word_char(c) == (letter || digit || c == '_' || c == '.'));
        if (c == 127) break;
    }
    CHECK_FALSE(grammar::is_name_start('\xC3'));
    CHECK_FALSE(grammar::is_name_char('\xA9'));
}

TEST_CASE("the prescan and the parser agree with the token functions") {
    // Accepted: the parser's token is exactly the one number_end or
    // name_end finds (the value's span is [4, 4 + end)).
    CHECK(prescanned("1.") == "ok");
    CHECK(parsed("1.") == "number 1 [4, 6)");
    CHECK(prescanned(".5") == "ok");
    CHECK(parsed(".5") == "number 0.5 [4, 6)");
    CHECK(parsed("1e-3") == "number 0.001 [4, 8)");
    CHECK(parsed("1E+3") == "number 1000 [4, 8)");
    CHECK(parsed("1.e5") == "number 100000 [4, 8)");
    CHECK(parsed("007") == "number 7 [4, 7)");
    CHECK(parsed("x1") == "name x1 [4, 6)");
    CHECK(parsed("_a") == "name _a [4, 6)");
    CHECK(parsed("e5") == "name e5 [4, 6)");
    CHECK(parsed("inf") == "name inf [4, 7)");

    // Rejected by the prescan, with the span of the whole would-be token.
    CHECK(prescanned("1e") == "[4, 6) malformed number '1e'");
    CHECK(parsed("1e") == "1:5: malformed number '1e'");
    CHECK(parsed("1e+") == "1:5: malformed number '1e'");
    CHECK(parsed("0.5e") == "1:5: malformed number '0.5e'");
    CHECK(parsed("1.2.3") == "1:5: malformed number '1.2.3'");
    CHECK(parsed("2x") == "1:5: malformed number '2x'");
    CHECK(prescanned("a.b") == "[5, 6) unexpected '.' after 'a' (names cannot contain '.')");
    CHECK(parsed("a.b") == "1:6: unexpected '.' after 'a' (names cannot contain '.')");
    CHECK(parsed(".") == "1:5: unexpected character '.'");
    CHECK(parsed("\xC3\xA9") ==
          "1:5: unexpected character '\xC3\xA9' (U+00E9; only comments may contain non-ASCII characters)");
    CHECK(parsed("x\xC3\xA9") ==
          "1:6: unexpected character '\xC3\xA9' (U+00E9; only comments may contain non-ASCII characters)");
    CHECK(parsed(std::string(256, 'n')) == "1:5: name too long (256 characters; at most 255)");
}

// The parser's tree: precedence, associativity, spans and every statement
// form, checked by printing the tree as an S-expression written by hand.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <sstream>
#include <string>
#include <type_traits>

#include "grammar/parse.hpp"
#include "mlec/diagnostic.hpp"

namespace {

using namespace mlec;

std::string show(const ast::Expr& e);

std::string show_list(const std::vector<ast::Expr>& items) {
    std::string out;
    for (const ast::Expr& item : items) {
        out += ' ';
        out += show(item);
    }
    return out;
}

std::string show(const ast::Expr& e) {
    return std::visit(
        [](const auto& node) -> std::string {
            using T = std::decay_t<decltype(node)>;
            if constexpr (std::is_same_v<T, ast::Number>) {
                std::ostringstream out;
                out << node.value;
                return out.str();
            } else if constexpr (std::is_same_v<T, ast::Name>) {
                return node.name;
            } else if constexpr (std::is_same_v<T, ast::Negate>) {
                return "(- " + show(*node.operand) + ")";
            } else if constexpr (std::is_same_v<T, ast::Binary>) {
                // (in ast::BinaryOp's order)
                static const char* ops[] = {"+", "-", "*", "/", "^", "==", "!=", "<", "<=", ">", ">=", "&&", "||"};
                return std::string("(") + ops[static_cast<int>(node.op)] + " " + show(*node.lhs) + " " +
                       show(*node.rhs) + ")";
            } else if constexpr (std::is_same_v<T, ast::Call>) {
                std::string out = "(call " + node.callee;
                for (std::size_t k = 0; k < node.args.size(); ++k) {
                    out += (node.conditional && k == 1 ? " | " : " ") + show(node.args[k]);
                }
                return out + ")";
            } else if constexpr (std::is_same_v<T, ast::Index>) {
                return "(index " + node.name + show_list(node.indices) + ")";
            } else {
                return "[" + show_list(node.elements).substr(1) + "]";
            }
        },
        e.node);
}

std::string show(const ast::ParamDecl& d) {
    std::string out = d.name;
    if (d.simplex) out += " simplex";
    if (d.ordered) out += d.positive_ordered ? " positive_ordered" : " ordered";
    if (d.corr) out += " corr";
    if (!d.dims.empty()) out += "[" + show_list(d.dims).substr(1) + "]";
    if (d.lower) out += " > " + show(*d.lower);
    if (d.upper) out += " < " + show(*d.upper);
    if (d.start) out += " = " + show(*d.start);
    return out;
}

std::string show(const ast::Statement& s) {
    return std::visit(
        [](const auto& node) -> std::string {
            using T = std::decay_t<decltype(node)>;
            if constexpr (std::is_same_v<T, ast::Sample>) {
                return "(~ " + show(node.outcome) + " " + show(node.distribution) + ")";
            } else if constexpr (std::is_same_v<T, ast::Assign>) {
                return "(= " + node.name + " " + show(node.value) + ")";
            } else if constexpr (std::is_same_v<T, ast::Param>) {
                std::string out = "(param";
                for (const ast::ParamDecl& d : node.decls) out += " {" + show(d) + "}";
                return out + ")";
            } else if constexpr (std::is_same_v<T, ast::Data>) {
                std::string out = "(data";
                for (const ast::DataName& n : node.names) out += " " + n.name;
                return out + ")";
            } else if constexpr (std::is_same_v<T, ast::TargetAdd>) {
                return "(target+= " + show(node.value) + ")";
            } else if constexpr (std::is_same_v<T, ast::WeightBy>) {
                return "(weight " + show(node.value) + ")";
            } else if constexpr (std::is_same_v<T, ast::Random>) {
                std::string names = node.names.front().name;
                if (node.correlated()) {
                    names = "(";
                    for (std::size_t i = 0; i < node.names.size(); ++i)
                        names.append(i ? " " : "").append(node.names[i].name);
                    names.append(")");
                }
                return "(random " + names + " " + node.column.name + " " + show(node.distribution) + ")";
            } else if constexpr (std::is_same_v<T, ast::Def>) {
                std::string out = "(def " + node.name + " (";
                for (std::size_t i = 0; i < node.arguments.size(); ++i)
                    out.append(i ? " " : "").append(node.arguments[i].name);
                return out + ") " + show(node.body) + ")";
            } else {
                return "(report " + node.name + " " + show(node.value) + ")";
            }
        },
        s.node);
}

ast::Model parse_ok(const std::string& text) {
    ParseResult result = parse_model(SourceText("test.mle", text));
    INFO(format(result.diagnostics));
    REQUIRE(result.model);
    REQUIRE(result.diagnostics.empty());
    return std::move(*result.model);
}

std::string shape(const std::string& text) {
    const ast::Model model = parse_ok(text);
    std::string out;
    for (const ast::Statement& s : model.statements) {
        if (!out.empty()) out += '\n';
        out += show(s);
    }
    return out;
}

// The value of `x = <expression>`.
std::string expr_shape(const std::string& expression) {
    const ast::Model model = parse_ok("x = " + expression);
    REQUIRE(model.statements.size() == 1);
    return show(std::get<ast::Assign>(model.statements[0].node).value);
}

std::string text_of(const std::string& text, Span span) { return text.substr(span.begin, span.end - span.begin); }

std::string first_error(const std::string& text) {
    const ParseResult result = parse_model(SourceText("t.mle", text));
    REQUIRE(!result.model);
    REQUIRE(result.diagnostics.size() == 1);
    return result.diagnostics[0].message;
}

}  // namespace

TEST_CASE("binary operators follow the precedence table") {
    CHECK(expr_shape("a + b * c") == "(+ a (* b c))");
    CHECK(expr_shape("a * b + c") == "(+ (* a b) c)");
    CHECK(expr_shape("(a + b) * c") == "(* (+ a b) c)");
    CHECK(expr_shape("a * b ^ c") == "(* a (^ b c))");
    CHECK(expr_shape("a / b ^ c ^ d") == "(/ a (^ b (^ c d)))");
}

TEST_CASE("+ - * / are left-associative and ^ is right-associative") {
    CHECK(expr_shape("a - b - c") == "(- (- a b) c)");
    CHECK(expr_shape("a / b / c") == "(/ (/ a b) c)");
    CHECK(expr_shape("a - b + c") == "(+ (- a b) c)");
    CHECK(expr_shape("2^3^2") == "(^ 2 (^ 3 2))");
}

TEST_CASE("unary minus binds looser than ^ and tighter than * /") {
    CHECK(expr_shape("-x^2") == "(- (^ x 2))");
    CHECK(expr_shape("-2^2") == "(- (^ 2 2))");
    CHECK(expr_shape("-a * b") == "(* (- a) b)");
    CHECK(expr_shape("a*-b") == "(* a (- b))");
    CHECK(expr_shape("a - -b") == "(- a (- b))");
    CHECK(expr_shape("2^-x") == "(^ 2 (- x))");
    CHECK(expr_shape("- -x") == "(- (- x))");
    CHECK(expr_shape("+x") == "x");
    CHECK(expr_shape("-(a + b)") == "(- (+ a b))");
}

TEST_CASE("calls, conditional calls, indexing and vector literals") {
    CHECK(expr_shape("f()") == "(call f)");
    CHECK(expr_shape("pow(a, b + 1)") == "(call pow a (+ b 1))");
    CHECK(expr_shape("normal_lpdf(y | mu, sigma)") == "(call normal_lpdf y | mu sigma)");
    CHECK(expr_shape("v[i]") == "(index v i)");
    CHECK(expr_shape("W[i, j + 1]") == "(index W i (+ j 1))");
    CHECK(expr_shape("[a, b, 2 * c]") == "[a b (* 2 c)]");
    CHECK(expr_shape("W * [a, b] + u") == "(+ (* W [a b]) u)");
}

TEST_CASE("numbers get exactly the value strtod gives") {
    for (const char* number : {"123", "1.5", ".5", "1e-3", "2.5E+10", "0.1", "1.", "6.02214076e23", "4.9e-324"}) {
        INFO(number);
        const ast::Model model = parse_ok(std::string("x = ") + number);
        const auto& value = std::get<ast::Assign>(model.statements[0].node).value;
        REQUIRE(std::holds_alternative<ast::Number>(value.node));
        CHECK(std::get<ast::Number>(value.node).value == std::strtod(number, nullptr));
    }
    CHECK(expr_shape("inf + nan") == "(+ inf nan)");  // names, not numbers
}

TEST_CASE("every statement form") {
    CHECK(shape("y ~ bernoulli(sigmoid(w1*a + w2*b + c))") ==
          "(~ y (call bernoulli (call sigmoid (+ (+ (* w1 a) (* w2 b)) c))))");
    CHECK(shape("h = tanh(W * [a, b] + u)") == "(= h (call tanh (+ (* W [a b]) u)))");
    CHECK(shape("param sigma > 0") == "(param {sigma > 0})");
    CHECK(shape("param p in (0, 1)") == "(param {p > 0 < 1})");
    CHECK(shape("param b > 0 = 1") == "(param {b > 0 = 1})");
    CHECK(shape("param s > -1 < 1") == "(param {s > (- 1) < 1})");
    CHECK(shape("param W[2, 2], u[2], v[2], d") == "(param {W[2 2]} {u[2]} {v[2]} {d})");
    CHECK(shape("param effect[g]") == "(param {effect[g]})");
    CHECK(shape("param mu = 2.5") == "(param {mu = 2.5})");
    CHECK(shape("param w simplex[3]") == "(param {w simplex[3]})");
    CHECK(shape("param c ordered[3] = [-1, 0, 1]") == "(param {c ordered[3] = [(- 1) 0 1]})");
    CHECK(shape("param c positive_ordered[2], ordered") == "(param {c positive_ordered[2]} {ordered})");
    CHECK(shape("param orderedx[2]") == "(param {orderedx[2]})");
    CHECK(shape("param R corr[2] = [0.3]") == "(param {R corr[2] = [0.3]})");
    CHECK(shape("param corr, corrx[2]") == "(param {corr} {corrx[2]})");
    CHECK(shape("param Vm[state] = 200") == "(param {Vm[state] = 200})");
    CHECK(shape("data a, b, y") == "(data a b y)");
    CHECK(shape("target += normal_lpdf(y | mu, sigma)") == "(target+= (call normal_lpdf y | mu sigma))");
    CHECK(shape("report odds = p / (1 - p)") == "(report odds (/ p (- 1 p)))");
    CHECK(shape("v[g] ~ normal(0, 1)") == "(~ (index v g) (call normal 0 1))");
    CHECK(shape("weight n") == "(weight n)");
    CHECK(shape("weight n / 2") == "(weight (/ n 2))");
    // `weight` followed by `~`, `=` or `+=` is a name, as a column or local.
    CHECK(shape("weight ~ normal(mu, s)") == "(~ weight (call normal mu s))");
    CHECK(shape("weight = 2 * w") == "(= weight (* 2 w))");
    CHECK(shape("def f(x, k) = x / (k + x)") == "(def f (x k) (/ x (+ k x)))");
    CHECK(shape("def one() = 1") == "(def one () 1)");
    // continued as any statement: after '=' and inside brackets
    CHECK(shape("def f(x,\n k) =\n x^k") == "(def f (x k) (^ x k))");
    // `def` followed by `~`, `=` or `+=` is a name.
    CHECK(shape("def ~ normal(mu, s)") == "(~ def (call normal mu s))");
    CHECK(shape("def = 2") == "(= def 2)");
    CHECK(shape("random u[g] ~ normal(0, s)") == "(random u g (call normal 0 s))");
    CHECK(shape("random u[g] ~\n  normal(0, exp(ls))") == "(random u g (call normal 0 (call exp ls)))");
    // Correlated effects: the names in parentheses, then [column].
    CHECK(shape("random (a, b)[g] ~ multi_normal(0, [sa, sb], R)") ==
          "(random (a b) g (call multi_normal 0 [sa sb] R))");
    CHECK(shape("random (a, b, c) [g] ~ multi_normal(0, sd, R)") == "(random (a b c) g (call multi_normal 0 sd R))");
    // Labelled arguments are put in their positions (mean, sd, corr).
    CHECK(shape("random (a, b)[g] ~ multi_normal(0, sd = [sa, sb], corr = R)") ==
          "(random (a b) g (call multi_normal 0 [sa sb] R))");
    CHECK(shape("random (a, b)[g] ~ multi_normal(mean = 0, corr = R, sd = s)") ==
          "(random (a b) g (call multi_normal 0 s R))");
    // `name == ...` is a comparison, never a label.
    CHECK(shape("random (a, b)[g] ~ multi_normal(0, sd == s, R)") ==
          "(random (a b) g (call multi_normal 0 (== sd s) R))");
    // `random` followed by `~`, `=` or `+=` is a name.
    CHECK(shape("random ~ normal(mu, s)") == "(~ random (call normal mu s))");
    CHECK(shape("random = 2") == "(= random 2)");
}

TEST_CASE("keywords are reserved only where a statement starts") {
    CHECK(shape("parameter = data_x + in") == "(= parameter (+ data_x in))");
    CHECK(shape("y ~ normal(target, report)") == "(~ y (call normal target report))");
    CHECK(first_error("param in") == "expected a parameter name after 'param', found 'in' ('in' is a keyword)");
}

TEST_CASE("statements end at newlines and semicolons unless a bracket or an operator is open") {
    CHECK(shape("# comment\n\n  a = 1 ; b = 2 # trailing\n\n") == "(= a 1)\n(= b 2)");
    CHECK(shape("y ~ normal(mu,\n  sigma)") == "(~ y (call normal mu sigma))");
    CHECK(shape("x = a +\n b\nz = [1,\n 2]") == "(= x (+ a b))\n(= z [1 2])");
    CHECK(shape("x = a *   # comment\n b") == "(= x (* a b))");
    CHECK(shape("param a,\n b") == "(param {a} {b})");
    CHECK(shape("y ~\n normal(0, 1)") == "(~ y (call normal 0 1))");
    CHECK(shape("target += f(y |\n a)") == "(target+= (call f y | a))");
    CHECK(shape("x = (a\n + b)") == "(= x (+ a b))");
    CHECK(shape("a = 1\r\nb = f(2,\r\n 3)\r\n") == "(= a 1)\n(= b (call f 2 3))");
    CHECK(shape("\xEF\xBB\xBFx = 1") == "(= x 1)");  // a byte order mark is not a character
    CHECK(shape("") == "");
    CHECK(shape("\n# only a comment\n") == "");
}

TEST_CASE("spans cover whole expressions, callees and statements") {
    const std::string text = "a = 1\ny ~ normal(-x^2 + (b * c), s)  # note\nparam p in (0, 1), q[3]\n";
    const ast::Model model = parse_ok(text);
    REQUIRE(model.statements.size() == 3);
    CHECK(text_of(text, model.statements[0].span) == "a = 1");
    CHECK(text_of(text, model.statements[1].span) == "y ~ normal(-x^2 + (b * c), s)");
    CHECK(text_of(text, model.statements[2].span) == "param p in (0, 1), q[3]");

    const auto& sample = std::get<ast::Sample>(model.statements[1].node);
    CHECK(text_of(text, sample.outcome.span) == "y");
    CHECK(text_of(text, sample.distribution.span) == "normal(-x^2 + (b * c), s)");
    const auto& call = std::get<ast::Call>(sample.distribution.node);
    CHECK(text_of(text, call.callee_span) == "normal");
    REQUIRE(call.args.size() == 2);
    CHECK(text_of(text, call.args[0].span) == "-x^2 + (b * c)");
    const auto& sum = std::get<ast::Binary>(call.args[0].node);
    CHECK(text_of(text, sum.lhs->span) == "-x^2");
    CHECK(text_of(text, std::get<ast::Negate>(sum.lhs->node).operand->span) == "x^2");
    CHECK(text_of(text, sum.rhs->span) == "(b * c)");

    const auto& param = std::get<ast::Param>(model.statements[2].node);
    REQUIRE(param.decls.size() == 2);
    CHECK(text_of(text, param.decls[0].name_span) == "p");
    CHECK(text_of(text, param.decls[1].name_span) == "q");
    CHECK(text_of(text, param.decls[0].upper->span) == "1");
}

TEST_CASE("a left fold spans from its first operand to its last") {
    const std::string text = "x = a - b * c - d";
    const ast::Model model = parse_ok(text);
    const auto& value = std::get<ast::Assign>(model.statements[0].node).value;
    CHECK(text_of(text, value.span) == "a - b * c - d");
    const auto& outer = std::get<ast::Binary>(value.node);
    CHECK(text_of(text, outer.lhs->span) == "a - b * c");
    CHECK(text_of(text, std::get<ast::Binary>(outer.lhs->node).rhs->span) == "b * c");
}

TEST_CASE("deep nesting is refused before it can overflow the stack") {
    const std::string ok = "x = " + std::string(256, '(') + "1" + std::string(256, ')');
    CHECK(expr_shape(std::string(256, '(') + "1" + std::string(256, ')')) == "1");
    const std::string message = "expression nested too deeply (more than 256 levels)";
    CHECK(first_error("x = " + std::string(257, '(') + "1" + std::string(257, ')')) == message);
    CHECK(first_error("x = " + std::string(100000, '[')) == message);
    CHECK(first_error("x = " + std::string(100000, '-') + "1") == message);
    std::string tower = "x = 2";
    for (int k = 0; k < 100000; ++k) tower += "^2";
    CHECK(first_error(tower) == message);
    std::string calls = "x = ";
    for (int k = 0; k < 100000; ++k) calls += "f(";
    CHECK(first_error(calls) == message);
}

TEST_CASE("long operator chains parse flat, and absurdly long ones are refused") {
    std::string sum = "x = a";
    for (int k = 0; k < 1000; ++k) sum += " + a";
    CHECK(parse_model(SourceText("t.mle", sum)).model.has_value());
    std::string huge = "x = a";
    for (int k = 0; k < 100000; ++k) huge += "+a";
    CHECK(first_error(huge) ==
          "expression too long (more than 2048 operations in a chain); split it into local "
          "definitions");
}

TEST_CASE("a parse error is one positioned model diagnostic") {
    const ParseResult result = parse_model(SourceText("m.mle", "a = 1\nx = f(a,\n\n"));
    REQUIRE(result.diagnostics.size() == 1);
    const Diagnostic& d = result.diagnostics[0];
    CHECK(d.category == Category::model);
    CHECK(d.severity == Severity::error);
    CHECK(d.file == "m.mle");
    CHECK(d.line == 2);
    CHECK(d.column == 9);
    CHECK(d.message == "expected expression after ','");
    CHECK(d.source_line == "x = f(a,");
    CHECK(has_error(result.diagnostics));
}

TEST_CASE("SourceText counts lines from 1 and columns in code points") {
    const SourceText source("s.mle", "ab\r\n\xCE\xBC = 1\nlast");
    CHECK(source.locate(0).line == 1);
    CHECK(source.locate(1).column == 2);
    CHECK(source.line_text(1) == "ab");  // without "\r\n"
    CHECK(source.locate(4).line == 2);
    CHECK(source.locate(6).column == 2);  // after the two bytes of 'μ'
    CHECK(source.line_text(3) == "last");
    CHECK(source.locate(18).line == 3);  // the end of the text
    CHECK(source.locate(18).column == 5);
    const Diagnostic d = source.diagnostic(Span{4, 8}, "m");
    CHECK(d.line == 2);
    CHECK(d.column == 1);
    CHECK(d.caret_length == 3);  // 'μ', ' ', '='
    CHECK(d.source_line == "\xCE\xBC = 1");
    CHECK(source.diagnostic(Span{0, 100}, "m").caret_length == 2);  // clipped to its line
}

TEST_CASE("format writes file:line:col, the line and a caret") {
    Diagnostic d;
    d.file = "models/bad.mle";
    d.line = 2;
    d.column = 17;
    d.message = "expected ')' to close the call to 'normal'";
    d.source_line = "y ~ normal(mu, sigma";
    CHECK(format(d) ==
          "models/bad.mle:2:17: error: expected ')' to close the call to 'normal'\n"
          "    y ~ normal(mu, sigma\n"
          "                    ^\n");
    d.source_line = "\ty\xCE\xBC = (a";  // tabs kept, 'μ' is one column
    d.column = 6;
    d.caret_length = 2;
    d.severity = Severity::warning;
    CHECK(format(d) ==
          "models/bad.mle:2:6: warning: expected ')' to close the call to 'normal'\n"
          "    \ty\xCE\xBC = (a\n"
          "    \t    ^^\n");
    Diagnostic no_line{.severity = Severity::note,
                       .category = Category::data,
                       .file = "d.csv",
                       .line = 0,
                       .column = 0,
                       .message = "empty file",
                       .source_line = "",
                       .caret_length = 1};
    CHECK(format(no_line) == "d.csv: note: empty file\n");
    Diagnostic no_source{.severity = Severity::error,
                         .category = Category::data,
                         .file = "d.csv",
                         .line = 3,
                         .column = 4,
                         .message = "bad value",
                         .source_line = "",
                         .caret_length = 0};
    CHECK(format(no_source) == "d.csv:3:4: error: bad value\n");
    CHECK(format(Diagnostics{no_line, no_source}) == format(no_line) + format(no_source));
    CHECK(!has_error(Diagnostics{no_line}));
    CHECK(has_error(Diagnostics{no_line, no_source}));
}

TEST_CASE("censored(...) and T[...] follow a distribution, in either order") {
    const std::string text =
        "y ~ normal(m, s) censored(left = l, interval = i, upper = h) T[0, ]\n"
        "y ~ poisson(l) T[, u + 1] censored(right = r)\n"
        "y ~ normal(m, s) T[a, b]\n";
    const ast::Model model = parse_ok(text);
    REQUIRE(model.statements.size() == 3);
    CHECK(text_of(text, model.statements[0].span) ==
          "y ~ normal(m, s) censored(left = l, interval = i, upper = h) T[0, ]");

    const auto& first = std::get<ast::Sample>(model.statements[0].node);
    REQUIRE(first.censoring);
    CHECK(text_of(text, first.censoring->span) == "censored(left = l, interval = i, upper = h)");
    REQUIRE(first.censoring->keys.size() == 3);
    CHECK(first.censoring->keys[1].key == "interval");
    CHECK(text_of(text, first.censoring->keys[1].key_span) == "interval");
    CHECK(text_of(text, first.censoring->keys[2].value.span) == "h");
    REQUIRE(first.truncation);
    CHECK(text_of(text, first.truncation->span) == "T[0, ]");
    REQUIRE(first.truncation->lower);
    CHECK(text_of(text, first.truncation->lower->span) == "0");
    CHECK_FALSE(first.truncation->upper);

    const auto& second = std::get<ast::Sample>(model.statements[1].node);
    REQUIRE(second.truncation);
    CHECK_FALSE(second.truncation->lower);
    REQUIRE(second.truncation->upper);
    CHECK(text_of(text, second.truncation->upper->span) == "u + 1");
    REQUIRE(second.censoring);
    CHECK(second.censoring->keys.front().key == "right");

    const auto& third = std::get<ast::Sample>(model.statements[2].node);
    CHECK_FALSE(third.censoring);
    REQUIRE(third.truncation);
    CHECK(third.truncation->lower);
    CHECK(third.truncation->upper);
}

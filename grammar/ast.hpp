// The model's syntax tree, as the interpreter sees it. Plain C++ (no Spirit
// types): the X3 grammar builds its own attribute types internally and
// converts them to these, so only grammar/model_grammar.cpp ever includes x3.hpp.
//
// Every node carries the byte span of the source it came from, so each later
// stage can point at the exact place when it reports a problem.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "grammar/source_text.hpp"

namespace mlec::ast {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

// Comparisons and logical operators give 1 or 0 (docs/language.md,
// "Comparisons and conditionals").
enum class BinaryOp { add, sub, mul, div, pow, eq, ne, lt, le, gt, ge, logical_and, logical_or };

struct Number {
    double value = 0;
};

struct Name {
    std::string name;
};

// Unary minus (a unary plus is dropped by the parser).
struct Negate {
    ExprPtr operand;
};

struct Binary {
    BinaryOp op = BinaryOp::add;
    ExprPtr lhs;
    ExprPtr rhs;
};

// f(a, b) or, for log densities, f(y | a, b): then `conditional` is true and
// args[0] is the outcome before the bar. The parser also writes `c ? a : b`
// as the call ifelse(c, a, b) and `!x` as a call of "!", so that every walk
// of the tree sees them as the calls they lower to.
struct Call {
    std::string callee;
    Span callee_span;
    std::vector<Expr> args;
    bool conditional = false;
};

// v[i] or W[i, j] (1-based).
struct Index {
    std::string name;
    Span name_span;
    std::vector<Expr> indices;
};

// [a, b, c]
struct VectorLiteral {
    std::vector<Expr> elements;
};

struct Expr {
    Span span;
    std::variant<Number, Name, Negate, Binary, Call, Index, VectorLiteral> node;
};

// One `key = value` of `censored(...)`: the key as written (the checker
// knows which keys there are, and suggests one for a misspelling).
struct CensorKey {
    std::string key;
    Span key_span;
    Expr value;
};

// censored(right = r), censored(left = l, right = r),
// censored(interval = i, upper = hi): which rows give only a limit of y.
struct Censoring {
    Span span;
    std::vector<CensorKey> keys;
};

// T[lo, hi], T[lo, ], T[, hi]: y is known to lie in [lo, hi]; an omitted
// side is open.
struct Truncation {
    Span span;
    std::optional<Expr> lower;
    std::optional<Expr> upper;
};

// y ~ dist(args) [censored(...)] [T[lo, hi]]
struct Sample {
    Expr outcome;
    Expr distribution;  // always a Call
    std::optional<Censoring> censoring;
    std::optional<Truncation> truncation;
};

// name = expr
struct Assign {
    std::string name;
    Span name_span;
    Expr value;
};

// One declaration inside `param a > 0 = 1, b[3], p in (0, 1)`.
struct ParamDecl {
    std::string name;
    Span name_span;
    std::vector<Expr> dims;  // `beta[3]` -> {3}; `effect[g]` -> {Name g}
    bool simplex = false;    // `w simplex[3]`: dims holds the size
    bool ordered = false;    // `c ordered[3]` or `c positive_ordered[3]`: dims holds the size
    bool positive_ordered = false;
    bool corr = false;          // `R corr[2]`: a correlation matrix; dims holds its size K
    std::optional<Expr> lower;  // `> lo` or `in (lo, hi)`
    std::optional<Expr> upper;  // `< hi` or `in (lo, hi)`
    std::optional<Expr> start;  // `= value`
};

struct Param {
    std::vector<ParamDecl> decls;
};

struct DataName {
    std::string name;
    Span span;
};

struct Data {
    std::vector<DataName> names;
};

// target += expr [per g]
struct TargetAdd {
    Expr value;
    std::optional<DataName> per;  // a group-level term: added once per level of column g
};

// weight expr: every row's log-likelihood counts expr times (frequency
// weights).
struct WeightBy {
    Expr value;
};

// report name = expr
struct Report {
    std::string name;
    Span name_span;
    Expr value;
};

// One argument name of a `def`.
struct DefArgument {
    std::string name;
    Span span;
};

// def name(a, b) = expr: a user function, inlined at every call before the
// model is checked (interpreter/user_functions), so nothing after that
// pass sees a Def or a call of one.
struct Def {
    std::string name;
    Span name_span;
    std::vector<DefArgument> arguments;
    Expr body;
};

// One name of a `random` statement.
struct RandomName {
    std::string name;
    Span span;
};

// random u[g] ~ normal(0, s): random effects u, one per level of column g,
// independent N(0, s^2); random (a, b)[g] ~ multi_normal(0, [sa, sb], R):
// correlated effects, a pair per level (docs/language.md, "Random
// effects"). The parser makes sure of the form name[column] ~ call or
// (name, name, ...)[column] ~ call; the interpreter checks the
// distribution and its arguments.
struct Random {
    std::vector<RandomName> names;  // u; or a, b, ... (at least two: correlated)
    DataName column;                // g
    Expr distribution;              // always a Call
    bool correlated() const { return names.size() > 1; }
};

struct Statement {
    Span span;
    std::variant<Sample, Assign, Param, Data, TargetAdd, WeightBy, Report, Def, Random> node;
};

struct Model {
    std::vector<Statement> statements;
};

}  // namespace mlec::ast

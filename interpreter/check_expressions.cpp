// Shaped expressions (checker.hpp): numbers, names, operators, vector
// literals, calls of built-in functions and of the constructs on shapes
// (dot, softmax), and indexing, lowered through the Builder into
// scalar-per-row nodes.
#include <cmath>

#include "interpreter/checker.hpp"
#include "runtime/functions.hpp"
#include "runtime/select.hpp"

namespace mlec::interp::check {

namespace {

// Whether `call` calls the built-in `op` with one argument.
bool calls(const ast::Call& call, const rt::OpDef& op) {
    return call.args.size() == 1 && rt::find_function(call.callee) == &op;
}

}  // namespace

Value Checker::expression(const ast::Expr& e) {
    return std::visit([&](const auto& node) { return this->lower(e, node); }, e.node);
}

int Checker::scalar(const ast::Expr& e, const std::string& what) {
    const Value v = expression(e);
    if (!v.is_scalar()) fail(e.span, what + " must be a scalar, not " + describe(v));
    return v.node();
}

Value Checker::lower(const ast::Expr&, const ast::Number& n) { return Value::scalar(build_.constant(n.value)); }

Value Checker::lower(const ast::Expr& e, const ast::Name& n) { return resolve(n.name, e.span); }

Value Checker::lower(const ast::Expr&, const ast::Negate& n) {
    return build_.map(rt::op_neg(), expression(*n.operand));
}

Value Checker::lower(const ast::Expr& e, const ast::Binary& b) {
    const Value l = expression(*b.lhs);
    const Value r = expression(*b.rhs);
    std::string error;
    std::optional<Value> v;
    switch (b.op) {
        case ast::BinaryOp::add: v = build_.elementwise(rt::op_add(), l, r, error); break;
        case ast::BinaryOp::sub: v = build_.elementwise(rt::op_sub(), l, r, error); break;
        case ast::BinaryOp::mul: v = build_.multiply(l, r, error); break;
        case ast::BinaryOp::div: v = build_.elementwise(rt::op_div(), l, r, error); break;
        case ast::BinaryOp::pow: v = build_.elementwise(rt::op_pow(), l, r, error); break;
        case ast::BinaryOp::eq: v = build_.elementwise(rt::op_eq(), l, r, error); break;
        case ast::BinaryOp::ne: v = build_.elementwise(rt::op_ne(), l, r, error); break;
        case ast::BinaryOp::lt: v = build_.elementwise(rt::op_lt(), l, r, error); break;
        case ast::BinaryOp::le: v = build_.elementwise(rt::op_le(), l, r, error); break;
        case ast::BinaryOp::gt: v = build_.elementwise(rt::op_gt(), l, r, error); break;
        case ast::BinaryOp::ge: v = build_.elementwise(rt::op_ge(), l, r, error); break;
        case ast::BinaryOp::logical_and: v = build_.elementwise(rt::op_and(), l, r, error); break;
        case ast::BinaryOp::logical_or: v = build_.elementwise(rt::op_or(), l, r, error); break;
    }
    if (!v) fail(e.span, error);
    return *v;
}

Value Checker::lower(const ast::Expr& e, const ast::VectorLiteral& v) {
    std::vector<int> nodes;
    for (const ast::Expr& el : v.elements) nodes.push_back(scalar(el, "an element of a vector"));
    if (nodes.empty()) fail(e.span, "a vector needs at least one element");
    return Value::vector(std::move(nodes));
}

Value Checker::lower(const ast::Expr& e, const ast::Call& c) {
    if (ends_with(c.callee, "_lpdf") || ends_with(c.callee, "_lpmf")) return Value::scalar(log_density(e, c));
    if (auto node = distribution_function(e, c)) return Value::scalar(*node);
    if (c.conditional)
        fail(c.callee_span,
             "'|' is only used in calls of distributions such as normal_lpdf(y | mu, sigma) or "
             "normal_lcdf(y | mu, sigma); for 'or' write '||'");
    if (c.callee == "!") return logical_not(c);
    if (c.callee == "ifelse") return conditional(e, c);
    if (c.callee == "lag" || c.callee == "lag_exists") return previous_rows(e, c);
    if (auto v = shape_construct(e, c)) return *v;
    if (auto v = log_sum_exp_rewrite(e, c)) return *v;
    const rt::OpDef* op = rt::find_function(c.callee);
    if (!op) fail_unknown_function(c);
    if (op->arity < 0) return variadic_call(e, c, *op);
    if (static_cast<int>(c.args.size()) != op->arity)
        fail(e.span, std::string(op->name) + " takes " + plural(static_cast<std::size_t>(op->arity), "argument") +
                         ", but " + std::to_string(c.args.size()) + (c.args.size() == 1 ? " was" : " were") + " given");
    if (op->arity == 1) return build_.map(*op, expression(c.args[0]));
    if (op->arity == 2) {
        std::string error;
        auto v = build_.elementwise(*op, expression(c.args[0]), expression(c.args[1]), error);
        if (!v) fail(e.span, std::string(op->name) + ": " + error);
        return *v;
    }
    std::vector<int> inputs;
    for (const ast::Expr& a : c.args) inputs.push_back(scalar(a, std::string(op->name) + "'s argument"));
    return Value::scalar(build_.op(*op, std::move(inputs)));
}

// dot and softmax are language constructs on shapes (a vector in, a scalar
// or a vector out), not elementwise ops of the function table: the Builder
// expands them into scalar nodes. Nothing for another call.
std::optional<Value> Checker::shape_construct(const ast::Expr& e, const ast::Call& c) {
    if (c.callee == "dot") {
        if (c.args.size() != 2)
            fail(e.span, "dot takes 2 arguments, but " + std::to_string(c.args.size()) +
                             (c.args.size() == 1 ? " was" : " were") + " given");
        const Value a = expression(c.args[0]), b = expression(c.args[1]);
        if (a.shape != Shape::vector || b.shape != Shape::vector || a.rows != b.rows)
            fail(e.span, "dot needs two vectors of the same length, not " + describe(a) + " and " + describe(b));
        return Value::scalar(build_.dot(a.nodes, b.nodes));
    }
    if (c.callee == "softmax") {
        if (c.args.size() != 1) fail(e.span, "softmax takes 1 argument (a vector)");
        const Value v = expression(c.args[0]);
        if (v.shape != Shape::vector) fail(c.args[0].span, "softmax needs a vector, not " + describe(v));
        return build_.softmax(v);
    }
    return std::nullopt;
}

// log(sum(exp(v))) is evaluated as log_sum_exp(v), which cannot overflow.
// Nothing for another call.
std::optional<Value> Checker::log_sum_exp_rewrite(const ast::Expr& e, const ast::Call& c) {
    if (!calls(c, rt::op_log())) return std::nullopt;
    const auto* sum = std::get_if<ast::Call>(&c.args[0].node);
    if (!sum || !calls(*sum, rt::op_sum())) return std::nullopt;
    const auto* exp = std::get_if<ast::Call>(&sum->args[0].node);
    if (!exp || !calls(*exp, rt::op_exp())) return std::nullopt;
    const Value v = expression(exp->args[0]);
    out_.notes.push_back(line_of(e.span) +
                         ": log(sum(exp(...))) is evaluated as log_sum_exp(...), which cannot "
                         "overflow");
    return Value::scalar(build_.log_sum_exp(v.nodes));
}

void Checker::fail_unknown_function(const ast::Call& c) {
    if (rt::find_distribution(c.callee) || c.callee == "mixture")
        fail(c.callee_span, "'" + c.callee + "' is a distribution: use it after '~' (y ~ " + c.callee +
                                "(...)) or as " + c.callee + "_lpdf(y | ...)");
    if (c.callee == "pi") fail(c.callee_span, "'pi' is a constant, not a function; write pi without '()'");
    std::vector<std::string> names{"dot", "softmax", "lag", "lag_exists"};  // constructs, not functions
    for (const rt::OpDef* f : rt::all_functions()) names.emplace_back(f->name);
    std::string message = "unknown function '" + c.callee + "'";
    if (auto foreign = foreign_name(c.callee)) message.append("; ").append(foreign_advice(c.callee, *foreign, false));
    else if (auto guess = closest(c.callee, names)) message += "; did you mean '" + *guess + "'?";
    fail(c.callee_span, message);
}

// !x (the parser's call of "!").
Value Checker::logical_not(const ast::Call& c) { return build_.map(rt::op_not(), expression(c.args[0])); }

// ifelse(c, a, b) and c ? a : b, per row. Each branch is lowered under a
// guard, so that the data checks of its values apply only to the rows that
// take it (DataCheck::guards); the evaluator keeps the untaken branch out of
// the value and the derivatives (docs/architecture.md, "Conditionals").
Value Checker::conditional(const ast::Expr& e, const ast::Call& c) {
    if (c.args.size() != 3)
        fail(e.span, "ifelse takes 3 arguments (condition, value if true, value if false), but " +
                         std::to_string(c.args.size()) + (c.args.size() == 1 ? " was" : " were") + " given");
    const int condition = scalar(c.args[0], "ifelse's condition");
    guards_.push_back({condition, true});
    const int then = scalar(c.args[1], "ifelse's value if true");
    guards_.back().when_true = false;
    const int otherwise = scalar(c.args[2], "ifelse's value if false");
    guards_.pop_back();
    return Value::scalar(build_.op(rt::op_ifelse(), {condition, then, otherwise}));
}

// A variadic function (sum, log_sum_exp, min, max) folds every entry of
// every argument, scalars and vectors alike.
Value Checker::variadic_call(const ast::Expr& e, const ast::Call& c, const rt::OpDef& op) {
    std::vector<int> nodes;
    for (const ast::Expr& a : c.args) {
        const Value v = expression(a);
        nodes.insert(nodes.end(), v.nodes.begin(), v.nodes.end());
    }
    if (nodes.empty()) fail(e.span, c.callee + " needs at least one argument");
    // The Builder shapes these two itself (sums spliced into one node).
    if (&op == &rt::op_sum()) return Value::scalar(build_.sum(nodes));
    if (&op == &rt::op_log_sum_exp()) return Value::scalar(build_.log_sum_exp(nodes));
    return Value::scalar(nodes.size() == 1 ? nodes.front() : build_.op(op, nodes));
}

Value Checker::lower(const ast::Expr& e, const ast::Index& ix) {
    if (auto it = randoms_.find(ix.name); it != randoms_.end()) return random_entry(e, ix, it->second);
    if (columns_.usable_column(ix.name) && !locals_.value(ix.name))
        fail(ix.name_span, "'" + ix.name + "' is a data column, one number per row; it cannot be indexed");
    if (const Value* local = locals_.value(ix.name)) return shaped_entry(e, ix, *local);
    if (auto defined = locals_.definition(ix.name))
        fail(ix.name_span, "'" + ix.name + "' is used before its definition at " + location_of(*defined));
    if (!declared_.count(ix.name))
        fail(ix.name_span, "'" + ix.name +
                               "' is indexed but not declared; declare it with its size, as in "
                               "'param " +
                               ix.name + "[3]' or 'param " + ix.name +
                               "[g]' for one entry per "
                               "level of column g");
    const ParamEntry& p = parameter_entry(ix.name, ix.name_span);
    if (!p.group_column.empty()) return group_entry(e, ix, p.value, p.group_column);
    return shaped_entry(e, ix, p.value);
}

// name[g] of a group parameter: each row's entry, picked by the level
// number of column g.
Value Checker::group_entry(const ast::Expr& e, const ast::Index& ix, const Value& base,
                           const std::string& group_column) {
    const auto* name = ix.indices.size() == 1 ? std::get_if<ast::Name>(&ix.indices[0].node) : nullptr;
    if (!name || name->name != group_column)
        fail(e.span, "'" + ix.name + "' has one entry per level of column '" + group_column +
                         "'; index it with that column: " + ix.name + "[" + group_column + "]");
    const int codes =
        columns_.categorical_column(group_column, *columns_.usable_column(group_column), ix.indices[0].span);
    std::vector<int> inputs{codes};
    inputs.insert(inputs.end(), base.nodes.begin(), base.nodes.end());
    return Value::scalar(build_.op(rt::op_select(), std::move(inputs)));
}

// An entry of a vector or matrix, or a matrix row. Each index is a constant
// (picks an entry) or a data column (picks one entry per row); at most one
// may be a column.
Value Checker::shaped_entry(const ast::Expr& e, const ast::Index& ix, const Value& base) {
    if (base.is_scalar()) fail(ix.name_span, "'" + ix.name + "' is a scalar; it cannot be indexed");
    const std::size_t wanted = base.shape == Shape::matrix ? 2 : 1;
    if (ix.indices.size() != wanted && !(base.shape == Shape::matrix && ix.indices.size() == 1))
        fail(e.span, "'" + ix.name + "' is " + describe(base) + "; it takes " + plural(wanted, "index") + ", not " +
                         std::to_string(ix.indices.size()));
    std::vector<std::optional<int>> constant(ix.indices.size());
    std::optional<std::size_t> by_data;
    std::vector<int> index_nodes;
    for (std::size_t i = 0; i < ix.indices.size(); ++i) {
        const int n = scalar(ix.indices[i], "an index");
        index_nodes.push_back(n);
        const rt::Node& node = out_.graph.node(n);
        if (node.kind == rt::NodeKind::constant) {
            const double v = node.constant;
            const int limit = i == 0 ? base.rows : base.cols;
            if (v != std::floor(v) || v < 1 || v > limit)
                fail(ix.indices[i].span, "index " + format_number(v) + " is outside 1.." + std::to_string(limit) +
                                             " of '" + ix.name + "' (" + describe(base) + ")");
            constant[i] = static_cast<int>(v) - 1;
        } else if (!node.deps.empty()) {
            fail(ix.indices[i].span, "an index cannot depend on parameters");
        } else if (!node.effects.empty()) {
            fail(ix.indices[i].span, "an index cannot depend on random effects");
        } else {
            if (by_data) fail(ix.indices[i].span, "at most one index may be a data column");
            by_data = i;
        }
    }
    const int rows = base.rows;
    const int cols = base.shape == Shape::matrix ? base.cols : 1;
    auto at = [&](int r, int c) { return base.nodes[static_cast<std::size_t>(r * cols + c)]; };
    if (ix.indices.size() == 1 && base.shape == Shape::matrix) {
        if (by_data) fail(ix.indices[0].span, "a matrix row must be picked by a constant index");
        std::vector<int> row;
        for (int c = 0; c < cols; ++c) row.push_back(at(*constant[0], c));
        return Value::vector(std::move(row));
    }
    if (!by_data) return Value::scalar(at(*constant[0], ix.indices.size() > 1 ? *constant[1] : 0));
    // select(index, candidates): the candidates along the data index.
    std::vector<int> inputs{index_nodes[*by_data]};
    const int count = *by_data == 0 ? rows : cols;
    for (int k = 0; k < count; ++k)
        inputs.push_back(*by_data == 0 ? at(k, ix.indices.size() > 1 ? *constant[1] : 0) : at(*constant[0], k));
    add_check(index_nodes[*by_data], ix.indices[*by_data].span, rt::Domain::category, count,
              "index of '" + ix.name + "'");
    return Value::scalar(build_.op(rt::op_select(), std::move(inputs)));
}

}  // namespace mlec::interp::check

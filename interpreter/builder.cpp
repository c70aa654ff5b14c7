#include "interpreter/builder.hpp"

#include "runtime/functions.hpp"

namespace mlec::interp {

std::string describe(const Value& v) {
    switch (v.shape) {
        case Shape::scalar: return "a scalar";
        case Shape::vector: return "a vector of " + std::to_string(v.rows);
        case Shape::matrix: return "a " + std::to_string(v.rows) + "x" + std::to_string(v.cols) + " matrix";
    }
    return "a value";
}

int Builder::op(const rt::OpDef& op, std::vector<int> inputs) {
    bool all_constant = true;
    for (int in : inputs) all_constant = all_constant && graph_.node(in).kind == rt::NodeKind::constant;
    if (!all_constant) return graph_.add_op(op, std::move(inputs));
    std::vector<double> values;
    values.reserve(inputs.size());
    for (int in : inputs) values.push_back(graph_.node(in).constant);
    std::vector<rt::ConstCol> maps;
    for (const double& v : values) maps.emplace_back(&v, 1);
    double result = 0;
    rt::OpCall call{maps, rt::Col(&result, 1), {}, {}};
    op.eval(call);
    return graph_.add_constant(result);
}

int Builder::add(int a, int b) { return sum({a, b}); }

std::optional<Value> Builder::elementwise(const rt::OpDef& op, const Value& a, const Value& b, std::string& error) {
    if (&op == &rt::op_add()) {
        auto add_op = [this](int x, int y) { return add(x, y); };
        return combine(a, b, error, add_op);
    }
    return combine(a, b, error, [&](int x, int y) { return this->op(op, {x, y}); });
}

template <class F>
std::optional<Value> Builder::combine(const Value& a, const Value& b, std::string& error, F&& f) {
    if (a.is_scalar() && b.is_scalar()) return Value::scalar(f(a.node(), b.node()));
    if (!a.is_scalar() && !b.is_scalar() && (a.shape != b.shape || a.rows != b.rows || a.cols != b.cols)) {
        error = describe(a) + " and " + describe(b) + " do not have the same shape";
        return std::nullopt;
    }
    Value out = a.is_scalar() ? b : a;
    for (std::size_t i = 0; i < out.nodes.size(); ++i) {
        const int x = a.is_scalar() ? a.node() : a.nodes[i];
        const int y = b.is_scalar() ? b.node() : b.nodes[i];
        out.nodes[i] = f(x, y);
    }
    return out;
}

Value Builder::map(const rt::OpDef& op, const Value& a) {
    Value out = a;
    for (int& n : out.nodes) n = this->op(op, {n});
    return out;
}

std::optional<Value> Builder::multiply(const Value& a, const Value& b, std::string& error) {
    if (a.shape != Shape::matrix || b.is_scalar()) return elementwise(rt::op_mul(), a, b, error);
    if (a.cols != b.rows) {
        error = "cannot multiply " + describe(a) + " by " + describe(b) + ": " + std::to_string(a.cols) +
                " columns against " + std::to_string(b.rows) + " rows";
        return std::nullopt;
    }
    const int inner = a.cols;
    const int out_cols = b.shape == Shape::matrix ? b.cols : 1;
    std::vector<int> nodes;
    for (int i = 0; i < a.rows; ++i) {
        for (int j = 0; j < out_cols; ++j) {
            std::vector<int> products;
            for (int k = 0; k < inner; ++k) {
                const int x = a.nodes[static_cast<std::size_t>(i * a.cols + k)];
                const int y = b.nodes[static_cast<std::size_t>(k * out_cols + j)];
                products.push_back(op(rt::op_mul(), {x, y}));
            }
            nodes.push_back(sum(products));
        }
    }
    if (b.shape == Shape::matrix) return Value::matrix(a.rows, out_cols, std::move(nodes));
    return Value::vector(std::move(nodes));
}

// The summands of row-varying sums are spliced in, so b0 + b1*x1 + ... +
// b10*x10, built one `+` at a time, ends as one node instead of a chain of
// ten. When a row-varying summand is a product the node is a
// sum_of_products (the linear predictor's shape: one pass per block, and
// partials read in place), with any other summand paired with 1; otherwise
// a plain n-ary sum.
int Builder::sum(const std::vector<int>& nodes) {
    if (nodes.size() == 1) return nodes.front();
    const rt::OpDef& sum_op = rt::op_sum();
    const rt::OpDef& products_op = rt::op_sum_of_products();
    std::vector<int> summands;  // plain summands
    std::vector<int> pairs;     // factors of the products, in pairs
    for (int x : nodes) {
        const rt::Node& n = graph_.node(x);
        const bool is_op = n.kind == rt::NodeKind::op && !n.row_invariant;
        if (is_op && (n.op == &sum_op || n.op == &rt::op_add()))
            summands.insert(summands.end(), n.inputs.begin(), n.inputs.end());
        else if (is_op && (n.op == &rt::op_mul() || n.op == &products_op))
            pairs.insert(pairs.end(), n.inputs.begin(), n.inputs.end());
        else summands.push_back(x);
    }
    if (pairs.empty()) return op(sum_op, std::move(summands));
    const int one = constant(1.0);
    for (int x : summands) {
        pairs.push_back(x);
        pairs.push_back(one);
    }
    return op(products_op, std::move(pairs));
}

int Builder::log_sum_exp(const std::vector<int>& nodes) {
    if (nodes.size() == 1) return nodes.front();
    return op(rt::op_log_sum_exp(), nodes);
}

int Builder::dot(const std::vector<int>& a, const std::vector<int>& b) {
    std::vector<int> products;
    for (std::size_t i = 0; i < a.size(); ++i) products.push_back(op(rt::op_mul(), {a[i], b[i]}));
    return sum(products);
}

Value Builder::softmax(const Value& v) {
    const int lse = log_sum_exp(v.nodes);
    Value out = v;
    const rt::OpDef& exp = rt::op_exp();
    for (int& n : out.nodes) n = op(exp, {op(rt::op_sub(), {n, lse})});
    return out;
}

}  // namespace mlec::interp

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

// a + b with the summands of a and b that are sums themselves spliced in:
// b0 + b1*x1 + ... + b10*x10 becomes one n-ary sum, one node to evaluate
// and differentiate instead of a chain of ten.
int Builder::add(int a, int b) {
    const rt::OpDef* sum_op = rt::find_function("sum");
    if (!sum_op) return op(rt::op_add(), {a, b});
    std::vector<int> terms;
    for (int x : {a, b}) {
        const rt::Node& n = graph_.node(x);
        if (n.kind == rt::NodeKind::op && (n.op == sum_op || n.op == &rt::op_add()) && !n.row_invariant)
            terms.insert(terms.end(), n.inputs.begin(), n.inputs.end());
        else
            terms.push_back(x);
    }
    return op(*sum_op, std::move(terms));
}

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

int Builder::sum(const std::vector<int>& nodes) {
    if (nodes.size() == 1) return nodes.front();
    if (const rt::OpDef* s = rt::find_function("sum")) return op(*s, nodes);
    int total = nodes.front();
    for (std::size_t i = 1; i < nodes.size(); ++i) total = op(rt::op_add(), {total, nodes[i]});
    return total;
}

int Builder::log_sum_exp(const std::vector<int>& nodes) {
    if (nodes.size() == 1) return nodes.front();
    if (const rt::OpDef* lse = rt::find_function("log_sum_exp")) return op(*lse, nodes);
    // Without the stable op (older tables): log(sum(exp(x))).
    std::vector<int> exps;
    for (int n : nodes) exps.push_back(op(*rt::find_function("exp"), {n}));
    return op(*rt::find_function("log"), {sum(exps)});
}

int Builder::dot(const std::vector<int>& a, const std::vector<int>& b) {
    std::vector<int> products;
    for (std::size_t i = 0; i < a.size(); ++i) products.push_back(op(rt::op_mul(), {a[i], b[i]}));
    return sum(products);
}

Value Builder::softmax(const Value& v) {
    const int lse = log_sum_exp(v.nodes);
    Value out = v;
    const rt::OpDef& exp = *rt::find_function("exp");
    for (int& n : out.nodes) n = op(exp, {op(rt::op_sub(), {n, lse})});
    return out;
}

}  // namespace mlec::interp

// Building the graph from shaped values. A Value is a scalar, a vector or a
// matrix of graph nodes; every operation on shapes (broadcasting a scalar,
// a matrix-vector product, softmax) becomes scalar-per-row nodes here, so the
// evaluator only ever sees elementwise ops.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "runtime/graph.hpp"
#include "runtime/node_maker.hpp"
#include "runtime/op.hpp"

namespace mlec::interp {

enum class Shape { scalar, vector, matrix };

struct Value {
    Shape shape = Shape::scalar;
    int rows = 1;            // vector: its length; matrix: rows
    int cols = 1;            // matrix: columns
    std::vector<int> nodes;  // row-major

    static Value scalar(int node) { return Value{Shape::scalar, 1, 1, {node}}; }
    static Value vector(std::vector<int> nodes) {
        const int n = static_cast<int>(nodes.size());
        return Value{Shape::vector, n, 1, std::move(nodes)};
    }
    static Value matrix(int rows, int cols, std::vector<int> nodes) {
        return Value{Shape::matrix, rows, cols, std::move(nodes)};
    }
    bool is_scalar() const { return shape == Shape::scalar; }
    int node() const { return nodes.front(); }
};

// "a scalar", "a vector of 3", "a 2x2 matrix"
std::string describe(const Value& v);

// Also the runtime's NodeMaker, through which a distribution builds its mean
// (rt::DistributionDef::mean) with the same constant folding.
class Builder final : public rt::NodeMaker {
public:
    explicit Builder(rt::Graph& graph) : graph_(graph) {}

    rt::Graph& graph() { return graph_; }
    int constant(double value) override { return graph_.add_constant(value); }

    // An op node; ops whose inputs are all constants are folded.
    int op(const rt::OpDef& op, std::vector<int> inputs) override;

    // Elementwise a (op) b with a scalar broadcast to the other's shape.
    // Returns nothing and sets `error` when the shapes differ.
    std::optional<Value> elementwise(const rt::OpDef& op, const Value& a, const Value& b, std::string& error);
    // f applied to every entry.
    Value map(const rt::OpDef& op, const Value& a);
    // `*`: a matrix times a vector or matrix is the matrix product; anything
    // else is elementwise with broadcasting.
    std::optional<Value> multiply(const Value& a, const Value& b, std::string& error);

    int sum(const std::vector<int>& nodes);
    int add(int a, int b);
    int log_sum_exp(const std::vector<int>& nodes);
    int dot(const std::vector<int>& a, const std::vector<int>& b);
    // softmax(v)_i = exp(v_i - log_sum_exp(v))
    Value softmax(const Value& v);

private:
    template <class F>
    std::optional<Value> combine(const Value& a, const Value& b, std::string& error, F&& f);

    rt::Graph& graph_;
};

}  // namespace mlec::interp

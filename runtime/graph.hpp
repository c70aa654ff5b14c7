// The expression graph the interpreter lowers a model into: constants, data
// columns, parameters and ops, in topological order. A node stands for a whole
// column of values (one per row) — or a single value when it does not depend
// on the data ("row-invariant"), which the evaluator computes once per
// evaluation instead of once per row.
//
// The log-likelihood is the sum over rows of the `terms`' values, except
// that a term which depends on no data column (row-invariant: a prior or a
// penalty on the parameters) is added once, not once per row; and that with
// a `weight` node every row's terms count that node's value times
// (frequency weights: a row of weight 3 stands for three identical rows);
// a term with its own multiplier node (a group-level term) counts that
// node's value times instead.
#pragma once

#include <cstdint>
#include <map>
#include <tuple>
#include <vector>

#include "runtime/op.hpp"

namespace mlec::rt {

enum class NodeKind { constant, data, parameter, op };

struct Node {
    NodeKind kind = NodeKind::constant;
    double constant = 0;        // kind == constant
    int column = -1;            // kind == data: index into the evaluator's columns
    int parameter = -1;         // kind == parameter: index into theta
    const OpDef* op = nullptr;  // kind == op
    std::vector<int> inputs;    // kind == op: node ids, all smaller than this node's
    bool row_invariant = true;  // no data column below this node
    std::vector<int> deps;      // sorted ids of the parameters below this node
};

class Graph {
public:
    // Each add_* returns the node's id. Identical requests return the same
    // node (hash-consing), so a subexpression written twice is computed once.
    int add_constant(double value);
    int add_data(int column);
    int add_parameter(int parameter);
    int add_op(const OpDef& op, std::vector<int> inputs);

    // A term, with `multiplier` (a node of data only; -1: none) in place of
    // the weight for this term alone: a group-level term (`target += ...
    // per g`) counts on the first row of each level of g, 1 there and 0
    // on every other row, and is not weighted by `weight`.
    void add_term(int node, int multiplier = -1) {
        terms_.push_back(node);
        multipliers_.push_back(multiplier);
    }
    // The node (of data only) whose value weights each row's terms; -1:
    // every row counts once.
    void set_weight(int node) { weight_ = node; }
    int weight() const { return weight_; }

    const std::vector<Node>& nodes() const { return nodes_; }
    const Node& node(int id) const { return nodes_[static_cast<std::size_t>(id)]; }
    const std::vector<int>& terms() const { return terms_; }
    // The multiplier of terms()[t], -1 for none.
    int term_multiplier(std::size_t t) const { return multipliers_[t]; }
    int parameter_count() const { return parameter_count_; }

private:
    int push(Node node);

    std::vector<Node> nodes_;
    std::vector<int> terms_;
    std::vector<int> multipliers_;  // one per term
    int weight_ = -1;
    int parameter_count_ = 0;
    std::map<std::tuple<int, std::uint64_t, std::vector<int>>, int> index_;
};

}  // namespace mlec::rt

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
//
// Random effects (docs/architecture.md, "Random effects"): an `effect` node
// reads, on each row, one coordinate of the vector z of spherical random
// effects, picked by the row's level of a grouping column; z is not a
// parameter (the Laplace approximation integrates it out), so effect nodes
// carry their own dependency list, `effects`, beside the parameters' `deps`.
#pragma once

#include <cstdint>
#include <map>
#include <tuple>
#include <vector>

#include "runtime/op.hpp"

namespace mlec::rt {

enum class NodeKind { constant, data, parameter, op, effect };

struct Node {
    NodeKind kind = NodeKind::constant;
    double constant = 0;        // kind == constant
    int column = -1;            // kind == data: index into the evaluator's columns
    int parameter = -1;         // kind == parameter: index into theta
    int effect = -1;            // kind == effect: index into Graph::effects()
    const OpDef* op = nullptr;  // kind == op
    std::vector<int> inputs;    // kind == op: node ids, all smaller than this node's
    bool row_invariant = true;  // no data column below this node
    std::vector<int> deps;      // sorted ids of the parameters below this node
    std::vector<int> effects;   // sorted ids of the effects below this node
};

// One random-effect coordinate of every level of a grouping column: on row
// r, the effect node reads z[first + level(r) - 1], level(r) being the
// value (1 .. levels) of the data node `index` on that row. With no index
// (-1) the effect has one level, read on every row: a parameter integrated
// out with the effects (REML's fixed effects, Graph::integrate_parameters).
struct Effect {
    int index = -1;
    int levels = 0;
    int first = 0;
    // Spherical effects have the prior N(0, 1); a flat one has none (the
    // Laplace approximation integrates it against Lebesgue measure).
    bool flat = false;
    // A flat effect that is maximized over, not integrated: group
    // parameters profiled out (Graph::select_effects).
    bool profiled = false;
};

// Whether `node` depends on a parameter marked in `marked` (one flag per
// coordinate of theta).
inline bool depends_on_any(const Node& node, const std::vector<bool>& marked) {
    for (int d : node.deps)
        if (marked[static_cast<std::size_t>(d)]) return true;
    return false;
}

class Graph {
public:
    // Each add_* returns the node's id. Identical requests return the same
    // node (hash-consing), so a subexpression written twice is computed once.
    int add_constant(double value);
    int add_data(int column);
    int add_parameter(int parameter);
    int add_op(const OpDef& op, std::vector<int> inputs);
    // A new effect: `levels` coordinates of z, one per level of the data
    // node `index`. Never shared: the intercept and the slope of a group
    // are two effects on the same index.
    int add_effect(int index, int levels);
    // Turns the parameters `integrated` (sorted, distinct) into flat effects
    // of one level each, in that order after the existing effects, in place:
    // every node keeps its id, the other parameters are renumbered in their
    // order (0, 1, ...), and every node's dependencies follow. Returns the
    // new effects' ids. For REML, which integrates the fixed effects out.
    std::vector<int> integrate_parameters(const std::vector<int>& integrated);
    // Turns each node of `selects` — select(index, p_1, ..., p_K) of
    // parameters p_k that nothing else uses — into a profiled effect of K
    // levels read by `index`, in place: the parameters leave theta as
    // above, their dead nodes become constants. Returns the new effects'
    // ids. For group parameters profiled out (interp::profile_group_parameters).
    // (With `profiled` false, flat effects integrated out: REML's group
    // parameters.)
    std::vector<int> select_effects(const std::vector<int>& selects, bool profiled = true);

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
    const std::vector<Effect>& effects() const { return effects_; }
    // The length of z: every effect's levels.
    int effect_size() const { return effects_.empty() ? 0 : effects_.back().first + effects_.back().levels; }

private:
    int push(Node node);
    // The hash-consing key of a node that is not an effect.
    static std::tuple<int, std::uint64_t, std::vector<int>> key_of(const Node& node);
    // `node` itself, or the identical node added before.
    int add_shared(Node node);
    void inherit(Node& op) const;
    // Removes the parameters `removed` from theta: the others renumbered in
    // their order, the removed ones' nodes replaced by `replace` (an effect
    // or a constant), every node's dependencies recomputed and the
    // hash-consing index rebuilt.
    void remove_parameters(const std::vector<bool>& removed, const std::vector<Node>& replace);

    std::vector<Node> nodes_;
    std::vector<int> terms_;
    std::vector<int> multipliers_;  // one per term
    int weight_ = -1;
    int parameter_count_ = 0;
    std::vector<Effect> effects_;
    std::map<std::tuple<int, std::uint64_t, std::vector<int>>, int> index_;
};

}  // namespace mlec::rt

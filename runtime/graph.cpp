#include "runtime/graph.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace mlec::rt {

namespace {

std::uint64_t bits_of(double x) { return std::bit_cast<std::uint64_t>(x); }

std::vector<int> merged(const std::vector<int>& a, const std::vector<int>& b) {
    std::vector<int> out;
    out.reserve(a.size() + b.size());
    std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}

}  // namespace

int Graph::push(Node node) {
    nodes_.push_back(std::move(node));
    return static_cast<int>(nodes_.size()) - 1;
}

std::tuple<int, std::uint64_t, std::vector<int>> Graph::key_of(const Node& node) {
    switch (node.kind) {
        case NodeKind::constant: return {0, bits_of(node.constant), {}};
        case NodeKind::data: return {1, static_cast<std::uint64_t>(node.column), {}};
        case NodeKind::parameter: return {2, static_cast<std::uint64_t>(node.parameter), {}};
        default: break;
    }
    std::uint64_t op_bits = 0;
    std::memcpy(&op_bits, &node.op, sizeof node.op);
    return {3, op_bits, node.inputs};
}

int Graph::add_shared(Node node) {
    auto key = key_of(node);
    if (auto it = index_.find(key); it != index_.end()) return it->second;
    return index_[std::move(key)] = push(std::move(node));
}

int Graph::add_constant(double value) {
    Node n;
    n.kind = NodeKind::constant;
    n.constant = value;
    return add_shared(std::move(n));
}

int Graph::add_data(int column) {
    Node n;
    n.kind = NodeKind::data;
    n.column = column;
    n.row_invariant = false;
    return add_shared(std::move(n));
}

int Graph::add_parameter(int parameter) {
    Node n;
    n.kind = NodeKind::parameter;
    n.parameter = parameter;
    n.deps = {parameter};
    parameter_count_ = std::max(parameter_count_, parameter + 1);
    return add_shared(std::move(n));
}

// An op's dependencies, from its inputs'.
void Graph::inherit(Node& n) const {
    n.row_invariant = true;
    n.deps.clear();
    n.effects.clear();
    for (int in : n.inputs) {
        const Node& child = node(in);
        n.row_invariant = n.row_invariant && child.row_invariant;
        n.deps = merged(n.deps, child.deps);
        n.effects = merged(n.effects, child.effects);
    }
}

int Graph::add_op(const OpDef& op, std::vector<int> inputs) {
    Node n;
    n.kind = NodeKind::op;
    n.op = &op;
    n.inputs = std::move(inputs);
    inherit(n);
    return add_shared(std::move(n));
}

int Graph::add_effect(int index, int levels) {
    const int id = static_cast<int>(effects_.size());
    effects_.push_back(Effect{index, levels, effect_size()});
    Node n;
    n.kind = NodeKind::effect;
    n.effect = id;
    n.row_invariant = false;
    n.effects = {id};
    return push(std::move(n));
}

std::vector<int> Graph::integrate_parameters(const std::vector<int>& integrated) {
    std::vector<int> renumbered(static_cast<std::size_t>(parameter_count_), -1);
    std::vector<int> effect_of(static_cast<std::size_t>(parameter_count_), -1);
    std::vector<int> out;
    for (int i = 0, kept = 0; i < parameter_count_; ++i) {
        if (std::binary_search(integrated.begin(), integrated.end(), i)) {
            effect_of[static_cast<std::size_t>(i)] = static_cast<int>(effects_.size());
            out.push_back(static_cast<int>(effects_.size()));
            effects_.push_back(Effect{-1, 1, effect_size(), true});
        } else {
            renumbered[static_cast<std::size_t>(i)] = kept++;
        }
    }
    for (Node& n : nodes_) {
        if (n.kind == NodeKind::parameter) {
            const auto old = static_cast<std::size_t>(n.parameter);
            if (effect_of[old] >= 0) {
                n.kind = NodeKind::effect;
                n.effect = effect_of[old];
                n.parameter = -1;
                n.row_invariant = false;
                n.deps.clear();
                n.effects = {n.effect};
            } else {
                n.parameter = renumbered[old];
                n.deps = {n.parameter};
            }
        } else if (n.kind == NodeKind::op) {
            inherit(n);  // (inputs precede their users)
        }
    }
    parameter_count_ -= static_cast<int>(integrated.size());
    index_.clear();
    for (std::size_t id = 0; id < nodes_.size(); ++id)
        if (nodes_[id].kind != NodeKind::effect) index_.emplace(key_of(nodes_[id]), static_cast<int>(id));
    return out;
}

}  // namespace mlec::rt

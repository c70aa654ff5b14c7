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

void Graph::remove_parameters(const std::vector<bool>& removed, const std::vector<Node>& replace) {
    std::vector<int> renumbered(removed.size(), -1);
    int kept = 0;
    for (std::size_t i = 0; i < removed.size(); ++i)
        if (!removed[i]) renumbered[i] = kept++;
    for (Node& n : nodes_) {
        if (n.kind == NodeKind::parameter) {
            const auto old = static_cast<std::size_t>(n.parameter);
            if (removed[old]) {
                n = replace[old];
            } else {
                n.parameter = renumbered[old];
                n.deps = {n.parameter};
            }
        } else if (n.kind == NodeKind::op) {
            inherit(n);  // (inputs precede their users)
        }
    }
    parameter_count_ = kept;
    index_.clear();
    for (std::size_t id = 0; id < nodes_.size(); ++id)
        if (nodes_[id].kind != NodeKind::effect) index_.emplace(key_of(nodes_[id]), static_cast<int>(id));
}

namespace {

Node effect_node(int effect) {
    Node n;
    n.kind = NodeKind::effect;
    n.effect = effect;
    n.row_invariant = false;
    n.effects = {effect};
    return n;
}

}  // namespace

std::vector<int> Graph::integrate_parameters(const std::vector<int>& integrated) {
    std::vector<bool> removed(static_cast<std::size_t>(parameter_count_), false);
    std::vector<Node> replace(removed.size());
    std::vector<int> out;
    for (int i : integrated) {
        const int effect = static_cast<int>(effects_.size());
        effects_.push_back(Effect{-1, 1, effect_size(), true});
        removed[static_cast<std::size_t>(i)] = true;
        replace[static_cast<std::size_t>(i)] = effect_node(effect);
        out.push_back(effect);
    }
    remove_parameters(removed, replace);
    return out;
}

std::vector<int> Graph::select_effects(const std::vector<int>& selects, bool profiled) {
    std::vector<bool> removed(static_cast<std::size_t>(parameter_count_), false);
    std::vector<Node> replace(removed.size());  // (default: the constant 0)
    std::vector<int> out;
    for (int id : selects) {
        Node& select = nodes_[static_cast<std::size_t>(id)];
        const int effect = static_cast<int>(effects_.size());
        const int levels = static_cast<int>(select.inputs.size()) - 1;
        effects_.push_back(Effect{select.inputs[0], levels, effect_size(), true, profiled});
        for (std::size_t k = 1; k < select.inputs.size(); ++k)
            removed[static_cast<std::size_t>(node(select.inputs[k]).parameter)] = true;
        select = effect_node(effect);
        out.push_back(effect);
    }
    remove_parameters(removed, replace);
    return out;
}

}  // namespace mlec::rt

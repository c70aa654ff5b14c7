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

int Graph::add_constant(double value) {
    auto key = std::make_tuple(0, bits_of(value), std::vector<int>{});
    if (auto it = index_.find(key); it != index_.end()) return it->second;
    Node n;
    n.kind = NodeKind::constant;
    n.constant = value;
    return index_[key] = push(std::move(n));
}

int Graph::add_data(int column) {
    auto key = std::make_tuple(1, static_cast<std::uint64_t>(column), std::vector<int>{});
    if (auto it = index_.find(key); it != index_.end()) return it->second;
    Node n;
    n.kind = NodeKind::data;
    n.column = column;
    n.row_invariant = false;
    return index_[key] = push(std::move(n));
}

int Graph::add_parameter(int parameter) {
    auto key = std::make_tuple(2, static_cast<std::uint64_t>(parameter), std::vector<int>{});
    if (auto it = index_.find(key); it != index_.end()) return it->second;
    Node n;
    n.kind = NodeKind::parameter;
    n.parameter = parameter;
    n.deps = {parameter};
    parameter_count_ = std::max(parameter_count_, parameter + 1);
    return index_[key] = push(std::move(n));
}

int Graph::add_op(const OpDef& op, std::vector<int> inputs) {
    std::uint64_t op_bits = 0;
    const OpDef* p = &op;
    std::memcpy(&op_bits, &p, sizeof p);
    auto key = std::make_tuple(3, op_bits, inputs);
    if (auto it = index_.find(key); it != index_.end()) return it->second;
    Node n;
    n.kind = NodeKind::op;
    n.op = &op;
    for (int in : inputs) {
        const Node& child = node(in);
        n.row_invariant = n.row_invariant && child.row_invariant;
        n.deps = merged(n.deps, child.deps);
        n.effects = merged(n.effects, child.effects);
    }
    n.inputs = std::move(inputs);
    return index_[key] = push(std::move(n));
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

}  // namespace mlec::rt

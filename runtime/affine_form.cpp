#include "runtime/affine_form.hpp"

#include <map>

#include "runtime/functions.hpp"

namespace mlec::rt {

namespace {

using Form = std::vector<AffineTerm>;
using Coordinate = AffineTerm::Coordinate;

AffineTerm leaf(Coordinate kind, int coordinate, int node) {
    AffineTerm t;
    t.kind = kind;
    t.coordinate = coordinate;
    t.coordinate_node = node;
    return t;
}

// a * b; nullopt when both have a coordinate, unless one is a parameter
// and the other an effect: the parameter then scales the effect.
std::optional<AffineTerm> multiply(const AffineTerm& a, const AffineTerm& b) {
    AffineTerm t = a;
    t.coefficient *= b.coefficient;
    t.data.insert(t.data.end(), b.data.begin(), b.data.end());
    t.scale.insert(t.scale.end(), b.scale.begin(), b.scale.end());
    if (b.kind == Coordinate::none) return t;
    if (a.kind == Coordinate::none) {
        t.kind = b.kind;
        t.coordinate = b.coordinate;
        t.coordinate_node = b.coordinate_node;
        return t;
    }
    const AffineTerm* parameter = a.kind == Coordinate::parameter ? &a : &b;
    const AffineTerm* effect = a.kind == Coordinate::effect ? &a : &b;
    if (parameter->kind != Coordinate::parameter || effect->kind != Coordinate::effect) return std::nullopt;
    t.scale.push_back({parameter->coordinate_node, 1});
    t.kind = Coordinate::effect;
    t.coordinate = effect->coordinate;
    t.coordinate_node = effect->coordinate_node;
    return t;
}

std::optional<Form> product(const Form& a, const Form& b) {
    if (a.size() * b.size() > max_affine_terms) return std::nullopt;
    Form out;
    for (const AffineTerm& s : a)
        for (const AffineTerm& t : b) {
            auto st = multiply(s, t);
            if (!st) return std::nullopt;
            out.push_back(std::move(*st));
        }
    return out;
}

// a / b for b a single term without a coordinate.
std::optional<Form> quotient(Form a, const Form& b) {
    if (b.size() != 1 || b.front().kind != Coordinate::none || b.front().coefficient == 0) return std::nullopt;
    const AffineTerm& d = b.front();
    for (AffineTerm& t : a) {
        t.coefficient /= d.coefficient;
        for (const NodePower& f : d.data) t.data.push_back({f.node, -f.power});
        for (const NodePower& f : d.scale) t.scale.push_back({f.node, -f.power});
    }
    return a;
}

Form negated(Form a) {
    for (AffineTerm& t : a) t.coefficient = -t.coefficient;
    return a;
}

class Decomposer {
public:
    explicit Decomposer(const Graph& graph) : graph_(graph) {}

    std::optional<Form> form(int id) {
        if (auto it = memo_.find(id); it != memo_.end()) return it->second;
        std::optional<Form> f = compute(id);
        if (f && f->size() > max_affine_terms) f.reset();
        memo_.emplace(id, f);
        return f;
    }

private:
    std::optional<Form> compute(int id) {
        const Node& n = graph_.node(id);
        switch (n.kind) {
            case NodeKind::constant: {
                AffineTerm t;
                t.coefficient = n.constant;
                return Form{t};
            }
            case NodeKind::data: {
                AffineTerm t;
                t.data.push_back({id, 1});
                return Form{t};
            }
            case NodeKind::parameter: return Form{leaf(Coordinate::parameter, n.parameter, id)};
            case NodeKind::effect: return Form{leaf(Coordinate::effect, n.effect, id)};
            case NodeKind::op: break;
        }
        if (const auto f = arithmetic(n)) return *f;
        // Any other function: of data alone a data factor, of parameters
        // alone a scale factor; of both, or of an effect, not affine.
        AffineTerm t;
        if (!n.effects.empty()) return std::nullopt;
        if (n.deps.empty()) t.data.push_back({id, 1});
        else if (n.row_invariant) t.scale.push_back({id, 1});
        else return std::nullopt;
        return Form{t};
    }

    // The arithmetic ops' forms; nullopt (as the outer optional) for
    // another op.
    std::optional<std::optional<Form>> arithmetic(const Node& n) {
        const OpDef* op = n.op;
        const auto& in = n.inputs;
        if (op == &op_add() || op == &op_sum() || op == &op_sub()) {
            Form out;
            for (std::size_t i = 0; i < in.size(); ++i) {
                auto f = form(in[i]);
                if (!f) return std::optional<Form>{};
                if (op == &op_sub() && i == 1) f = negated(std::move(*f));
                out.insert(out.end(), f->begin(), f->end());
            }
            return std::optional<Form>{std::move(out)};
        }
        if (op == &op_neg()) {
            auto f = form(in[0]);
            if (!f) return std::optional<Form>{};
            return std::optional<Form>{negated(std::move(*f))};
        }
        if (op == &op_mul() || op == &op_sum_of_products()) {
            Form out;
            for (std::size_t i = 0; i + 1 < in.size(); i += 2) {
                const auto a = form(in[i]);
                const auto b = a ? form(in[i + 1]) : std::nullopt;
                const auto ab = b ? product(*a, *b) : std::nullopt;
                if (!ab) return std::optional<Form>{};
                out.insert(out.end(), ab->begin(), ab->end());
            }
            return std::optional<Form>{std::move(out)};
        }
        if (op == &op_div()) {
            const auto a = form(in[0]);
            const auto b = a ? form(in[1]) : std::nullopt;
            if (!b) return std::optional<Form>{};
            return std::optional<Form>{quotient(*a, *b)};
        }
        return std::nullopt;
    }

    const Graph& graph_;
    std::map<int, std::optional<Form>> memo_;
};

}  // namespace

std::optional<std::vector<AffineTerm>> affine_form(const Graph& graph, int node) {
    return Decomposer(graph).form(node);
}

}  // namespace mlec::rt

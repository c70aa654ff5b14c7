#include "interpreter/profiled_groups.hpp"

#include "interpreter/leave_theta.hpp"
#include "runtime/select.hpp"

namespace mlec::interp {

namespace {

// How many times each node is read: by ops, as a term, weight or
// multiplier, by a `report` and by a data check.
std::vector<int> reads(const CheckedModel& m) {
    const rt::Graph& g = m.graph;
    std::vector<int> out(g.nodes().size(), 0);
    auto read = [&](int id) {
        if (id >= 0) ++out[static_cast<std::size_t>(id)];
    };
    for (const rt::Node& n : g.nodes())
        for (int in : n.inputs) read(in);
    for (std::size_t t = 0; t < g.terms().size(); ++t) {
        read(g.terms()[t]);
        read(g.term_multiplier(t));
    }
    read(g.weight());
    for (const Estimand& e : m.estimands)
        if (e.derived) read(e.node);
    for (const DataCheck& c : m.checks) {
        read(c.node);
        read(c.limit_node);
    }
    return out;
}

// select(g, p_1, ..., p_K) of unbounded parameters `among`, read only there.
bool profilable(const CheckedModel& m, const rt::Node& select, const std::vector<int>& read,
                const std::vector<bool>& among) {
    if (select.kind != rt::NodeKind::op || select.op != &rt::op_select() || select.inputs.size() < 2) return false;
    if (m.graph.node(select.inputs[0]).kind != rt::NodeKind::data) return false;
    for (std::size_t k = 1; k < select.inputs.size(); ++k) {
        const int in = select.inputs[k];
        const rt::Node& p = m.graph.node(in);
        if (p.kind != rt::NodeKind::parameter || read[static_cast<std::size_t>(in)] != 1) return false;
        if (!among[static_cast<std::size_t>(p.parameter)]) return false;
        const ParameterInfo& info = m.parameters[static_cast<std::size_t>(p.parameter)];
        if (!info.bounds.unbounded() || info.user_node != in) return false;
    }
    return true;
}

}  // namespace

std::vector<int> group_selects(const CheckedModel& m, const std::vector<bool>& among) {
    const std::vector<int> read = reads(m);
    std::vector<int> out;
    for (std::size_t id = 0; id < m.graph.nodes().size(); ++id)
        if (profilable(m, m.graph.node(static_cast<int>(id)), read, among)) out.push_back(static_cast<int>(id));
    return out;
}

std::vector<std::vector<int>> select_parameters(const rt::Graph& graph, const std::vector<int>& selects) {
    std::vector<std::vector<int>> out;
    for (int id : selects) {
        std::vector<int>& of = out.emplace_back();
        const std::vector<int>& inputs = graph.node(id).inputs;
        for (std::size_t k = 1; k < inputs.size(); ++k) of.push_back(graph.node(inputs[k]).parameter);
    }
    return out;
}

void level_coordinates(const rt::Graph& graph, const std::vector<int>& effects,
                       const std::vector<std::vector<int>>& parameters, std::vector<int>& z_of) {
    for (std::size_t s = 0; s < effects.size(); ++s) {
        const rt::Effect& e = graph.effects()[static_cast<std::size_t>(effects[s])];
        for (std::size_t level = 0; level < parameters[s].size(); ++level)
            z_of[static_cast<std::size_t>(parameters[s][level])] = e.first + static_cast<int>(level);
    }
}

bool profile_group_parameters(CheckedModel& m) {
    if (!m.graph.effects().empty()) return false;
    const std::vector<int> selects = group_selects(m, std::vector<bool>(m.parameters.size(), true));
    std::size_t entries = 0;
    for (int id : selects) entries += m.graph.node(id).inputs.size() - 1;
    if (entries < static_cast<std::size_t>(profiled_group_entries)) return false;
    // Each parameter's coordinate of z: its level's in its select's effect.
    const std::vector<std::vector<int>> parameters = select_parameters(m.graph, selects);
    std::vector<bool> moved(m.parameters.size(), false);
    std::vector<int> z_of(m.parameters.size(), -1);
    for (const auto& of : parameters)
        for (int i : of) moved[static_cast<std::size_t>(i)] = true;
    level_coordinates(m.graph, m.graph.select_effects(selects), parameters, z_of);
    leave_theta(m, moved, z_of, true);
    std::string note = "the " + std::to_string(entries) +
                       " entries of the group parameters are profiled out: for each value of the others, Newton's "
                       "method over them with their sparse Hessian; the estimates are the joint maximum's, their "
                       "standard errors the full inverse Hessian's, and their intervals Wald intervals";
    m.notes.push_back(std::move(note));
    return true;
}

}  // namespace mlec::interp

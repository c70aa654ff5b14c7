// Group-level terms (checker.hpp): `target += expr per g` is added once per
// level of the column g, not once per row. The term is evaluated on every
// row and counted on the first row of each level (in file order, over all
// ranks) by a per-term multiplier column that is 1 there and 0 elsewhere
// (rt::Graph::add_term), which binding fills in (problem/group_terms). So
// the term may use parameters, group parameters u[g], constants and data
// that are the same on every row of a level; binding checks that they are.
#include "interpreter/checker.hpp"
#include "runtime/functions.hpp"

namespace mlec::interp::check {

namespace {

// The graph data columns below `node`.
std::set<int> data_columns_below(const rt::Graph& graph, int node) {
    std::set<int> out;
    std::vector<int> stack{node};
    std::set<int> seen;
    while (!stack.empty()) {
        const int id = stack.back();
        stack.pop_back();
        if (!seen.insert(id).second) continue;
        const rt::Node& n = graph.node(id);
        if (n.kind == rt::NodeKind::data) out.insert(n.column);
        for (int in : n.inputs) stack.push_back(in);
    }
    return out;
}

}  // namespace

// The column a group-level term is counted once per level of.
int Checker::grouping_column(const ast::DataName& per) {
    if (locals_.value(per.name) || locals_.definition(per.name))
        fail(per.span,
             "'per' takes a grouping column of " + columns_.data_name() + ", but '" + per.name + "' is a local");
    const auto col = columns_.usable_column(per.name);
    if (!col) {
        std::string message = "'" + per.name + "' is not a column of " + columns_.data_name();
        if (auto guess = closest(per.name, columns_.header())) message += "; did you mean '" + *guess + "'?";
        else message += "; 'per' takes a grouping column, as in 'target += normal_lpdf(u[g] | 0, tau) per g'";
        fail(per.span, message);
    }
    columns_.levels_of(*col, per.span);  // (read now: an unreadable column is an error here)
    return *col;
}

void Checker::add_group_term(const ast::Statement& s, const ast::TargetAdd& t, const Value& v) {
    const ast::DataName& per = *t.per;
    const int csv_index = grouping_column(per);
    const std::size_t levels = columns_.levels_of(csv_index, per.span).names.size();
    std::string note = line_of(s.span);
    note.append(": '").append(excerpt(t.value.span)).append("' is added once per level of ").append(per.name);
    note.append(" (").append(plural(levels, "level")).append("), not once per row");
    out_.notes.push_back(std::move(note));
    const int level_node = columns_.categorical_column(per.name, csv_index, per.span);
    const int level_column = out_.graph.node(level_node).column;
    GroupTerm group;
    group.term = out_.terms.size();
    group.column = per.name;
    group.span = per.span;
    group.level_column = level_column;
    // A term on no data is the same for every level: added once, L times
    // (binding still checks that g groups rows).
    if (out_.graph.node(v.node()).row_invariant) {
        add_term(s, build_.op(rt::op_mul(), {v.node(), build_.constant(static_cast<double>(levels))}), {}, {});
        out_.terms.back().per = per.name;
        out_.group_terms.push_back(std::move(group));
        return;
    }
    for (int c : data_columns_below(out_.graph, v.node()))
        if (c != level_column) group.data_columns.push_back(c);
    const int multiplier = columns_.first_of_level_column(per.name, csv_index, level_column, per.span);
    group.multiplier_column = out_.graph.node(multiplier).column;
    add_term(s, v.node(), {}, {}, multiplier);
    out_.terms.back().per = per.name;
    out_.group_terms.push_back(std::move(group));
}

}  // namespace mlec::interp::check

#include "problem/previous_rows.hpp"

#include <cmath>
#include <limits>
#include <map>
#include <string>

namespace mlec::problem {

bool has_previous_rows(const interp::CheckedModel& model) {
    for (const interp::ColumnInfo& c : model.columns)
        if (c.lag) return true;
    return false;
}

namespace {

// The group of each row: its level number, or 0 for every row when the lag
// has no grouping column; -1 for a missing level (a row of no group).
long group_of(std::span<const double> group, std::size_t row) {
    if (group.empty()) return 0;
    const double g = group[row];
    return std::isnan(g) ? -1 : static_cast<long>(g);
}

}  // namespace

std::vector<std::ptrdiff_t> lagged_rows(const interp::ColumnInfo::Lag& lag, std::span<const double> group,
                                        std::size_t rows) {
    std::vector<std::ptrdiff_t> from(rows, -1);
    // Each group's rows so far, in the rows' order (groups need not be
    // contiguous).
    std::map<long, std::vector<std::ptrdiff_t>> seen;
    const auto k = static_cast<std::size_t>(lag.k);
    for (std::size_t r = 0; r < rows; ++r) {
        const long g = group_of(group, r);
        if (g < 0) continue;
        std::vector<std::ptrdiff_t>& before = seen[g];
        if (before.size() >= k) from[r] = before[before.size() - k];
        before.push_back(static_cast<std::ptrdiff_t>(r));
    }
    return from;
}

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

std::vector<double> previous_rows(const interp::ColumnInfo::Lag& lag, std::span<const double> source,
                                  std::span<const double> group, std::size_t rows) {
    std::vector<double> out(rows, lag.exists ? 0.0 : nan);
    const std::vector<std::ptrdiff_t> from = lagged_rows(lag, group, rows);
    for (std::size_t r = 0; r < rows; ++r)
        if (from[r] >= 0) out[r] = lag.exists ? 1.0 : source[static_cast<std::size_t>(from[r])];
    return out;
}

}  // namespace

void fill_previous_rows(const std::vector<interp::ColumnInfo>& info, std::vector<std::span<const double>>& columns,
                        std::vector<std::vector<double>>& storage, std::size_t rows) {
    for (std::size_t c = 0; c < info.size(); ++c) {
        const auto& lag = info[c].lag;
        if (!lag) continue;
        const std::span<const double> group =
            lag->group >= 0 ? columns[static_cast<std::size_t>(lag->group)] : std::span<const double>{};
        storage.push_back(previous_rows(*lag, columns[static_cast<std::size_t>(lag->source)], group, rows));
        columns[c] = storage.back();
    }
}

namespace {

// Which rows use node `target` in the log-likelihood: a row uses a node
// when it uses one of its users (every row uses the terms and the weight)
// and, for a branch of ifelse, takes that branch. Conditions that depend
// on parameters may change during the fit and exempt no row; a NaN
// condition exempts none either. The walk goes down the graph from the
// terms over the nodes that reach `target` only.
std::vector<char> rows_using(const Problem::Impl& p, int target) {
    const rt::Graph& g = p.model.graph;
    const std::size_t n = g.nodes().size();
    std::vector<char> reaches(n, 0);
    reaches[static_cast<std::size_t>(target)] = 1;
    for (std::size_t id = static_cast<std::size_t>(target) + 1; id < n; ++id)
        for (int in : g.nodes()[id].inputs) reaches[id] = reaches[id] || reaches[static_cast<std::size_t>(in)];
    std::vector<std::vector<char>> used(n);
    auto use_all = [&](int id) {
        if (id >= 0 && reaches[static_cast<std::size_t>(id)]) used[static_cast<std::size_t>(id)].assign(p.rows, 1);
    };
    for (int t : g.terms()) use_all(t);
    use_all(g.weight());
    const Eigen::VectorXd theta = Eigen::VectorXd::Zero(g.parameter_count());
    std::map<int, std::vector<double>> conditions;
    for (std::size_t id = n; id-- > static_cast<std::size_t>(target) + 1;) {
        if (used[id].empty()) continue;
        const rt::Node& u = g.nodes()[id];
        for (std::size_t i = 0; i < u.inputs.size(); ++i) {
            const auto in = static_cast<std::size_t>(u.inputs[i]);
            if (!reaches[in]) continue;
            std::vector<char>& mine = used[in];
            if (mine.empty()) mine.assign(p.rows, 0);
            const int c = u.inputs[0];
            const bool guarded = u.op->branch && i > 0 && g.node(c).deps.empty();
            if (guarded && !conditions.count(c)) conditions[c] = p.evaluator().node_values(theta, c);
            const std::vector<double>* cond = guarded ? &conditions[c] : nullptr;
            for (std::size_t r = 0; r < p.rows; ++r) {
                if (!used[id][r]) continue;
                if (cond) {
                    const double v = cond->size() == 1 ? (*cond)[0] : (*cond)[r];
                    if (!std::isnan(v) && (v != 0) != (i == 1)) continue;
                }
                mine[r] = 1;
            }
        }
    }
    return used[static_cast<std::size_t>(target)];
}

int data_node(const rt::Graph& g, std::size_t column) {
    for (std::size_t id = 0; id < g.nodes().size(); ++id)
        if (g.nodes()[id].kind == rt::NodeKind::data && g.nodes()[id].column == static_cast<int>(column))
            return static_cast<int>(id);
    return -1;
}

// How many rows before `row` are of its group (all of them without one).
std::size_t earlier_in_group(const Problem::Impl& p, const interp::ColumnInfo::Lag& lag, std::size_t row) {
    if (lag.group < 0) return row;
    const std::span<const double> group = p.columns[static_cast<std::size_t>(lag.group)];
    std::size_t count = 0;
    for (std::size_t r = 0; r < row; ++r) count += group[r] == group[row];
    return count;
}

std::string no_lag_message(const Problem::Impl& p, const interp::ColumnInfo& c, std::size_t row) {
    const interp::ColumnInfo::Lag& lag = *c.lag;
    const std::string& x = p.model.columns[static_cast<std::size_t>(lag.source)].name;
    std::string where;
    if (lag.group >= 0) {
        const interp::ColumnInfo& g = p.model.columns[static_cast<std::size_t>(lag.group)];
        const double code = p.columns[static_cast<std::size_t>(lag.group)][row];
        const auto level = static_cast<std::size_t>(code) - 1;
        where.append(" in its group (").append(g.name).append(" = ");
        where.append(level < g.level_names.size() ? g.level_names[level] : std::string("?")).append(")");
    }
    const std::size_t before = earlier_in_group(p, lag, row);
    std::string m = c.name + " has no value in this row: ";
    if (p.rows_dropped == 0 && before < static_cast<std::size_t>(lag.k)) {
        if (before == 0) m.append("it is the first row");
        else
            m.append("it has only ")
                .append(std::to_string(before))
                .append(before == 1 ? " earlier row" : " earlier rows");
        m.append(where);
    } else {
        m.append("the value of '").append(x).append("' ").append(std::to_string(lag.k));
        m.append(lag.k == 1 ? " row" : " rows").append(" before it").append(where).append(" is missing");
    }
    std::string exists = "lag_exists" + c.name.substr(3);
    m.append("; write the first rows apart, as in 'ifelse(").append(exists).append(", <with ");
    m.append(c.name).append(">, <without it>)'");
    return m;
}

}  // namespace

std::optional<Diagnostic> unguarded_lag(const Problem::Impl& p, const Model::Impl& model, const data::Table& csv) {
    for (std::size_t c = 0; c < p.model.columns.size(); ++c) {
        const interp::ColumnInfo& info = p.model.columns[c];
        if (!info.lag || info.lag->exists) continue;
        const int node = data_node(p.model.graph, c);
        if (node < 0) continue;
        const std::vector<char> used = rows_using(p, node);
        const std::span<const double> values = p.columns[c];
        for (std::size_t r = 0; r < used.size(); ++r) {
            if (!used[r] || !std::isnan(values[r])) continue;
            const std::size_t table_row = p.original_row.empty() ? r : p.original_row[r];
            return model.source.diagnostic(
                info.first_use, csv.row_text_with_name(table_row) + ": " + no_lag_message(p, info, r), Category::data);
        }
    }
    return std::nullopt;
}

std::optional<Diagnostic> distributed_lag(const Problem::Impl& p, const Model::Impl& model) {
    for (const interp::ColumnInfo& c : p.model.columns)
        if (c.lag)
            return model.source.diagnostic(
                c.first_use,
                c.name +
                    " reads earlier rows, which a distributed fit (several ranks) may hold on another rank; "
                    "previous rows are not yet available under MPI: fit this model on one machine",
                Category::model);
    return std::nullopt;
}

}  // namespace mlec::problem

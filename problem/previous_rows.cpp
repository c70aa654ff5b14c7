#include "problem/previous_rows.hpp"

#include "problem/distributed.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <string>

namespace mlec::problem {

bool has_previous_rows(const interp::CheckedModel& model) {
    for (const interp::ColumnInfo& c : model.columns)
        if (c.lag) return true;
    return false;
}

long group_of(std::span<const double> group, std::size_t row) {
    if (group.empty()) return 0;
    const double g = group[row];
    return std::isnan(g) ? -1 : static_cast<long>(g);
}

void remember(std::vector<double>& before, double x, std::size_t k) {
    before.push_back(x);
    if (before.size() > k) before.erase(before.begin());
}

// Histories as bytes: per group its number, its count of values, the values.
std::string encode(const History& h) {
    std::string out;
    auto put = [&out](auto v) { out.append(reinterpret_cast<const char*>(&v), sizeof v); };
    for (const auto& [g, values] : h) {
        put(static_cast<std::int64_t>(g));
        put(static_cast<std::int64_t>(values.size()));
        for (double v : values) put(v);
    }
    return out;
}

History decode(const std::string& bytes) {
    History h;
    std::size_t at = 0;
    auto get = [&](auto& v) {
        std::memcpy(&v, bytes.data() + at, sizeof v);
        at += sizeof v;
    };
    while (at < bytes.size()) {
        std::int64_t g = 0, n = 0;
        get(g);
        get(n);
        std::vector<double>& values = h[static_cast<long>(g)];
        values.resize(static_cast<std::size_t>(n));
        for (double& v : values) get(v);
    }
    return h;
}

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// lag's column over `rows` rows, whose groups' earlier rows (on earlier
// ranks) left `history`; afterwards `history` is what these rows leave.
std::vector<double> previous_rows(const interp::ColumnInfo::Lag& lag, std::span<const double> source,
                                  std::span<const double> group, std::size_t rows, History& history) {
    std::vector<double> out(rows, lag.exists ? 0.0 : nan);
    const auto k = static_cast<std::size_t>(lag.k);
    for (std::size_t r = 0; r < rows; ++r) {
        const long g = group_of(group, r);
        if (g < 0) continue;
        std::vector<double>& before = history[g];
        if (before.size() >= k) out[r] = lag.exists ? 1.0 : before[before.size() - k];
        remember(before, source[r], k);
    }
    return out;
}

// What the rows of the ranks before this one leave to its lags: each rank
// sends what its own rows leave (starting from nothing), and the ranks'
// histories are joined in rank order, as one machine reads the rows.
History carried(rt::Collective& cluster, const interp::ColumnInfo::Lag& lag, std::span<const double> source,
                std::span<const double> group, std::size_t rows) {
    History own;
    previous_rows(lag, source, group, rows, own);
    const std::vector<std::string> all = cluster.all_gather(encode(own));
    History h;
    for (int rank = 0; rank < cluster.rank(); ++rank)
        for (const auto& [g, values] : decode(all[static_cast<std::size_t>(rank)]))
            for (double v : values) remember(h[g], v, static_cast<std::size_t>(lag.k));
    return h;
}

}  // namespace

void fill_previous_rows(const std::vector<interp::ColumnInfo>& info, std::vector<std::span<const double>>& columns,
                        std::vector<std::vector<double>>& storage, std::size_t rows, rt::Collective* cluster) {
    for (std::size_t c = 0; c < info.size(); ++c) {
        const auto& lag = info[c].lag;
        if (!lag) continue;
        const std::span<const double> source = columns[static_cast<std::size_t>(lag->source)];
        const std::span<const double> group =
            lag->group >= 0 ? columns[static_cast<std::size_t>(lag->group)] : std::span<const double>{};
        History history = cluster ? carried(*cluster, *lag, source, group, rows) : History{};
        storage.push_back(previous_rows(*lag, source, group, rows, history));
        columns[c] = storage.back();
    }
}

void set_aside_missing_lags(Problem::Impl& p) {
    p.lag_missing.assign(p.columns.size(), {});
    for (std::size_t c = 0; c < p.columns.size(); ++c) {
        if (!p.model.columns[c].lag) continue;
        std::vector<double> values(p.columns[c].begin(), p.columns[c].end());
        std::vector<char>& missing = p.lag_missing[c];
        missing.assign(values.size(), 0);
        for (std::size_t r = 0; r < values.size(); ++r)
            if (std::isnan(values[r])) {
                missing[r] = 1;
                values[r] = 0;
            }
        p.storage.push_back(std::move(values));  // (moving keeps the buffers the other views see)
        p.columns[c] = p.storage.back();
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

// The rows of each group (level number; 0 without a group) on the ranks
// before this one: what earlier_in_group adds to this rank's own count.
using GroupOffsets = std::map<long, std::size_t>;

GroupOffsets offsets_of_earlier_ranks(const Problem::Impl& p, const interp::ColumnInfo::Lag& lag,
                                      rt::Collective* cluster) {
    if (!cluster) return {};
    const std::span<const double> group =
        lag.group >= 0 ? p.columns[static_cast<std::size_t>(lag.group)] : std::span<const double>{};
    History counts;  // (a count per group, sent as a History's one value)
    for (std::size_t r = 0; r < p.rows; ++r) {
        std::vector<double>& c = counts[group_of(group, r)];
        if (c.empty()) c.push_back(0);
        c[0] += 1;
    }
    GroupOffsets out;
    const std::vector<std::string> all = cluster->all_gather(encode(counts));
    for (int rank = 0; rank < cluster->rank(); ++rank)
        for (const auto& [g, c] : decode(all[static_cast<std::size_t>(rank)])) out[g] += static_cast<std::size_t>(c[0]);
    return out;
}

// How many rows before `row` are of its group (all of them without one).
std::size_t earlier_in_group(const Problem::Impl& p, const interp::ColumnInfo::Lag& lag, std::size_t row,
                             const GroupOffsets& offsets) {
    const std::span<const double> group =
        lag.group >= 0 ? p.columns[static_cast<std::size_t>(lag.group)] : std::span<const double>{};
    const long mine = group_of(group, row);
    std::size_t count = 0;
    if (auto it = offsets.find(mine); it != offsets.end()) count = it->second;
    for (std::size_t r = 0; r < row; ++r) count += group_of(group, r) == mine;
    return count;
}

std::string no_lag_message(const Problem::Impl& p, const interp::ColumnInfo& c, std::size_t row,
                           const GroupOffsets& offsets) {
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
    const std::size_t before = earlier_in_group(p, lag, row, offsets);
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

// This rank's first row (local) that uses graph column c's lag without a
// value, and what to say of it.
struct NoLag {
    std::size_t row = 0;
    std::string message;
};
std::optional<NoLag> first_row_without_lag(const Problem::Impl& p, std::size_t c, rt::Collective* cluster) {
    const interp::ColumnInfo& info = p.model.columns[c];
    const int node = data_node(p.model.graph, c);
    // (the offsets are exchanged by every rank, whether it has a bad row or not)
    const GroupOffsets offsets = offsets_of_earlier_ranks(p, *info.lag, cluster);
    if (node < 0) return std::nullopt;
    const std::vector<char> used = rows_using(p, node);
    const std::vector<char>& missing = p.lag_missing[c];
    for (std::size_t r = 0; r < used.size(); ++r)
        if (used[r] && missing[r]) return NoLag{r, no_lag_message(p, info, r, offsets)};
    return std::nullopt;
}

bool checked_lag(const interp::ColumnInfo& c) { return c.lag && !c.lag->exists; }

// The error at graph column c's first lag, and, for a lag in a def's body,
// the notes of the calls it came through (the first call: a lag's column is
// shared by every use).
Diagnostics lag_error(const Problem::Impl& p, const Model::Impl& model, std::size_t c, const std::string& message) {
    const Span at = p.model.columns[c].first_use;
    Diagnostics out = {model.source.diagnostic(at, message, Category::data)};
    for (Diagnostic& note : interp::inlining_notes(model.source, p.model.inlined_calls, at.begin, std::nullopt))
        out.push_back(std::move(note));
    return out;
}

}  // namespace

Diagnostics unguarded_lag(const Problem::Impl& p, const Model::Impl& model, const data::Table& csv) {
    for (std::size_t c = 0; c < p.model.columns.size(); ++c) {
        if (!checked_lag(p.model.columns[c])) continue;
        if (auto bad = first_row_without_lag(p, c, nullptr)) {
            const std::size_t table_row = p.original_row.empty() ? bad->row : p.original_row[bad->row];
            return lag_error(p, model, c, csv.row_text_with_name(table_row) + ": " + bad->message);
        }
    }
    return {};
}

bool unguarded_lag_of_all(const Problem::Impl& p, const Model::Impl& model, const data::Table& csv,
                          rt::Collective& cluster, const RowCounts& read, Diagnostics& diagnostics) {
    for (std::size_t c = 0; c < p.model.columns.size(); ++c) {
        if (!checked_lag(p.model.columns[c])) continue;
        // Each rank offers its first bad row, numbered among all rows (as
        // aligned), with its message; the first of all is the error.
        const auto bad = first_row_without_lag(p, c, &cluster);
        const std::string offer = bad ? std::to_string(p.first_row + bad->row) + "\n" + bad->message : std::string();
        std::optional<std::pair<std::size_t, std::string>> first;
        for (const std::string& o : cluster.all_gather(offer)) {
            if (o.empty()) continue;
            const std::size_t row = std::stoull(o.substr(0, o.find('\n')));
            if (!first || row < first->first) first.emplace(row, o.substr(o.find('\n') + 1));
        }
        if (!first) continue;
        // The rank that read that row knows its place in the file.
        std::size_t owner = 0, before = 0;
        while (before + read.rows_of_rank[owner] <= first->first) before += read.rows_of_rank[owner++];
        Diagnostics mine;
        if (owner == static_cast<std::size_t>(cluster.rank())) {
            const std::size_t kept = first->first - before;
            const std::size_t row = p.original_row.empty() ? kept : p.original_row[kept];
            mine = lag_error(p, model, c, csv.row_text_with_name(row) + ": " + first->second);
        }
        agree(&cluster, mine.empty(), mine, diagnostics);
        return false;
    }
    return true;
}

}  // namespace mlec::problem

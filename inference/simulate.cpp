#include "inference/simulate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "inference/weighted_rows.hpp"
#include "problem/distributed.hpp"
#include "problem/previous_rows.hpp"
#include "report/number_format.hpp"

namespace mlec {

namespace {

// The lags of outcomes (SimulationPlan::sequential). False with the reason
// when they cannot be drawn row after row.
bool plan_sequential(const Problem::Impl& p, SimulationPlan& plan, std::string& why) {
    for (std::size_t c = 0; c < p.model.columns.size(); ++c) {
        const auto& lag = p.model.columns[c].lag;
        if (!lag || lag->exists) continue;
        const bool of_outcome = std::any_of(plan.outcomes.begin(), plan.outcomes.end(),
                                            [&](const SimulationPlan::Outcome& o) { return o.column == lag->source; });
        const bool of_vector_outcome =
            std::any_of(plan.outcomes.begin(), plan.outcomes.end(), [&](const SimulationPlan::Outcome& o) {
                return std::find(o.entry_columns.begin(), o.entry_columns.end(), lag->source) != o.entry_columns.end();
            });
        const std::string& name = p.model.columns[c].name;
        if (of_vector_outcome) {
            why = "cannot simulate: the model uses " + name +
                  " of an entry of a vector outcome, and vector outcomes are not drawn row after row";
            return false;
        }
        if (!of_outcome) continue;
        if (p.rows_dropped > 0) {
            why = "cannot simulate: the model uses " + name +
                  " of an outcome, drawn row after row, but rows with a missing value were left out, so some "
                  "rows' previous rows are not drawn";
            return false;
        }
        if (p.model.graph.weight() >= 0) {
            why = "cannot simulate: the model uses " + name +
                  " of an outcome, drawn row after row, and a weighted row's copies have no order";
            return false;
        }
        plan.sequential.push_back({static_cast<int>(c), lag->source, lag->group, lag->k});
    }
    return true;
}

// A vector outcome's plan; `why` says why not when an entry is no column.
SimulationPlan::Outcome vector_outcome(const Problem::Impl& p, const interp::TermInfo& term, std::string& why) {
    SimulationPlan::Outcome o;
    o.distribution = term.distribution;
    o.argument_nodes = term.input_nodes;
    for (int entry : term.outcome_entries) {
        const rt::Node& n = p.model.graph.node(entry);
        if (n.kind != rt::NodeKind::data || !term.distribution->sample_vector) {
            why = "cannot simulate '" + term.text + "': an entry of its outcome is not a data column";
            return o;
        }
        o.entry_columns.push_back(n.column);
    }
    return o;
}

}  // namespace

std::optional<SimulationPlan> plan_simulation(const Problem::Impl& p, std::string& why) {
    // REML's fixed effects are no parameters, with no value to draw from.
    if (!p.model.integrated.empty()) {
        why = "cannot simulate a REML fit: the fixed effects are integrated out (fit by maximum likelihood)";
        return std::nullopt;
    }
    SimulationPlan plan;
    for (const interp::TermInfo& term : p.model.terms) {
        // A term on no data (a prior, a penalty) has no outcome to draw; the
        // refits of a bootstrap still add it.
        if (p.model.graph.node(term.node).row_invariant) continue;
        // Nor has a group-level term (`target += ... per g`): a penalty or
        // prior on group parameters, which the refits add.
        if (!term.per.empty()) continue;
        const rt::DistributionDef* dist = term.distribution;  // nullptr: `target +=` or a mixture
        if (!dist) {
            why =
                "cannot simulate '" + term.text + "': only sampling statements with one distribution can be simulated";
            return std::nullopt;
        }
        if (!term.outcome_entries.empty()) {
            plan.outcomes.push_back(vector_outcome(p, term, why));
            if (!why.empty()) return std::nullopt;
            continue;
        }
        const rt::Node& outcome = p.model.graph.node(term.input_nodes.front());
        if (!dist->sample || outcome.kind != rt::NodeKind::data) {
            why = "cannot simulate '" + term.text + "': its outcome is not a data column";
            return std::nullopt;
        }
        // The censoring of the data is no part of the model (there is no
        // model of the censoring times), so censored outcomes cannot be drawn
        // as the data were.
        if (term.censoring) {
            why = "cannot simulate '" + term.text +
                  "': its outcome is censored, and the model has no model of the censoring (which rows are "
                  "censored, and where) to draw new data from";
            return std::nullopt;
        }
        SimulationPlan::Outcome o;
        o.column = outcome.column;
        o.lower_node = term.truncation_lower;
        o.upper_node = term.truncation_upper;
        o.distribution = dist;
        o.argument_nodes.assign(term.input_nodes.begin() + 1, term.input_nodes.end());
        plan.outcomes.push_back(std::move(o));
    }
    if (!plan_sequential(p, plan, why)) return std::nullopt;
    if (!plan.sequential.empty() && !p.model.graph.effects().empty()) {
        why =
            "cannot simulate: the model uses lags of an outcome, drawn row after row, and has random effects, "
            "which are not yet drawn that way";
        return std::nullopt;
    }
    return plan;
}

Eigen::VectorXd new_effects(const Problem::Impl& p, const rt::Rng& rng) {
    // (a stream of its own: the outcomes' are split by their index)
    const rt::Rng effects = rng.split(std::numeric_limits<std::uint64_t>::max());
    Eigen::VectorXd z(p.model.graph.effect_size());
    for (Eigen::Index j = 0; j < z.size(); ++j) z[j] = effects.split(static_cast<std::uint64_t>(j)).normal();
    return z;
}

namespace {

// A truncation bound's values at theta: {-inf} or {inf} for an open side.
std::vector<double> bound_values(const Problem::Impl& p, const Eigen::VectorXd& theta, int node, double open) {
    if (node < 0) return {open};
    return p.evaluator().node_values(theta, node);
}

}  // namespace

namespace {

// One row's draw of outcome o from its arguments `row_args`, redrawn until
// inside its truncation bounds [lo, hi] (NaN when none is found).
double draw_one(const SimulationPlan::Outcome& o, const std::vector<double>& row_args, double lo, double hi,
                rt::Rng& row_rng) {
    double y = o.distribution->sample(row_args, row_rng);
    if (!o.truncated()) return y;
    // Rejection: a draw of Y kept when in [lo, hi] is a draw of Y given
    // lo <= Y <= hi, the truncated distribution.
    int tries = 1;
    while (!(y >= lo && y <= hi) && tries++ < max_truncated_tries) y = o.distribution->sample(row_args, row_rng);
    return (y >= lo && y <= hi) ? y : std::numeric_limits<double>::quiet_NaN();
}

// SimulationPlan::sequential: the rows in order, each evaluated alone (an
// evaluator over one row) with its lags of outcomes read from the rows
// drawn before it, and everything else as observed, as draw_outcomes
// evaluates it. Each row draws from the same stream as there. On several
// ranks, rank after rank: each passes on what its rows leave to the lags
// (problem::History), so the draws are one machine's.
void draw_sequentially(const Problem::Impl& p, const SimulationPlan& plan, const Eigen::VectorXd& theta,
                       const rt::Rng& rng, std::vector<std::vector<double>>& columns) {
    std::vector<double> row(columns.size());
    std::vector<std::span<const double>> spans;
    for (double& v : row) spans.emplace_back(&v, 1);
    rt::Evaluator one(p.model.graph, spans, 1, rt::default_block_rows, 1);
    const double inf = std::numeric_limits<double>::infinity();
    auto value = [&](int node, double open) { return node < 0 ? open : one.node_values(theta, node)[0]; };
    std::vector<problem::History> history(plan.sequential.size());
    auto group_of = [&](const SimulationPlan::Sequential& s, std::size_t r) {
        return problem::group_of(
            s.group >= 0 ? p.columns[static_cast<std::size_t>(s.group)] : std::span<const double>{}, r);
    };
    auto draw_rows = [&] {
        std::vector<double> row_args;
        std::vector<double> entries;
        for (std::size_t r = 0; r < p.rows; ++r) {
            for (std::size_t k = 0; k < row.size(); ++k) row[k] = p.columns[k][r];
            for (std::size_t i = 0; i < plan.sequential.size(); ++i) {
                const SimulationPlan::Sequential& s = plan.sequential[i];
                const long g = group_of(s, r);
                const std::vector<double>* before = g < 0 ? nullptr : &history[i][g];
                const auto k = static_cast<std::size_t>(s.k);
                // (0 where there is none, as in the fit's columns: Problem::Impl::lag_missing)
                const double lagged = before && before->size() >= k ? (*before)[before->size() - k] : 0.0;
                row[static_cast<std::size_t>(s.column)] = lagged;
                columns[static_cast<std::size_t>(s.column)][r] = lagged;
            }
            for (std::size_t k = 0; k < plan.outcomes.size(); ++k) {
                const SimulationPlan::Outcome& o = plan.outcomes[k];
                row_args.clear();
                for (int node : o.argument_nodes) row_args.push_back(one.node_values(theta, node)[0]);
                rt::Rng row_rng = rng.split(k).split(p.first_row + r);
                if (o.vector()) {
                    entries.resize(o.entry_columns.size());
                    o.distribution->sample_vector(row_args, row_rng, entries);
                    for (std::size_t e = 0; e < entries.size(); ++e)
                        columns[static_cast<std::size_t>(o.entry_columns[e])][r] = entries[e];
                    continue;
                }
                columns[static_cast<std::size_t>(o.column)][r] =
                    draw_one(o, row_args, value(o.lower_node, -inf), value(o.upper_node, inf), row_rng);
            }
            for (std::size_t i = 0; i < plan.sequential.size(); ++i) {
                const SimulationPlan::Sequential& s = plan.sequential[i];
                const long g = group_of(s, r);
                if (g >= 0)
                    problem::remember(history[i][g], columns[static_cast<std::size_t>(s.source)][r],
                                      static_cast<std::size_t>(s.k));
            }
        }
    };
    rt::Collective* cluster = p.collective.get();
    if (!cluster || cluster->size() == 1) return draw_rows();
    for (int turn = 0; turn < cluster->size(); ++turn) {
        std::vector<std::string> left;
        if (cluster->rank() == turn) {
            draw_rows();
            for (const problem::History& h : history) left.push_back(problem::encode(h));
        }
        const std::vector<std::string> all = cluster->all_gather(problem::encode_strings(left));
        if (cluster->rank() == turn) continue;
        const std::vector<std::string> from = problem::decode_strings(all[static_cast<std::size_t>(turn)]);
        for (std::size_t i = 0; i < history.size(); ++i) history[i] = problem::decode(from[i]);
    }
}

}  // namespace

void draw_outcomes(const Problem::Impl& p, const SimulationPlan& plan, const Eigen::VectorXd& theta, rt::Rng& rng,
                   std::vector<std::vector<double>>& columns, const std::vector<std::size_t>* row_of,
                   const Eigen::VectorXd& effects) {
    if (!plan.sequential.empty()) return draw_sequentially(p, plan, theta, rng, columns);
    // The effect nodes read the evaluator's z: the draws', then as before.
    const Eigen::VectorXd before = p.evaluator().effects();
    if (effects.size() > 0) p.evaluator().set_effects(effects);
    const std::size_t count = row_of ? row_of->size() : p.rows;
    for (std::size_t k = 0; k < plan.outcomes.size(); ++k) {
        const SimulationPlan::Outcome& o = plan.outcomes[k];
        const rt::Rng outcome_rng = rng.split(k);
        std::vector<std::vector<double>> args;
        for (int node : o.argument_nodes) args.push_back(p.evaluator().node_values(theta, node));
        const std::vector<double> lower =
            bound_values(p, theta, o.lower_node, -std::numeric_limits<double>::infinity());
        const std::vector<double> upper = bound_values(p, theta, o.upper_node, std::numeric_limits<double>::infinity());
        auto at = [](const std::vector<double>& v, std::size_t r) { return v.size() == 1 ? v[0] : v[r]; };
        std::vector<double> row_args(args.size());
        // (a vector outcome writes its entries' columns instead of o.column)
        auto& out = columns[static_cast<std::size_t>(o.vector() ? o.entry_columns.front() : o.column)];
        std::vector<double> entries(o.entry_columns.size());
        std::size_t copy = 0;  // which copy of its row observation j is
        for (std::size_t j = 0; j < count; ++j) {
            const std::size_t r = row_of ? (*row_of)[j] : j;
            copy = (row_of && j > 0 && (*row_of)[j - 1] == r) ? copy + 1 : 0;
            for (std::size_t a = 0; a < args.size(); ++a) row_args[a] = at(args[a], r);
            // Each row's own stream, keyed by its number among all rows:
            // the same draws however the rows are split between ranks; a
            // weighted row's copies draw from streams split from it.
            rt::Rng row_rng = outcome_rng.split(p.first_row + r);
            if (row_of) row_rng = row_rng.split(copy);
            if (o.vector()) {
                o.distribution->sample_vector(row_args, row_rng, entries);
                for (std::size_t e = 0; e < entries.size(); ++e)
                    columns[static_cast<std::size_t>(o.entry_columns[e])][j] = entries[e];
                continue;
            }
            out[j] = draw_one(o, row_args, at(lower, r), at(upper, r), row_rng);
        }
    }
    if (effects.size() > 0) p.evaluator().set_effects(before);
}

std::optional<std::string> simulate_csv(const Problem& problem, const FitResult& fit, std::uint64_t seed,
                                        Diagnostics& diagnostics, const SimulateOptions& options) {
    const Problem::Impl& p = problem.impl();
    // A model that cannot be simulated is a limit of the model (whatever the
    // fit), a fit without an estimate one of the fit.
    auto refuse = [&](Category category, std::string message) {
        diagnostics.push_back(Diagnostic::error(category, p.model_name, std::move(message)));
        return std::nullopt;
    };
    std::string why;
    auto plan = plan_simulation(p, why);
    if (!plan) return refuse(Category::model, why);
    if (!fit.converged)
        return refuse(Category::fit, "the fit's status is " + std::string(to_string(fit.status)) +
                                         ", not converged: there is no estimate to simulate from");
    // A weighted row stands for several observations: each is drawn, and
    // written as a row of weight 1 (inference/weighted_rows.hpp).
    const auto rows = weighted_rows(p, why);
    if (!rows) return refuse(Category::model, "cannot simulate: " + why);
    const bool weighted = p.model.graph.weight() >= 0;
    if (weighted && rows->weight_column < 0)
        return refuse(Category::model, "cannot simulate: the weight '" + p.model.weight +
                                           "' is not a column, so the simulated rows cannot carry weight 1");
    std::vector<std::vector<double>> columns = weighted ? repeat_rows(p.columns, rows->row_of) : copy_columns(p);
    if (weighted) {
        std::fill(columns[static_cast<std::size_t>(rows->weight_column)].begin(),
                  columns[static_cast<std::size_t>(rows->weight_column)].end(), 1.0);
    }
    rt::Rng rng(seed);
    Eigen::VectorXd effects;
    if (!p.model.graph.effects().empty()) {
        if (options.fitted_effects && fit.effect_modes.size() != p.model.graph.effect_size())
            return refuse(Category::fit, "cannot simulate with the fitted random effects: the fit has no modes");
        effects = options.fitted_effects ? fit.effect_modes : new_effects(p, rng);
    }
    draw_outcomes(p, *plan, fit.theta, rng, columns, weighted ? &rows->row_of : nullptr, effects);
    for (const SimulationPlan::Outcome& o : plan->outcomes) {
        if (!o.truncated()) continue;
        const auto& drawn = columns[static_cast<std::size_t>(o.column)];
        if (std::any_of(drawn.begin(), drawn.end(), [](double v) { return std::isnan(v); }))
            return refuse(Category::fit, "cannot simulate '" +
                                             p.model.columns[static_cast<std::size_t>(o.column)].name +
                                             "': in some row, " + std::to_string(max_truncated_tries) +
                                             " draws found none inside its truncation bounds, which the fitted "
                                             "distribution gives almost no probability");
    }
    // The columns the model uses, in the file's order; categorical columns
    // as their level names.
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < p.model.columns.size(); ++i)
        // (lag columns are computed, multipliers of group-level terms are
        // not columns of the file)
        if (!p.model.columns[i].lag && !p.model.columns[i].first_of_level) order.push_back(i);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return p.model.columns[a].csv_index < p.model.columns[b].csv_index;
    });
    std::vector<std::size_t> unique;
    for (std::size_t i : order)
        if (unique.empty() || p.model.columns[unique.back()].name != p.model.columns[i].name) unique.push_back(i);
    std::ostringstream out;
    // A distributed run prints the ranks' rows one after another: the
    // header comes once, from rank 0.
    if (!p.collective || p.collective->rank() == 0) {
        for (std::size_t i = 0; i < unique.size(); ++i) out << (i ? "," : "") << p.model.columns[unique[i]].name;
        out << "\n";
    }
    const std::size_t written = weighted ? rows->row_of.size() : p.rows;
    for (std::size_t r = 0; r < written; ++r) {
        for (std::size_t i = 0; i < unique.size(); ++i) {
            const interp::ColumnInfo& c = p.model.columns[unique[i]];
            const double v = columns[unique[i]][r];
            if (i) out << ",";
            if (c.categorical && v >= 1 && v <= static_cast<double>(c.level_names.size()))
                out << c.level_names[static_cast<std::size_t>(v) - 1];
            else out << report::format_exact(v);
        }
        out << "\n";
    }
    return out.str();
}

}  // namespace mlec

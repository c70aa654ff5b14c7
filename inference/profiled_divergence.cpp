// A profiled group parameter's entry with no finite estimate
// (interp::profile_group_parameters). With no prior, an entry whose level's
// rows push it to infinity (every outcome of the level 0, or 1 for a binary
// outcome) is not stopped by anything: the inner Newton walks along the
// likelihood's tail until its gain is below rounding and reports a "mode"
// (u = 72 for a logistic level of all zeros, with a standard error of
// 1e15). As coordinates of theta the divergence probes would name them;
// here each entry is probed along its own line, as those probes do along
// rays: an entry whose level's NLL falls, or stays within rounding, when
// it moves far in one direction has no finite maximum. Far is
// 10 (1 + |u| + se), se = sqrt((H^-1)_uu) its standard error given theta:
// a finite maximum's NLL rises by about 50 or more there, in any units of
// u (u written as 1000*b moves se with it), while along a tail to
// infinity, where se is astronomical, it only approaches its limit. Each row reads one entry of an effect, so moving
// all of one effect's entries at once probes every level at the cost of one sweep.
#include <algorithm>
#include <cmath>
#include <limits>

#include "inference/fit_context.hpp"

namespace mlec::inference {

namespace {

// Each row's NLL contribution at the evaluator's effects: minus its terms'
// values, times its weight or multiplier (terms on no data: none).
std::vector<double> row_nll(const Problem::Impl& p, const Eigen::VectorXd& theta) {
    const rt::Graph& g = p.model.graph;
    std::vector<double> out(p.rows, 0.0);
    const std::vector<double> weight =
        g.weight() >= 0 ? p.evaluator().node_values(theta, g.weight()) : std::vector<double>(p.rows, 1.0);
    for (std::size_t t = 0; t < g.terms().size(); ++t) {
        if (g.node(g.terms()[t]).row_invariant) continue;
        const std::vector<double> value = p.evaluator().node_values(theta, g.terms()[t]);
        const int m = g.term_multiplier(t);
        const std::vector<double> multiplier = m >= 0 ? p.evaluator().node_values(theta, m) : weight;
        for (std::size_t r = 0; r < p.rows; ++r) out[r] -= multiplier[r] * value[r];
    }
    return out;
}

// Per level of effect e (0-based), the sum of its rows' NLL and of their
// magnitudes (for the rounding).
void per_level(const Problem::Impl& p, const Eigen::VectorXd& theta, const rt::Effect& e, Eigen::VectorXd& nll,
               Eigen::VectorXd& magnitude) {
    const std::vector<double> rows = row_nll(p, theta);
    const std::vector<double> level = p.evaluator().node_values(theta, e.index);
    nll.setZero(e.levels);
    magnitude.setZero(e.levels);
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const auto l = static_cast<Eigen::Index>(level[r]) - 1;
        if (l < 0 || l >= e.levels) continue;
        nll[l] += rows[r];
        magnitude[l] += std::abs(rows[r]);
    }
}

}  // namespace

std::vector<ProfiledDivergence> profiled_divergence(const Problem::Impl& p, const Eigen::VectorXd& theta) {
    std::vector<ProfiledDivergence> out;
    rt::Laplace* laplace = p.workspace.laplace.get();
    if (!laplace || p.model.integrated.empty() || !p.model.integrated.front().profiled) return out;
    if (theta.size() != p.evaluator().dimension() || !std::isfinite(laplace->value(theta))) return out;
    const Eigen::VectorXd modes = laplace->modes();
    const std::vector<double> inverse = laplace->inverse_on_pattern();
    const rt::EffectPattern& pattern = p.evaluator().effect_pattern();
    auto far = [&](int j) {  // (a column's first entry on the pattern is its diagonal)
        const double se =
            std::sqrt(std::max(0.0, inverse[static_cast<std::size_t>(pattern.col_start[static_cast<std::size_t>(j)])]));
        return 10 * (1 + std::abs(modes[j]) + (std::isfinite(se) ? se : 0.0));
    };
    rt::Evaluator& evaluator = p.evaluator();
    const Eigen::VectorXd before = evaluator.effects();
    for (const rt::Effect& e : p.model.graph.effects()) {
        evaluator.set_effects(modes);
        Eigen::VectorXd base, magnitude, moved, unused;
        per_level(p, theta, e, base, magnitude);
        for (const int direction : {1, -1}) {
            Eigen::VectorXd z = modes;
            for (int l = 0; l < e.levels; ++l) z[e.first + l] += direction * far(e.first + l);
            evaluator.set_effects(z);
            per_level(p, theta, e, moved, unused);
            for (int l = 0; l < e.levels; ++l) {
                const double rounding = 1e-10 * (1 + magnitude[l]);
                if (!(moved[l] <= base[l] + rounding)) continue;  // (NaN: an overflow, not a fall)
                out.push_back(ProfiledDivergence{e.first + l, direction, modes[e.first + l]});
            }
        }
    }
    evaluator.set_effects(before);
    return out;
}

void report_profiled_divergence(const Problem& problem, FitResult& r,
                                const std::vector<ProfiledDivergence>& diverging) {
    if (diverging.empty()) return;
    const Problem::Impl& p = problem.impl();
    std::vector<std::string> names;
    bool flat = false;
    for (const interp::IntegratedParameter& b : p.model.integrated) {
        int directions = 0, direction = 0;
        double last = 0;
        for (const ProfiledDivergence& d : diverging)
            if (d.z == b.z) {
                ++directions;
                direction = d.direction;
                last = d.last_value;
            }
        if (directions == 0) continue;
        flat = flat || directions == 2;
        names.push_back(b.name);
        for (ParameterEstimate& e : r.parameters) {
            if (e.name != b.name) continue;
            ParameterEstimate fresh;
            fresh.name = e.name;
            fresh.bounds = e.bounds;
            e = std::move(fresh);
            e.estimate = std::numeric_limits<double>::quiet_NaN();
            e.last_value = last;
            e.diverging = directions == 1;
            e.direction = direction;
            e.diverges_to = directions == 1 ? direction * std::numeric_limits<double>::infinity()
                                            : std::numeric_limits<double>::quiet_NaN();
        }
    }
    for (ParameterEstimate& e : r.parameters)
        if (std::find(names.begin(), names.end(), e.name) == names.end()) e.conditional_on_limit = true;
    std::string list;
    for (std::size_t i = 0; i < names.size() && i < 5; ++i) list.append(i ? ", " : "").append(names[i]);
    if (names.size() > 5) list.append(" and ").append(std::to_string(names.size() - 5)).append(" more");
    r.status = FitStatus::diverged;
    r.converged = false;
    r.aic = r.bic = std::numeric_limits<double>::quiet_NaN();
    r.covariance.resize(0, 0);
    r.message = "no finite maximum: the group parameter entries " + list +
                (flat ? " have no finite estimate (the likelihood rises without bound along some, as when every "
                        "outcome of their level is 0, or 1 for a binary outcome, and does not depend on others)"
                      : " have no finite estimate: the likelihood rises without bound along each (as when every "
                        "outcome of its level is 0, or 1 for a binary outcome: that level's data alone push it "
                        "to infinity)") +
                "; the other estimates hold with them at their limits";
    r.diagnostics.push_back(
        FitDiagnostic{.kind = DiagnosticKind::divergence, .message = r.message, .parameters = names, .columns = {}});
}

}  // namespace mlec::inference

// The parametric bootstrap of a fit (FitOptions::bootstrap).
#include "inference/bootstrap.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <span>

#include "inference/simulate.hpp"
#include "inference/weighted_rows.hpp"
#include "optim/fixed_coordinates.hpp"

namespace mlec {

namespace {

class EvaluatorObjective final : public optim::Objective {
public:
    explicit EvaluatorObjective(rt::Evaluator& e) : e_(e) {}
    int dimension() const override { return e_.dimension(); }
    double value(const Eigen::VectorXd& x) override { return e_.nll(x); }
    double value_gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) override { return e_.nll_gradient(x, g); }
    double value_gradient_hessian(const Eigen::VectorXd& x, Eigen::VectorXd& g, Eigen::MatrixXd& h) override {
        return e_.nll_gradient_hessian(x, g, h);
    }

private:
    rt::Evaluator& e_;
};

// A replicate of a model with random effects: its Laplace approximation,
// or the adaptive quadrature the fit used (BindOptions::agq_nodes).
class LaplaceObjective final : public optim::Objective {
public:
    LaplaceObjective(rt::Evaluator& e, const Problem::Impl& p) : e_(e), laplace_(e) {
        if (p.agq_nodes > 1)
            quadrature_ = std::make_unique<rt::AdaptiveQuadrature>(p.model.graph, e, laplace_, p.agq_nodes);
    }
    int dimension() const override { return e_.dimension(); }
    double value(const Eigen::VectorXd& x) override { return quadrature_ ? quadrature_->value(x) : laplace_.value(x); }
    double value_gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) override {
        return quadrature_ ? quadrature_->value_gradient(x, g) : laplace_.value_gradient(x, g);
    }
    double value_gradient_hessian(const Eigen::VectorXd& x, Eigen::VectorXd& g, Eigen::MatrixXd& h) override {
        return quadrature_ ? quadrature_->value_gradient_hessian(x, g, h) : laplace_.value_gradient_hessian(x, g, h);
    }

private:
    rt::Evaluator& e_;
    rt::Laplace laplace_;
    std::unique_ptr<rt::AdaptiveQuadrature> quadrature_;  // over laplace_
};

// The coordinates of random effects' standard deviations (`param s > 0` as
// a random effect's scale), on the log scale.
std::vector<int> scale_coordinates(const Problem::Impl& p) {
    std::vector<int> out;
    for (const interp::Estimand& e : p.model.estimands)
        for (const interp::RandomEffect& re : p.model.random_effects)
            if (!e.derived && e.coordinate >= 0 && e.bounds.lower == 0 && re.scale_node == e.node)
                out.push_back(e.coordinate);
    return out;
}

// Quantile of sorted values, linear interpolation between order
// statistics (R's default, type 7).
double quantile_sorted(const std::vector<double>& v, double q) {
    const double h = (static_cast<double>(v.size()) - 1) * q;
    const auto lo = static_cast<std::size_t>(std::floor(h));
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (h - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

}  // namespace

// Parametric bootstrap (Efron & Tibshirani, 1993, ch. 6): simulate data sets
// from the fit, refit each from the estimate, and take percentile intervals
// of every estimand. A replicate that does not converge, or runs off (a
// coordinate moving more than 50 probe units: a divergent
// replicate, in probe units so the rule holds in any units), is counted and
// left out.
namespace {

// A group-level term counts on the first row of each level (its multiplier
// column): among the rows repeated as their weights say, the first
// observation of each level (not every copy of a first row, and a level
// whose first row has weight 0 counts at its next). (The weighted bootstrap
// runs on one machine only.)
void count_levels_once(const Problem::Impl& p, std::vector<std::vector<double>>& columns) {
    for (const interp::GroupTerm& g : p.model.group_terms) {
        if (g.multiplier_column < 0) continue;
        const std::vector<double>& codes = columns[static_cast<std::size_t>(g.level_column)];
        std::vector<double>& m = columns[static_cast<std::size_t>(g.multiplier_column)];
        std::set<double> seen;
        for (std::size_t j = 0; j < m.size(); ++j) m[j] = seen.insert(codes[j]).second ? 1.0 : 0.0;
    }
}

}  // namespace

void parametric_bootstrap(const Problem::Impl& p, const FitOptions& options, const Eigen::VectorXd& theta,
                          const std::vector<bool>& held, const optim::OptimizeOptions& oo, const Eigen::VectorXd& units,
                          const std::vector<ParameterEstimate*>& estimates, FitResult& r) {
    std::string why;
    const auto plan = plan_simulation(p, why);
    if (!plan) {
        r.warnings.push_back("no bootstrap: " + why);
        return;
    }
    // A weighted row is drawn once per observation it stands for, and the
    // replicate is fitted on those observations, each of weight 1.
    const bool weighted = p.model.graph.weight() >= 0;
    const auto rows = weighted_rows(p, why);
    if (!rows) {
        r.warnings.push_back("no bootstrap: " + why);
        return;
    }
    if (weighted && p.collective) {
        // (emplace_back: GCC 12 with the precompiled header reports a false
        // out-of-bounds copy for push_back of this literal as a string)
        r.warnings.emplace_back(
            "no bootstrap: a weighted fit on several ranks is not bootstrapped (its repeated rows "
            "would not start at the blocks that make the sums independent of the ranks)");
        return;
    }
    const auto& estimands = p.model.estimands;
    std::vector<std::vector<double>> values(estimands.size());
    Eigen::VectorXd g;
    const bool effects = !p.model.graph.effects().empty();
    // (profiled group parameters are drawn at their estimates, the modes)
    Eigen::VectorXd modes;
    if (effects && p.workspace.laplace && std::isfinite(p.workspace.laplace->value(theta)))
        modes = p.workspace.laplace->modes();
    const std::vector<int> scales = scale_coordinates(p);
    int toward_zero = 0;  // failed replicates whose fit drove a scale toward 0
    for (int b = 1; b <= options.bootstrap; ++b) {
        rt::Rng rng = rt::Rng(options.seed).split(static_cast<std::uint64_t>(b));
        std::vector<std::vector<double>> columns = weighted ? repeat_rows(p.columns, rows->row_of) : copy_columns(p);
        if (weighted) count_levels_once(p, columns);
        // (new random effects for every replicate, as lme4's bootMer)
        draw_outcomes(p, *plan, theta, rng, columns, weighted ? &rows->row_of : nullptr,
                      effects ? new_effects(p, rng, modes) : Eigen::VectorXd());
        std::vector<std::span<const double>> spans;
        for (const auto& c : columns) spans.emplace_back(c.data(), c.size());
        const std::unique_ptr<rt::Evaluator> replicate =
            weighted ? std::make_unique<rt::Evaluator>(p.model.graph, spans, rows->row_of.size(),
                                                       rt::default_block_rows, p.threads)
                     : make_evaluator(p, spans);
        if (weighted) replicate->ignore_weights();
        rt::Evaluator& evaluator = *replicate;
        std::unique_ptr<optim::Objective> full;
        if (effects) full = std::make_unique<LaplaceObjective>(evaluator, p);
        else full = std::make_unique<EvaluatorObjective>(evaluator);
        optim::FixedCoordinates objective(*full, held, theta);
        const Eigen::VectorXd from = objective.reduce(theta);
        const optim::OptimizeResult fit = optim::minimize(objective, from, oo);
        // A random effect's SD that heads for 0 (log scale to -inf) is a
        // replicate's estimate at its boundary, 0 to rounding, not a run-off.
        const Eigen::VectorXd at = objective.full(fit.x);
        Eigen::VectorXd moved = ((fit.x - from).array() / units.array()).abs();
        bool scale_to_zero = false;
        const std::vector<int>& free = objective.free_coordinates();
        for (std::size_t i = 0; i < free.size(); ++i)
            if (std::find(scales.begin(), scales.end(), free[i]) != scales.end() && at[free[i]] < theta[free[i]] - 5) {
                moved[static_cast<Eigen::Index>(i)] = 0;
                scale_to_zero = true;
            }
        const bool ran_off = moved.size() > 0 && moved.maxCoeff() > 50;
        if (fit.status != optim::OptimizeStatus::converged || ran_off) {
            ++r.bootstrap_failed;
            if (scale_to_zero) ++toward_zero;
        } else {
            ++r.bootstrap_replicates;
            for (std::size_t i = 0; i < estimands.size(); ++i)
                values[i].push_back(evaluator.invariant_gradient(objective.full(fit.x), estimands[i].node, g));
        }
        if (options.on_bootstrap) options.on_bootstrap(b, options.bootstrap);
    }
    if (toward_zero > 0)
        r.warnings.push_back(std::to_string(toward_zero) +
                             " bootstrap replicates whose fit did not converge had a random effect's standard "
                             "deviation heading for 0; leaving them out biases that standard deviation's "
                             "bootstrap distribution upward");
    if (r.bootstrap_replicates < 2) {
        r.warnings.push_back("the parametric bootstrap had fewer than 2 converged replicates");
        return;
    }
    const double alpha = 1 - options.confidence;
    for (std::size_t i = 0; i < estimands.size(); ++i) {
        std::vector<double>& v = values[i];
        std::sort(v.begin(), v.end());
        ParameterEstimate& e = *estimates[i];
        if (e.fixed) continue;
        e.boot_lower = quantile_sorted(v, alpha / 2);
        e.boot_upper = quantile_sorted(v, 1 - alpha / 2);
        double mean = 0;
        for (double x : v) mean += x / static_cast<double>(v.size());
        double ss = 0;
        for (double x : v) ss += (x - mean) * (x - mean);
        e.boot_se = std::sqrt(ss / static_cast<double>(v.size() - 1));
    }
    if (r.bootstrap_failed > 0)
        r.warnings.push_back(std::to_string(r.bootstrap_failed) + " of " + std::to_string(options.bootstrap) +
                             " bootstrap refits did not converge or diverged and were left out");
}

}  // namespace mlec

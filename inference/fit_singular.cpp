// A singular fit: a random effect's standard deviation whose maximum
// likelihood estimate is 0, on the boundary of its parameter space (the
// levels differ by no more than the rest of the model explains).
//
// The Laplace likelihood is even in each scale s (u = s z with z symmetric),
// continuous at s = 0, where the model is the one without the effect. So
// s = 0 is a legitimate estimate, unlike a parameter running to infinity: the
// optimizer, on log s, heads for it without end, and the fit then holds s at
// exactly 0 (its coordinate where the log transform gives 0.0) and estimates
// the others there, as lme4 does (its theta at its bound 0). s has no
// standard error, since curvature at a boundary is not the estimate's
// precision; its interval is the profile's, one-sided: [0, s_u] where the
// profile deviance 2 (NLL_p(s_u) - NLL(0)) reaches the chi-square(1)
// quantile, the cutoff lme4's confint uses (conservative: the deviance at a
// boundary is a 50:50 mixture of chi-square(0) and (1), Self & Liang 1987).
#include <algorithm>
#include <boost/math/distributions/chi_squared.hpp>
#include <cmath>

#include "inference/fit_context.hpp"
#include "optim/fixed_coordinates.hpp"
#include "report/number_format.hpp"

namespace mlec::inference {

namespace {

// The unconstrained coordinate of a scale in (0, inf) or (0, hi) where the
// transform gives exactly 0: exp and the logistic underflow to 0.0.
constexpr double zero_coordinate = -1000;
// Near 0 the NLL is NLL(0) + a s^2, so on t = log s its curvature is
// 4 a s^2: a scale on its way to 0 has almost none. One whose t is not
// determined to within +-3 by the curvature (a factor e^3 = 20 in s) is
// compared with s = 0; a well-determined one is not.
constexpr double loose_curvature = 1.0 / 9;

// Every coordinate held except `free` (the fit's estimated ones).
std::vector<bool> held_except(int dimension, const std::vector<int>& free) {
    std::vector<bool> held(static_cast<std::size_t>(dimension), true);
    for (int i : free) held[static_cast<std::size_t>(i)] = false;
    return held;
}

// The profile deviance of a zero scale at s > 0: the other estimated
// coordinates optimized from `x` (updated to the optimum), the zero scales
// at 0. NaN when the optimizer does not converge.
double deviance_at(FitContext& c, int coordinate, double s, Eigen::VectorXd& x) {
    Eigen::VectorXd theta = c.full(c.theta);
    theta[coordinate] = c.p.model.parameters[static_cast<std::size_t>(coordinate)].bounds.to_unconstrained(s);
    optim::FixedCoordinates profile(c.full_objective,
                                    held_except(static_cast<int>(theta.size()), c.objective.free_coordinates()), theta);
    const optim::OptimizeResult opt = optim::minimize(profile, x, c.optimize_options);
    if (opt.status != optim::OptimizeStatus::converged) return std::numeric_limits<double>::quiet_NaN();
    x = opt.x;
    return 2 * (opt.f - c.nll);
}

struct UpperEnd {
    std::optional<double> bound;                   // none: not found
    std::string reason;                            // why not
    std::optional<Eigen::VectorXd> better;         // theta where the likelihood is above the fit's
    std::vector<std::pair<double, double>> curve;  // (s, deviance)
};

// The s > 0 where the profile deviance reaches `cutoff`: bracketed by
// doubling or halving from `from` (the start value), then bisection on
// log s to a relative 1e-7.
UpperEnd upper_end(FitContext& c, int coordinate, double from, double cutoff) {
    UpperEnd out;
    Eigen::VectorXd x = c.theta;
    auto deviance = [&](double s) {
        const double d = deviance_at(c, coordinate, s, x);
        if (std::isfinite(d)) out.curve.emplace_back(s, d);
        // (better by more than rounding: then 0 was not the maximum)
        if (d < -2 * optim::rounding_level(c.nll)) {
            Eigen::VectorXd theta = c.full(x);
            theta[coordinate] = c.p.model.parameters[static_cast<std::size_t>(coordinate)].bounds.to_unconstrained(s);
            out.better = theta;
        }
        return d;
    };
    double below = 0, above = from;
    double d = deviance(above);
    for (int i = 0; i < 64 && std::isfinite(d) && !out.better && d < cutoff; ++i) {
        below = above;
        above *= 2;
        d = deviance(above);
    }
    if (std::isfinite(d) && !out.better && d < cutoff) {
        out.reason = "the likelihood stays within the cutoff up to " + report::format_digits(above, 3);
        return out;
    }
    for (int i = 0; i < 200 && below == 0 && std::isfinite(d) && !out.better; ++i) {
        const double half = above / 2;
        d = deviance(half);
        if (d < cutoff) below = half;
        else above = half;
    }
    while (std::isfinite(d) && !out.better && below > 0 && above / below - 1 > 1e-7) {
        const double middle = std::sqrt(below * above);
        d = deviance(middle);
        (d < cutoff ? below : above) = middle;
    }
    if (!std::isfinite(d)) out.reason = "the profile's optimizer did not converge";
    else if (!out.better) out.bound = below == 0 ? 0.0 : std::sqrt(below * above);
    std::sort(out.curve.begin(), out.curve.end());
    return out;
}

// The `report` quantities that depend on `coordinate` lose their standard
// errors and intervals: the delta method held it at 0, as if known, and
// at a boundary it does not apply. Returns ", and the report quantities
// that depend on it, a, b, have none either" or "".
std::string drop_dependent_errors(FitContext& c, int coordinate) {
    std::vector<std::string> names;
    for (std::size_t j = 0; j < c.estimands.size(); ++j) {
        const interp::Estimand& est = c.estimands[j];
        const std::vector<int>& deps = c.p.model.graph.node(est.node).deps;
        if (!est.derived || !std::binary_search(deps.begin(), deps.end(), coordinate)) continue;
        ParameterEstimate& e = c.estimate_of(j);
        e.std_error.reset();
        e.z.reset();
        e.p_value.reset();
        e.ci_lower.reset();
        e.ci_upper.reset();
        e.ci_lower_open = e.ci_upper_open = false;
        e.profile.clear();
        names.push_back(est.name);
    }
    if (names.empty()) return {};
    std::string list;
    for (const std::string& name : names) list.append(list.empty() ? "" : ", ").append(name);
    return "; the report quantities that depend on it (" + list + ") have none either";
}

std::string effect_of(const FitContext& c, int node) {
    for (const interp::RandomEffect& e : c.p.model.random_effects)
        if (e.scale_node == node) return "random effect '" + e.name + "[" + e.column + "]'";
    return "a random effect";
}

}  // namespace

std::vector<int> random_scale_coordinates(const FitContext& c) {
    std::vector<int> out;
    // (not a correlated block's SD: the likelihood is even in it only
    // together with the block's correlations)
    for (const interp::RandomEffect& e : c.p.model.random_effects)
        for (const interp::Estimand& est : c.estimands) {
            if (e.block >= 0 || est.derived || est.node != e.scale_node) continue;
            const int k = c.coordinate_of(est);
            if (k >= 0 && est.bounds.lower == 0 && std::find(out.begin(), out.end(), k) == out.end()) out.push_back(k);
        }
    return out;
}

std::vector<int> zero_scales(FitContext& c, const optim::OptimizeResult& opt) {
    const std::vector<int> candidates = random_scale_coordinates(c);
    if (candidates.empty()) return {};
    std::vector<int> scales;
    for (int k : candidates)
        if (c.hessian(k, k) < loose_curvature) scales.push_back(k);
    if (scales.empty()) return {};
    Eigen::VectorXd at = opt.x;
    std::vector<bool> held(static_cast<std::size_t>(c.k), false);
    for (int k : scales) {
        at[k] = zero_coordinate;
        held[static_cast<std::size_t>(k)] = true;
    }
    optim::FixedCoordinates at_zero(c.objective, held, at);
    const optim::OptimizeResult there = optim::minimize(at_zero, at_zero.reduce(at), c.optimize_options);
    // At 0 the likelihood is at least as high as where the optimizer
    // stopped on its way there (to rounding), or 0 is not the estimate.
    if (there.status != optim::OptimizeStatus::converged || there.f > opt.f + optim::rounding_level(opt.f)) return {};
    std::vector<int> theta_coordinates;
    for (int k : scales) theta_coordinates.push_back(c.objective.free_coordinates()[static_cast<std::size_t>(k)]);
    return theta_coordinates;
}

void hold_at_zero(ParameterValues& values, const std::vector<int>& coordinates) {
    for (int i : coordinates) {
        values.held[static_cast<std::size_t>(i)] = true;
        values.start[i] = zero_coordinate;
        values.value[static_cast<std::size_t>(i)] = 0;
    }
}

std::optional<Eigen::VectorXd> report_zero_scales(FitContext& c, const std::vector<int>& coordinates) {
    const double cutoff = boost::math::quantile(boost::math::chi_squared(1), c.options.confidence);
    const Eigen::VectorXd model_start = c.problem.start();
    c.r.n_params += static_cast<int>(coordinates.size());
    c.r.aic += 2.0 * static_cast<double>(coordinates.size());
    c.r.bic += static_cast<double>(coordinates.size()) * std::log(std::max(c.r.n_weighted, 1.0));
    for (std::size_t j = 0; j < c.estimands.size(); ++j) {
        const interp::Estimand& est = c.estimands[j];
        if (est.derived || std::find(coordinates.begin(), coordinates.end(), est.coordinate) == coordinates.end())
            continue;
        ParameterEstimate& e = c.estimate_of(j);
        e.fixed = false;
        e.at_zero = true;
        e.estimate = 0;
        std::string interval;
        // (the fit was not a maximum: no interval, as for any estimate)
        if (std::isfinite(c.nll) && c.r.status == FitStatus::converged) {
            UpperEnd upper = upper_end(c, est.coordinate, est.bounds.to_user(model_start[est.coordinate]), cutoff);
            if (upper.better) return upper.better;
            e.profile = std::move(upper.curve);
            if (upper.bound) {
                e.ci_lower = 0;
                e.ci_upper = *upper.bound;
                interval =
                    ", and its profile interval is one-sided, [0, " + report::format_digits(*upper.bound, 4) + "]";
            } else {
                interval = ", and it has no profile interval: " + upper.reason;
            }
        }
        c.r.diagnostics.push_back(FitDiagnostic{
            .kind = DiagnosticKind::singular_fit,
            .message = "the standard deviation " + est.name + " of " + effect_of(c, est.node) +
                       " is estimated at 0 (a singular fit): the levels differ by no more than the rest of the "
                       "model explains, and the fit is the model's without that effect; " +
                       est.name + " has no standard error on its boundary" + interval +
                       drop_dependent_errors(c, est.coordinate),
            .parameters = {est.name},
            .columns = {}});
    }
    return std::nullopt;
}

}  // namespace mlec::inference

#include "optim/line_search.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mlec::optim::detail {

namespace {

constexpr double epsilon = std::numeric_limits<double>::epsilon();

// Curvature constant of the strong Wolfe condition |g(x + a d)'d| <= c2 |g'd|;
// 0.9 is the usual choice for quasi-Newton directions (Nocedal & Wright, p. 34).
constexpr double wolfe_c2 = 0.9;

// Bounds on the number of trial points, so a pathological function cannot
// keep a search going: halving 200 times shrinks any step below 1e-60.
constexpr int max_backtracks = 200;
constexpr int max_bracket_steps = 60;
constexpr int max_zoom_steps = 60;

// One trial point of the strong Wolfe search, phi(a) = f(x + a d).
struct Probe {
    double alpha = 0;
    Eigen::VectorXd x;
    double f = 0;
    Eigen::VectorXd g;
    double slope = 0;  // phi'(a) = g(x + a d)'d
    bool finite = false;
};

Probe probe(Objective& objective, const Iterate& at, const Eigen::VectorXd& d, double alpha) {
    Probe p;
    p.alpha = alpha;
    p.x = at.x + alpha * d;
    p.g.resize(at.x.size());
    p.f = objective.value_gradient(p.x, p.g);
    p.slope = p.g.dot(d);
    p.finite = std::isfinite(p.f) && p.g.allFinite() && std::isfinite(p.slope);
    return p;
}

Probe start_probe(const Iterate& at, const Eigen::VectorXd& d) {
    Probe p;
    p.alpha = 0;
    p.x = at.x;
    p.f = at.f;
    p.g = at.g;
    p.slope = at.g.dot(d);
    p.finite = true;
    return p;
}

// Minimizer of the cubic interpolating phi and phi' at a and b (Nocedal &
// Wright, eq. 3.59), or NaN when the cubic has no minimizer there.
double cubic_minimizer(const Probe& a, const Probe& b) {
    const double d1 = a.slope + b.slope - 3 * (a.f - b.f) / (a.alpha - b.alpha);
    const double radicand = d1 * d1 - a.slope * b.slope;
    if (!(radicand >= 0)) return std::numeric_limits<double>::quiet_NaN();
    const double d2 = std::copysign(std::sqrt(radicand), b.alpha - a.alpha);
    const double denominator = b.slope - a.slope + 2 * d2;
    if (denominator == 0) return std::numeric_limits<double>::quiet_NaN();
    return b.alpha - (b.alpha - a.alpha) * (b.slope + d2 - d1) / denominator;
}

// Next trial inside the bracket (lo, hi). The cubic is trusted only when it
// lands well inside, at least a tenth of the bracket away from either end;
// otherwise bisect, which at worst halves the bracket. With a non-finite f at
// hi there is nothing to interpolate, and bisection walks back into the domain.
double zoom_trial(const Probe& lo, const Probe& hi) {
    const double width = hi.alpha - lo.alpha;
    const double midpoint = lo.alpha + 0.5 * width;
    if (!hi.finite) return midpoint;
    const double cubic = cubic_minimizer(lo, hi);
    if (!std::isfinite(cubic)) return midpoint;
    const double low_end = std::min(lo.alpha, hi.alpha) + 0.1 * std::abs(width);
    const double high_end = std::max(lo.alpha, hi.alpha) - 0.1 * std::abs(width);
    if (cubic < low_end || cubic > high_end) return midpoint;
    return cubic;
}

WolfeStep to_step(Probe&& p) { return WolfeStep{p.alpha, std::move(p.x), p.f, std::move(p.g)}; }

// Nocedal & Wright, alg. 3.6. lo always satisfies the Armijo condition and has
// the lowest f of the trials that do; hi is a trial beyond a minimizer of phi.
std::optional<WolfeStep> zoom(Objective& objective, const Iterate& at, const Eigen::VectorXd& d, const Probe& start,
                              Probe lo, Probe hi, double unit_step) {
    for (int i = 0; i < max_zoom_steps; ++i) {
        if (std::abs(hi.alpha - lo.alpha) * unit_step <= epsilon) break;
        Probe trial = probe(objective, at, d, zoom_trial(lo, hi));
        if (!trial.finite || trial.f > start.f + armijo_c1 * trial.alpha * start.slope || trial.f >= lo.f) {
            hi = std::move(trial);
            continue;
        }
        if (std::abs(trial.slope) <= -wolfe_c2 * start.slope) return to_step(std::move(trial));
        if (trial.slope * (hi.alpha - lo.alpha) >= 0) hi = std::move(lo);
        lo = std::move(trial);
    }
    // The bracket collapsed without the curvature condition: a step with
    // sufficient decrease still makes progress (the caller skips a curvature
    // pair that does not have s'y > 0).
    if (lo.alpha > 0) return to_step(std::move(lo));
    return std::nullopt;
}

}  // namespace

double relative_step(const Eigen::VectorXd& x, const Eigen::VectorXd& d) {
    return (d.array().abs() / x.array().abs().max(1.0)).maxCoeff();
}

double max_step_length(const Eigen::VectorXd& x) { return 10 * std::max(1.0, x.norm()); }

std::optional<ArmijoStep> backtracking_armijo(Objective& objective, const Eigen::VectorXd& x, double f, double slope,
                                              const Eigen::VectorXd& d, double alpha_start) {
    const double unit_step = relative_step(x, d);
    double alpha = alpha_start;
    for (int i = 0; i < max_backtracks && alpha * unit_step > epsilon; ++i) {
        const double trial = objective.value(x + alpha * d);
        if (!std::isfinite(trial)) {
            alpha *= 0.5;
            continue;
        }
        const double decrease_bound = f + armijo_c1 * alpha * slope;
        if (trial <= decrease_bound) return ArmijoStep{alpha, trial};
        // phi(a) ~ f + slope a + c a^2 through phi(alpha) = trial has its
        // minimum at -slope alpha^2 / (2 (trial - f - slope alpha)).
        const double curvature_term = trial - f - slope * alpha;
        double next = -slope * alpha * alpha / (2 * curvature_term);
        if (!(curvature_term > 0) || !std::isfinite(next)) next = 0.5 * alpha;
        alpha = std::clamp(next, 0.1 * alpha, 0.5 * alpha);
    }
    return std::nullopt;
}

std::optional<WolfeStep> strong_wolfe(Objective& objective, const Iterate& at, const Eigen::VectorXd& d,
                                      double alpha_start, double alpha_max) {
    const double unit_step = relative_step(at.x, d);
    const Probe start = start_probe(at, d);
    if (!(start.slope < 0)) return std::nullopt;
    Probe previous = start;
    double alpha = std::min(alpha_start, alpha_max);
    for (int i = 0; i < max_bracket_steps && alpha * unit_step > epsilon; ++i) {
        Probe trial = probe(objective, at, d, alpha);
        if (!trial.finite || trial.f > start.f + armijo_c1 * alpha * start.slope || (i > 0 && trial.f >= previous.f)) {
            return zoom(objective, at, d, start, std::move(previous), std::move(trial), unit_step);
        }
        if (std::abs(trial.slope) <= -wolfe_c2 * start.slope) return to_step(std::move(trial));
        if (trial.slope >= 0) {
            return zoom(objective, at, d, start, std::move(trial), std::move(previous), unit_step);
        }
        // Still going downhill: at the bound, take it; else extrapolate.
        if (alpha >= alpha_max) return to_step(std::move(trial));
        previous = std::move(trial);
        alpha = std::min(2 * alpha, alpha_max);
    }
    // Out of trials while f kept decreasing enough: take the last of them.
    if (previous.alpha > 0) return to_step(std::move(previous));
    return std::nullopt;
}

}  // namespace mlec::optim::detail

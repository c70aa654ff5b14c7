#include "inference/divergence.hpp"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <vector>

#include "inference/fit_thresholds.hpp"

namespace mlec::inference {

namespace {

// What counts as a real decrease of f, not rounding: 1e-13 relative for an
// ordinary f; for an f already within 1e-6 of 0 (a nearly perfect fit, a sum
// of tiny positive terms whose rounding is tinier still) 0.1% of f.
double decrease_threshold(double fx) {
    const double size = std::abs(fx);
    return size < FitThresholds::near_zero_nll ? FitThresholds::near_zero_decrease * size
                                               : FitThresholds::real_decrease * std::max(1.0, size);
}

// What f's values at x + t d, t = 1, 2, 4, ..., say about d: an approach
// to a limit at infinity, a decrease without bound, or neither (nullopt).
std::optional<Divergence> judge_probe(double fx, const std::vector<double>& values, const Eigen::VectorXd& d) {
    if (values.size() < 3 || !(fx - values.back() > decrease_threshold(fx))) return std::nullopt;
    Divergence div;
    div.direction = d;
    div.limit = values.back();
    // Approaching a limit at infinity, each doubling of t gains less than
    // the first unit step did (the gains die out, as e^-t does). Decreasing
    // without bound, the gains keep up (linear in t) and add up to a real
    // change in f. Gains that keep up but stay tiny are neither: a finite
    // optimum far away along an ill-conditioned valley, not a divergence.
    const std::size_t last = values.size() - 1;
    const double first_gain = fx - values[0];
    const double last_gain = values[last - 1] - values[last];
    if (last_gain <= FitThresholds::dying_gain * first_gain) return div;
    if (fx - values.back() > FitThresholds::unbounded_decrease * std::max(1.0, std::abs(fx))) {
        div.unbounded = true;
        return div;
    }
    return std::nullopt;
}

// Already at the limit: an optimizer that converged tightly on the way to
// infinity stops where what is left to gain ahead is below rounding (a
// Newton decrement of 1e-16 leaves about that much). The ray is then shown
// to rise by more than rounding behind x, f(x - t ray) for t = 1, 2, ...,
// never falling on the way back, while ahead it never rose: a likelihood
// that keeps increasing along the ray and levels off at its limit. A
// regular optimum rises on both sides. The walk back goes at least to
// t = 32 and, while f is still level with f(x) to rounding, on to t = 4096:
// a parameter the optimizer carried far past where it mattered (a log rate
// at -236, where exp(-236) is 0 next to every other term; a zero-inflation
// logit that no row can tell from infinity) is flat for many units behind
// x before the rise shows.
std::optional<Divergence> behind(optim::Objective& f, const Eigen::VectorXd& x, double fx, const Eigen::VectorXd& d,
                                 const Eigen::VectorXd& ray, double threshold) {
    double previous = fx;
    int reached = 0;  // the last step behind whose value counts
    for (int k = 0; k <= FitThresholds::probe_last_step; ++k) {
        if (k > FitThresholds::probe_first_judged && previous - fx > threshold) break;
        const double v = f.value(x - std::ldexp(1.0, k) * ray);
        if (!std::isfinite(v)) break;
        if (v < previous) return std::nullopt;
        previous = v;
        reached = k;
    }
    if (!(previous - fx > threshold)) return std::nullopt;
    // Level ahead as far out as the rise behind reaches: a ray that merely
    // crosses a regular optimum off its axis (the drift of an unidentified
    // pair a, b carried to 2e6 and -2e6 also moves a + b by 1e-7 of its
    // length) rises ahead just as it does behind, quadratically on both
    // sides, and only the rounding of f hid that at t = 1.
    const double ahead = f.value(x + std::ldexp(1.0, reached) * ray);
    if (std::isfinite(ahead) && ahead - fx > decrease_threshold(fx)) return std::nullopt;
    Divergence div;
    div.direction = d;
    div.limit = fx;
    return div;
}

// d is the direction in probe units; the ray is x + t * (unit .* d).
std::optional<Divergence> probe(optim::Objective& f, const Eigen::VectorXd& x, double fx, const Eigen::VectorXd& d,
                                const Eigen::VectorXd& unit) {
    const Eigen::VectorXd ray = (unit.array() * d.array()).matrix();
    std::vector<double> values;
    double previous = fx;
    // Judged first after steps up to t = 32; a probe that is neither a
    // limit nor unbounded by then goes on doubling up to t = 4096. Far out
    // on the optimizer's scale (a separated logistic fit stops near
    // |theta| = 200, where t = 32 changes the linear predictor by a sixth)
    // the gains of an approach to a limit die out only later; a finite
    // optimum further on shows itself by f rising again.
    constexpr int first_judged = FitThresholds::probe_first_judged, last_step = FitThresholds::probe_last_step;
    // A decrease without bound seen by t = 32 must go on, never rising,
    // as far as the probe reaches (or to the end of the representable
    // range): a likelihood that only has a better finite optimum further
    // along (a discontinuity crossed, a valley bending) rises again.
    std::optional<Divergence> unbounded;
    for (int k = 0; k <= last_step; ++k) {
        const double t = std::ldexp(1.0, k);
        const double v = f.value(x + t * ray);
        // Past the end of the representable range (sigma underflowing to 0)
        // the probe stops; what it saw before still counts.
        if (!std::isfinite(v)) break;
        // f must never rise along the ray, not even by rounding (it may
        // settle on its limit exactly, e.g. a probability rounding to 1),
        // unless it has been level with f(x) to rounding all along: then x
        // is already at the limit (a size carried to 1e13, where the count
        // is Poisson to rounding), and only the rise behind x can tell.
        if (v > previous) {
            const bool level = values.empty() || fx - values.back() <= decrease_threshold(fx);
            const double clear =
                std::max(decrease_threshold(fx), FitThresholds::clear_rise * std::max(1.0, std::abs(fx)));
            if (level && v - fx <= decrease_threshold(fx)) return behind(f, x, fx, d, ray, clear);
            return std::nullopt;
        }
        values.push_back(v);
        previous = v;
        if (k < first_judged || unbounded) continue;
        auto div = judge_probe(fx, values, d);
        if (div && div->unbounded && k == first_judged) {
            unbounded = std::move(div);
            continue;
        }
        // Further out only an approach to a limit counts: gains that keep
        // up over thousands of units are no evidence of an unbounded
        // decrease that the first 32 did not show.
        if (div && !div->unbounded) return div;
        // Settled exactly on its limit: nothing more to learn.
        if (values[values.size() - 2] == v) break;
    }
    if (unbounded) return unbounded;
    if (values.empty()) return std::nullopt;
    if (!(fx - values.back() > decrease_threshold(fx))) return behind(f, x, fx, d, ray, decrease_threshold(fx));
    if (values.size() < 3 || values.size() > first_judged + 1) return std::nullopt;
    return judge_probe(fx, values, d);
}

// When the optimizer has already run to the edge of what doubles can hold
// (sigma near 1e-308 on its log scale, a shape near 1e137), nothing lies
// beyond x to probe. Look back instead: f must fall strictly all the way
// from x - 32d to x, and by at least as much per unit step near x as far
// from it (a decrease that is not levelling off: unbounded).
std::optional<Divergence> probe_back(optim::Objective& f, const Eigen::VectorXd& x, double fx, const Eigen::VectorXd& d,
                                     const Eigen::VectorXd& unit) {
    const Eigen::VectorXd ray = (unit.array() * d.array()).matrix();
    double previous = fx;
    std::vector<double> values;  // f(x - t d) for t = 1, 2, ..., 32
    for (int k = 0; k <= FitThresholds::probe_first_judged; ++k) {
        const double v = f.value(x - std::ldexp(1.0, k) * ray);
        if (!std::isfinite(v) || !(v > previous)) return std::nullopt;
        values.push_back(v);
        previous = v;
    }
    // Per unit step: near x (t from 1 to 0) against far (t from 32 to 16).
    constexpr std::size_t far = FitThresholds::probe_first_judged;
    const double near_slope = values[0] - fx;
    const double far_slope = (values[far] - values[far - 1]) / std::ldexp(1.0, FitThresholds::probe_first_judged - 1);
    if (!(near_slope > FitThresholds::dying_gain * far_slope) ||
        !(values[far] - fx > FitThresholds::unbounded_decrease * std::max(1.0, std::abs(fx))))
        return std::nullopt;
    Divergence div;
    div.direction = d;
    div.limit = fx;
    div.unbounded = true;
    return div;
}

}  // namespace

std::optional<Divergence> find_divergence(optim::Objective& f, const Eigen::VectorXd& x, const Eigen::VectorXd& start,
                                          const optim::ScaledHessian& curvature, const ProbeSetup& setup) {
    const Eigen::VectorXd& unit = setup.unit;
    const std::vector<bool>& bounded = setup.bounded;
    const double fx = f.value(x);
    if (!std::isfinite(fx)) return std::nullopt;
    // Candidate directions, each in probe units and of unit length.
    std::vector<Eigen::VectorXd> candidates;
    auto add = [&](const Eigen::VectorXd& raw) {
        const Eigen::VectorXd d = (raw.array() / unit.array()).matrix();
        if (d.allFinite() && d.norm() > 0) {
            candidates.push_back(d.normalized());
            candidates.push_back(-d.normalized());
        }
    };
    const Eigen::VectorXd drift = x - start;
    if (drift.norm() > 0) add(drift);
    // Single parameters running off alone (a rate to 0, sigma to 0): cheap
    // to try while there are few parameters.
    if (x.size() <= FitThresholds::single_probe_parameters)
        for (Eigen::Index i = 0; i < x.size(); ++i) add(Eigen::VectorXd::Unit(x.size(), i));
    if (curvature.valid && curvature.dimension() == x.size())
        for (Eigen::Index j = 0; j < x.size(); ++j)
            if (curvature.flat(j) || curvature.eigenvalues[j] < 0) add(curvature.raw_direction(j));
    // The drift's reverse is no candidate: the optimizer came from there.
    if (drift.norm() > 0) candidates.erase(candidates.begin() + 1);
    for (const Eigen::VectorXd& d : candidates)
        if (auto div = probe(f, x, fx, d, unit)) return div;
    // On a bounded parameter's log or logit scale legitimate estimates stay
    // far below 300 (exp(300) is 1e130): beyond it, look back along the drift.
    bool at_edge = false;
    for (Eigen::Index i = 0; i < x.size(); ++i)
        at_edge =
            at_edge || (bounded[static_cast<std::size_t>(i)] && std::abs(x[i]) > FitThresholds::representable_edge);
    if (at_edge && drift.norm() > 0) {
        const Eigen::VectorXd d = (drift.array() / unit.array()).matrix().normalized();
        return probe_back(f, x, fx, d, unit);
    }
    return std::nullopt;
}

}  // namespace mlec::inference

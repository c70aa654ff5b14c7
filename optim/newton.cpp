#include "optim/newton.hpp"

#include <cmath>

#include "optim/trust_region.hpp"

namespace mlec::optim::detail {

namespace {

// A step is accepted when f falls by at least this fraction of what the
// model predicted (Nocedal & Wright's eta); the region shrinks below
// `poor` and grows above `good` when the step was limited by it.
constexpr double accept_ratio = 1e-4;
constexpr double poor_ratio = 0.25;
constexpr double good_ratio = 0.75;
// Trial points per iteration before the stepper gives up: the region
// shrinks by 4 at each rejection, to 4^-100 of its size.
constexpr int max_trials = 100;

// A Newton decrement this small is 0.1 standard errors from the optimum:
// when even the full Newton step gains nothing there, the gradient is
// rounding noise (NewtonStepper::closing_step).
constexpr double noise_decrement = 1e-2;

// x + step differs from x in floating point.
bool moves(const Eigen::VectorXd& x, const Eigen::VectorXd& step) { return ((x + step).array() != x.array()).any(); }

}  // namespace

// See set_hessian.
constexpr double scale_memory = 1e-6;

Iterate NewtonStepper::start(const Eigen::VectorXd& x) {
    Iterate it;
    it.x = x;
    it.g.resize(x.size());
    Eigen::MatrixXd h(x.size(), x.size());
    it.f = objective_.value_gradient_hessian(x, it.g, h);
    scaled_ = ScaledHessian{};
    peak_scale_.resize(0);
    radius_ = 0;
    expect_accept_ = true;
    set_hessian(x, std::move(h));
    return it;
}

// A coordinate's scale follows its curvature, but no lower than
// scale_memory times the largest it has had: a coordinate whose curvature
// all but vanishes (the weights of a hidden unit whose output weight is
// near 0, curvature 1e-44) would otherwise turn every scaled step into an
// astronomical raw one. Relative to the coordinate's own history, so the
// rule does not depend on its units.
void NewtonStepper::set_hessian(const Eigen::VectorXd& x, Eigen::MatrixXd hessian) {
    const Eigen::VectorXd fallback = scaled_.scale.size() == x.size() ? scaled_.scale : size_scale(x);
    hessian_ = std::move(hessian);
    Eigen::VectorXd scale = curvature_scale(hessian_, fallback);
    peak_scale_ = peak_scale_.size() == scale.size() ? peak_scale_.cwiseMax(scale) : scale;
    scale = scale.cwiseMax(scale_memory * peak_scale_);
    scaled_ = scale_hessian(hessian_, scale);
}

std::optional<double> NewtonStepper::advance(Iterate& current) {
    noise_floor_ = false;
    domain_edge_ = false;
    int finite_trials = 0, edge_trials = 0;
    if (!scaled_.valid) return std::nullopt;
    const Eigen::VectorXd g = (current.g.array() / scaled_.scale.array()).matrix();
    // The first region holds the Newton step with |eigenvalues| (floored at
    // the flat level), so the full step is the first trial, as in a line
    // search; and at least one scaled unit (about a standard error), the
    // step a saddle's negative curvature is first taken at, however small
    // the gradient there.
    if (radius_ == 0) {
        const double floor = std::max(flat_eigenvalue * scaled_.largest(), 1e-300);
        const Eigen::VectorXd c = scaled_.eigenvectors.transpose() * g;
        radius_ = (c.array() / scaled_.eigenvalues.array().abs().max(floor)).matrix().norm();
        if (!(radius_ >= 1) || !std::isfinite(radius_)) radius_ = 1;
    }
    const double precision = rounding_level(current.f);
    const double decrement_here = scaled_.newton_decrement(current.g);
    bool rejected = false;
    bool mirror = false, mirrored = false;
    for (int trial = 0; trial < max_trials; ++trial) {
        TrustRegionStep step = solve_trust_region(scaled_.eigenvalues, scaled_.eigenvectors, g, radius_);
        if (mirror) step.p = -step.p;  // the same promise (below): the other side
        const Eigen::VectorXd raw = (step.p.array() / scaled_.scale.array()).matrix();
        if (!step.p.allFinite() || !moves(current.x, raw)) break;
        const double length = step.p.norm();
        // A promise that drowns in the rounding of f cannot be checked by
        // comparing f. When it is small only because the region is, and no
        // trial has failed yet, the region grows; otherwise the closing
        // test below decides.
        if (step.predicted_decrease <= precision) {
            if (!rejected && decrement_here / 2 > precision) {
                radius_ *= 4;
                continue;
            }
            break;
        }
        Trial next = evaluate(current.x + raw, expect_accept_);
        // A step along negative curvature with no gradient along it (a
        // stationary point: the model is the same on both sides) that left
        // the domain is tried on the other side before the region shrinks.
        if (!next.finite && !mirrored && step.on_boundary && std::abs(g.dot(step.p)) <= 1e-9 * g.norm() * length) {
            mirror = mirrored = true;
            continue;
        }
        mirror = false;
        if (!next.finite) {  // outside the domain: too far
            ++edge_trials;
            radius_ = 0.25 * length;
            rejected = true;
            expect_accept_ = false;
            continue;
        }
        ++finite_trials;
        const double ratio = (current.f - next.point.f) / step.predicted_decrease;
        if (ratio < poor_ratio) radius_ = 0.25 * length;
        else if (ratio > good_ratio && step.on_boundary) radius_ = 2 * radius_;
        // Accepted: a fair share of the promise, and a real decrease (a gain
        // within rounding is no evidence of progress).
        if (ratio > accept_ratio && current.f - next.point.f > precision && complete(next)) {
            expect_accept_ = true;
            take(current, std::move(next));
            return length;
        }
        if (!next.finite) radius_ = 0.25 * length;
        rejected = true;
        expect_accept_ = false;
    }
    // Every step the model proposed left the domain, down to steps that no
    // longer move x: x is on the domain's edge (an outcome at the end of a
    // distribution's support, b = max(y) in y ~ uniform(0, b)).
    domain_edge_ = edge_trials > 0 && finite_trials == 0;
    return closing_step(current, decrement_here, precision);
}

// No step in the region lowers f beyond rounding. The last word is the full
// Newton step (over the directions that are not flat), when the Hessian has
// no clearly negative curvature: near the optimum the decrease it promises
// may be below the rounding of f, and then it is accepted when f does not
// rise beyond a few times its rounding and the Newton decrement falls
// fourfold (quadratic convergence shows in the gradient, not in f).
// A short Newton step (within noise_decrement) that gains nothing at all
// shows that what is left of the gradient is its own rounding: with the
// scale of an exact fit at the rounding level of the data (sigma ~ 1e-13)
// the gradient's rounding is a sizeable fraction of a standard error.
std::optional<double> NewtonStepper::closing_step(Iterate& current, double decrement_here, double precision) {
    if (!scaled_.valid || scaled_.clearly_negative()) return std::nullopt;
    const Eigen::VectorXd g = (current.g.array() / scaled_.scale.array()).matrix();
    Eigen::VectorXd c = scaled_.eigenvectors.transpose() * g;
    for (Eigen::Index j = 0; j < c.size(); ++j) c[j] = scaled_.flat(j) ? 0.0 : c[j] / scaled_.eigenvalues[j];
    const Eigen::VectorXd p = -(scaled_.eigenvectors * c);
    const Eigen::VectorXd raw = (p.array() / scaled_.scale.array()).matrix();
    const bool short_step = decrement_here <= noise_decrement;
    if (!raw.allFinite() || !moves(current.x, raw)) {
        noise_floor_ = short_step;
        return std::nullopt;
    }
    Trial next = evaluate(current.x + raw, true);
    if (next.finite) {
        const ScaledHessian there = scale_hessian(next.hessian, curvature_scale(next.hessian, scaled_.scale));
        const bool gained = next.point.f < current.f - precision;
        // f's rounding can exceed `precision` where its terms cancel (the
        // log-densities of a normal with sigma < 1): a fourfold fall of the
        // decrement is the stronger evidence, and f may rise by a few times
        // its nominal rounding.
        const bool sharper =
            next.point.f <= current.f + 4 * precision && there.newton_decrement(next.point.g) < 0.25 * decrement_here;
        if (gained || sharper) {
            const double length = p.norm();
            radius_ = std::max(radius_, length);
            take(current, std::move(next));
            return length;
        }
    }
    noise_floor_ = short_step;
    return std::nullopt;
}

NewtonStepper::Trial NewtonStepper::evaluate(Eigen::VectorXd x, bool derivatives) {
    Trial t;
    t.point.x = std::move(x);
    t.derivatives = derivatives;
    if (derivatives) {
        t.point.g.resize(t.point.x.size());
        t.hessian.resize(t.point.x.size(), t.point.x.size());
        t.point.f = objective_.value_gradient_hessian(t.point.x, t.point.g, t.hessian);
        t.finite = std::isfinite(t.point.f) && t.point.g.allFinite() && t.hessian.allFinite();
    } else {
        t.point.f = objective_.value(t.point.x);
        t.finite = std::isfinite(t.point.f);
    }
    return t;
}

// The accepted point's Hessian is the next iteration's: evaluated with f
// when acceptance was likely, else now. False when the derivatives are not
// finite (a point on the edge of the domain).
bool NewtonStepper::complete(Trial& t) {
    if (t.derivatives) return true;
    t = evaluate(std::move(t.point.x), true);
    return t.finite;
}

void NewtonStepper::take(Iterate& current, Trial next) {
    current = std::move(next.point);
    set_hessian(current.x, std::move(next.hessian));
}

}  // namespace mlec::optim::detail

#include "runtime/newton.hpp"

#include <cmath>

#include "runtime/trust_region.hpp"

namespace mlec::rt::detail {

namespace {

// A step is accepted when f falls by at least this fraction of what the
// model predicted (Nocedal & Wright's eta); the region shrinks below
// `poor` and grows above `good` when the step was limited by it.
constexpr double accept_ratio = 1e-4;
constexpr double poor_ratio = 0.25;
constexpr double good_ratio = 0.75;
constexpr int max_trials = 100;

// Every trial point is rejected at most this many times in a row before the
// stepper gives up: the region shrinks by 4 each time, 4^-100 of its size.
bool moves(const Eigen::VectorXd& x, const Eigen::VectorXd& step) {
    return ((x + step).array() != x.array()).any();
}

}  // namespace

Iterate NewtonStepper::start(const Eigen::VectorXd& x) {
    Iterate it;
    it.x = x;
    it.g.resize(x.size());
    Eigen::MatrixXd h(x.size(), x.size());
    it.f = objective_.value_gradient_hessian(x, it.g, h);
    scaled_ = ScaledHessian{};
    radius_ = 0;
    expect_accept_ = true;
    set_hessian(x, std::move(h));
    return it;
}

void NewtonStepper::set_hessian(const Eigen::VectorXd& x, Eigen::MatrixXd hessian) {
    const Eigen::VectorXd fallback = scaled_.scale.size() == x.size() ? scaled_.scale : size_scale(x);
    hessian_ = std::move(hessian);
    scaled_ = scale_hessian(hessian_, curvature_scale(hessian_, fallback));
}

std::optional<double> NewtonStepper::advance(Iterate& current) {
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
    for (int trial = 0; trial < max_trials; ++trial) {
        const TrustRegionStep step = solve_trust_region(scaled_.eigenvalues, scaled_.eigenvectors, g, radius_);
        const Eigen::VectorXd raw = (step.p.array() / scaled_.scale.array()).matrix();
        if (!step.p.allFinite() || !moves(current.x, raw)) return std::nullopt;
        const double length = step.p.norm();
        // Near the optimum the decrease the model promises drowns in the
        // rounding of f, and the ratio of actual to predicted is noise.
        // There the step is accepted when f does not rise beyond rounding
        // and the Newton decrement falls: Newton's quadratic convergence
        // shows in the gradient, not in f.
        const bool at_rounding = step.predicted_decrease <= precision;
        Iterate next;
        next.x = current.x + raw;
        next.g.resize(raw.size());
        Eigen::MatrixXd h;
        // The accepted point's Hessian is the next iteration's: when
        // acceptance is likely, get it with f in one evaluation.
        bool derivatives = expect_accept_ || at_rounding;
        if (derivatives) {
            h.resize(raw.size(), raw.size());
            next.f = objective_.value_gradient_hessian(next.x, next.g, h);
        } else {
            next.f = objective_.value(next.x);
        }
        // Outside the domain (f or its derivatives not finite): too far.
        if (!std::isfinite(next.f) || (derivatives && (!next.g.allFinite() || !h.allFinite()))) {
            radius_ = 0.25 * length;
            expect_accept_ = false;
            continue;
        }
        bool accept;
        if (at_rounding) {
            const ScaledHessian there = scale_hessian(h, curvature_scale(h, scaled_.scale));
            accept = next.f <= current.f + precision && there.newton_decrement(next.g) < decrement_here;
            if (!accept) radius_ = 0.25 * length;
        } else {
            const double ratio = (current.f - next.f) / step.predicted_decrease;
            if (ratio < poor_ratio) radius_ = 0.25 * length;
            else if (ratio > good_ratio && step.on_boundary) radius_ = 2 * radius_;
            accept = ratio > accept_ratio;
        }
        if (!accept) {
            expect_accept_ = false;
            continue;
        }
        if (!derivatives) {
            h.resize(raw.size(), raw.size());
            next.f = objective_.value_gradient_hessian(next.x, next.g, h);
            if (!std::isfinite(next.f) || !next.g.allFinite() || !h.allFinite()) {
                radius_ = 0.25 * length;
                continue;
            }
        }
        expect_accept_ = true;
        current = std::move(next);
        set_hessian(current.x, std::move(h));
        return length;
    }
    return std::nullopt;
}

}  // namespace mlec::rt::detail

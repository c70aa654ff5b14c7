#include "runtime/newton.hpp"

#include "runtime/optimize.hpp"

#include <Eigen/Eigenvalues>
#include <cmath>
#include <limits>

namespace mlec::rt::detail {

namespace {

// Eigenvalues of the scaled Hessian are floored at this fraction of the
// largest |eigenvalue|. Scaled, a well-posed problem has eigenvalues near 1,
// so the floor only bites for near-singular (or exactly singular) Hessians,
// where it bounds the step along the flat directions; the step-length cap and
// the line search handle the rest. The floor is relative, so a likelihood
// whose curvature vanishes as a whole (a separated logistic regression) still
// takes full Newton steps.
constexpr double relative_eigenvalue_floor = 1e-10;

}  // namespace

// The modification is done on the Jacobi-scaled Hessian S H S with
// S = diag(|H_ii|)^-1/2, so it does not depend on the units of the parameters:
// curvatures of 2e-6 and 2e6 (a parameter in thousands next to one in
// thousandths) give the exact Newton step, where flooring the raw eigenvalues
// at 1e-8 of the largest would not.
std::optional<Eigen::VectorXd> modified_newton_direction(const Eigen::MatrixXd& hessian,
                                                         const Eigen::VectorXd& gradient) {
    if (!hessian.allFinite()) return std::nullopt;
    Eigen::ArrayXd scale = hessian.diagonal().array().abs();
    scale = (scale > 0).select(scale.rsqrt(), 1.0);
    const auto s = scale.matrix().asDiagonal();
    const Eigen::MatrixXd scaled = s * hessian * s;
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(scaled);
    if (eigen.info() != Eigen::Success) return std::nullopt;
    const Eigen::ArrayXd magnitude = eigen.eigenvalues().array().abs();
    const double largest = magnitude.maxCoeff();
    // An all-zero Hessian says nothing about scale: fall back to the identity.
    const double floor = largest > 0 ? relative_eigenvalue_floor * largest : 1.0;
    const Eigen::ArrayXd modified = magnitude.max(floor);
    const Eigen::MatrixXd& v = eigen.eigenvectors();
    const Eigen::VectorXd rotated = v.transpose() * (s * gradient);
    Eigen::VectorXd direction = -(s * (v * (rotated.array() / modified).matrix()));
    if (!direction.allFinite()) return std::nullopt;
    return direction;
}

Iterate NewtonStepper::start(const Eigen::VectorXd& x) {
    Iterate it;
    it.x = x;
    it.g.resize(x.size());
    hessian_.resize(x.size(), x.size());
    it.f = objective_.value_gradient_hessian(x, it.g, hessian_);
    return it;
}

std::optional<double> NewtonStepper::advance(Iterate& current) {
    if (const auto newton = modified_newton_direction(hessian_, current.g)) {
        if (const auto step = step_along(current, *newton)) return step;
    }
    // Steepest descent scaled to unit length, as a last resort when the
    // Newton direction fails (e.g. an inaccurate Hessian far from the optimum).
    const double gradient_norm = current.g.norm();
    if (!(gradient_norm > 0)) return std::nullopt;
    return step_along(current, -current.g / gradient_norm);
}

std::optional<double> NewtonStepper::escape_saddle(Iterate& current) {
    auto escaped = descend_negative_curvature(objective_, current.x, current.f, hessian_);
    if (!escaped) return std::nullopt;
    Iterate next;
    next.x = std::move(escaped->first);
    next.g.resize(next.x.size());
    Eigen::MatrixXd hessian(next.x.size(), next.x.size());
    next.f = objective_.value_gradient_hessian(next.x, next.g, hessian);
    if (!std::isfinite(next.f) || !next.g.allFinite()) return std::nullopt;
    current = std::move(next);
    hessian_ = std::move(hessian);
    return escaped->second;
}

}  // namespace mlec::rt::detail

namespace mlec::rt {

std::optional<std::pair<Eigen::VectorXd, double>> descend_negative_curvature(Objective& objective,
                                                                             const Eigen::VectorXd& x, double f,
                                                                             const Eigen::MatrixXd& hessian) {
    if (!hessian.allFinite() || hessian.rows() == 0) return std::nullopt;
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(hessian);
    if (eigen.info() != Eigen::Success) return std::nullopt;
    const double largest = eigen.eigenvalues().cwiseAbs().maxCoeff();
    if (!(eigen.eigenvalues()[0] < -1e-6 * largest)) return std::nullopt;
    const Eigen::VectorXd v = eigen.eigenvectors().col(0);
    // Along v, f falls like lambda t^2 / 2: try both signs, from a long
    // step down, and keep the first clear decrease.
    const double margin = 1e-10 * std::max(1.0, std::abs(f));
    for (double t = detail::max_step_length(x); t > 1e-8; t *= 0.5) {
        for (double sign : {1.0, -1.0}) {
            Eigen::VectorXd trial = x + sign * t * v;
            if (objective.value(trial) < f - margin) return std::make_pair(std::move(trial), t);
        }
    }
    return std::nullopt;
}

}  // namespace mlec::rt

namespace mlec::rt::detail {

std::optional<double> NewtonStepper::step_along(Iterate& current,
                                                const Eigen::VectorXd& direction) {
    Eigen::VectorXd d = direction;
    const double length = d.norm();
    const double cap = max_step_length(current.x);
    if (length > cap) d *= cap / length;
    const double slope = current.g.dot(d);
    if (!(slope < 0)) return std::nullopt;

    // Near the optimum the decrease a Newton step predicts (about -slope/2)
    // drowns in the rounding of f, and Armijo's test cannot tell progress
    // from noise. There the full step is accepted when f does not rise
    // beyond rounding and the gradient shrinks: Newton's quadratic
    // convergence shows in the gradient, not in f.
    const double rounding = 64 * std::numeric_limits<double>::epsilon() * std::max(1.0, std::abs(current.f));
    if (-slope < rounding) {
        Iterate next;
        next.x = current.x + d;
        next.g.resize(next.x.size());
        Eigen::MatrixXd hessian(next.x.size(), next.x.size());
        next.f = objective_.value_gradient_hessian(next.x, next.g, hessian);
        if (std::isfinite(next.f) && next.g.allFinite() && next.f <= current.f + rounding &&
            next.g.norm() < current.g.norm()) {
            current = std::move(next);
            hessian_ = std::move(hessian);
            return 1.0;
        }
    }

    // The full step is accepted most of the time: try it with the one
    // evaluation the next iteration needs anyway (value, gradient and
    // Hessian together), and search only when it fails.
    {
        Iterate next;
        next.x = current.x + d;
        next.g.resize(next.x.size());
        Eigen::MatrixXd hessian(next.x.size(), next.x.size());
        next.f = objective_.value_gradient_hessian(next.x, next.g, hessian);
        if (std::isfinite(next.f) && next.g.allFinite() && next.f <= current.f + armijo_c1 * slope) {
            current = std::move(next);
            hessian_ = std::move(hessian);
            return 1.0;
        }
    }
    double alpha = 0.5;
    for (;;) {
        const auto accepted =
            backtracking_armijo(objective_, current.x, current.f, slope, d, alpha);
        if (!accepted) return std::nullopt;
        Iterate next;
        next.x = current.x + accepted->alpha * d;
        next.g.resize(next.x.size());
        Eigen::MatrixXd hessian(next.x.size(), next.x.size());
        next.f = objective_.value_gradient_hessian(next.x, next.g, hessian);
        // f was finite by value() but the derivatives may not be (a point on
        // the edge of the domain): treat it as too far and keep shrinking.
        if (std::isfinite(next.f) && next.g.allFinite()) {
            current = std::move(next);
            hessian_ = std::move(hessian);
            return accepted->alpha;
        }
        alpha = 0.5 * accepted->alpha;
    }
}

}  // namespace mlec::rt::detail

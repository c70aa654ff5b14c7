// Newton's method with the exact Hessian, safeguarded so every direction is a
// descent direction (private to runtime/; minimize() drives the iterations).
#pragma once

#include <Eigen/Core>
#include <optional>

#include "runtime/line_search.hpp"
#include "runtime/objective.hpp"

namespace mlec::rt::detail {

class NewtonStepper {
public:
    explicit NewtonStepper(Objective& objective) : objective_(objective) {}

    // f, gradient (and the Hessian, kept for the first step) at x.
    Iterate start(const Eigen::VectorXd& x);

    // Moves `current` to the next accepted point and returns the step length
    // along the search direction; empty when neither the Newton direction nor
    // steepest descent gives an acceptable step (current is then unchanged).
    std::optional<double> advance(Iterate& current);

    // At a point where the gradient test passed: if the Hessian has a clearly
    // negative eigenvalue (a saddle point, such as b1 = b2 = 0 in
    // b1 * (1 - exp(-b2 * x))), steps along that eigenvector to a lower f and
    // returns the step length; empty at a true minimum.
    std::optional<double> escape_saddle(Iterate& current);

private:
    std::optional<double> step_along(Iterate& current, const Eigen::VectorXd& direction);

    Objective& objective_;
    Eigen::MatrixXd hessian_;  // at the current iterate
};

// -H_+^{-1} g with H_+ = V max(|Lambda|, delta) V' for the eigendecomposition
// H = V Lambda V' (Nocedal & Wright, 2006, sec. 3.4, "modified Newton"), done
// on the diagonally scaled Hessian (see newton.cpp). H_+ is positive definite,
// so the direction is one of descent. Empty when H or the result is not finite.
std::optional<Eigen::VectorXd> modified_newton_direction(const Eigen::MatrixXd& hessian,
                                                         const Eigen::VectorXd& gradient);

}  // namespace mlec::rt::detail

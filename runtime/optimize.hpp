// Minimizers of an Objective: Newton with the exact Hessian (safeguarded) for
// few parameters, L-BFGS for many.
#pragma once

#include <Eigen/Core>
#include <functional>
#include <optional>
#include <utility>
#include <string>

#include "runtime/objective.hpp"

namespace mlec::rt {

enum class Method { automatic, newton, lbfgs };

enum class OptimizeStatus {
    converged,           // relative gradient test passed
    max_iterations,      // iteration limit reached first
    line_search_failed,  // no acceptable step along a descent direction
    non_finite_start,    // f or its gradient is not finite at the start
    cancelled,           // the callback asked to stop
};

std::string_view to_string(OptimizeStatus s);

struct OptimizeOptions {
    Method method = Method::automatic;
    int newton_max_dimension = 50;  // automatic: Newton up to this many parameters
    int max_iterations = 200;        // Newton; L-BFGS uses 10x this
    // Convergence: max_i |g_i| * max(|x_i|, 1) / max(|f|, 1) <= gradient_tolerance
    // (the relative gradient of Dennis & Schnabel, 1996, sec. 7.2).
    double gradient_tolerance = 1e-9;
    int lbfgs_memory = 10;
};

struct IterationInfo {
    int iteration = 0;
    double f = 0;
    double gradient_norm = 0;  // max-norm of the gradient
    double step = 0;           // accepted step length along the search direction
};

// Return false to cancel.
using IterationCallback = std::function<bool(const IterationInfo&)>;

struct OptimizeResult {
    OptimizeStatus status = OptimizeStatus::max_iterations;
    Method method_used = Method::newton;
    Eigen::VectorXd x;         // best point found
    double f = 0;              // f(x)
    Eigen::VectorXd gradient;  // at x
    double relative_gradient = 0;  // the convergence measure at x
    int iterations = 0;
    int evaluations = 0;
};

// A point with clearly negative curvature (the smallest eigenvalue of the
// Hessian below -1e-6 times the largest in magnitude) is a saddle or a
// maximum, not a minimum, even where the gradient vanishes. Returns a point
// along that eigenvector with a clearly lower f, and the step length taken;
// empty when there is none (a minimum).
std::optional<std::pair<Eigen::VectorXd, double>> descend_negative_curvature(Objective& objective,
                                                                             const Eigen::VectorXd& x, double f,
                                                                             const Eigen::MatrixXd& hessian);

OptimizeResult minimize(Objective& objective, const Eigen::VectorXd& start,
                        const OptimizeOptions& options = {},
                        const IterationCallback& callback = {});

}  // namespace mlec::rt

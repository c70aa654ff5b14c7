// Minimizers of an Objective: Newton with the exact Hessian in a trust
// region for few parameters, L-BFGS for many, its result polished by the
// same Newton method so that every answer is confirmed with the exact
// Hessian before it is called converged.
#pragma once

#include <Eigen/Core>
#include <functional>
#include <limits>
#include <string>

#include "optim/objective.hpp"

namespace mlec::optim {

enum class Method { automatic, newton, lbfgs };

enum class OptimizeStatus {
    converged,           // the Newton decrement passed (or reached rounding where no step helps)
    max_iterations,      // iteration limit reached first
    line_search_failed,  // no step lowers f, and the point is not a minimum to rounding
    non_finite_start,    // f or its gradient is not finite at the start
    cancelled,           // the callback asked to stop
};

std::string_view to_string(OptimizeStatus s);

struct OptimizeOptions {
    Method method = Method::automatic;
    int newton_max_dimension = 50;  // automatic: Newton up to this many parameters
    int max_iterations = 3000;      // Newton; L-BFGS uses 10x this, then Newton's own
    // Convergence: the Newton decrement g' H^-1 g (the squared distance to
    // the quadratic model's minimum in standard errors; invariant to the
    // units of every parameter) is at most tolerance^2, and the Hessian has
    // no negative curvature. A point where no step lowers f any more counts
    // too when its decrement is at the rounding level of f (decrement / 2
    // <= rounding_level(f)): nothing computable is left to gain there.
    double tolerance = 1e-8;
    int lbfgs_memory = 10;
    // L-BFGS stops where max_i |g_i| max(|x_i|, 1) / max(|f|, 1) is at most
    // this (or where f no longer moves and it is at most its square root).
    double lbfgs_relative_gradient = 1e-9;
    // L-BFGS goes on where f no longer moves, judging its steps there by the
    // gradient (LbfgsStepper's closing step), to the relative gradient
    // above: for an objective whose gradient stays exact below f's
    // rounding, to end where Newton has nothing left to do.
    bool lbfgs_past_rounding = false;
    // With lbfgs_scale: steepest descent's first trial is the diagonal
    // Newton step (-g in those units, where the start's Hessian has a unit
    // diagonal), not a step of unit length.
    bool lbfgs_newton_first = false;
    // The objective's Hessian costs about 2k gradients (central differences
    // of an exact gradient, as the Laplace approximation's): automatic then
    // takes L-BFGS and finishes with Newton's steps, whatever k, and skips
    // the check of a small problem by Newton from the same start unless
    // L-BFGS ended at no regular maximum, so that Hessians are computed
    // only at the end.
    bool expensive_hessian = false;
    // L-BFGS's units: each coordinate's curvature scale (sqrt|H_ii| at the
    // start, positive), so that it works on u_i = d_i x_i, where the start's
    // Hessian has a unit diagonal, as Newton's scaled steps do. Empty, or of
    // another dimension than the objective's (a profile's): unscaled.
    Eigen::VectorXd lbfgs_scale;
    // Where the search began when `start` is the end of an earlier phase
    // (inference's linear profile): a run that ends at no regular maximum
    // looks back toward it (a saddle's escape) and Newton's check of a
    // small problem starts there. Empty, or of another dimension: the start.
    Eigen::VectorXd origin;
};

struct IterationInfo {
    int iteration = 0;
    double f = 0;
    double gradient_norm = 0;  // max-norm of the gradient
    double step = 0;           // accepted step length (scaled units for Newton)
};

// Return false to cancel.
using IterationCallback = std::function<bool(const IterationInfo&)>;

struct OptimizeResult {
    OptimizeStatus status = OptimizeStatus::max_iterations;
    Method method_used = Method::newton;
    Eigen::VectorXd x;         // best point found
    double f = 0;              // f(x)
    Eigen::VectorXd gradient;  // at x
    // The Newton decrement at x from the exact Hessian (+inf when it could
    // not be computed); the convergence measure.
    double decrement = 0;
    bool at_rounding = false;  // converged by the rounding rule, not the tolerance
    // Stopped because every step toward a lower f left the domain (f not
    // finite there): the point is on the domain's edge.
    bool at_domain_edge = false;
    bool clearly_negative = false;  // Newton: clearly negative curvature where it stopped
    int iterations = 0;
    int evaluations = 0;
    int polish_iterations = 0;  // Newton iterations after L-BFGS
    // L-BFGS (with at most newton_max_dimension parameters) ended at this
    // worse f, and the result is Newton's from the same start; NaN otherwise.
    double lbfgs_f = std::numeric_limits<double>::quiet_NaN();
    // Automatic method: Newton from the start stopped where no step helps (at
    // this f), and L-BFGS from the same start, confirmed by Newton, found the
    // better point that is the result.
    double newton_f = std::numeric_limits<double>::quiet_NaN();
    // L-BFGS, confirmed by Newton, stopped at a saddle point at this f, and
    // the result is from a step down its negative curvature; NaN otherwise.
    double saddle_f = std::numeric_limits<double>::quiet_NaN();
};

OptimizeResult minimize(Objective& objective, const Eigen::VectorXd& start, const OptimizeOptions& options = {},
                        const IterationCallback& callback = {});

// L-BFGS alone from `start`, in options.lbfgs_scale's units, to its own
// stopping rule (the relative gradient, or f still but for rounding): no
// Hessian, so no decrement (+inf) and no check of the curvature. For a
// first approach whose end a run of minimize() then confirms.
OptimizeResult minimize_lbfgs(Objective& objective, const Eigen::VectorXd& start, const OptimizeOptions& options = {},
                              const IterationCallback& callback = {});

}  // namespace mlec::optim

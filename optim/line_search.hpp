// Line searches shared by the Newton and L-BFGS minimizers (private to
// runtime/). Both treat a trial point where f is not finite as "too far": that
// is how a parameter is kept inside the domain of the objective.
#pragma once

#include <Eigen/Core>
#include <optional>

#include "optim/objective.hpp"

namespace mlec::optim::detail {

// A point the optimizer has accepted: f and its gradient there, both finite.
struct Iterate {
    Eigen::VectorXd x;
    double f = 0;
    Eigen::VectorXd g;
};

// Sufficient decrease constant of the Armijo condition
// f(x + a d) <= f(x) + c1 a g'd (Nocedal & Wright, 2006, eq. 3.6a).
inline constexpr double armijo_c1 = 1e-4;

// Largest relative change a unit step along d makes to a coordinate of x:
// max_i |d_i| / max(|x_i|, 1). A step a with a * relative_step(x, d) below
// machine epsilon leaves x unchanged in floating point.
double relative_step(const Eigen::VectorXd& x, const Eigen::VectorXd& d);

// Steps are capped at length 10 max(1, ||x||): a nearly flat direction of the
// Hessian, or a first steepest-descent step, otherwise sends the first trial
// point arbitrarily far (a trust-region-like bound).
double max_step_length(const Eigen::VectorXd& x);

struct ArmijoStep {
    double alpha = 0;
    double f = 0;
};

// Backtracking from alpha_start until the Armijo condition holds (Nocedal &
// Wright, alg. 3.1), using only f. A finite trial that fails is shrunk to the
// minimizer of the quadratic through f(x), g'd and f(x + a d), kept within
// [0.1 a, 0.5 a]; a non-finite trial is halved. Empty when the step became too
// small to move x. `slope` is g'd and must be negative.
std::optional<ArmijoStep> backtracking_armijo(Objective& objective, const Eigen::VectorXd& x, double f, double slope,
                                              const Eigen::VectorXd& d, double alpha_start);

struct WolfeStep {
    double alpha = 0;
    Eigen::VectorXd x;  // x + alpha d
    double f = 0;
    Eigen::VectorXd g;
};

// A step satisfying the strong Wolfe conditions with c1 = armijo_c1 and
// c2 = 0.9 (Nocedal & Wright, alg. 3.5 with zoom, alg. 3.6, by safeguarded
// cubic interpolation). Steps are bounded by alpha_max; the bound itself is
// accepted when f still decreases there. When the bracket shrinks to nothing,
// the best point with sufficient decrease is returned if there is one. Empty
// when no step decreases f enough.
std::optional<WolfeStep> strong_wolfe(Objective& objective, const Iterate& at, const Eigen::VectorXd& d,
                                      double alpha_start, double alpha_max);

}  // namespace mlec::optim::detail

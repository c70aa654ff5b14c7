// Limited-memory BFGS (private to runtime/; minimize() drives the iterations).
#pragma once

#include <Eigen/Core>
#include <deque>
#include <optional>

#include "optim/line_search.hpp"
#include "optim/objective.hpp"

namespace mlec::optim::detail {

class LbfgsStepper {
public:
    // `past_rounding`: where the quasi-Newton step promises less than f's
    // rounding, it is taken when the gradient shows the progress f cannot
    // (closing_step), so the iterations go on to the gradient's own precision.
    // `unit_curvature`: the objective's units give its Hessian a unit
    // diagonal at the start (OptimizeOptions::lbfgs_scale), so the first
    // trial of steepest descent is -g, the diagonal Newton step, not a step
    // of unit length.
    LbfgsStepper(Objective& objective, int memory, bool past_rounding = false, bool unit_curvature = false)
        : objective_(objective), memory_(memory), past_rounding_(past_rounding), unit_curvature_(unit_curvature) {}

    // f and gradient at x.
    Iterate start(const Eigen::VectorXd& x);

    // Moves `current` to the next accepted point and returns the step length
    // along the search direction; empty when neither the quasi-Newton direction
    // nor steepest descent gives an acceptable step (current is then unchanged).
    std::optional<double> advance(Iterate& current);

private:
    struct Pair {
        Eigen::VectorXd s;  // x_{k+1} - x_k
        Eigen::VectorXd y;  // g_{k+1} - g_k
        double rho = 0;     // 1 / s'y
    };

    Eigen::VectorXd direction(const Eigen::VectorXd& gradient) const;
    std::optional<double> step_along(Iterate& current, const Eigen::VectorXd& d, double alpha_start);
    std::optional<double> closing_step(Iterate& current, const Eigen::VectorXd& d);
    void remember(const Iterate& from, const Iterate& to);

    Objective& objective_;
    int memory_;
    bool past_rounding_;
    bool unit_curvature_;
    std::deque<Pair> pairs_;  // oldest first
};

}  // namespace mlec::optim::detail

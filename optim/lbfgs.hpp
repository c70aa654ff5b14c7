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
    LbfgsStepper(Objective& objective, int memory) : objective_(objective), memory_(memory) {}

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

    Objective& objective_;
    int memory_;
    std::deque<Pair> pairs_;  // oldest first
};

}  // namespace mlec::optim::detail

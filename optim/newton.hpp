// Newton's method with the exact Hessian in a trust region (private to
// runtime/; minimize() drives the iterations).
//
// Each iteration minimizes the quadratic model of f in a ball of the scaled
// coordinates (optim/scaled_hessian.hpp: the Hessian equilibrated to unit
// diagonal), accepts the step when f decreases by a fair share of what the
// model promised, and widens or narrows the ball by how well the model
// predicted (Nocedal & Wright, 2006, alg. 4.1; Moré, 1983, for the scaling).
// This is the standard globalization for non-convex problems: far from the
// optimum it takes short, safe steps; an indefinite Hessian sends it along
// the negative curvature; near the optimum it takes the full Newton step and
// converges quadratically. Because the ball is measured in scaled units, the
// iterates do not depend on the units of the parameters or the data.
#pragma once

#include <Eigen/Core>
#include <optional>

#include "optim/line_search.hpp"
#include "optim/objective.hpp"
#include "optim/scaled_hessian.hpp"

namespace mlec::optim::detail {

class NewtonStepper {
public:
    explicit NewtonStepper(Objective& objective) : objective_(objective) {}

    // f, gradient and Hessian at x.
    Iterate start(const Eigen::VectorXd& x);

    // Moves `current` to the next accepted point and returns the length of
    // the step in scaled units; empty when no step inside the trust region
    // lowers f any more (the region has shrunk until x no longer changes in
    // floating point): current is then unchanged.
    std::optional<double> advance(Iterate& current);

    // At the current iterate: the Newton decrement g'H^-1 g, and whether
    // the Hessian has clearly negative curvature (a saddle, not a minimum).
    double decrement(const Iterate& current) const { return scaled_.newton_decrement(current.g); }
    bool negative_curvature() const { return scaled_.negative_curvature(); }
    bool clearly_negative() const { return scaled_.clearly_negative(); }
    // The last advance() found no step because what is left of the gradient
    // is its own rounding (the full Newton step, within 0.1 standard errors,
    // gained nothing): the point is as good as working precision allows.
    bool noise_floor() const { return noise_floor_; }
    // The last advance() found no step because every one it tried left the
    // likelihood's domain (f not finite): x is on the domain's edge.
    bool domain_edge() const { return domain_edge_; }

    const Eigen::MatrixXd& hessian() const { return hessian_; }
    const ScaledHessian& scaled() const { return scaled_; }

private:
    // A trial point: f, and with `derivatives` its gradient and Hessian.
    struct Trial {
        Iterate point;
        Eigen::MatrixXd hessian;
        bool derivatives = false;
        bool finite = false;
    };
    Trial evaluate(Eigen::VectorXd x, bool derivatives);
    bool complete(Trial& t);
    void take(Iterate& current, Trial next);
    std::optional<double> closing_step(Iterate& current, double decrement_here, double precision);
    void set_hessian(const Eigen::VectorXd& x, Eigen::MatrixXd hessian);

    Objective& objective_;
    Eigen::MatrixXd hessian_;     // at the current iterate
    ScaledHessian scaled_;        // of hessian_
    Eigen::VectorXd peak_scale_;  // each coordinate's largest scale so far
    double radius_ = 0;           // of the trust region, in scaled units
    bool expect_accept_ = true;   // evaluate the Hessian with f at the next trial
    bool noise_floor_ = false;
    bool domain_edge_ = false;
};

}  // namespace mlec::optim::detail

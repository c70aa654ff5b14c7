// Profile-likelihood intervals. For a scalar quantity q(theta) (a parameter
// on the user's scale, or a `report` quantity), the profile is
//     p(c) = min { NLL(theta) : q(theta) = c },
// and the interval at level L is the set of c with
//     2 (p(c) - NLL(theta_hat)) <= chi2_1 quantile(L)        (3.8415 for 95%),
// found by root finding on each side of the estimate.
#pragma once

#include <Eigen/Core>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "optim/objective.hpp"

namespace mlec::inference {

// q and its gradient in theta (exact; from the evaluator).
using Quantity = std::function<double(const Eigen::VectorXd& theta, Eigen::VectorXd& gradient)>;

struct ProfileOptions {
    double level = 0.95;
    // Search at most this far from the estimate on each side, in units of
    // the Wald standard error (when known) before calling the side open.
    double max_standard_errors = 50;
    int max_evaluations = 200;  // profile points per side
};

struct ProfileSide {
    double bound = 0;    // the interval's end when !open
    bool open = false;   // no end: the profile never rises to the cutoff
    std::string reason;  // why open: "reaches the parameter's bound 0", "the likelihood stays flat to 50 SE"
};

struct ProfileResult {
    ProfileSide lower, upper;
    // Points of the profile for plotting: (c, 2 (p(c) - NLL(theta_hat))).
    std::vector<std::pair<double, double>> curve;
    // Set when profiling met a point with a lower NLL than theta_hat: the
    // fit was not at the global optimum (the caller refits from here).
    std::optional<Eigen::VectorXd> better;
};

// `objective` is the NLL on the optimizer's scale, `theta_hat` its minimum,
// `nll_hat` = NLL(theta_hat). When `coordinate` >= 0 the quantity is
// to_user(theta[coordinate]) for a monotone increasing `to_user` (empty for
// an unbounded parameter, whose optimizer scale is the user's), profiled
// by fixing that coordinate (exact and cheap); otherwise `quantity` is
// constrained to each value c by a penalty/Lagrange method. `wald_se` (may
// be 0 when unknown) scales the search; `lower_limit`/`upper_limit` are the
// quantity's own bounds (e.g. 0 for sigma > 0) where a side is open.
ProfileResult profile(optim::Objective& objective, const Eigen::VectorXd& theta_hat, double nll_hat,
                      const Quantity& quantity, int coordinate, const std::function<double(double)>& to_user,
                      double wald_se, double lower_limit, double upper_limit, const ProfileOptions& options = {});

}  // namespace mlec::inference

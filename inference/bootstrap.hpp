// The parametric bootstrap of a fit, private to api/: fit() calls it once
// the estimate and its standard errors are known.
#pragma once

#include <vector>

#include "optim/optimize.hpp"
#include "problem/impl.hpp"

namespace mlec {

// `estimates[i]` receives the bootstrap SE and percentile interval of
// estimand i of the model (none for a fixed parameter); counts and warnings
// go into `result`. Every refit holds the coordinates of theta marked in
// `held` at their values in `theta`. `units` are the fit's probe units of
// the other coordinates (a replicate that moves more than 50 of them from
// the estimate has run off).
void parametric_bootstrap(const Problem::Impl& p, const FitOptions& options, const Eigen::VectorXd& theta,
                          const std::vector<bool>& held, const optim::OptimizeOptions& oo, const Eigen::VectorXd& units,
                          const std::vector<ParameterEstimate*>& estimates, FitResult& result);

}  // namespace mlec

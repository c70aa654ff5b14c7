// A linear mixed model's first approach to its maximum: the optimizer works
// on the parameters other than the fixed effects, with the fixed effects at
// their best given the others (rt::Laplace::minimize_linear: one exact
// Newton step, as the NLL is quadratic in them). This is lme4's profiled
// deviance, with the exact gradient (the envelope theorem: the NLL's
// gradient at the profiled fixed effects, its b part zero); L-BFGS needs
// far fewer steps on these few coordinates, whose curvature has little to
// do with the fixed effects', than on all of theta.
#pragma once

#include <optional>

#include "inference/fit_context.hpp"

namespace mlec::inference {

// Whether the model is such a model, with a free fixed effect and a free
// parameter besides, and without correlated effects, and the optimizer is
// the automatic choice (FitOptions::method).
bool linear_profile_applies(const FitContext& c);

// L-BFGS on the profile from `from` (in c.objective's coordinates), its
// iterations reported through `callback`; the result's x is the point it
// reached in c.objective's coordinates, fixed effects included, for the
// optimizer to confirm. None where linear_profile_applies() does not hold
// or the profile has no finite value.
std::optional<optim::OptimizeResult> approach_by_linear_profile(FitContext& c, const Eigen::VectorXd& from,
                                                                const optim::IterationCallback& callback);

}  // namespace mlec::inference

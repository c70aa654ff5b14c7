// REML (restricted maximum likelihood, `--reml`): the fixed effects of a
// normal model are integrated out of the likelihood along with the random
// effects, so the variance parameters are estimated without the downward
// bias of ML (sigma^2 by RSS / (n - p) in a linear model), as lmer's and
// glmmTMB's REML = TRUE.
//
// The fixed effects are the parameters of the normal outcomes' means that
// are not variance parameters (a random effect's scale or correlation):
// each must enter every mean linearly (the likelihood is then Gaussian in
// them, and integrating them against a flat prior is exact) and nothing
// else, and must be unbounded. They become flat effects
// (rt::Graph::integrate_parameters), which the Laplace approximation
// integrates with the random effects; the rest of the model is unchanged.
#pragma once

#include "grammar/source_text.hpp"
#include "interpreter/checked_model.hpp"
#include "mlec/diagnostic.hpp"

namespace mlec::interp {

// Integrates the fixed effects out of `model` (in place), recording them in
// model.integrated. False after adding an error, positioned at the
// statement or parameter that keeps the model from REML.
bool integrate_fixed_effects(CheckedModel& model, const SourceText& source, Diagnostics& diagnostics);

}  // namespace mlec::interp

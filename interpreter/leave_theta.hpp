// Parameters that leave theta for the effects the Laplace approximation
// solves for (REML's fixed effects, interp::integrate_fixed_effects; group
// parameters profiled out, interp::profile_group_parameters): once the graph
// reads them as effects, theta, the parameters and the estimands lose them,
// the rest are renumbered (and so is what refers to them by index:
// RandomEffect::cpc_coordinates and correlation_estimands), and each is
// recorded in CheckedModel::integrated with its coordinate of z.
#pragma once

#include <vector>

#include "interpreter/checked_model.hpp"

namespace mlec::interp {

// `moved[i]`: parameter i left theta; `z_of[i]`: its coordinate of z.
void leave_theta(CheckedModel& model, const std::vector<bool>& moved, const std::vector<int>& z_of, bool profiled);

}  // namespace mlec::interp

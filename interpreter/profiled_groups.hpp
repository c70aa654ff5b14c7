// Group parameters profiled out (`param u[g]` with many levels): each
// level's entry is read by the rows of its level only, so the Hessian in
// them is sparse (diagonal for one group parameter), but as coordinates of
// theta they make it dense: 2,000 levels took 37 s and 1.6 GB. Profiled,
// they leave theta and become one flat effect of K levels read by g (the
// select node becomes an effect node), which the Laplace class's inner
// Newton solves for, for each theta, with the sparse factor: the fit then
// maximizes the profile likelihood max_u L(theta, u), whose maximum is the
// joint one (the estimates are the same), and whose gradient is dL/dtheta
// at u_hat (dL/du = 0 there). Their standard errors come from the full
// inverse Hessian, H_uu^-1 + W S^-1 W' with W = H_uu^-1 H_u,theta and S the
// profile's Hessian (inference/integrated_estimates.cpp).
#pragma once

#include "interpreter/checked_model.hpp"

namespace mlec::interp {

// Group parameters with fewer entries than this stay coordinates of theta:
// the dense Hessian costs little there, and every entry keeps the whole
// report (profile intervals, divergence probes, --fix).
inline constexpr int profiled_group_entries = 200;

// Profiles out the group parameters of `model` when it has no random
// effects and its group parameters that can be (unbounded, read only as
// `u[g]`, in no `report`) have at least profiled_group_entries entries in
// all; in place, recording them in model.integrated. True when it did.
bool profile_group_parameters(CheckedModel& model);

// The select nodes of group parameters whose entries are all `among`
// (indexed by theta's coordinate), unbounded and read nowhere else: each
// can become one effect of K levels (rt::Graph::select_effects).
std::vector<int> group_selects(const CheckedModel& model, const std::vector<bool>& among);

// The coordinates of z that select_effects gave the entries of `selects`'
// parameters, per parameter (-1 for others), for interp::leave_theta:
// `parameters` lists each select's parameters before the call.
void level_coordinates(const rt::Graph& graph, const std::vector<int>& effects,
                       const std::vector<std::vector<int>>& parameters, std::vector<int>& z_of);

// Each select's parameters, in level order (before select_effects).
std::vector<std::vector<int>> select_parameters(const rt::Graph& graph, const std::vector<int>& selects);

}  // namespace mlec::interp

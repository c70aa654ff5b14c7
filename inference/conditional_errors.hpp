// Standard errors of predictions conditional on the random effects, as
// glmmTMB's predict(se.fit = TRUE) gives them (TMB's sdreport): a
// prediction eta(theta, z) at the estimate and the modes z_hat(theta) has
//     Var = g' Cov(theta_hat) g + j' H^-1 j,
// g = d eta/d theta + (d z_hat/d theta)' j the total derivative through the
// modes (d z_hat/d theta = -H^-1 H_z,theta), j = d eta/dz, H the inner
// problem's Hessian at the modes: the parameters' uncertainty carried
// through the modes, and the effects' own conditional variance. For group
// parameters profiled out (flat effects with no prior: H = H_uu) it is the
// delta method with the full inverse Hessian's blocks, H_uu^-1 + W S^-1 W'
// for u (W = du_hat/dtheta, S^-1 = Cov(theta_hat)) and W S^-1 for (u,
// theta).
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "mlec/mlec.hpp"
#include "problem/impl.hpp"

namespace mlec::inference {

// For each of `nodes` (of `graph`, the fitted model checked on the new
// rows, whose effects and levels are the fit's), each row's standard
// error; nullopt when the fit's inner problem cannot be solved again at
// its estimate. A row at a level the fit did not see has NaN.
std::optional<std::vector<std::vector<double>>> conditional_standard_errors(
    const Problem::Impl& p, const FitResult& fit, const rt::Graph& graph,
    const std::vector<std::span<const double>>& columns, std::size_t rows, const std::vector<int>& nodes);

}  // namespace mlec::inference

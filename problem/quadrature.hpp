// BindOptions::agq_nodes: which models adaptive Gauss-Hermite quadrature
// integrates (runtime/adaptive_quadrature: every random effect on one
// grouping column, at most 3 per level; lme4 allows nAGQ > 1 only for a
// single scalar term), and the errors that name why another model is
// refused.
#pragma once

#include "mlec/mlec.hpp"
#include "problem/impl.hpp"

namespace mlec::problem {

// The most nodes per level: beyond 100 the rule's extreme nodes lie where
// every integrand of a fitted model is below a double's range, and each
// node costs two sweeps of the data per evaluation.
inline constexpr int most_quadrature_nodes = 100;
// The most nodes per level, K^d for d effects per level: 100 for one
// effect, 100^2 for two, 21^3 for three; each node is two sweeps of the
// data per evaluation.
inline constexpr double most_nodes_per_level = 1e4;

// The errors for options.agq_nodes with this checked model and the other
// options (none: it applies, or it is 1, the Laplace approximation).
Diagnostics check_quadrature(const Model::Impl& model, const interp::CheckedModel& checked, const BindOptions& options);

// After the Laplace approximation is set up: the quadrature over it, and
// the note that names the method (replacing the Laplace approximation's).
void bind_quadrature(Problem::Impl& p);

}  // namespace mlec::problem

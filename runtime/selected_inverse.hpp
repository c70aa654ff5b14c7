// The selected inverse of a sparse symmetric positive definite H: the
// entries of H^-1 on H's own pattern, from its supernodal Cholesky factor
// P H P' = L L' (runtime/supernodes, EffectFactor), by the Takahashi
// recurrence (Takahashi, Fagan & Chin 1973; Erisman & Tinney 1975) a
// supernode at a time. It needs the entries of Z = H^-1 only on the
// pattern of L, never all of H^-1. For the Laplace approximation's
// gradient, which needs tr(H^-1 dH) for an H on a fixed pattern.
#pragma once

#include <Eigen/Core>
#include <vector>

#include "runtime/supernodes.hpp"

namespace mlec::rt {

class SelectedInverse {
public:
    // `structure` must outlive this.
    explicit SelectedInverse(const Supernodes& structure) : structure_(structure) {}

    // H^-1 at the pattern's entries, in its order, from L's values.
    std::vector<double> compute(const std::vector<double>& l);

private:
    const Supernodes& structure_;
    // Z on L's pattern, in the layout of L's values, and workspace.
    std::vector<double> z_;
    std::vector<int> local_row_;
    Eigen::MatrixXd inverse_, w_, z_rj_, z_rr_;
};

}  // namespace mlec::rt

// The Hessian of the Laplace approximation's inner problem in the random
// effects z, H = H_zz + D (the likelihood's part on the sparse pattern the
// evaluator fixes from the data, plus the prior's: D_jj = 1 for a spherical
// effect, 0 for a flat one, REML's fixed effects), and
// its sparse Cholesky factor: solves, log det H, and the selected inverse.
//
// The pattern never changes, so the fill-reducing ordering and the
// supernodes are computed once (runtime/supernodes: CHOLMOD's analysis);
// each inner Newton step only refactors the numbers, a supernode at a time
// with Eigen's dense kernels: on InstEval's crossed design (q = 4114) in
// 0.02 s, where Eigen's SimplicialLLT took 0.08 s and CHOLMOD's own
// supernodal factorization, through Debian's reference BLAS, 0.04 s; on
// small designs as fast as a simplicial factorization (bench/README.md).
#pragma once

#include <Eigen/Core>
#include <vector>

#include "runtime/evaluator.hpp"
#include "runtime/selected_inverse.hpp"
#include "runtime/supernodes.hpp"

namespace mlec::rt {

class EffectFactor {
public:
    // `prior`: D's diagonal, one entry per coordinate of z (by default all
    // 1: every effect spherical).
    EffectFactor(const EffectPattern& pattern, std::vector<double> prior);
    explicit EffectFactor(const EffectPattern& pattern)
        : EffectFactor(pattern, std::vector<double>(pattern.col_start.size() - 1, 1.0)) {}
    // inverse_ refers to structure_.
    EffectFactor(const EffectFactor&) = delete;
    EffectFactor& operator=(const EffectFactor&) = delete;

    // Factors H_zz + shift * I + D from H_zz's values on the pattern (a
    // shift > 0 is a damped Newton step's). False when the matrix is not
    // positive definite (or not finite): the likelihood is not convex in z
    // there.
    bool factor(const std::vector<double>& zz, double shift = 0);

    // H^-1 b for the last factored H.
    Eigen::VectorXd solve(const Eigen::VectorXd& b) const;
    // log det H of the last factored H.
    double log_determinant() const;
    // The entries of H^-1 on H's pattern (in the pattern's order): the
    // selected inverse (runtime/selected_inverse.hpp).
    std::vector<double> selected_inverse() const { return inverse_.compute(values_); }

    // L's entries as stored (with the explicit zeros of supernodes).
    std::size_t factor_entries() const { return structure_.value_count; }

private:
    Supernodes structure_;
    std::vector<double> prior_;
    std::vector<std::size_t> diagonal_;  // the pattern's entries (j, j)
    std::vector<double> values_;         // L, supernode by supernode
    // Workspace.
    std::vector<int> local_row_;
    Eigen::MatrixXd update_;
    mutable SelectedInverse inverse_;
};

}  // namespace mlec::rt

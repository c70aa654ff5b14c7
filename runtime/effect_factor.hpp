// The Hessian of the Laplace approximation's inner problem in the random
// effects z, H = H_zz + I (the likelihood's part on the sparse pattern the
// evaluator fixes from the data, plus the spherical prior's identity), and
// its sparse Cholesky factor: solves, log det H, and the Newton decrement.
//
// The pattern never changes, so the fill-reducing ordering (AMD) and the
// symbolic factorization are computed once; each inner Newton step only
// refactors the numbers (Eigen's SimplicialLLT; measured against CHOLMOD
// in bench/ once mixed models have reference sizes there).
#pragma once

#include <Eigen/Core>
#include <Eigen/SparseCholesky>
#include <Eigen/SparseCore>
#include <vector>

#include "runtime/evaluator.hpp"

namespace mlec::rt {

class EffectFactor {
public:
    explicit EffectFactor(const EffectPattern& pattern);

    // Factors H_zz + shift * I + I from H_zz's values on the pattern (a
    // shift > 0 is a damped Newton step's). False when the matrix is not
    // positive definite: the likelihood is not convex in z there.
    bool factor(const std::vector<double>& zz, double shift = 0);

    // H^-1 b for the last factored H.
    Eigen::VectorXd solve(const Eigen::VectorXd& b) const { return llt_.solve(b); }
    // log det H of the last factored H.
    double log_determinant() const;
    // The entries of H^-1 on H's pattern (in the pattern's order): the
    // selected inverse, by the Takahashi recurrence on the factor
    // (Takahashi, Fagan & Chin 1973; Erisman & Tinney 1975), which needs
    // only the entries of H^-1 on the pattern of L, never all of H^-1.
    std::vector<double> selected_inverse() const;

private:
    Eigen::SparseMatrix<double> h_;  // lower triangle, column-major, the pattern's order
    std::vector<int> diagonal_;      // position of each (j, j) in h_'s values
    Eigen::SimplicialLLT<Eigen::SparseMatrix<double>, Eigen::Lower, Eigen::AMDOrdering<int>> llt_;
};

}  // namespace mlec::rt

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
#include <algorithm>
#include <vector>

#include "runtime/evaluator.hpp"
#include "runtime/selected_inverse.hpp"
#include "runtime/supernodes.hpp"
#include "runtime/tree_halves.hpp"

namespace mlec::rt {

class EffectFactor {
public:
    // `prior`: D's diagonal, one entry per coordinate of z (by default all
    // 1: every effect spherical).
    EffectFactor(const EffectPattern& pattern, std::vector<double> prior);
    explicit EffectFactor(const EffectPattern& pattern)
        : EffectFactor(pattern, std::vector<double>(pattern.col_start.size() - 1, 1.0)) {}
    // inverse_ refers to structure_ and split_.
    EffectFactor(const EffectFactor&) = delete;
    EffectFactor& operator=(const EffectFactor&) = delete;

    // Factors H_zz + shift * I + D from H_zz's values on the pattern (a
    // shift > 0 is a damped Newton step's). False when the matrix is not
    // positive definite (or not finite): the likelihood is not convex in z
    // there.
    // With `two_threads`, the two halves of the elimination tree below its
    // top (TreeHalves) at once, and a wide supernode's dense products in two
    // halves (the same numbers as on one thread).
    bool factor(const std::vector<double>& zz, double shift = 0, bool two_threads = false);

    // H^-1 b for the last factored H.
    Eigen::VectorXd solve(const Eigen::VectorXd& b) const;
    // H^-1 B, all of B's columns at once (a supernode's block read once, its
    // products matrix by matrix).
    Eigen::MatrixXd solve_columns(const Eigen::MatrixXd& b) const;
    // log det H of the last factored H.
    double log_determinant() const;
    // The entries of H^-1 on H's pattern (in the pattern's order): the
    // selected inverse (runtime/selected_inverse.hpp), on two threads when
    // `two_threads` (the same numbers).
    std::vector<double> selected_inverse(bool two_threads = false) const {
        return inverse_.compute(values_, two_threads);
    }
    // The same in SelectedInverse's stages (begin, each half, result), for
    // two threads that share it (runtime/inverse_ahead).
    void inverse_begin(bool two_threads) const { inverse_.begin(values_, two_threads); }
    void inverse_half(int h) const { inverse_.half(h, values_); }
    std::vector<double> inverse_result() const { return inverse_.result(); }

    // How factor(..., true) and selected_inverse(true) use a second thread:
    // whether the tree splits in two, and the supernodes whose products
    // they split.
    bool splits() const { return split_.splits(); }
    int factor_wide_supernodes() const { return static_cast<int>(std::count(wide_.begin(), wide_.end(), true)); }
    int inverse_wide_supernodes() const { return inverse_.wide_supernodes(); }
    // L's entries as stored (with the explicit zeros of supernodes).
    std::size_t factor_entries() const { return structure_.value_count; }

private:
    struct Workspace {
        std::vector<int> local_row;
        std::size_t mapped = 0;  // the supernode local_row holds
        Eigen::MatrixXd update;
    };
    bool eliminate(std::size_t s, Workspace& ws, bool apart, bool two_threads);
    void rows_below(const Eigen::Ref<Eigen::MatrixXd, 0, Eigen::OuterStride<>>& top,
                    Eigen::Ref<Eigen::MatrixXd, 0, Eigen::OuterStride<>> lower, Eigen::MatrixXd& update,
                    bool two_threads);

    Supernodes structure_;
    TreeHalves split_;
    std::vector<double> prior_;
    std::vector<std::size_t> diagonal_;  // the pattern's entries (j, j)
    std::vector<bool> wide_;             // per supernode: its rows below split in two
    std::vector<double> values_;         // L, supernode by supernode
    // The top's supernodes' updates from the second half of the tree (in
    // the top's order, each its height x width), where top_start_ says;
    // in_top_ per supernode.
    std::vector<double> top_updates_;
    std::vector<std::size_t> top_start_;
    std::vector<bool> in_top_;
    Workspace workspace_[2];
    mutable SelectedInverse inverse_;
};

}  // namespace mlec::rt

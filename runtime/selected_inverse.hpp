// The selected inverse of a sparse symmetric positive definite H: the
// entries of H^-1 on H's own pattern, from its supernodal Cholesky factor
// P H P' = L L' (runtime/supernodes, EffectFactor), by the Takahashi
// recurrence (Takahashi, Fagan & Chin 1973; Erisman & Tinney 1975) a
// supernode at a time. It needs the entries of Z = H^-1 only on the
// pattern of L, never all of H^-1. For the Laplace approximation's
// gradient, which needs tr(H^-1 dH) for an H on a fixed pattern.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <vector>

#include "runtime/supernodes.hpp"
#include "runtime/tree_halves.hpp"

namespace mlec::rt {

class SelectedInverse {
public:
    // `structure` and `split` (its tree's, split_tree) must outlive this.
    SelectedInverse(const Supernodes& structure, const TreeHalves& split);

    // H^-1 at the pattern's entries, in its order, from L's values. With
    // `two_threads`, the two halves of the elimination tree below its top
    // (TreeHalves) at once: a supernode reads only its ancestors' entries of Z,
    // so its numbers are the same whichever thread, and in whichever order,
    // computes it.
    std::vector<double> compute(const std::vector<double>& l, bool two_threads = false);
    // The same in stages, for two threads that share the work as each comes
    // free: begin (the top of the tree, its wide products on two threads
    // when `two_threads`), then each half (after begin; the two at once, or
    // one after the other), then the result (after both). Each half has its
    // own workspace, so the numbers do not depend on which thread computes
    // which.
    void begin(const std::vector<double>& l, bool two_threads);
    void half(int h, const std::vector<double>& l);
    std::vector<double> result() const;
    // Whether the tree splits in two, so that a second thread has work, and
    // how many supernodes have their own products split in two.
    bool splits() const { return split_.splits(); }
    int wide_supernodes() const { return static_cast<int>(std::count(wide_.begin(), wide_.end(), true)); }

private:
    struct Workspace {
        std::vector<int> local_row;
        std::size_t mapped = 0;  // the supernode local_row holds
        Eigen::MatrixXd inverse, w, z_rj, z_rr;
    };
    void supernode(std::size_t s, const std::vector<double>& l, Workspace& ws, bool two_threads);
    void gather(std::size_t s, Workspace& ws);
    void wide(std::size_t s, const Eigen::Map<const Eigen::MatrixXd>& block, Eigen::Map<Eigen::MatrixXd>& z,
              Workspace& ws, bool two_threads);
    const Supernodes& structure_;
    const TreeHalves& split_;
    // Per supernode: wide enough to split its own products in two.
    std::vector<bool> wide_;
    // Z on L's pattern, in the layout of L's values.
    std::vector<double> z_;
    Workspace workspace_[2];
};

}  // namespace mlec::rt

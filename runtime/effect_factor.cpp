#include "runtime/effect_factor.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>

#include "runtime/two_halves.hpp"

namespace mlec::rt {

namespace {

using Block = Eigen::Map<Eigen::MatrixXd>;
using ConstBlock = Eigen::Map<const Eigen::MatrixXd>;

}  // namespace

EffectFactor::EffectFactor(const EffectPattern& pattern, std::vector<double> prior)
    : structure_(analyze_supernodes(pattern)), split_(split_tree(structure_)), prior_(std::move(prior)),
      values_(structure_.value_count), inverse_(structure_, split_) {
    // The pattern's columns are sorted by row: the diagonal comes first.
    for (std::size_t j = 0; j + 1 < pattern.col_start.size(); ++j)
        diagonal_.push_back(static_cast<std::size_t>(pattern.col_start[j]));
    for (std::size_t t = 0; t < structure_.count(); ++t) {
        const double w = structure_.width(t), below = structure_.height(t) - structure_.width(t);
        wide_.push_back(below >= 16 && below * w * w + below * below * w / 2 >= wide_supernode);
    }
    for (Workspace& ws : workspace_) {
        ws.local_row.assign(structure_.order.size(), -1);
        ws.mapped = structure_.count();
    }
    // The second half's updates of the top, apart (below).
    in_top_.assign(structure_.count(), false);
    top_start_.assign(structure_.count(), 0);
    std::size_t size = 0;
    if (split_.splits())
        for (const std::size_t t : split_.top) {
            in_top_[t] = true;
            top_start_[t] = size;
            size += static_cast<std::size_t>(structure_.height(t)) * static_cast<std::size_t>(structure_.width(t));
        }
    top_updates_.resize(size);
}

// Right-looking, by supernodes: with the columns J of supernode s and its
// rows R below them, once every earlier supernode has subtracted its part,
//     L_JJ = chol(H_JJ),   L_RJ = H_RJ L_JJ^-T,
// and s subtracts L_RJ L_RJ' from the later columns R (which hold every
// such row: the elimination tree puts R below r in r's own column). Dense
// kernels do the flops; only the scatter of L_RJ L_RJ' is indexed.
//
// The two halves of the tree below its top (TreeHalves) are independent
// but for their updates of the top: the first half's go into L's values,
// the second's into top_updates_, added to them before the top is
// factored. So the numbers are the same on one thread or two.
bool EffectFactor::factor(const std::vector<double>& zz, double shift, bool two_threads) {
    const Supernodes& st = structure_;
    std::fill(values_.begin(), values_.end(), 0.0);
    for (std::size_t k = 0; k < zz.size(); ++k) values_[st.place[k]] = zz[k];
    for (std::size_t j = 0; j < diagonal_.size(); ++j) values_[st.place[diagonal_[j]]] += prior_[j] + shift;
    if (split_.splits()) {
        std::fill(top_updates_.begin(), top_updates_.end(), 0.0);
        bool factored[2] = {true, true};
        const auto half = [&](int h) {
            for (const std::size_t s : split_.halves[h])
                if (!(factored[h] = eliminate(s, workspace_[h], h == 1, false))) return;
        };
        run_halves(
            two_threads, [&] { half(0); }, [&] { half(1); });
        if (!factored[0] || !factored[1]) return false;
        for (const std::size_t t : split_.top) {
            const std::size_t size = static_cast<std::size_t>(st.height(t)) * static_cast<std::size_t>(st.width(t));
            for (std::size_t k = 0; k < size; ++k) values_[st.value_start[t] + k] += top_updates_[top_start_[t] + k];
        }
    }
    for (const std::size_t s : split_.top)
        if (!eliminate(s, workspace_[0], false, two_threads)) return false;
    return true;
}

// Supernode s's columns of L, and its updates of the later columns: into
// top_updates_ where they are the top's and `apart`. False when the
// matrix is not positive definite there.
bool EffectFactor::eliminate(std::size_t s, Workspace& ws, bool apart, bool two_threads) {
    const Supernodes& st = structure_;
    const int width = st.width(s), height = st.height(s), below = height - width;
    Block block(values_.data() + st.value_start[s], height, width);
    Eigen::Ref<Eigen::MatrixXd, 0, Eigen::OuterStride<>> top(block.topRows(width));
    // In place; a pivot <= 0 stops it. A NaN pivot passes that test,
    // so the diagonal is checked too.
    const Eigen::LLT<Eigen::Ref<Eigen::MatrixXd, 0, Eigen::OuterStride<>>> llt(top);
    if (llt.info() != Eigen::Success || !top.diagonal().allFinite()) return false;
    if (below == 0) return true;
    auto lower = block.bottomRows(below);
    if (wide_[s]) {
        rows_below(top, lower, ws.update, two_threads);
    } else {
        top.triangularView<Eigen::Lower>().transpose().solveInPlace<Eigen::OnTheRight>(lower);
        ws.update.resize(below, below);
        ws.update.triangularView<Eigen::Lower>().setZero();
        ws.update.selfadjointView<Eigen::Lower>().rankUpdate(lower);
    }
    const int* rows = st.rows.data() + st.row_start[s] + width;
    for (int b = 0; b < below; ++b) {
        const auto column = static_cast<std::size_t>(rows[b]);
        const auto t = static_cast<std::size_t>(st.supernode_of[column]);
        const int* local = st.local_rows(t, ws.local_row, ws.mapped);
        double* target = apart && in_top_[t]
                             ? top_updates_.data() + top_start_[t] + (st.column_start(rows[b]) - st.value_start[t])
                             : values_.data() + st.column_start(rows[b]);
        for (int a = b; a < below; ++a) target[local[rows[a]]] -= ws.update(a, b);
    }
    return true;
}

// A wide supernode's L_RJ = H_RJ L_JJ^-T by two halves of its rows, and
// the lower triangle of L_RJ L_RJ' by two halves of its columns: the first
// quarter or so as a product (with the few entries above the diagonal it
// does not need), the rest as a rank update of the trailing triangle,
// about equal flops. Independent, and split where the sizes alone say: the
// same numbers on one thread.
void EffectFactor::rows_below(const Eigen::Ref<Eigen::MatrixXd, 0, Eigen::OuterStride<>>& top,
                              Eigen::Ref<Eigen::MatrixXd, 0, Eigen::OuterStride<>> lower, Eigen::MatrixXd& update,
                              bool two_threads) {
    const Eigen::Index below = lower.rows();
    const auto l_jj_t = top.triangularView<Eigen::Lower>().transpose();
    const Eigen::Index rows = split_at(below, 0.5);
    run_halves(
        two_threads, [&] { l_jj_t.solveInPlace<Eigen::OnTheRight>(lower.topRows(rows)); },
        [&] { l_jj_t.solveInPlace<Eigen::OnTheRight>(lower.bottomRows(below - rows)); });
    // (columns [0, c): below c flops a column; [c, below): about
    // (below - c)^2 / 2 in all; equal at c = (2 - sqrt 3) below)
    const Eigen::Index c = split_at(below, 0.27);
    update.resize(below, below);
    run_halves(
        two_threads, [&] { update.leftCols(c).noalias() = lower * lower.topRows(c).transpose(); },
        [&] {
            auto tail = update.bottomRightCorner(below - c, below - c);
            tail.triangularView<Eigen::Lower>().setZero();
            tail.selfadjointView<Eigen::Lower>().rankUpdate(lower.bottomRows(below - c));
        });
}

// L y = P b forward and L' x = y backward, a supernode at a time: its rows
// below its columns are gathered from and scattered to the vector.
Eigen::VectorXd EffectFactor::solve(const Eigen::VectorXd& b) const {
    const Supernodes& st = structure_;
    const auto n = static_cast<Eigen::Index>(st.order.size());
    Eigen::VectorXd x(n), part;
    for (Eigen::Index k = 0; k < n; ++k) x[k] = b[st.order[static_cast<std::size_t>(k)]];
    for (std::size_t s = 0; s < st.count(); ++s) {
        const int width = st.width(s), height = st.height(s), below = height - width;
        const ConstBlock block(values_.data() + st.value_start[s], height, width);
        auto xj = x.segment(st.first[s], width);
        block.topRows(width).triangularView<Eigen::Lower>().solveInPlace(xj);
        if (below == 0) continue;
        part.noalias() = block.bottomRows(below) * xj;
        const int* rows = st.rows.data() + st.row_start[s] + width;
        for (int a = 0; a < below; ++a) x[rows[a]] -= part[a];
    }
    for (std::size_t s = st.count(); s-- > 0;) {
        const int width = st.width(s), height = st.height(s), below = height - width;
        const ConstBlock block(values_.data() + st.value_start[s], height, width);
        auto xj = x.segment(st.first[s], width);
        if (below > 0) {
            const int* rows = st.rows.data() + st.row_start[s] + width;
            part.resize(below);
            for (int a = 0; a < below; ++a) part[a] = x[rows[a]];
            xj.noalias() -= block.bottomRows(below).transpose() * part;
        }
        block.topRows(width).triangularView<Eigen::Lower>().transpose().solveInPlace(xj);
    }
    Eigen::VectorXd out(n);
    for (Eigen::Index k = 0; k < n; ++k) out[st.order[static_cast<std::size_t>(k)]] = x[k];
    return out;
}

// As the vector's, with the rows of X = P B contiguous (row-major): a
// supernode's rows below are gathered and scattered whole.
Eigen::MatrixXd EffectFactor::solve_columns(const Eigen::MatrixXd& b) const {
    using Rows = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const Supernodes& st = structure_;
    const auto n = static_cast<Eigen::Index>(st.order.size());
    Rows x(n, b.cols()), part;
    for (Eigen::Index k = 0; k < n; ++k) x.row(k) = b.row(st.order[static_cast<std::size_t>(k)]);
    for (std::size_t s = 0; s < st.count(); ++s) {
        const int width = st.width(s), height = st.height(s), below = height - width;
        const ConstBlock block(values_.data() + st.value_start[s], height, width);
        auto xj = x.middleRows(st.first[s], width);
        block.topRows(width).triangularView<Eigen::Lower>().solveInPlace(xj);
        if (below == 0) continue;
        part.noalias() = block.bottomRows(below) * xj;
        const int* rows = st.rows.data() + st.row_start[s] + width;
        for (int a = 0; a < below; ++a) x.row(rows[a]) -= part.row(a);
    }
    for (std::size_t s = st.count(); s-- > 0;) {
        const int width = st.width(s), height = st.height(s), below = height - width;
        const ConstBlock block(values_.data() + st.value_start[s], height, width);
        auto xj = x.middleRows(st.first[s], width);
        if (below > 0) {
            const int* rows = st.rows.data() + st.row_start[s] + width;
            part.resize(below, b.cols());
            for (int a = 0; a < below; ++a) part.row(a) = x.row(rows[a]);
            xj.noalias() -= block.bottomRows(below).transpose() * part;
        }
        block.topRows(width).triangularView<Eigen::Lower>().transpose().solveInPlace(xj);
    }
    Eigen::MatrixXd out(n, b.cols());
    for (Eigen::Index k = 0; k < n; ++k) out.row(st.order[static_cast<std::size_t>(k)]) = x.row(k);
    return out;
}

double EffectFactor::log_determinant() const {
    // det H = det L^2: the ordering's permutation has determinant +-1, squared away.
    const Supernodes& st = structure_;
    double sum = 0;
    for (std::size_t s = 0; s < st.count(); ++s) {
        const ConstBlock block(values_.data() + st.value_start[s], st.height(s), st.width(s));
        for (int j = 0; j < st.width(s); ++j) sum += std::log(block(j, j));
    }
    return 2 * sum;
}

}  // namespace mlec::rt

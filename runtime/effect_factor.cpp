#include "runtime/effect_factor.hpp"

#include <Eigen/Cholesky>
#include <cmath>

namespace mlec::rt {

namespace {

using Block = Eigen::Map<Eigen::MatrixXd>;
using ConstBlock = Eigen::Map<const Eigen::MatrixXd>;

}  // namespace

EffectFactor::EffectFactor(const EffectPattern& pattern, std::vector<double> prior)
    : structure_(analyze_supernodes(pattern)), prior_(std::move(prior)), values_(structure_.value_count),
      local_row_(structure_.order.size(), -1), inverse_(structure_) {
    // The pattern's columns are sorted by row: the diagonal comes first.
    for (std::size_t j = 0; j + 1 < pattern.col_start.size(); ++j)
        diagonal_.push_back(static_cast<std::size_t>(pattern.col_start[j]));
}

// Right-looking, by supernodes: with the columns J of supernode s and its
// rows R below them, once every earlier supernode has subtracted its part,
//     L_JJ = chol(H_JJ),   L_RJ = H_RJ L_JJ^-T,
// and s subtracts L_RJ L_RJ' from the later columns R (which hold every
// such row: the elimination tree puts R below r in r's own column). Dense
// kernels do the flops; only the scatter of L_RJ L_RJ' is indexed.
bool EffectFactor::factor(const std::vector<double>& zz, double shift) {
    const Supernodes& st = structure_;
    std::fill(values_.begin(), values_.end(), 0.0);
    for (std::size_t k = 0; k < zz.size(); ++k) values_[st.place[k]] = zz[k];
    for (std::size_t j = 0; j < diagonal_.size(); ++j) values_[st.place[diagonal_[j]]] += prior_[j] + shift;
    std::size_t mapped = st.count();  // the supernode local_row_ holds
    for (std::size_t s = 0; s < st.count(); ++s) {
        const int width = st.width(s), height = st.height(s), below = height - width;
        Block block(values_.data() + st.value_start[s], height, width);
        Eigen::Ref<Eigen::MatrixXd, 0, Eigen::OuterStride<>> top(block.topRows(width));
        // In place; a pivot <= 0 stops it. A NaN pivot passes that test,
        // so the diagonal is checked too.
        const Eigen::LLT<Eigen::Ref<Eigen::MatrixXd, 0, Eigen::OuterStride<>>> llt(top);
        if (llt.info() != Eigen::Success || !top.diagonal().allFinite()) return false;
        if (below == 0) continue;
        auto lower = block.bottomRows(below);
        top.triangularView<Eigen::Lower>().transpose().solveInPlace<Eigen::OnTheRight>(lower);
        update_.resize(below, below);
        update_.triangularView<Eigen::Lower>().setZero();
        update_.selfadjointView<Eigen::Lower>().rankUpdate(lower);
        const int* rows = st.rows.data() + st.row_start[s] + width;
        for (int b = 0; b < below; ++b) {
            const auto column = static_cast<std::size_t>(rows[b]);
            const auto t = static_cast<std::size_t>(st.supernode_of[column]);
            if (t != mapped) {
                st.map_rows(t, local_row_);
                mapped = t;
            }
            double* target = values_.data() + st.column_start(rows[b]);
            for (int a = b; a < below; ++a) target[local_row_[static_cast<std::size_t>(rows[a])]] -= update_(a, b);
        }
    }
    return true;
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

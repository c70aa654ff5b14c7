#include "runtime/selected_inverse.hpp"

#include <algorithm>

#include "runtime/two_halves.hpp"

namespace mlec::rt {

SelectedInverse::SelectedInverse(const Supernodes& structure, const TreeHalves& split)
    : structure_(structure), split_(split) {
    for (Workspace& ws : workspace_) ws.mapped = structure.count();
    for (std::size_t s = 0; s < structure.count(); ++s) {
        const double w = structure.width(s), below = structure.height(s) - structure.width(s);
        wide_.push_back(w * w * w + 2 * below * w * w + below * below * w >= wide_supernode && w >= 16);
    }
}

// With H = L L' (after the ordering), Z = H^-1 satisfies Z L = L^-T, upper
// triangular. Take a supernode, its columns J and its rows R below them:
// L's block there is [L_JJ; L_RJ], L_JJ lower triangular. The columns J of
// Z L = L^-T read, in the rows R (where L^-T is 0) and in the rows J
// (where it is L_JJ^-T),
//     Z_RJ = -Z_RR L_RJ L_JJ^-1 = -Z_RR W,                  W = L_RJ L_JJ^-1
//     Z_JJ = L_JJ^-T L_JJ^-1 - Z_RJ' L_RJ L_JJ^-1 = L_JJ^-T L_JJ^-1 - W' Z_RJ.
// Z_RR is needed only on L's pattern: for rows r <= r' of R, r' is in the
// pattern of L's column r (the elimination tree: a column's rows below r
// are in r's column), in r's supernode's rows. Every row of R is a later
// column, so from the last supernode to the first, Z_RR is known: gathered,
// then three dense products (Lin et al. 2011, SelInv), the cost and the
// form of the factorization. Every entry of the supernode's block is
// written.
void SelectedInverse::supernode(std::size_t s, const std::vector<double>& l, Workspace& ws, bool two_threads) {
    const Supernodes& st = structure_;
    const int width = st.width(s), height = st.height(s), below = height - width;
    const Eigen::Map<const Eigen::MatrixXd> block(l.data() + st.value_start[s], height, width);
    Eigen::Map<Eigen::MatrixXd> z(z_.data() + st.value_start[s], height, width);
    if (wide_[s]) return wide(s, block, z, ws, two_threads);
    ws.inverse.setIdentity(width, width);
    block.topRows(width).triangularView<Eigen::Lower>().solveInPlace(ws.inverse);
    z.topRows(width).noalias() = ws.inverse.transpose().triangularView<Eigen::Upper>() * ws.inverse;
    if (below == 0) return;
    gather(s, ws);
    ws.w.noalias() = block.bottomRows(below) * ws.inverse.triangularView<Eigen::Lower>();
    ws.z_rj.noalias() = ws.z_rr.selfadjointView<Eigen::Lower>() * ws.w;  // -Z_RJ
    z.bottomRows(below) = -ws.z_rj;
    z.topRows(width).noalias() += ws.w.transpose() * ws.z_rj;
}

// Z_RR's lower triangle, gathered from the later supernodes' blocks.
void SelectedInverse::gather(std::size_t s, Workspace& ws) {
    const Supernodes& st = structure_;
    const int width = st.width(s), below = st.height(s) - width;
    const int* rows = st.rows.data() + st.row_start[s] + width;  // R
    ws.z_rr.resize(below, below);
    for (int b = 0; b < below; ++b) {
        const auto column = static_cast<std::size_t>(rows[b]);
        const auto t = static_cast<std::size_t>(st.supernode_of[column]);
        const int* local = st.local_rows(t, ws.local_row, ws.mapped);
        const double* z_column = z_.data() + st.column_start(rows[b]);
        for (int a = b; a < below; ++a) ws.z_rr(a, b) = z_column[local[rows[a]]];
    }
}

// The same products for a wide supernode, each split in two halves of the
// columns (of L_JJ^-1, W and Z_RJ) or rows (of W), the halves at once on
// two threads: independent, and at a split fixed by the sizes, so the same
// numbers on one thread.
void SelectedInverse::wide(std::size_t s, const Eigen::Map<const Eigen::MatrixXd>& block,
                           Eigen::Map<Eigen::MatrixXd>& z, Workspace& ws, bool two_threads) {
    const Eigen::Index width = structure_.width(s), below = structure_.height(s) - width;
    const Eigen::Index h = split_at(width, 0.5), rest = width - h;
    const auto l_jj = block.topRows(width).triangularView<Eigen::Lower>();
    ws.inverse.setIdentity(width, width);
    run_halves(
        two_threads, [&] { l_jj.solveInPlace(ws.inverse.leftCols(h)); },
        [&] { l_jj.solveInPlace(ws.inverse.rightCols(rest)); });
    const auto inverse_t = ws.inverse.transpose().triangularView<Eigen::Upper>();
    run_halves(
        two_threads, [&] { z.topLeftCorner(width, h).noalias() = inverse_t * ws.inverse.leftCols(h); },
        [&] { z.topRightCorner(width, rest).noalias() = inverse_t * ws.inverse.rightCols(rest); });
    if (below == 0) return;
    gather(s, ws);
    const Eigen::Index hb = split_at(below, 0.5);
    const auto inverse = ws.inverse.triangularView<Eigen::Lower>();
    ws.w.resize(below, width);
    run_halves(
        two_threads, [&] { ws.w.topRows(hb).noalias() = block.bottomRows(below).topRows(hb) * inverse; },
        [&] { ws.w.bottomRows(below - hb).noalias() = block.bottomRows(below - hb) * inverse; });
    ws.z_rj.resize(below, width);
    const auto z_rr = ws.z_rr.selfadjointView<Eigen::Lower>();
    const auto columns = [&](Eigen::Index first, Eigen::Index count) {
        ws.z_rj.middleCols(first, count).noalias() = z_rr * ws.w.middleCols(first, count);  // -Z_RJ
        z.bottomRows(below).middleCols(first, count) = -ws.z_rj.middleCols(first, count);
        z.topRows(width).middleCols(first, count).noalias() += ws.w.transpose() * ws.z_rj.middleCols(first, count);
    };
    run_halves(
        two_threads, [&] { columns(0, h); }, [&] { columns(h, rest); });
}

std::vector<double> SelectedInverse::compute(const std::vector<double>& l, bool two_threads) {
    begin(l, two_threads);
    // (no thread started for a tree that does not split: its halves are empty)
    run_halves(
        two_threads && split_.splits(), [&] { half(0, l); }, [&] { half(1, l); });
    return result();
}

// (parents before children: the top and each half from its last)
void SelectedInverse::begin(const std::vector<double>& l, bool two_threads) {
    z_.resize(structure_.value_count);
    for (Workspace& ws : workspace_) ws.local_row.resize(structure_.order.size(), -1);
    for (auto s = split_.top.rbegin(); s != split_.top.rend(); ++s) supernode(*s, l, workspace_[0], two_threads);
}

void SelectedInverse::half(int h, const std::vector<double>& l) {
    const std::vector<std::size_t>& part = split_.halves[h];
    for (auto s = part.rbegin(); s != part.rend(); ++s) supernode(*s, l, workspace_[h], false);
}

std::vector<double> SelectedInverse::result() const {
    std::vector<double> out(structure_.place.size());
    for (std::size_t k = 0; k < out.size(); ++k) out[k] = z_[structure_.place[k]];
    return out;
}

}  // namespace mlec::rt

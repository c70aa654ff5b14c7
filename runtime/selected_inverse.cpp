#include "runtime/selected_inverse.hpp"

namespace mlec::rt {

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
// form of the factorization.
std::vector<double> SelectedInverse::compute(const std::vector<double>& l) {
    const Supernodes& st = structure_;
    z_.assign(st.value_count, 0.0);
    local_row_.assign(st.order.size(), -1);
    std::size_t mapped = st.count();  // the supernode local_row_ holds
    for (std::size_t s = st.count(); s-- > 0;) {
        const int width = st.width(s), height = st.height(s), below = height - width;
        const Eigen::Map<const Eigen::MatrixXd> block(l.data() + st.value_start[s], height, width);
        Eigen::Map<Eigen::MatrixXd> z(z_.data() + st.value_start[s], height, width);
        inverse_.setIdentity(width, width);
        block.topRows(width).triangularView<Eigen::Lower>().solveInPlace(inverse_);
        z.topRows(width).noalias() = inverse_.transpose().triangularView<Eigen::Upper>() * inverse_;
        if (below == 0) continue;
        const int* rows = st.rows.data() + st.row_start[s] + width;  // R
        z_rr_.resize(below, below);                                  // its lower triangle
        for (int b = 0; b < below; ++b) {
            const auto column = static_cast<std::size_t>(rows[b]);
            const auto t = static_cast<std::size_t>(st.supernode_of[column]);
            if (t != mapped) {
                st.map_rows(t, local_row_);
                mapped = t;
            }
            const double* z_column = z_.data() + st.column_start(rows[b]);
            for (int a = b; a < below; ++a) z_rr_(a, b) = z_column[local_row_[static_cast<std::size_t>(rows[a])]];
        }
        w_.noalias() = block.bottomRows(below) * inverse_.triangularView<Eigen::Lower>();
        z_rj_.noalias() = z_rr_.selfadjointView<Eigen::Lower>() * w_;  // -Z_RJ
        z.bottomRows(below) = -z_rj_;
        z.topRows(width).noalias() += w_.transpose() * z_rj_;
    }
    std::vector<double> out(st.place.size());
    for (std::size_t k = 0; k < out.size(); ++k) out[k] = z_[st.place[k]];
    return out;
}

}  // namespace mlec::rt

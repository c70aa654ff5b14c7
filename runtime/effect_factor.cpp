#include "runtime/effect_factor.hpp"

#include <algorithm>
#include <cmath>

namespace mlec::rt {

EffectFactor::EffectFactor(const EffectPattern& pattern) {
    const auto q = static_cast<Eigen::Index>(pattern.col_start.size()) - 1;
    std::vector<Eigen::Triplet<double>> entries;
    entries.reserve(pattern.row.size());
    for (Eigen::Index j = 0; j < q; ++j) {
        const auto begin = static_cast<std::size_t>(pattern.col_start[static_cast<std::size_t>(j)]);
        const auto end = static_cast<std::size_t>(pattern.col_start[static_cast<std::size_t>(j) + 1]);
        for (std::size_t k = begin; k < end; ++k) entries.emplace_back(pattern.row[k], j, 1.0);
    }
    h_.resize(q, q);
    h_.setFromTriplets(entries.begin(), entries.end());
    h_.makeCompressed();
    // setFromTriplets sorts each column by row, as the pattern is: h_'s
    // values are in the pattern's order, the diagonal first in a column.
    diagonal_.resize(static_cast<std::size_t>(q));
    for (Eigen::Index j = 0; j < q; ++j) diagonal_[static_cast<std::size_t>(j)] = h_.outerIndexPtr()[j];
    llt_.analyzePattern(h_);
}

bool EffectFactor::factor(const std::vector<double>& zz, double shift) {
    double* values = h_.valuePtr();
    std::copy(zz.begin(), zz.end(), values);
    for (int d : diagonal_) values[d] += 1.0 + shift;
    llt_.factorize(h_);
    return llt_.info() == Eigen::Success;
}

double EffectFactor::log_determinant() const {
    // det H = det L^2: the ordering's permutation has determinant +-1, squared away.
    const auto& l = llt_.matrixL();
    double sum = 0;
    const Eigen::Index q = h_.rows();
    for (Eigen::Index j = 0; j < q; ++j) sum += std::log(l.nestedExpression().coeff(j, j));
    return 2 * sum;
}

// With H = L L' (after the ordering), Z = H^-1 satisfies Z L = L^-T, upper
// triangular with diagonal 1/L_jj, so for column j, from the last to the
// first, with S_j the rows below the diagonal in L's column j:
//     Z_ij = -(1/L_jj) sum_{k in S_j} L_kj Z_ik        (i in S_j)
//     Z_jj = 1/L_jj^2 - (1/L_jj) sum_{k in S_j} L_kj Z_kj
// Every Z_ik needed has i, k in S_j, which the elimination tree puts on L's
// pattern (i, k > j, already computed): for k < i it is in column k. So
// each k of S_j walks its own column once, meeting the rows of S_j through
// a scatter map, and adds both its terms (Z_ik to row i's sum and to k's):
// the cost of a factorization, with no search.
std::vector<double> EffectFactor::selected_inverse() const {
    const auto& l = llt_.matrixL().nestedExpression();
    const Eigen::Index q = l.cols();
    const int* start = l.outerIndexPtr();
    const int* row = l.innerIndexPtr();
    const double* value = l.valuePtr();
    std::vector<double> z(static_cast<std::size_t>(l.nonZeros()), 0.0);
    std::vector<int> where(static_cast<std::size_t>(q), -1);  // a row of S_j: its entry in column j
    std::vector<double> sum(static_cast<std::size_t>(l.nonZeros()), 0.0);
    for (Eigen::Index j = q; j-- > 0;) {
        const int diag = start[j];
        const int end = start[j + 1];
        const double ljj = value[diag];
        for (int a = diag + 1; a < end; ++a) {
            where[static_cast<std::size_t>(row[a])] = a;
            sum[static_cast<std::size_t>(a)] = 0;
        }
        for (int b = diag + 1; b < end; ++b) {
            const int k = row[b];
            const double lkj = value[b];
            sum[static_cast<std::size_t>(b)] += lkj * z[static_cast<std::size_t>(start[k])];
            for (int c = start[k] + 1; c < start[k + 1]; ++c) {
                const int a = where[static_cast<std::size_t>(row[c])];
                if (a < 0) continue;
                const double zc = z[static_cast<std::size_t>(c)];  // Z(row[c], k), row[c] > k
                sum[static_cast<std::size_t>(a)] += lkj * zc;
                sum[static_cast<std::size_t>(b)] += value[a] * zc;
            }
        }
        double diagonal = 0;
        for (int a = diag + 1; a < end; ++a) {
            z[static_cast<std::size_t>(a)] = -sum[static_cast<std::size_t>(a)] / ljj;
            diagonal += value[a] * z[static_cast<std::size_t>(a)];
            where[static_cast<std::size_t>(row[a])] = -1;
        }
        z[static_cast<std::size_t>(diag)] = 1 / (ljj * ljj) - diagonal / ljj;
    }
    // Z at (i, k) of L's pattern, either triangle: its position.
    const auto at = [&](int i, int k) {
        const int col = std::min(i, k), r = std::max(i, k);
        if (r == col) return start[col];
        const int* it = std::lower_bound(row + start[col] + 1, row + start[col + 1], r);
        return static_cast<int>(it - row);
    };
    // H's entry (i, j) is the factored matrix's (perm[i], perm[j]).
    const auto& perm = llt_.permutationP().indices();
    std::vector<double> out(static_cast<std::size_t>(h_.nonZeros()));
    for (Eigen::Index j = 0; j < q; ++j)
        for (int k = h_.outerIndexPtr()[j]; k < h_.outerIndexPtr()[j + 1]; ++k)
            out[static_cast<std::size_t>(k)] = z[static_cast<std::size_t>(at(perm[h_.innerIndexPtr()[k]], perm[j]))];
    return out;
}

}  // namespace mlec::rt

#include "inference/effect_factor.hpp"

#include <cmath>

namespace mlec::inference {

EffectFactor::EffectFactor(const rt::EffectPattern& pattern) {
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

}  // namespace mlec::inference

#include "inference/separation.hpp"

#include <cmath>

namespace mlec::inference {

namespace {

// x_i'd for every row, each row by the same loop in the same order: a
// matrix-vector product treats a row by its place in the product's
// kernels, and a row on another rank of a distributed fit could then
// differ in the last bit.
Eigen::VectorXd row_products(const Eigen::MatrixXd& X, const Eigen::VectorXd& d) {
    Eigen::VectorXd s = Eigen::VectorXd::Zero(X.rows());
    for (Eigen::Index j = 0; j < X.cols(); ++j) {
        const double dj = d[j];
        const double* x = X.col(j).data();
        for (Eigen::Index i = 0; i < X.rows(); ++i) s[i] += x[i] * dj;
    }
    return s;
}

}  // namespace

double separation_scale(const Eigen::MatrixXd& X, const Eigen::VectorXd& d) {
    if (X.rows() == 0 || X.cols() != d.size()) return 0;
    return row_products(X, d).cwiseAbs().maxCoeff();
}

SeparationCheck classify_separation(const Eigen::MatrixXd& X, std::span<const double> y, const Eigen::VectorXd& d) {
    return classify_separation(X, y, d, separation_scale(X, d));
}

SeparationCheck classify_separation(const Eigen::MatrixXd& X, std::span<const double> y, const Eigen::VectorXd& d,
                                    double scale) {
    SeparationCheck out;
    if (X.rows() == 0 || X.cols() != d.size() || static_cast<std::size_t>(X.rows()) != y.size()) return out;
    if (!(scale > 0) || !std::isfinite(scale)) return out;
    const Eigen::VectorXd s = row_products(X, d);
    const double zero = 1e-6 * scale;
    for (Eigen::Index i = 0; i < s.rows(); ++i) {
        const bool success = y[static_cast<std::size_t>(i)] > 0.5;
        if (success ? s[i] < -zero : s[i] > zero) {  // a row the direction gets wrong
            out.contradicted = true;
            out.decided_rows.clear();
            return out;
        }
        if (std::abs(s[i]) > zero) out.decided_rows.push_back(static_cast<std::size_t>(i));
    }
    out.separated = !out.decided_rows.empty();
    out.complete = out.decided_rows.size() == y.size();
    out.decided_total = out.decided_rows.size();
    return out;
}

}  // namespace mlec::inference

#include "optim/scaled_hessian.hpp"

#include <Eigen/Eigenvalues>
#include <cmath>
#include <limits>

namespace mlec::optim {

double ScaledHessian::largest() const { return eigenvalues.size() == 0 ? 0.0 : eigenvalues.cwiseAbs().maxCoeff(); }

bool ScaledHessian::flat(Eigen::Index j) const {
    const double l = largest();
    return eigenvalues[j] <= flat_eigenvalue * l && eigenvalues[j] >= -near_flat * l;
}

bool ScaledHessian::positive_definite() const {
    if (!valid) return false;
    if (eigenvalues.size() == 0) return true;
    return eigenvalues[0] > flat_eigenvalue * largest();
}

bool ScaledHessian::negative_curvature() const {
    return valid && eigenvalues.size() > 0 && eigenvalues[0] < -flat_eigenvalue * largest();
}

bool ScaledHessian::clearly_negative() const {
    return valid && eigenvalues.size() > 0 && eigenvalues[0] < -near_flat * largest();
}

double ScaledHessian::condition() const {
    if (!positive_definite() || eigenvalues.size() == 0) return 1;
    return eigenvalues[eigenvalues.size() - 1] / eigenvalues[0];
}

double ScaledHessian::newton_decrement(const Eigen::VectorXd& gradient) const {
    if (!valid) return std::numeric_limits<double>::infinity();
    const Eigen::VectorXd c = eigenvectors.transpose() * (gradient.array() / scale.array()).matrix();
    double sum = 0;
    for (Eigen::Index j = 0; j < c.size(); ++j) sum += c[j] * c[j] / (flat(j) ? 1.0 : std::abs(eigenvalues[j]));
    return sum;
}

Eigen::MatrixXd ScaledHessian::inverse() const {
    const Eigen::MatrixXd b_inverse = eigenvectors * eigenvalues.cwiseInverse().asDiagonal() * eigenvectors.transpose();
    const Eigen::VectorXd s = scale.cwiseInverse();
    return s.asDiagonal() * b_inverse * s.asDiagonal();
}

Eigen::VectorXd ScaledHessian::raw_direction(Eigen::Index j) const {
    return (eigenvectors.col(j).array() / scale.array()).matrix();
}

Eigen::VectorXd curvature_scale(const Eigen::MatrixXd& hessian, const Eigen::VectorXd& fallback) {
    const Eigen::Index n = hessian.rows();
    Eigen::VectorXd d = Eigen::VectorXd::Zero(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        const double c = std::sqrt(std::abs(hessian(i, i)));
        if (c > 0 && std::isfinite(c)) d[i] = c;
    }
    // Without curvature of its own, a coordinate coupled to others still
    // has a scale: |H_ij| = d_i d_j for coordinates in step (b1 and b2 at
    // b1 = b2 = 0 in b1 * (1 - exp(-b2 * x)), where only their product
    // moves the model). Against a coordinate of known scale d_i =
    // |H_ij| / d_j; between two without, the product's square root.
    for (Eigen::Index i = 0; i < n; ++i) {
        if (d[i] > 0) continue;
        double known = 0, unknown = 0;
        for (Eigen::Index j = 0; j < n; ++j) {
            const double h = std::abs(hessian(i, j));
            if (j == i || !(h > 0) || !std::isfinite(h)) continue;
            if (d[j] > 0) known = std::max(known, h / d[j]);
            else unknown = std::max(unknown, std::sqrt(h));
        }
        d[i] = known > 0 ? known : unknown;
    }
    for (Eigen::Index i = 0; i < n; ++i)
        if (!(d[i] > 0) || !std::isfinite(d[i])) d[i] = fallback[i];
    return d;
}

Eigen::VectorXd size_scale(const Eigen::VectorXd& x) {
    Eigen::VectorXd d(x.size());
    for (Eigen::Index i = 0; i < x.size(); ++i) d[i] = x[i] != 0 && std::isfinite(x[i]) ? 1 / std::abs(x[i]) : 1.0;
    return d;
}

ScaledHessian scale_hessian(const Eigen::MatrixXd& hessian, const Eigen::VectorXd& scale) {
    ScaledHessian s;
    s.scale = scale;
    const Eigen::Index n = hessian.rows();
    if (n == 0) {
        s.valid = true;
        return s;
    }
    if (!hessian.allFinite() || !scale.allFinite() || !(scale.array() > 0).all()) return s;
    const Eigen::VectorXd inv = scale.cwiseInverse();
    const Eigen::MatrixXd b = inv.asDiagonal() * hessian * inv.asDiagonal();
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(b);
    if (eigen.info() != Eigen::Success) return s;
    s.eigenvalues = eigen.eigenvalues();
    s.eigenvectors = eigen.eigenvectors();
    s.valid = true;
    return s;
}

}  // namespace mlec::optim

#include "optim/trust_region.hpp"

#include <algorithm>
#include <cmath>

namespace mlec::optim {

namespace {

// In the eigenbasis the model separates: component j of p(mu) is
// -c_j / (lambda_j + mu). Components with c_j = 0 contribute nothing (also
// where lambda_j + mu = 0: the minimum-norm choice).
Eigen::VectorXd step_at(const Eigen::VectorXd& lambda, const Eigen::VectorXd& c, double mu) {
    Eigen::VectorXd p(c.size());
    for (Eigen::Index j = 0; j < c.size(); ++j) p[j] = c[j] == 0 ? 0.0 : -c[j] / (lambda[j] + mu);
    return p;
}

double predicted(const Eigen::VectorXd& lambda, const Eigen::VectorXd& c, const Eigen::VectorXd& p) {
    return -(c.dot(p) + 0.5 * (lambda.array() * p.array().square()).sum());
}

// mu > mu_low with ||p(mu)|| = radius: Newton's method on
// phi(mu) = 1/||p(mu)|| - 1/radius, which is concave and increasing, so from
// a point right of the root one step lands left of it and the iterates then
// rise to the root monotonically (Moré & Sorensen, 1983). Bisection keeps
// them inside (mu_low, mu_high] when rounding interferes.
double boundary_multiplier(const Eigen::VectorXd& lambda, const Eigen::VectorXd& c, double radius, double mu_low) {
    double lo = mu_low;
    double hi = mu_low + c.norm() / radius;  // there every |lambda_j + mu| >= |c| / radius
    double mu = hi;
    for (int i = 0; i < 200; ++i) {
        double norm2 = 0, cubes = 0;
        for (Eigen::Index j = 0; j < c.size(); ++j) {
            if (c[j] == 0) continue;
            const double d = lambda[j] + mu;
            norm2 += c[j] * c[j] / (d * d);
            cubes += c[j] * c[j] / (d * d * d);
        }
        const double norm = std::sqrt(norm2);
        if (std::abs(norm - radius) <= 1e-12 * radius) return mu;
        (norm > radius ? lo : hi) = mu;
        // phi / phi' with phi' = cubes / norm^3.
        const double next = mu - (1 / norm - 1 / radius) * norm2 * norm / cubes;
        mu = next > lo && next < hi && std::isfinite(next) ? next : 0.5 * (lo + hi);
        if (hi - lo <= 1e-15 * std::max(1.0, std::abs(hi))) return hi;
    }
    return hi;
}

}  // namespace

TrustRegionStep solve_trust_region(const Eigen::VectorXd& eigenvalues, const Eigen::MatrixXd& eigenvectors,
                                   const Eigen::VectorXd& gradient, double radius) {
    TrustRegionStep out;
    const Eigen::Index n = eigenvalues.size();
    out.p = Eigen::VectorXd::Zero(n);
    if (n == 0 || !(radius > 0)) return out;
    const Eigen::VectorXd c = eigenvectors.transpose() * gradient;
    const double smallest = eigenvalues[0];
    const double largest = eigenvalues.cwiseAbs().maxCoeff();
    // Eigenvalues tied with the smallest (to rounding): the hard case's space.
    const double tie = 1e-12 * std::max(largest, 1e-300);
    Eigen::VectorXd p_hat;

    // Positive semidefinite: the minimum-norm minimizer of the model, if it
    // is inside (on a flat direction with no gradient it does not move).
    if (smallest >= 0) {
        p_hat = step_at(eigenvalues, c, 0.0);
        if (p_hat.allFinite() && p_hat.norm() <= radius) {
            out.p = eigenvectors * p_hat;
            out.predicted_decrease = predicted(eigenvalues, c, p_hat);
            return out;
        }
    }
    const double mu_low = std::max(0.0, -smallest);
    // The hard case: c has (next to) no component along the smallest
    // eigenvalue's eigenvectors, and even at mu = mu_low the rest of the step
    // is inside. The multiplier is then mu_low itself, or so close to it
    // (the pole of the secular equation) that the root cannot be resolved
    // in floating point: complete the step to the boundary along the first
    // of those eigenvectors, on the side that lowers the model.
    if (smallest < 0) {
        double c_tied = 0;
        Eigen::VectorXd c_rest = c;
        for (Eigen::Index j = 0; j < n && eigenvalues[j] <= smallest + tie; ++j) {
            c_tied += c[j] * c[j];
            c_rest[j] = 0;
        }
        p_hat = step_at(eigenvalues, c_rest, mu_low);
        const double inside = p_hat.squaredNorm();
        const double gap = inside < radius * radius ? std::sqrt(c_tied / (radius * radius - inside)) : 0;
        if (inside < radius * radius && gap <= 1e-10 * std::max(1.0, mu_low)) {
            p_hat[0] = (c[0] > 0 ? -1 : 1) * std::sqrt(radius * radius - inside);
            out.p = eigenvectors * p_hat;
            out.predicted_decrease = predicted(eigenvalues, c, p_hat);
            out.on_boundary = true;
            return out;
        }
    }
    p_hat = step_at(eigenvalues, c, boundary_multiplier(eigenvalues, c, radius, mu_low));
    // Rounding can leave the norm a hair off the radius: put it on it.
    const double norm = p_hat.norm();
    if (norm > 0) p_hat *= radius / norm;
    out.p = eigenvectors * p_hat;
    out.predicted_decrease = predicted(eigenvalues, c, p_hat);
    out.on_boundary = true;
    return out;
}

}  // namespace mlec::optim

#include "runtime/inference.hpp"

#include <Eigen/Eigenvalues>
#include <cmath>
#include <vector>

namespace mlec::rt {

Curvature analyze_hessian(const Eigen::MatrixXd& hessian) {
    Curvature c;
    const Eigen::Index n = hessian.rows();
    if (n == 0) {
        c.positive_definite = true;
        return c;
    }
    if (!hessian.allFinite()) return c;
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(hessian);
    if (eig.info() != Eigen::Success) return c;
    c.eigenvalues = eig.eigenvalues();
    c.eigenvectors = eig.eigenvectors();
    const double largest = c.eigenvalues.cwiseAbs().maxCoeff();
    const double smallest = c.eigenvalues.minCoeff();
    c.positive_definite = smallest > 0 && smallest > 1e-12 * largest;
    if (c.positive_definite) {
        c.condition = c.eigenvalues.maxCoeff() / smallest;
        c.covariance = c.eigenvectors * c.eigenvalues.cwiseInverse().asDiagonal() * c.eigenvectors.transpose();
    }
    return c;
}

namespace {

std::optional<Divergence> probe(Objective& f, const Eigen::VectorXd& x, double fx, const Eigen::VectorXd& d) {
    const double slack = 1e-13 * std::max(1.0, std::abs(fx));
    std::vector<double> values;
    double previous = fx;
    for (int k = 0; k <= 5; ++k) {
        const double t = std::ldexp(1.0, k);
        const double v = f.value(x + t * d);
        if (!std::isfinite(v) || !(v < previous)) return std::nullopt;
        values.push_back(v);
        previous = v;
    }
    if (!(fx - values.back() > slack)) return std::nullopt;
    Divergence div;
    div.direction = d;
    div.limit = values.back();
    // Converging to a limit: each doubling of t gains far less than the
    // first did. Otherwise the decrease goes on without bound.
    const double first_gain = fx - values[0];
    const double last_gain = values[4] - values[5];
    // (A decrease that is tiny next to |f| is a limit being approached
    // slowly, not an unbounded one.)
    div.unbounded = last_gain > 0.5 * first_gain && fx - values.back() > 1e-3 * std::max(1.0, std::abs(fx));
    return div;
}

}  // namespace

std::optional<Divergence> find_divergence(Objective& f, const Eigen::VectorXd& x, const Eigen::VectorXd& start,
                                          const Curvature& curvature) {
    const double fx = f.value(x);
    if (!std::isfinite(fx)) return std::nullopt;
    std::vector<Eigen::VectorXd> candidates;
    const Eigen::VectorXd drift = x - start;
    if (drift.norm() > 0) candidates.push_back(drift.normalized());
    // Single parameters running off alone (a rate to 0, sigma to 0): cheap
    // to try while there are few parameters.
    if (x.size() <= 50) {
        for (Eigen::Index i = 0; i < x.size(); ++i) {
            candidates.push_back(Eigen::VectorXd::Unit(x.size(), i));
            candidates.push_back(-Eigen::VectorXd::Unit(x.size(), i));
        }
    }
    if (curvature.eigenvalues.size() == x.size()) {
        const double largest = std::max(1.0, curvature.eigenvalues.cwiseAbs().maxCoeff());
        for (Eigen::Index i = 0; i < curvature.eigenvalues.size(); ++i) {
            if (curvature.eigenvalues[i] > 1e-8 * largest) continue;
            candidates.push_back(curvature.eigenvectors.col(i));
            candidates.push_back(-curvature.eigenvectors.col(i));
        }
    }
    for (const Eigen::VectorXd& d : candidates)
        if (auto div = probe(f, x, fx, d)) return div;
    return std::nullopt;
}

}  // namespace mlec::rt

// What the curvature at the optimum says: covariance of the estimates,
// conditioning, and whether the "optimum" is really a point the likelihood
// only approaches at infinity (separation, a perfect fit).
#pragma once

#include <Eigen/Core>
#include <optional>

#include "runtime/objective.hpp"

namespace mlec::rt {

struct Curvature {
    Eigen::VectorXd eigenvalues;   // ascending
    Eigen::MatrixXd eigenvectors;  // columns, matching eigenvalues
    bool positive_definite = false;
    std::optional<double> condition;  // largest / smallest eigenvalue when positive definite
    Eigen::MatrixXd covariance;       // inverse Hessian, when positive definite
};

// Positive definite means every eigenvalue exceeds 1e-12 times the largest
// in magnitude (below that the inverse is numerically meaningless).
Curvature analyze_hessian(const Eigen::MatrixXd& hessian);

struct Divergence {
    Eigen::VectorXd direction;  // unit vector along which f keeps decreasing
    double limit = 0;           // f far along the direction (its infimum, when bounded)
    bool unbounded = false;     // f decreases without bound (-> -infinity)
};

// Probes rays from x: the drift direction x - start, each coordinate (up to
// 50 parameters), and the eigenvectors of near-zero (or negative) curvature,
// both ways, at x + t*d for t = 1, 2, 4, ..., 32. A ray diverges when f
// falls at the first step, never rises after, falls by more than rounding
// in all, and either its gains die out (a limit at infinity: separation, a
// rate to 0) or it keeps falling by a real amount (unbounded: sigma to 0).
// Past the representable range (|x| > 300 on the optimizer's scale) it
// looks back along the drift instead.
std::optional<Divergence> find_divergence(Objective& f, const Eigen::VectorXd& x, const Eigen::VectorXd& start,
                                          const Curvature& curvature);

}  // namespace mlec::rt

// The Hessian seen in units that do not depend on how the parameters are
// written. Every decision the optimizer and the diagnostics make from
// curvature (how far to step, whether the fit has converged, whether a
// direction is flat, how ill-conditioned the problem is) is made on
//
//     B = S H S,   S = diag(1 / d_i),   d_i = sqrt(|H_ii|)
//
// (Jacobi equilibration). Rescaling a parameter, b -> b / c, or the data
// column it multiplies, x -> c x, multiplies H_ii by c^2 and leaves B, its
// eigenvalues and the Newton decrement g' H^-1 g unchanged; the raw
// eigenvalues, the raw condition number and raw step lengths change with
// the units (a Poisson regression with income in dollars had a raw
// condition number of 1e11 and an equilibrated one of 30).
//
// A scaled unit along coordinate i, 1 / d_i on the raw scale, is about one
// standard error when the estimates are uncorrelated.
#pragma once

#include <Eigen/Core>

namespace mlec::optim {

// An eigenvalue of B at most this fraction of B's largest in magnitude is
// zero at working precision: the Hessian is computed exactly up to rounding
// (about 1e-16 relative per entry), and B's eigenvalues are accurate to a
// small multiple of that times the largest. Along such a direction the data
// do not determine the parameters (a flat direction), and a negative one
// smaller than this is not evidence of a saddle.
inline constexpr double flat_eigenvalue = 1e-12;

// A negative eigenvalue smaller in magnitude than this fraction of the
// largest is, at a point where no step lowers f, the rounding of a flat
// direction seen through what is left of the gradient (y ~ normal(a*b, s):
// the curve a*b = const bends, and the remaining gradient gives it a
// curvature of its size), not a saddle: it counts as flat.
inline constexpr double near_flat = 1e-6;

// Above this condition number of B the standard errors, computed from B's
// inverse, may have lost more than a few digits to rounding (about
// 1e-16 x condition): reported, not withheld.
inline constexpr double ill_conditioned = 1e10;

struct ScaledHessian {
    Eigen::VectorXd scale;         // d_i: scaled coordinate = d_i * raw coordinate
    Eigen::VectorXd eigenvalues;   // of B, ascending
    Eigen::MatrixXd eigenvectors;  // columns, matching eigenvalues
    bool valid = false;            // H finite and its eigendecomposition succeeded

    int dimension() const { return static_cast<int>(scale.size()); }
    double largest() const;  // max |eigenvalue| (0 for an empty or zero B)
    // Every eigenvalue above flat_eigenvalue x largest: a strict minimum.
    bool positive_definite() const;
    // An eigenvalue below -flat_eigenvalue x largest: a direction the
    // optimizer must try to descend along.
    bool negative_curvature() const;
    // An eigenvalue below -near_flat x largest: not a minimum, even where
    // no step lowers f.
    bool clearly_negative() const;
    // Largest / smallest eigenvalue when positive definite.
    double condition() const;
    // Eigenvalue j is zero at working precision: within flat_eigenvalue x
    // largest above 0, or within near_flat x largest below.
    bool flat(Eigen::Index j) const;

    // The Newton decrement g' H^-1 g: twice the decrease the quadratic model
    // promises, and the squared distance to its minimum in standard errors.
    // Flat directions count their gradient component as if their curvature
    // were 1 (a unit of scale); negative curvature as its magnitude.
    double newton_decrement(const Eigen::VectorXd& gradient) const;

    // H^-1 on the raw scale (S B^-1 S); only when positive definite.
    Eigen::MatrixXd inverse() const;
    // Eigenvector j of B mapped to the raw scale (S v_j).
    Eigen::VectorXd raw_direction(Eigen::Index j) const;
};

// d_i = sqrt(|H_ii|). A coordinate whose own curvature is zero or not
// finite (b1 at b1 = b2 = 0 in b1 * (1 - exp(-b2 * x))) takes its scale
// from its coupling to the others (|H_ij| = d_i d_j), and failing that
// fallback[i]: the caller's last known scale for it.
Eigen::VectorXd curvature_scale(const Eigen::MatrixXd& hessian, const Eigen::VectorXd& fallback);

// A fallback for a point with no curvature history: 1 / |x_i| (a unit is
// the parameter's own size), or 1 for x_i = 0.
Eigen::VectorXd size_scale(const Eigen::VectorXd& x);

ScaledHessian scale_hessian(const Eigen::MatrixXd& hessian, const Eigen::VectorXd& scale);

}  // namespace mlec::optim

// The trust-region subproblem: the step p minimizing the quadratic model
//     m(p) = c'p + p'B p / 2    subject to ||p|| <= radius,
// for a symmetric B given by its eigendecomposition (Nocedal & Wright, 2006,
// sec. 4.3; Moré & Sorensen, 1983). B may be indefinite or singular: then
// the step follows the negative curvature to the boundary, which is how the
// optimizer leaves a saddle point (b1 = b2 = 0 in b1 * (1 - exp(-b2 * x)))
// without a special case.
#pragma once

#include <Eigen/Core>

namespace mlec::optim {

struct TrustRegionStep {
    Eigen::VectorXd p;
    double predicted_decrease = 0;  // -m(p) >= 0
    bool on_boundary = false;       // ||p|| = radius (the region limited the step)
};

// `eigenvalues` ascending with `eigenvectors` as columns (B = V diag V');
// `gradient` is c; radius > 0. The solution satisfies
//     (B + mu I) p = -c,  B + mu I positive semidefinite,  mu (radius - ||p||) = 0,
// with mu found by Newton's method on 1/||p(mu)|| - 1/radius, safeguarded
// by bisection; in the "hard case" (c orthogonal to the eigenvectors of the
// smallest eigenvalue) the step is completed along that eigenvector.
TrustRegionStep solve_trust_region(const Eigen::VectorXd& eigenvalues, const Eigen::MatrixXd& eigenvectors,
                                   const Eigen::VectorXd& gradient, double radius);

}  // namespace mlec::optim

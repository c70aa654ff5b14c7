// The Hessian in theta of a marginal likelihood (the Laplace approximation,
// adaptive quadrature) as central differences of its exact gradient: its
// exact Hessian would need fourth derivatives.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

namespace mlec::rt {

// The first, one-sided step along a coordinate at `x`: the gradient's
// change over it measures the coordinate's curvature, which sets the
// central differences' step (and, alone, a curvature scale).
inline double curvature_probe(double x) { return 1e-4 * std::max(1.0, std::abs(x)); }

// value_gradient(theta, gradient) returns the value and fills the gradient
// (+inf where it has none). Returns the value at theta with its gradient
// and the Hessian; NaN when a difference's point has no value.
double difference_hessian(const std::function<double(const Eigen::VectorXd&, Eigen::VectorXd&)>& value_gradient,
                          const Eigen::VectorXd& theta, Eigen::VectorXd& gradient, Eigen::MatrixXd& hessian);
// Only the columns (and rows) of `directions` by differences; the block of
// the other coordinates is left 0 for the caller (who knows it exactly).
// With `center`, the gradient at theta the caller has just computed: the
// first probes start from it instead of evaluating theta first, and the
// value returned is the last evaluation's, at theta.
double difference_hessian(const std::function<double(const Eigen::VectorXd&, Eigen::VectorXd&)>& value_gradient,
                          const Eigen::VectorXd& theta, Eigen::VectorXd& gradient, Eigen::MatrixXd& hessian,
                          const std::vector<int>& directions, const Eigen::VectorXd* center = nullptr);

}  // namespace mlec::rt

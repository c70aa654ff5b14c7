#include "runtime/difference_hessian.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mlec::rt {

// Each coordinate's step is a thousandth of its own curvature scale
// 1/sqrt|H_aa|, estimated by a first one-sided difference, so the step
// follows the parameter's units (a standard error's thousandth: truncation
// error about 1e-6 of the curvature, rounding about 1e-9); then
// symmetrized. The last evaluation is at theta (the modes left at theta's).
double difference_hessian(const std::function<double(const Eigen::VectorXd&, Eigen::VectorXd&)>& value_gradient,
                          const Eigen::VectorXd& theta, Eigen::VectorXd& gradient, Eigen::MatrixXd& hessian) {
    std::vector<int> all(static_cast<std::size_t>(theta.size()));
    for (std::size_t a = 0; a < all.size(); ++a) all[a] = static_cast<int>(a);
    return difference_hessian(value_gradient, theta, gradient, hessian, all);
}

double difference_hessian(const std::function<double(const Eigen::VectorXd&, Eigen::VectorXd&)>& value_gradient,
                          const Eigen::VectorXd& theta, Eigen::VectorXd& gradient, Eigen::MatrixXd& hessian,
                          const std::vector<int>& directions, const Eigen::VectorXd* center) {
    double f = 0;
    if (center) gradient = *center;
    else f = value_gradient(theta, gradient);
    const auto k = theta.size();
    hessian.setZero(k, k);
    if (!std::isfinite(f)) return f;
    Eigen::VectorXd g_up, g_down;
    std::vector<bool> differenced(static_cast<std::size_t>(k), false);
    for (const int a : directions) {
        differenced[static_cast<std::size_t>(a)] = true;
        Eigen::VectorXd x = theta;
        const double probe = curvature_probe(theta[a]);
        x[a] += probe;
        const double f_probe = value_gradient(x, g_up);
        const double curvature = std::isfinite(f_probe) ? std::abs((g_up[a] - gradient[a]) / probe) : 0.0;
        double h = std::isfinite(curvature) && curvature > 0 ? 1e-3 / std::sqrt(curvature) : probe;
        h = std::min(h, probe * 100);
        x = theta;
        x[a] = theta[a] + h;
        const double f_up = value_gradient(x, g_up);
        x[a] = theta[a] - h;
        const double f_down = value_gradient(x, g_down);
        if (!std::isfinite(f_up) || !std::isfinite(f_down)) return std::numeric_limits<double>::quiet_NaN();
        hessian.col(a) = (g_up - g_down) / (2 * h);
    }
    // Symmetric: the mean of the two differenced entries; an entry with one
    // coordinate not differenced is its column's.
    for (const int a : directions)
        for (Eigen::Index b = 0; b < k; ++b) {
            if (!differenced[static_cast<std::size_t>(b)]) hessian(a, b) = hessian(b, a);
            else if (b > a) hessian(a, b) = hessian(b, a) = 0.5 * (hessian(a, b) + hessian(b, a));
        }
    const double f_end = value_gradient(theta, gradient);
    return center ? f_end : f;
}

}  // namespace mlec::rt

// check_gradient: the exact gradient against finite differences, for users
// who doubt a model's derivatives (mlec --check-gradient) and for tests.
#include <cmath>

#include "problem/impl.hpp"

namespace mlec {

GradientCheck check_gradient(const Problem& problem, const Eigen::VectorXd& theta, std::string where) {
    GradientCheck out;
    out.where = std::move(where);
    Eigen::VectorXd exact;
    problem.nll_gradient(theta, exact);
    const auto names = problem.parameter_names();
    for (Eigen::Index i = 0; i < theta.size(); ++i) {
        // Central differences at h and h/2, combined by Richardson
        // extrapolation: truncation error O(h^4) instead of O(h^2).
        auto central = [&](double h) {
            Eigen::VectorXd up = theta, down = theta;
            up[i] += h;
            down[i] -= h;
            return (problem.nll(up) - problem.nll(down)) / (2 * h);
        };
        const double h = 1e-4 * std::max(1.0, std::abs(theta[i]));
        const double fd = (4 * central(h / 2) - central(h)) / 3;
        const double abs_error = std::abs(exact[i] - fd);
        const double rel_error = abs_error / std::max(1.0, std::abs(fd));
        if (!std::isfinite(abs_error)) continue;
        out.max_abs_error = std::max(out.max_abs_error, abs_error);
        if (rel_error >= out.max_rel_error) {
            out.max_rel_error = rel_error;
            out.parameter = names[static_cast<std::size_t>(i)];
        }
    }
    return out;
}

}  // namespace mlec

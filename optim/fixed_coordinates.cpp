#include "optim/fixed_coordinates.hpp"

namespace mlec::optim {

FixedCoordinates::FixedCoordinates(Objective& full, std::vector<bool> fixed, Eigen::VectorXd theta)
    : full_(full), theta_(std::move(theta)) {
    for (int i = 0; i < static_cast<int>(fixed.size()); ++i)
        if (!fixed[static_cast<std::size_t>(i)]) free_.push_back(i);
}

Eigen::VectorXd FixedCoordinates::reduce(const Eigen::VectorXd& theta) const {
    Eigen::VectorXd x(dimension());
    for (int k = 0; k < dimension(); ++k) x(k) = theta(free_[static_cast<std::size_t>(k)]);
    return x;
}

Eigen::MatrixXd FixedCoordinates::reduce(const Eigen::MatrixXd& full) const {
    const int n = dimension();
    Eigen::MatrixXd out(n, n);
    for (int a = 0; a < n; ++a)
        for (int b = 0; b < n; ++b)
            out(a, b) = full(free_[static_cast<std::size_t>(a)], free_[static_cast<std::size_t>(b)]);
    return out;
}

const Eigen::VectorXd& FixedCoordinates::expand(const Eigen::VectorXd& x) {
    for (int k = 0; k < dimension(); ++k) theta_(free_[static_cast<std::size_t>(k)]) = x(k);
    return theta_;
}

Eigen::VectorXd FixedCoordinates::full(const Eigen::VectorXd& x) const {
    Eigen::VectorXd out = theta_;
    for (int k = 0; k < dimension(); ++k) out(free_[static_cast<std::size_t>(k)]) = x(k);
    return out;
}

Eigen::VectorXd FixedCoordinates::full(const Eigen::VectorXd& x, double fill) const {
    Eigen::VectorXd out = Eigen::VectorXd::Constant(theta_.size(), fill);
    for (int k = 0; k < dimension(); ++k) out(free_[static_cast<std::size_t>(k)]) = x(k);
    return out;
}

// With nothing held (a fit without FitOptions::fixed) the objective is the
// full one, passed through without copies.
double FixedCoordinates::value(const Eigen::VectorXd& x) {
    if (nothing_held()) return full_.value(x);
    return full_.value(expand(x));
}

double FixedCoordinates::value_gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) {
    if (nothing_held()) return full_.value_gradient(x, g);
    full_gradient_.resize(theta_.size());
    const double f = full_.value_gradient(expand(x), full_gradient_);
    g = reduce(full_gradient_);
    return f;
}

double FixedCoordinates::value_gradient_hessian(const Eigen::VectorXd& x, Eigen::VectorXd& g, Eigen::MatrixXd& h) {
    if (nothing_held()) return full_.value_gradient_hessian(x, g, h);
    full_gradient_.resize(theta_.size());
    full_hessian_.resize(theta_.size(), theta_.size());
    const double f = full_.value_gradient_hessian(expand(x), full_gradient_, full_hessian_);
    g = reduce(full_gradient_);
    h = reduce(full_hessian_);
    return f;
}

}  // namespace mlec::optim

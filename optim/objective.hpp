// What an optimizer minimizes: a smooth function of an unconstrained vector
// with exact derivatives. The compiled NLL implements it; so do the test
// functions the optimizer is checked on.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>

namespace mlec::optim {

class Objective {
public:
    virtual ~Objective() = default;
    virtual int dimension() const = 0;
    // f(x); +inf or NaN when x is outside the function's domain.
    virtual double value(const Eigen::VectorXd& x) = 0;
    // f(x) and its gradient g.
    virtual double value_gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) = 0;
    // f(x), gradient g and exact Hessian h (dimension x dimension, symmetric).
    virtual double value_gradient_hessian(const Eigen::VectorXd& x, Eigen::VectorXd& g, Eigen::MatrixXd& h) = 0;
};

// The rounding level of an objective value f: changes of f smaller than
// this are noise. A log-likelihood is a sum of terms each computed to a few
// units in the last place, added exactly (runtime/exact_sum); 64 ulps of
// max(|f|, 1) leaves room for terms larger than their sum.
inline double rounding_level(double f) {
    return 16 * std::numeric_limits<double>::epsilon() * std::max(std::abs(f), 1.0);
}

}  // namespace mlec::optim

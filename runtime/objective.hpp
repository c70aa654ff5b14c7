// What an optimizer minimizes: a smooth function of an unconstrained vector
// with exact derivatives. The compiled NLL implements it; so do the test
// functions the optimizer is checked on.
#pragma once

#include <Eigen/Core>

namespace mlec::rt {

class Objective {
public:
    virtual ~Objective() = default;
    virtual int dimension() const = 0;
    // f(x); +inf or NaN when x is outside the function's domain.
    virtual double value(const Eigen::VectorXd& x) = 0;
    // f(x) and its gradient g.
    virtual double value_gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) = 0;
    // f(x), gradient g and exact Hessian h (dimension x dimension, symmetric).
    virtual double value_gradient_hessian(const Eigen::VectorXd& x, Eigen::VectorXd& g,
                                          Eigen::MatrixXd& h) = 0;
};

}  // namespace mlec::rt

// An objective with some coordinates held fixed: a function of the others
// only, whose gradient and Hessian are the sub-vector and sub-matrix of the
// full ones. A profile fixes the profiled coordinate; the limit fit after a
// divergence fixes the diverging ones far out on their ray; a fit holds the
// parameters FitOptions::fixed names.
#pragma once

#include <Eigen/Core>
#include <vector>

#include "optim/objective.hpp"

namespace mlec::optim {

class FixedCoordinates final : public Objective {
public:
    // `fixed[i]`: coordinate i is held at theta[i].
    FixedCoordinates(Objective& full, std::vector<bool> fixed, Eigen::VectorXd theta);

    int dimension() const override { return static_cast<int>(free_.size()); }
    const std::vector<int>& free_coordinates() const { return free_; }

    // The free coordinates of a full vector, and a full vector from them.
    Eigen::VectorXd reduce(const Eigen::VectorXd& theta) const;
    const Eigen::VectorXd& expand(const Eigen::VectorXd& x);
    // A full vector from the free coordinates `x`, the others `fill` (the
    // held values by default; 0 for a direction).
    Eigen::VectorXd full(const Eigen::VectorXd& x) const;
    Eigen::VectorXd full(const Eigen::VectorXd& x, double fill) const;
    int full_dimension() const { return static_cast<int>(theta_.size()); }
    // The rows and columns of the free coordinates of a full matrix.
    Eigen::MatrixXd reduce(const Eigen::MatrixXd& full) const;

    double value(const Eigen::VectorXd& x) override;
    double value_gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) override;
    double value_gradient_hessian(const Eigen::VectorXd& x, Eigen::VectorXd& g, Eigen::MatrixXd& h) override;

private:
    bool nothing_held() const { return free_.size() == static_cast<std::size_t>(theta_.size()); }

    Objective& full_;
    std::vector<int> free_;
    Eigen::VectorXd theta_;
    Eigen::VectorXd full_gradient_;
    Eigen::MatrixXd full_hessian_;
};

}  // namespace mlec::optim

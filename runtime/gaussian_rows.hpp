// The rows of a linear mixed model, y ~ normal(mu, sigma) with mu affine in
// the fixed effects b and the random effects z (runtime/affine_form) and
// sigma one value for all rows, computed from per-row columns and
// cross-products read once, instead of by the evaluator's joint sweep: what
// the Laplace approximation asks of the rows (runtime/laplace), with the
// same numbers, 10-50 times faster (bench/README.md, InstEval).
//
// The mean is written as
//     mu = offset + X b + sum_t P_t(theta) D_t z_t,
// one "atom" t per (effect, product of scale factors): D_t a column of data
// (the row's coefficient), P_t a product of row-invariant nodes of
// parameters (u = s z gives P = s; entry m of a correlated block sd_m L_mj
// z_j gives P = sd_m L_mj), z_t the effect's coordinate at the row's level.
// Then
//     NLL = n log sigma + n/2 log 2 pi + r'r / (2 sigma^2),  r = y - mu,
// r and its sums against each column (S_t' r, X' r) come from one pass over
// the rows per evaluation (no cancellation: r itself is formed), and H_zz =
// B'B / sigma^2, B = sum_t P_t S_t, from the Gram matrix of the atoms on
// H's pattern, formed once: it does not depend on z or b, and on theta
// only through the P_t and sigma. Its derivatives in theta (H_z,theta and
// the log determinant's trace term) follow from the same Gram entries.
#pragma once

#include <Eigen/Core>
#include <memory>
#include <vector>

#include "runtime/affine_form.hpp"
#include "runtime/evaluator.hpp"

namespace mlec::rt {

class GaussianRows {
public:
    // The rows of `evaluator` (Coordinates::parameters_and_effects) when its
    // graph is such a model: one term normal(y, mu, sigma) of data y, mu
    // affine as above with the fixed effects' coefficients of data alone and
    // the offset of data alone, sigma row-invariant and free of the fixed
    // effects, no weight, every row at a level of every effect; and when
    // this class's NLL and gradient equal the evaluator's at a test point.
    // nullptr otherwise: the joint sweep serves.
    static std::unique_ptr<GaussianRows> detect(Evaluator& evaluator);

    // The NLL at (theta, z); +inf where sigma is not positive and finite.
    double nll(const Eigen::VectorXd& theta, const Eigen::VectorXd& z);
    // As Evaluator::nll_effects at (theta, z).
    double nll_effects(const Eigen::VectorXd& theta, const Eigen::VectorXd& z, Eigen::VectorXd& gradient,
                       EffectDerivatives& derivatives, bool hessian, bool cross);
    // As Evaluator::trace_gradient at (theta, z): H_zz does not depend on z,
    // so gradient_z is 0.
    double trace_gradient(const Eigen::VectorXd& theta, const Eigen::VectorXd& z, const std::vector<double>& p,
                          Eigen::VectorXd& gradient_theta, Eigen::VectorXd& gradient_z);

    // The coordinates of theta that are fixed effects (X's columns), and
    // the rows' Hessian in them, X'X / sigma^2 at the last evaluation's
    // sigma: the NLL is quadratic in them.
    const std::vector<int>& fixed() const { return fixed_; }
    Eigen::MatrixXd fixed_hessian() const { return xtx_ / (sigma_ * sigma_); }

    struct Atom {
        int effect = -1;
        std::vector<NodePower> scale;
        std::vector<double> d;  // per row
        std::vector<int> z;     // per row: the coordinate of z it reads
    };

private:
    GaussianRows(Evaluator& evaluator, int sigma, std::vector<Atom> atoms, std::vector<int> fixed, Eigen::MatrixXd x,
                 Eigen::VectorXd y);
    void build_gram();
    // sigma, the atoms' P_t and their gradients at theta.
    bool prepare(const Eigen::VectorXd& theta);
    // r, r'r, S_t' r and X' r at (theta, z).
    void residuals(const Eigen::VectorXd& theta, const Eigen::VectorXd& z);
    double nll_value() const;
    void add_cross(const Eigen::VectorXd& z, const Eigen::VectorXd& gradient_z, Eigen::MatrixXd& ztheta) const;
    // The atoms of the effect that coordinate `k` of z belongs to.
    const std::vector<int>& atoms_at(int k) const {
        return effect_atoms_[static_cast<std::size_t>(coordinate_effect_[static_cast<std::size_t>(k)])];
    }

    Evaluator& evaluator_;
    int dimension_;
    int sigma_node_;
    std::vector<Atom> atoms_;
    std::vector<int> fixed_;  // theta's index of X's columns
    Eigen::MatrixXd x_;
    Eigen::MatrixXd xtx_;
    Eigen::VectorXd y_;  // y - offset
    double rows_;
    int effect_size_;
    // Per effect, its atoms; per coordinate of z, its effect.
    std::vector<std::vector<int>> effect_atoms_;
    std::vector<int> coordinate_effect_;
    // H's pattern (the evaluator's), and per entry the first of its Gram
    // values: atoms(row's effect) x atoms(column's effect), row-major.
    const EffectPattern& pattern_;
    std::vector<int> entry_column_;
    std::vector<std::size_t> gram_start_;
    std::vector<double> gram_;
    // S_t' X per atom (z x fixed, only the atom's effect's rows non-zero).
    std::vector<Eigen::MatrixXd> atom_x_;
    // At the last prepare(): sigma and its gradient, P_t and theirs
    // (zero gradient for a constant P_t: varying_[t] false).
    double sigma_ = 0;
    Eigen::VectorXd sigma_gradient_;
    Eigen::VectorXd p_;
    std::vector<Eigen::VectorXd> p_gradient_;
    std::vector<bool> varying_;
    // The point of the last residuals(), which trace_gradient, called at
    // the modes just found, need not compute again.
    Eigen::VectorXd last_theta_, last_z_;
    // At the last residuals(): r, r'r, S_t' r (indexed by z) and X' r.
    Eigen::VectorXd r_;
    double rr_ = 0;
    std::vector<Eigen::VectorXd> atom_r_;
    Eigen::VectorXd x_r_;
};

}  // namespace mlec::rt

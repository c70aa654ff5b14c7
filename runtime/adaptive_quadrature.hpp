// Adaptive Gauss-Hermite quadrature of the marginal likelihood (Pinheiro &
// Bates 1995; lme4's nAGQ), for models whose random effects all lie on one
// grouping column: d effects per level (an intercept, a slope, a correlated
// block; d <= 3), z_i = (z_1i, ..., z_di) at level i, and every row's
// likelihood reading the z_i of its own level. F(theta, z) = NLL + z'z/2 is
// then a sum over levels, F = C(theta) + sum_i F_i(theta, z_i) (C: the terms
// counted once), H = d2F/dz2 is block diagonal, and the marginal NLL is a
// sum of d-dimensional integrals:
//     -log integral exp(-F_i(z)) (2 pi)^(-d/2) dz
//         ~= 1/2 log det H_i + d/2 log pi - log sum_k w_k exp(x_k'x_k - F_i(z_ik)),
//     z_ik = z_hat_i + sqrt(2) L_i^-T x_k,   H_i = L_i L_i',
// with (x_k, w_k) the tensor product of the K-node Gauss-Hermite rule for
// exp(-x^2) (K^d nodes), z_hat_i the conditional mode and H_i the block of
// H there (runtime/laplace's inner problem): the rule is centered and
// scaled to the integrand's Gaussian approximation, so K = 1 (x = 0,
// w = pi^(d/2)) is the Laplace approximation F_i(z_hat_i) + 1/2 log det H_i,
// and the error falls quickly with K (exact for F_i quadratic, a linear
// mixed model, at any K).
#pragma once

#include <Eigen/Core>
#include <vector>

#include "runtime/evaluator.hpp"
#include "runtime/gauss_hermite.hpp"
#include "runtime/laplace.hpp"

namespace mlec::rt {

class AdaptiveQuadrature {
public:
    // The most effects per level: K^d nodes, two sweeps of the data each.
    static constexpr int most_effects_per_level = 3;

    // `laplace` over `evaluator` of `graph` (all must outlive this); the
    // graph's effects are what applies() accepts; `nodes` K >= 1 per dimension.
    AdaptiveQuadrature(const Graph& graph, Evaluator& evaluator, Laplace& laplace, int nodes);

    // Whether the graph's random effects are what this integrates: all on
    // one grouping column, at most most_effects_per_level of them.
    static bool applies(const Graph& graph);

    // The marginal NLL by quadrature; +inf when the inner minimization
    // fails (the Laplace object says how) or a node's value is NaN.
    double value(const Eigen::VectorXd& theta);
    // The value and its exact gradient (adaptive_quadrature.cpp derives it).
    double value_gradient(const Eigen::VectorXd& theta, Eigen::VectorXd& gradient);
    // With the Hessian: central differences of that gradient
    // (runtime/difference_hessian).
    double value_gradient_hessian(const Eigen::VectorXd& theta, Eigen::VectorXd& gradient, Eigen::MatrixXd& hessian);
    int nodes() const { return static_cast<int>(rule_.nodes.size()); }

private:
    // The value, leaving the levels' factors and the nodes' normalized
    // weights pi_ (level-major) for the gradient.
    double integrate(const Eigen::VectorXd& theta);
    // F_i at every level with z set to `z`, into f (the terms counted once
    // returned).
    double level_values(const Eigen::VectorXd& theta, const Eigen::VectorXd& z, std::vector<double>& f);
    // z with every level at its node k: z_hat_i + sqrt(2) L_i^-T x_k.
    Eigen::VectorXd node_effects(std::size_t k) const;
    // z's index of effect e at level i.
    Eigen::Index at(int e, std::size_t i) const {
        return first_[static_cast<std::size_t>(e)] + static_cast<Eigen::Index>(i);
    }
    // The position of H_i(a, b), a >= b, on the pattern (-1: not there, a
    // level without rows).
    int position(std::size_t i, int a, int b) const {
        return position_[(i * static_cast<std::size_t>(d_) + static_cast<std::size_t>(a)) *
                             static_cast<std::size_t>(d_) +
                         static_cast<std::size_t>(b)];
    }
    // The block H_i of H = H_zz + I at the modes.
    Eigen::MatrixXd block(std::size_t i) const;

    Evaluator& evaluator_;
    Laplace& laplace_;
    GaussHermiteRule rule_;
    int d_ = 1;  // effects per level
    std::size_t levels_ = 0;
    std::vector<Eigen::Index> first_;  // per effect: its first index in z
    std::vector<int> level_;           // per row: its level (-1: none)
    std::vector<int> position_;        // see position()
    // The tensor rule: node k's point x_k and log(w_k) + x_k'x_k.
    std::vector<Eigen::VectorXd> x_;
    std::vector<double> log_weight_;
    // At the last integrate(): the modes, per level L_i^-T and log det H_i,
    // and the nodes' normalized weights pi_ik ([i * nodes + k]).
    Eigen::VectorXd z_hat_;
    std::vector<Eigen::MatrixXd> inverse_factor_;
    std::vector<double> log_det_;
    std::vector<double> pi_;
    std::vector<double> row_nll_, row_scale_;
};

}  // namespace mlec::rt

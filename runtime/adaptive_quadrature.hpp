// Adaptive Gauss-Hermite quadrature of the marginal likelihood (Pinheiro &
// Bates 1995; lme4's nAGQ), for models whose random effects are one scalar
// effect on one grouping column: z_i, one per level i, and every row's
// likelihood reading the z of its own level. F(theta, z) = NLL + z'z/2 is
// then a sum over levels, F = C(theta) + sum_i F_i(theta, z_i) (C: the
// terms counted once), and the marginal NLL is a product of 1-D integrals:
//     -log integral exp(-F_i(z)) (2 pi)^(-1/2) dz
//         ~= 1/2 log h_i + 1/2 log pi - log sum_k w_k exp(x_k^2 - F_i(z_ik)),
//     z_ik = z_hat_i + sqrt(2) x_k / sqrt(h_i),
// with (x_k, w_k) the K-node Gauss-Hermite rule for exp(-x^2), z_hat_i the
// conditional mode and h_i = d2F_i/dz_i^2 there (runtime/laplace's inner
// problem): the rule is centered and scaled to the integrand's Gaussian
// approximation, so K = 1 (x = 0, w = sqrt(pi)) is the Laplace
// approximation F_i(z_hat_i) + 1/2 log h_i, and the error falls quickly
// with K (exact for F_i quadratic, a linear mixed model, at any K).
#pragma once

#include <Eigen/Core>
#include <vector>

#include "runtime/evaluator.hpp"
#include "runtime/gauss_hermite.hpp"
#include "runtime/laplace.hpp"

namespace mlec::rt {

class AdaptiveQuadrature {
public:
    // `laplace` over `evaluator` (both must outlive this); the graph has one
    // effect (applies()); `nodes` K >= 1.
    AdaptiveQuadrature(Evaluator& evaluator, Laplace& laplace, int nodes);

    // Whether the graph's random effects are what this integrates: one
    // scalar effect (one grouping column, one effect on it).
    static bool applies(const Graph& graph) { return graph.effects().size() == 1; }

    // The marginal NLL by quadrature; +inf when the inner minimization
    // fails (the Laplace object says how) or a node's value is NaN.
    double value(const Eigen::VectorXd& theta);
    // The value and its exact gradient (adaptive_quadrature.cpp derives it).
    double value_gradient(const Eigen::VectorXd& theta, Eigen::VectorXd& gradient);
    int nodes() const { return static_cast<int>(rule_.nodes.size()); }

private:
    // The value, leaving the levels' curvatures h_, the nodes' effects and
    // their normalized weights pi_ (level-major) for the gradient.
    double integrate(const Eigen::VectorXd& theta);
    // F_i at every level with z set to `z`, into f (the terms counted once
    // returned).
    double level_values(const Eigen::VectorXd& theta, const Eigen::VectorXd& z, std::vector<double>& f);
    Eigen::VectorXd node_effects(std::size_t k) const;

    Evaluator& evaluator_;
    Laplace& laplace_;
    GaussHermiteRule rule_;
    std::vector<int> level_;         // per row: its level's index in z (-1: none)
    std::vector<std::size_t> diag_;  // per level: H's diagonal entry on the pattern
    Eigen::VectorXd h_, z_hat_;
    std::vector<double> pi_;  // [level * K + k]
    std::vector<double> row_nll_, row_scale_;
};

}  // namespace mlec::rt

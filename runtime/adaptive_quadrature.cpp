#include "runtime/adaptive_quadrature.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mlec::rt {

namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();

}  // namespace

AdaptiveQuadrature::AdaptiveQuadrature(Evaluator& evaluator, Laplace& laplace, int nodes)
    : evaluator_(evaluator), laplace_(laplace), rule_(gauss_hermite(nodes)) {
    level_.resize(evaluator.rows());
    for (std::size_t r = 0; r < level_.size(); ++r) level_[r] = evaluator.z_index(0, r);
    // One effect: the pattern is H's diagonal alone, each column's first entry.
    const EffectPattern& pattern = evaluator.effect_pattern();
    for (std::size_t j = 0; j + 1 < pattern.col_start.size(); ++j)
        diag_.push_back(static_cast<std::size_t>(pattern.col_start[j]));
}

double AdaptiveQuadrature::level_values(const Eigen::VectorXd& theta, const Eigen::VectorXd& z,
                                        std::vector<double>& f) {
    evaluator_.set_effects(z);
    double once = evaluator_.nll_rows(theta, row_nll_);
    f.assign(static_cast<std::size_t>(z.size()), 0.0);
    for (std::size_t i = 0; i < f.size(); ++i)
        f[i] = 0.5 * z[static_cast<Eigen::Index>(i)] * z[static_cast<Eigen::Index>(i)];
    for (std::size_t r = 0; r < level_.size(); ++r) {
        // (A row of no level has a NaN effect, and so a NaN value.)
        if (level_[r] >= 0) f[static_cast<std::size_t>(level_[r])] += row_nll_[r];
        else once += row_nll_[r];
    }
    return once;
}

Eigen::VectorXd AdaptiveQuadrature::node_effects(std::size_t k) const {
    return z_hat_ + (std::sqrt(2.0) * rule_.nodes[k]) * h_.cwiseSqrt().cwiseInverse();
}

// Per level, -log sum_k w_k exp(x_k^2 - F_i(z_ik)) by log-sum-exp: the
// terms are exp(-F_i) at the nodes, far below 1 for a level of many rows.
double AdaptiveQuadrature::integrate(const Eigen::VectorXd& theta) {
    if (!std::isfinite(laplace_.value(theta))) return infinity;
    const std::vector<double>& zz = laplace_.derivatives().zz;
    const auto q = static_cast<Eigen::Index>(diag_.size());
    h_.resize(q);
    for (Eigen::Index i = 0; i < q; ++i) h_[i] = zz[diag_[static_cast<std::size_t>(i)]] + 1;
    z_hat_ = laplace_.modes();
    const std::size_t nodes = rule_.nodes.size();
    pi_.assign(static_cast<std::size_t>(q) * nodes, 0.0);
    std::vector<double> f;
    double once = 0;
    for (std::size_t k = 0; k < nodes; ++k) {
        once = level_values(theta, node_effects(k), f);
        const double log_w = std::log(rule_.weights[k]) + rule_.nodes[k] * rule_.nodes[k];
        for (std::size_t i = 0; i < f.size(); ++i) {
            if (std::isnan(f[i])) return infinity;
            pi_[i * nodes + k] = log_w - f[i];  // the log term, normalized below
        }
    }
    if (!std::isfinite(once)) return infinity;
    double total = once;
    for (Eigen::Index i = 0; i < q; ++i) {
        double* a = pi_.data() + static_cast<std::size_t>(i) * nodes;
        const double top = *std::max_element(a, a + nodes);
        if (!std::isfinite(top)) return infinity;
        double sum = 0;
        for (std::size_t k = 0; k < nodes; ++k) sum += std::exp(a[k] - top);
        const double log_sum = top + std::log(sum);
        for (std::size_t k = 0; k < nodes; ++k) a[k] = std::exp(a[k] - log_sum);
        total += 0.5 * std::log(h_[i]) + 0.5 * std::log(M_PI) - log_sum;
    }
    evaluator_.set_effects(z_hat_);
    return total;
}

double AdaptiveQuadrature::value(const Eigen::VectorXd& theta) { return integrate(theta); }

// The gradient by the chain rule. With pi_ik = w_k exp(x_k^2 - F_i(z_ik)) /
// sum_k(...) (the nodes' normalized weights), the level's value depends on
// theta at fixed nodes, on z_hat_i (the nodes' center) and on h_i (log h_i
// and the nodes' spread h_i^(-1/2)):
//     dA_i = sum_k pi_ik [dF_i/dtheta(z_ik) + F_i'(z_ik) dz_ik]
//            + dh_i / (2 h_i),
//     dz_ik = dz_hat_i - (sqrt(2) x_k / 2) h_i^(-3/2) dh_i,
// so, with v_i = sum_k pi_ik F_i'(z_ik) and
//     G_i = 1/(2 h_i) - (sqrt(2)/2) h_i^(-3/2) sum_k pi_ik F_i'(z_ik) x_k,
// dA = sum_k pi_k-weighted dF/dtheta + v' dz_hat + G' dh, where dh is h's
// total derivative: dh_i = dh_i/dtheta + dh_i/dz_i dz_hat_i. The first sum is
// one scaled sweep per node (Evaluator::nll_effects_scaled, each row's
// terms counted pi_ik times; its derivatives in z give pi_ik F_i'(z_ik) less
// the prior's pi_ik z_ik). G'dh is 1/2 tr(P dH) at P = diag(2 G_i), which
// Evaluator::trace_gradient differentiates in theta and z at z_hat; and
// dz_hat/dtheta = -H^-1 H_z,theta (implicit differentiation of dF/dz = 0).
// So
//     dA/dtheta = sum_k g_k + phi_theta - H_z,theta' H^-1 (v + phi_z).
// K = 1 gives pi = 1, x = 0, v = F'(z_hat) = 0 and P = H^-1: the Laplace
// approximation's gradient (runtime/laplace).
double AdaptiveQuadrature::value_gradient(const Eigen::VectorXd& theta, Eigen::VectorXd& gradient) {
    const double total = integrate(theta);
    if (!std::isfinite(total)) return total;
    const std::size_t nodes = rule_.nodes.size();
    const auto q = static_cast<std::size_t>(h_.size());
    gradient.setZero(theta.size());
    Eigen::VectorXd v = Eigen::VectorXd::Zero(h_.size()), u = Eigen::VectorXd::Zero(h_.size());
    row_scale_.assign(level_.size(), 0.0);
    Eigen::VectorXd g;
    EffectDerivatives d;
    for (std::size_t k = 0; k < nodes; ++k) {
        for (std::size_t r = 0; r < level_.size(); ++r)
            row_scale_[r] = level_[r] >= 0 ? pi_[static_cast<std::size_t>(level_[r]) * nodes + k] : 0.0;
        const Eigen::VectorXd z = node_effects(k);
        evaluator_.set_effects(z);
        // The terms counted once belong to no level: counted in one sweep.
        const double f = evaluator_.nll_effects_scaled(theta, {row_scale_, k == 0 ? 1.0 : 0.0}, g, d);
        if (!std::isfinite(f)) return infinity;
        gradient += g;
        for (std::size_t i = 0; i < q; ++i) {
            const auto ii = static_cast<Eigen::Index>(i);
            const double slope = d.gradient_z[ii] + pi_[i * nodes + k] * z[ii];  // pi_ik F_i'(z_ik)
            v[ii] += slope;
            u[ii] += slope * rule_.nodes[k];
        }
    }
    std::vector<double> p(laplace_.derivatives().zz.size(), 0.0);
    for (std::size_t i = 0; i < q; ++i) {
        const auto ii = static_cast<Eigen::Index>(i);
        const double g_i = 0.5 / h_[ii] - std::sqrt(0.5) * u[ii] / (h_[ii] * std::sqrt(h_[ii]));
        p[diag_[i]] = 2 * g_i;
    }
    evaluator_.set_effects(z_hat_);
    Eigen::VectorXd phi_theta, phi_z;
    evaluator_.trace_gradient(theta, p, phi_theta, phi_z);
    gradient += phi_theta - laplace_.derivatives().ztheta.transpose() * laplace_.factor().solve(v + phi_z);
    return total;
}

}  // namespace mlec::rt

#include "runtime/adaptive_quadrature.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <limits>

#include "runtime/difference_hessian.hpp"

namespace mlec::rt {

namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();

}  // namespace

bool AdaptiveQuadrature::applies(const Graph& graph) {
    const auto& effects = graph.effects();
    if (effects.empty() || effects.size() > static_cast<std::size_t>(most_effects_per_level)) return false;
    for (const Effect& e : effects)
        if (e.index != effects.front().index) return false;
    return true;
}

AdaptiveQuadrature::AdaptiveQuadrature(const Graph& graph, Evaluator& evaluator, Laplace& laplace, int nodes)
    : evaluator_(evaluator), laplace_(laplace), rule_(gauss_hermite(nodes)) {
    d_ = static_cast<int>(graph.effects().size());
    levels_ = static_cast<std::size_t>(graph.effects().front().levels);
    for (const Effect& e : graph.effects()) first_.push_back(e.first);
    level_.resize(evaluator.rows());
    for (std::size_t r = 0; r < level_.size(); ++r) level_[r] = evaluator.z_index(0, r) - graph.effects().front().first;
    // Effects own consecutive ranges of z in their order, so effect a > b
    // has the larger index: H_i(a, b) is in column at(b, i), row at(a, i).
    const EffectPattern& pattern = evaluator.effect_pattern();
    const auto ud = static_cast<std::size_t>(d_);
    position_.assign(levels_ * ud * ud, -1);
    for (std::size_t i = 0; i < levels_; ++i)
        for (int a = 0; a < d_; ++a)
            for (int b = 0; b <= a; ++b) {
                const auto column = static_cast<std::size_t>(at(b, i));
                const auto begin = pattern.row.begin() + pattern.col_start[column];
                const auto end = pattern.row.begin() + pattern.col_start[column + 1];
                const auto it = std::lower_bound(begin, end, static_cast<int>(at(a, i)));
                if (it != end && *it == static_cast<int>(at(a, i)))
                    position_[(i * ud + static_cast<std::size_t>(a)) * ud + static_cast<std::size_t>(b)] =
                        static_cast<int>(it - pattern.row.begin());
            }
    // The tensor rule: node k's digits in base K pick each dimension's node.
    const std::size_t k1 = rule_.nodes.size();
    std::size_t count = 1;
    for (int e = 0; e < d_; ++e) count *= k1;
    for (std::size_t k = 0; k < count; ++k) {
        Eigen::VectorXd x(d_);
        double log_weight = 0;
        for (std::size_t e = 0, rest = k; e < ud; ++e, rest /= k1) {
            x[static_cast<Eigen::Index>(e)] = rule_.nodes[rest % k1];
            log_weight += std::log(rule_.weights[rest % k1]);
        }
        log_weight_.push_back(log_weight + x.squaredNorm());
        x_.push_back(std::move(x));
    }
}

Eigen::MatrixXd AdaptiveQuadrature::block(std::size_t i) const {
    const std::vector<double>& zz = laplace_.derivatives().zz;
    Eigen::MatrixXd h = Eigen::MatrixXd::Identity(d_, d_);
    for (int a = 0; a < d_; ++a)
        for (int b = 0; b <= a; ++b)
            if (const int pos = position(i, a, b); pos >= 0) {
                h(a, b) += zz[static_cast<std::size_t>(pos)];
                if (a != b) h(b, a) = h(a, b);
            }
    return h;
}

double AdaptiveQuadrature::level_values(const Eigen::VectorXd& theta, const Eigen::VectorXd& z,
                                        std::vector<double>& f) {
    evaluator_.set_effects(z);
    double once = evaluator_.nll_rows(theta, row_nll_);
    f.assign(levels_, 0.0);
    for (std::size_t i = 0; i < levels_; ++i)
        for (int e = 0; e < d_; ++e) f[i] += 0.5 * z[at(e, i)] * z[at(e, i)];
    for (std::size_t r = 0; r < level_.size(); ++r) {
        // (A row of no level has a NaN effect, and so a NaN value.)
        if (level_[r] >= 0) f[static_cast<std::size_t>(level_[r])] += row_nll_[r];
        else once += row_nll_[r];
    }
    return once;
}

Eigen::VectorXd AdaptiveQuadrature::node_effects(std::size_t k) const {
    Eigen::VectorXd z = z_hat_;
    for (std::size_t i = 0; i < levels_; ++i) {
        const Eigen::VectorXd offset = std::sqrt(2.0) * (inverse_factor_[i] * x_[k]);
        for (int e = 0; e < d_; ++e) z[at(e, i)] += offset[e];
    }
    return z;
}

// Per level, -log sum_k w_k exp(x_k'x_k - F_i(z_ik)) by log-sum-exp: the
// terms are exp(-F_i) at the nodes, far below 1 for a level of many rows.
double AdaptiveQuadrature::integrate(const Eigen::VectorXd& theta) {
    if (!std::isfinite(laplace_.value(theta))) return infinity;
    z_hat_ = laplace_.modes();
    inverse_factor_.resize(levels_);
    log_det_.resize(levels_);
    for (std::size_t i = 0; i < levels_; ++i) {
        const Eigen::LLT<Eigen::MatrixXd> llt(block(i));
        if (llt.info() != Eigen::Success) return infinity;
        const Eigen::MatrixXd l = llt.matrixL();
        log_det_[i] = 2 * l.diagonal().array().log().sum();
        inverse_factor_[i] = l.transpose().triangularView<Eigen::Upper>().solve(Eigen::MatrixXd::Identity(d_, d_));
    }
    const std::size_t nodes = x_.size();
    pi_.assign(levels_ * nodes, 0.0);
    std::vector<double> f;
    double once = 0;
    for (std::size_t k = 0; k < nodes; ++k) {
        once = level_values(theta, node_effects(k), f);
        for (std::size_t i = 0; i < levels_; ++i) {
            if (std::isnan(f[i])) return infinity;
            pi_[i * nodes + k] = log_weight_[k] - f[i];  // the log term, normalized below
        }
    }
    if (!std::isfinite(once)) return infinity;
    double total = once;
    for (std::size_t i = 0; i < levels_; ++i) {
        double* a = pi_.data() + i * nodes;
        const double top = *std::max_element(a, a + nodes);
        if (!std::isfinite(top)) return infinity;
        double sum = 0;
        for (std::size_t k = 0; k < nodes; ++k) sum += std::exp(a[k] - top);
        const double log_sum = top + std::log(sum);
        for (std::size_t k = 0; k < nodes; ++k) a[k] = std::exp(a[k] - log_sum);
        total += 0.5 * log_det_[i] + 0.5 * d_ * std::log(M_PI) - log_sum;
    }
    evaluator_.set_effects(z_hat_);
    return total;
}

double AdaptiveQuadrature::value(const Eigen::VectorXd& theta) { return integrate(theta); }

// The gradient by the chain rule. With pi_ik = w_k exp(x_k'x_k - F_i(z_ik))
// / sum_k(...) (the nodes' normalized weights), a level's value depends on
// theta at fixed nodes, on z_hat_i (the nodes' center) and on H_i (log det
// H_i, and the nodes' spread M_i = L_i^-T):
//     dA_i = sum_k pi_ik [dF_i/dtheta(z_ik) + s_ik' dz_ik] + 1/2 tr(H_i^-1 dH_i),
//     s_ik = grad F_i(z_ik),   dz_ik = dz_hat_i + sqrt(2) dM_i x_k.
// The nodes' term is sqrt(2) tr(dM_i B_i), B_i = sum_k pi_ik x_k s_ik'. With
// dM = -M dL' M and the Cholesky factor's derivative dL = L Phi(L^-1 dH
// L^-T) (Phi: the lower triangle, its diagonal halved), it is tr(G2_i dH_i)
// for the symmetric
//     G2_i = -sqrt(2) M_i E_i M_i',  E_i = (Phi(D_i) + Phi(D_i)')/2,
//     D_i = L_i' M_i B_i M_i
// (for d = 1: -sqrt(2)/2 h^(-3/2) B). So, with v_i = sum_k pi_ik s_ik and
// G_i = 1/2 H_i^-1 + G2_i,
//     dA = sum_k (pi_k-weighted dF/dtheta) + v' dz_hat + sum_i tr(G_i dH_i),
// where dH is H's total derivative, through z_hat too. The first sum is one
// scaled sweep per node (Evaluator::nll_effects_scaled, each row's terms
// counted pi_ik times; its derivatives in z give pi_ik s_ik less the
// prior's pi_ik z_ik). sum_i tr(G_i dH_i) is 1/2 tr(P dH) at P =
// blockdiag(2 G_i), which Evaluator::trace_gradient differentiates in theta
// and z at z_hat; and dz_hat/dtheta = -H^-1 H_z,theta (implicit
// differentiation of dF/dz = 0). So
//     dA/dtheta = sum_k g_k + phi_theta - H_z,theta' H^-1 (v + phi_z).
// K = 1 gives pi = 1, x = 0, v = grad F(z_hat) = 0 and P = H^-1: the Laplace
// approximation's gradient (runtime/laplace).
double AdaptiveQuadrature::value_gradient(const Eigen::VectorXd& theta, Eigen::VectorXd& gradient) {
    const double total = integrate(theta);
    if (!std::isfinite(total)) return total;
    const std::size_t nodes = x_.size();
    gradient.setZero(theta.size());
    Eigen::VectorXd v = Eigen::VectorXd::Zero(z_hat_.size());
    std::vector<Eigen::MatrixXd> b(levels_, Eigen::MatrixXd::Zero(d_, d_));
    row_scale_.assign(level_.size(), 0.0);
    Eigen::VectorXd g;
    EffectDerivatives derivatives;
    for (std::size_t k = 0; k < nodes; ++k) {
        for (std::size_t r = 0; r < level_.size(); ++r)
            row_scale_[r] = level_[r] >= 0 ? pi_[static_cast<std::size_t>(level_[r]) * nodes + k] : 0.0;
        const Eigen::VectorXd z = node_effects(k);
        evaluator_.set_effects(z);
        // The terms counted once belong to no level: counted in one sweep.
        const double f = evaluator_.nll_effects_scaled(theta, {row_scale_, k == 0 ? 1.0 : 0.0}, g, derivatives);
        if (!std::isfinite(f)) return infinity;
        gradient += g;
        for (std::size_t i = 0; i < levels_; ++i) {
            Eigen::VectorXd s(d_);  // pi_ik s_ik
            for (int e = 0; e < d_; ++e) s[e] = derivatives.gradient_z[at(e, i)] + pi_[i * nodes + k] * z[at(e, i)];
            for (int e = 0; e < d_; ++e) v[at(e, i)] += s[e];
            b[i] += x_[k] * s.transpose();
        }
    }
    std::vector<double> p(laplace_.derivatives().zz.size(), 0.0);
    for (std::size_t i = 0; i < levels_; ++i) {
        const Eigen::MatrixXd& m = inverse_factor_[i];
        const Eigen::MatrixXd l = m.transpose().triangularView<Eigen::Lower>().solve(Eigen::MatrixXd::Identity(d_, d_));
        const Eigen::MatrixXd dd = l.transpose() * m * b[i] * m;
        Eigen::MatrixXd phi = dd.triangularView<Eigen::Lower>();
        phi.diagonal() *= 0.5;
        const Eigen::MatrixXd e = 0.5 * (phi + phi.transpose());
        const Eigen::MatrixXd g_i = 0.5 * m * m.transpose() - std::sqrt(2.0) * m * e * m.transpose();
        for (int a = 0; a < d_; ++a)
            for (int c = 0; c <= a; ++c)
                if (const int pos = position(i, a, c); pos >= 0) p[static_cast<std::size_t>(pos)] = 2 * g_i(a, c);
    }
    evaluator_.set_effects(z_hat_);
    Eigen::VectorXd phi_theta, phi_z;
    evaluator_.trace_gradient(theta, p, phi_theta, phi_z);
    gradient += phi_theta - laplace_.derivatives().ztheta.transpose() * laplace_.factor().solve(v + phi_z);
    return total;
}

double AdaptiveQuadrature::value_gradient_hessian(const Eigen::VectorXd& theta, Eigen::VectorXd& gradient,
                                                  Eigen::MatrixXd& hessian) {
    return difference_hessian([this](const Eigen::VectorXd& x, Eigen::VectorXd& g) { return value_gradient(x, g); },
                              theta, gradient, hessian);
}

}  // namespace mlec::rt

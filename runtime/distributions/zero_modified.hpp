// The zero-inflated and hurdle forms of a count distribution f with one or
// two parameters theta (poisson's lambda; negbinomial's mu, size) and a
// probability pi, shared by zero_inflated_poisson, zero_inflated_negbinomial,
// hurdle_poisson and hurdle_negbinomial (one file each):
//     zero-inflated (pscl's zeroinfl): pi = P(structural zero),
//         p(0) = pi + (1 - pi) f(0),   p(k) = (1 - pi) f(k)       (k >= 1)
//     hurdle (Stan's and brms' hu): pi = P(y = 0),
//         p(0) = pi,                   p(k) = (1 - pi) f(k)/(1 - f(0))
// Each row is computed as scalars from the count's log pmf and its exact
// partials in theta (CountTerms), at y and at 0; the combinations below are
// the chain rule written out, in forms that stay finite as pi -> 0 or 1.
#pragma once

#include <cmath>

#include "runtime/distributions/detail.hpp"
#include "runtime/distributions/negbinomial_terms.hpp"

namespace mlec::rt::detail {

// A row of the zero-modified log pmf: its terms in theta, and its partials
// in pi (first, second, and mixed with each theta); the third partials in
// pi (d_pipipi, d_pipit[i], d_pitt[i + j]) with t.t3 when asked.
struct ZeroModifiedRow {
    CountTerms t;
    double d_pi = 0;
    double d_pipi = 0;
    double d_tpi[2] = {0, 0};
    double d_pipipi = 0;
    double d_pipit[2] = {0, 0};
    double d_pitt[3] = {0, 0, 0};
};

// log(exp(a) + exp(b)), either may be -inf.
inline double log_sum_exp2(double a, double b) {
    const double m = std::max(a, b);
    if (m == neg_inf) return neg_inf;
    return m + std::log1p(std::exp(std::min(a, b) - m));
}

// Zero-inflated, y >= 0 a count, at = the count's terms at y, at0 = at 0.
//   y = 0: L = log(pi + (1 - pi) f0) = log_sum_exp(log pi, log1p(-pi) + l0).
//     With D = exp(L) and w = (1 - pi) f0 / D (the probability that the
//     zero came from the count):
//     L_t = w g0,  L_tt' = w H0 + w (1 - w) g0 g0',  1 - w = pi / D,
//     L_pi = (1 - f0)/D,  L_pipi = -L_pi^2,  L_tpi = -f0 g0 / D^2.
//   y > 0: L = log1p(-pi) + l,  L_pi = -1/(1 - pi),  L_pipi = -L_pi^2,
//     L_pipipi = 2 L_pi^3, the theta ones l's.
// Third partials at y = 0 (`third`, with at0.t3): L = Psi(pi, l0(theta)),
// Psi(p, l) = log(p + (1 - p) e^l), whose partials are, with a = L_pi =
// (1 - f0)/D and b = -f0/D^2 (L_tpi = b g0),
//     Psi_l = w,  Psi_ll = w (1 - w),  Psi_lll = w (1 - w)(1 - 2w),
//     Psi_pl = b,  Psi_ppl = -2ab,  Psi_pll = b (1 - 2w),  Psi_ppp = 2a^3
// (dw/dl = w (1 - w), db/dl = b - 2bw, da/dp = -a^2), so by the chain rule
//     L_ijk = Psi_lll g_i g_j g_k + Psi_ll (H_ij g_k + H_ik g_j + H_jk g_i) + w T_ijk,
//     L_pij = Psi_pll g_i g_j + b H_ij,  L_ppi = -2ab g_i,  L_ppp = 2a^3,
// with 1 - w = pi/D and 1 - 2w = (1 - w) - w exact as pi -> 0 or 1.
inline ZeroModifiedRow zero_inflated_row(double y, double pi, const CountTerms& at, const CountTerms& at0,
                                         bool third = false) {
    ZeroModifiedRow z;
    const double log_1m_pi = std::log1p(-pi);
    if (y != 0) {
        z.t = at;
        z.t.l += log_1m_pi;
        z.d_pi = -1.0 / (1.0 - pi);
        z.d_pipi = -z.d_pi * z.d_pi;
        z.d_pipipi = 2 * z.d_pi * z.d_pi * z.d_pi;
        return z;
    }
    const double L = log_sum_exp2(std::log(pi), log_1m_pi + at0.l);
    z.t.l = L;
    const double w = std::exp(log_1m_pi + at0.l - L);
    const double one_m_w = pi * std::exp(-L);
    for (int i = 0; i < 2; ++i) z.t.g[i] = w * at0.g[i];
    const int row[3] = {0, 0, 1};
    const int col[3] = {0, 1, 1};
    for (int k = 0; k < 3; ++k) z.t.h[k] = w * at0.h[k] + w * one_m_w * at0.g[row[k]] * at0.g[col[k]];
    z.d_pi = -std::expm1(at0.l) * std::exp(-L);
    z.d_pipi = -z.d_pi * z.d_pi;
    const double f0_d2 = std::exp(at0.l - 2.0 * L);
    for (int i = 0; i < 2; ++i) z.d_tpi[i] = -f0_d2 * at0.g[i];
    if (!third) return z;
    const double a = z.d_pi;
    const double b = -f0_d2;
    const double ww = w * one_m_w;
    const double one_m_2w = one_m_w - w;
    const double* g = at0.g;
    const double* h = at0.h;
    for (int i = 0; i < 2; ++i) {
        for (int j = i; j < 2; ++j) {
            for (int k = j; k < 2; ++k) {
                z.t.t3[i + j + k] = ww * one_m_2w * g[i] * g[j] * g[k] +
                                    ww * (h[i + j] * g[k] + h[i + k] * g[j] + h[j + k] * g[i]) + w * at0.t3[i + j + k];
            }
            z.d_pitt[i + j] = b * one_m_2w * g[i] * g[j] + b * h[i + j];
        }
        z.d_pipit[i] = -2 * a * b * g[i];
    }
    z.d_pipipi = 2 * a * a * a;
    return z;
}

// The zero-truncated count, log(f(y)/(1 - f(0))) for y >= 1, from the terms
// at y and at 0. With q = log(1 - f0) and r = f0/(1 - f0) = 1/expm1(-l0):
//   q_t = -r g0,  q_tt' = -r H0 - r (1 + r) g0 g0',  1 + r = 1/(1 - f0).
// A count whose f(0) rounds to 1 (l0 == 0) has no representable truncated
// pmf: NaN, which the caller turns into a rejected row.
inline CountTerms zero_truncated(const CountTerms& at, const CountTerms& at0) {
    CountTerms t = at;
    if (!(at0.l < 0)) {
        t.l = std::numeric_limits<double>::quiet_NaN();
        return t;
    }
    const double one_m_f0 = -std::expm1(at0.l);
    t.l -= at0.l > -0.6931471805599453 ? std::log(one_m_f0) : std::log1p(-std::exp(at0.l));
    const double r = 1.0 / std::expm1(-at0.l);
    const double r1r = r / one_m_f0;
    for (int i = 0; i < 2; ++i) t.g[i] += r * at0.g[i];
    const int row[3] = {0, 0, 1};
    const int col[3] = {0, 1, 1};
    for (int k = 0; k < 3; ++k) t.h[k] += r * at0.h[k] + r1r * at0.g[row[k]] * at0.g[col[k]];
    return t;
}

// Hurdle, from the zero-truncated count's terms at y (unused at y = 0):
//   y = 0: L = log pi,  L_pi = 1/pi,  L_pipi = -1/pi^2, nothing in theta.
//   y > 0: L = log1p(-pi) + log(f(y)/(1 - f(0))),  L_pi = -1/(1 - pi).
// In both L_pipipi = 2 L_pi^3, and no partial mixes pi and theta (the
// truncated count's third partials, if wanted, come in `truncated`).
inline ZeroModifiedRow hurdle_row(double y, double pi, const CountTerms& truncated) {
    ZeroModifiedRow z;
    if (y == 0) {
        z.t.l = std::log(pi);
        z.d_pi = 1.0 / pi;
        z.d_pipi = -z.d_pi * z.d_pi;
        z.d_pipipi = 2 * z.d_pi * z.d_pi * z.d_pi;
        return z;
    }
    z.t = truncated;
    z.t.l += std::log1p(-pi);
    z.d_pi = -1.0 / (1.0 - pi);
    z.d_pipi = -z.d_pi * z.d_pi;
    z.d_pipipi = 2 * z.d_pi * z.d_pi * z.d_pi;
    return z;
}

// Writes row r of an op with inputs (y, theta_1..theta_k, pi), k = 1 or 2;
// a NaN value becomes -inf (finish_rows then zeroes the partials).
inline void store_zero_modified(OpCall& c, Eigen::Index r, const ZeroModifiedRow& z, int k) {
    const int arity = k + 2;
    const int ipi = k + 1;
    c.value[r] = std::isnan(z.t.l) ? neg_inf : z.t.l;
    for (int i = 0; i < k; ++i) {
        if (c.want_d1(1 + i)) c.d1[1 + i][r] = z.t.g[i];
        if (c.want_d2(1 + i, ipi)) c.d2[pair_index(1 + i, ipi, arity)][r] = z.d_tpi[i];
    }
    if (c.want_d2(1, 1)) c.d2[pair_index(1, 1, arity)][r] = z.t.h[0];
    if (k == 2 && c.want_d2(1, 2)) c.d2[pair_index(1, 2, arity)][r] = z.t.h[1];
    if (k == 2 && c.want_d2(2, 2)) c.d2[pair_index(2, 2, arity)][r] = z.t.h[2];
    if (c.want_d1(ipi)) c.d1[ipi][r] = z.d_pi;
    if (c.want_d2(ipi, ipi)) c.d2[pair_index(ipi, ipi, arity)][r] = z.d_pipi;
    if (c.d3.empty()) return;
    auto d3 = [&](int i, int j, int l, double v) {
        if (c.want_d3(i, j, l)) c.d3[triple_index(i, j, l, arity)][r] = v;
    };
    for (int i = 0; i < k; ++i) {
        for (int j = i; j < k; ++j) {
            for (int l = j; l < k; ++l) d3(1 + i, 1 + j, 1 + l, z.t.t3[i + j + l]);
            d3(1 + i, 1 + j, ipi, z.d_pitt[i + j]);
        }
        d3(1 + i, ipi, ipi, z.d_pipit[i]);
    }
    d3(ipi, ipi, ipi, z.d_pipipi);
}

// ---- the two counts ---------------------------------------------------------

// poisson: l = y log lambda - lambda - log y!,  l_lambda = y/lambda - 1,
// l_lambdalambda = -y/lambda^2, l_lambdalambdalambda = 2y/lambda^3 (y a
// count, lambda > 0).
inline CountTerms poisson_terms(double y, double lambda) {
    CountTerms t;
    t.l = (y > 0 ? y * std::log(lambda) : 0.0) - lambda - special::log_factorial(y);
    t.g[0] = y / lambda - 1.0;
    t.h[0] = -y / (lambda * lambda);
    t.t3[0] = 2 * y / (lambda * lambda * lambda);
    return t;
}

// negbinomial(mu, size): negbinomial_terms (negbinomial_terms.hpp).

}  // namespace mlec::rt::detail

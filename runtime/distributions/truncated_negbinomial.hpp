// The zero-truncated negbinomial(mu, size) log pmf's partials, for
// hurdle_negbinomial: T(y) = log(f(y)/(1 - f(0))), y >= 1. Written as the
// count's terms plus -log(1 - f0) (zero_truncated), its mu partials are
// differences of O(1/mu) and O(1/mu^2) terms when f(0) is near 1 (mu small
// beside 1 and beside size), and its size partials at y = 1 differences of
// O(1) terms that cancel to O(mu): at mu = 1e-8 the second mu partial had
// no digit left. Here, with A = size log1p(mu/size) = -log f(0) and
// E = expm1(A) (so 1 - f0 = E e^-A),
//     T = lc(y, size) + y log mu - y log(size + mu) - log E,
// lc = lgamma(y + size) - lgamma(size) - lgamma(y + 1), and every partial is
// a sum of terms that do not cancel, each from a function accurate on its
// own (expm1mx, log1pmx, the series of phi'' and psi'' below).
#pragma once

#include <array>
#include <cmath>

#include "runtime/distributions/cdf.hpp"
#include "runtime/distributions/detail.hpp"
#include "runtime/distributions/zero_modified.hpp"

namespace mlec::rt::detail {

namespace truncated_nb {

// e^x - 1 - x, by its series below |x| = 1 (x^20/20! is 4e-19).
inline double expm1mx(double x) {
    if (!(std::abs(x) < 1)) return std::expm1(x) - x;
    double term = x * x / 2;
    double sum = term;
    for (int k = 3; k <= 20; ++k) {
        term *= x / k;
        sum += term;
    }
    return sum;
}

// phi(A) = log(expm1(A)/A), its first and second derivatives:
//   phi'(A) = 1/(1 - e^-A) - 1/A = expm1mx(-A)/(A (1 - e^-A)),
//   phi''(A) = 1/A^2 - 1/(4 sinh^2(A/2))
//            = (2 sinh h - A)(2 sinh h + A)/(4 A^2 sinh^2 h),  h = A/2,
// with sinh h - h by its series below A = 2 (both terms of the first form
// are 1/A^2 to leading order; phi''(0) = 1/12).
inline double phi1(double a) { return expm1mx(-a) / (a * -std::expm1(-a)); }
inline double phi2(double a) {
    if (!(a < 2)) {
        const double em = -std::expm1(-a);
        return 1 / (a * a) - std::exp(-a) / (em * em);
    }
    const double h = a / 2;
    double term = h * h * h / 6;  // sinh h - h = sum h^(2k+1)/(2k+1)!, k >= 1
    double sinh_m_h = term;
    for (int k = 2; k <= 10; ++k) {
        term *= h * h / ((2 * k) * (2 * k + 1));
        sinh_m_h += term;
    }
    const double sinh_h = sinh_m_h + h;
    return 2 * sinh_m_h * (2 * sinh_h + a) / (4 * a * a * sinh_h * sinh_h);
}

// phi'''(A) = -2/A^3 + q (1 + q)/(1 - q)^3, q = e^-A (the derivative of the
// first form of phi''), whose terms cancel to -A/120 near 0; below A = 1/2
// its series from phi(A) = A/2 + sum_n b_n A^(2n)/(2n), b_n = B_2n/(2n)!:
// sum_{n>=2} b_n (2n - 1)(2n - 2) A^(2n-3) (the first omitted term is below
// 1e-16 of it at A = 1/2; the direct form loses 1e-12 relative there).
inline double phi3(double a) {
    if (!(a < 0.5)) {
        const double q = std::exp(-a);
        const double m = -std::expm1(-a);
        return -2 / (a * a * a) + q * (1 + q) / (m * m * m);
    }
    constexpr double b[] = {1.0 / 12,          -1.0 / 720,
                            1.0 / 30240,       -1.0 / 1209600,
                            1.0 / 47900160,    -691.0 / 1307674368000.0,
                            1.0 / 74724249600, -3617.0 / 10670622842880000.0};
    double sum = 0;
    for (int n = 8; n >= 2; --n) sum = sum * a * a + (2 * n - 1) * (2 * n - 2) * b[n - 1];
    return sum * a;
}

// psi(u) = log(log1p(u)/u) = sum_n c_n u^n: with a(u) = log1p(u)/u =
// sum_k (-1)^k u^k/(k + 1), n c_n = n a_n - sum_{k<n} k c_k a_{n-k}. The
// series of psi'' = sum_n n (n - 1) c_n u^(n-2) below u = 0.1 (20 terms:
// |n (n - 1) c_n| grows only like n); above, 1/u^2 - (1 + L)/((1 + u) L)^2
// with L = log1p(u), which there loses at most 300 ulps.
constexpr int psi_terms = 22;
constexpr std::array<double, psi_terms> psi_coefficients() {
    std::array<double, psi_terms> a{};
    std::array<double, psi_terms> c{};
    for (int k = 0; k < psi_terms; ++k) a[k] = (k % 2 ? -1.0 : 1.0) / (k + 1);
    for (int n = 1; n < psi_terms; ++n) {
        double s = n * a[n];
        for (int k = 1; k < n; ++k) s -= k * c[k] * a[n - k];
        c[n] = s / n;
    }
    return c;
}
inline double psi2(double u) {
    if (!(u < 0.1)) {
        const double l = std::log1p(u);
        const double d = (1 + u) * l;
        return 1 / (u * u) - (1 + l) / (d * d);
    }
    static constexpr std::array<double, psi_terms> c = psi_coefficients();
    double sum = 0;
    for (int n = psi_terms - 1; n >= 2; --n) sum = sum * u + n * (n - 1) * c[n];
    return sum;
}

// psi'(u) = 1/((1 + u) L) - 1/u and psi'''(u) = -2/u^3 - 1/((1 + u) d^2) +
// 2 (1 + L)^2/d^3, d = (1 + u) L (the derivatives of psi'' above), by the
// same series below u = 0.1 (the direct psi''' loses 2000 ulps at 0.1).
inline double psi1(double u) {
    if (!(u < 0.1)) return 1 / ((1 + u) * std::log1p(u)) - 1 / u;
    static constexpr std::array<double, psi_terms> c = psi_coefficients();
    double sum = 0;
    for (int n = psi_terms - 1; n >= 1; --n) sum = sum * u + n * c[n];
    return sum;
}
inline double psi3(double u) {
    if (!(u < 0.1)) {
        const double l = std::log1p(u);
        const double d = (1 + u) * l;
        return -2 / (u * u * u) - 1 / ((1 + u) * d * d) + 2 * (1 + l) * (1 + l) / (d * d * d);
    }
    static constexpr std::array<double, psi_terms> c = psi_coefficients();
    double sum = 0;
    for (int n = psi_terms - 1; n >= 3; --n) sum = sum * u + n * (n - 1) * (n - 2) * c[n];
    return sum;
}

// The third partials {mu mu mu, mu mu size, mu size size, size size size}
// of T = lc(y, size) + (y - 1) log mu - y log(size + mu) - phi(A) - psi(u)
// (G = log(E/mu) = phi(A) + psi(u) above), each part by the chain rule
// (cdf.hpp, chain_third) from
//   A_mu = p, A_s = log1p(u) - v, A_mumu = -size/(size + mu)^2,
//   A_mus = mu/(size + mu)^2, A_ss = -v^2/size, A_mumumu = 2 size/(size + mu)^3,
//   A_mumus = (size - mu)/(size + mu)^3, A_muss = -2 mu/(size + mu)^3,
//   A_sss = mu^2 (3 size + mu)/(size^2 (size + mu)^3);
//   u_mu = 1/size, u_s = -mu/size^2, u_mus = -1/size^2, u_ss = 2 mu/size^3,
//   u_muss = 2/size^3, u_sss = -6 mu/size^4 (the others 0).
// The explicit terms: 2 (y - 1)/mu^3 in mu^3, -2y/(size + mu)^3 in every
// triple, and lc_sss = psi''(y + size) - psi''(size); for y <= 64
// lc_sss - 2y/(size + mu)^3 is the sum over j < y of
// 2 (mu - j)((s + mu)^2 + (s + mu)(s + j) + (s + j)^2)/((s + j)^3 (s + mu)^3),
// free of the cancellation of its two O(y/size^3) terms (as S1, S2 below);
// above, from polygamma2_diff: quad_rem + y (2s + y)/(s (s + y))^2.
inline std::array<double, 4> truncated_negbinomial_third(double y, double mu, double size, double a_s) {
    const double sm = size + mu;
    const double sm3 = sm * sm * sm;
    const double v = mu / sm;
    const double u = mu / size;
    const double a = size * std::log1p(u);
    Inner<2> ia;
    ia.z = a;
    ia.d1 = {size / sm, a_s};
    ia.d2 = {-size / (sm * sm), mu / (sm * sm), -v * v / size};
    ia.d3 = {2 * size / sm3, (size - mu) / sm3, -2 * mu / sm3, mu * mu * (3 * size + mu) / (size * size * sm3)};
    const double s2 = size * size;
    Inner<2> iu;
    iu.z = u;
    iu.d1 = {1 / size, -mu / s2};
    iu.d2 = {0, -1 / s2, 2 * mu / (s2 * size)};
    iu.d3 = {0, 0, 2 / (s2 * size), -6 * mu / (s2 * s2)};
    std::array<double, 4> g3{};
    chain_third(Outer{0, truncated_nb::phi1(a), truncated_nb::phi2(a), truncated_nb::phi3(a)}, ia, g3);
    chain_third(Outer{0, truncated_nb::psi1(u), truncated_nb::psi2(u), truncated_nb::psi3(u)}, iu, g3);
    double s3 = 0;
    if (y <= 64) {
        for (int j = 0; j < static_cast<int>(y); ++j) {
            const double sj = size + j;
            s3 += 2 * (mu - j) * (sm * sm + sm * sj + sj * sj) / (sj * sj * sj * sm3);
        }
    } else {
        const double quad_rem = negbinomial_count(y, size, false, false, true).quad_rem;
        const double sy = size * (size + y);
        s3 = quad_rem + y * (2 * size + y) / (sy * sy) - 2 * y / sm3;
    }
    return {2 * (y - 1) / (mu * mu * mu) - 2 * y / sm3 - g3[0], -2 * y / sm3 - g3[1], -2 * y / sm3 - g3[2], s3 - g3[3]};
}

}  // namespace truncated_nb

// The partials of T in (mu, size), the value and the domain handling being
// zero_truncated's: with p = size/(size + mu), v = mu/(size + mu),
// u = mu/size, R = 1/(1 - e^-A) and Q = R mu - 1 =
// (expm1mx(-A) - size log1pmx(u))/(1 - e^-A) (both terms >= 0):
//   T_mu = p (y - 1 - Q)/mu
//   T_mumu = -(y - 1)/mu^2 + y/(size + mu)^2 - G_mumu,
//     G = log(E/mu) = phi(A) + psi(u):
//     G_mumu = phi''(A) p^2 - phi'(A) p/(size + mu) + psi''(u)/size^2
//   A_s = log1p(u) - v = -log1pmx(-v) >= 0,  A_ss = -v^2/size
//   T_s = S1 - R A_s,   S1 = lc_s - y/(size + mu)
//   T_ss = S2 - R A_ss + R (R - 1) A_s^2,   S2 = lc_ss + y/(size + mu)^2
//   T_ms = (y - 1 - Q)/(size + mu)^2 + R (R - 1) p A_s
// S1 and S2 for y <= 64 as the sums over j < y of (mu - j)/((s + j)(s + mu))
// and (j - mu)(2s + j + mu)/((s + j)^2 (s + mu)^2) (lc_s = sum 1/(s + j),
// lc_ss = -sum 1/(s + j)^2), which keep the O(mu) of y = 1 and the Poisson
// limit's O(1/size^2); above, from the count's own partials (at, as
// negbinomial_terms gives them): S1 = l_s + A_s, S2 = l_ss + A_ss.
// With `third`, t3 too (truncated_negbinomial_third).
inline CountTerms truncated_negbinomial_terms(double y, double mu, double size, bool third = false) {
    const CountTerms at = negbinomial_terms(y, mu, size);
    CountTerms t = zero_truncated(at, negbinomial_terms(0, mu, size));
    if (!(y >= 1 && mu > 0 && size > 0 && std::isfinite(t.l) && std::isfinite(mu) && std::isfinite(size))) return t;
    using namespace truncated_nb;
    const double sm = size + mu;
    const double p = size / sm;
    const double v = mu / sm;
    const double u = mu / size;
    const double a = size * std::log1p(u);
    const double em = -std::expm1(-a);  // 1 - f(0)
    const double r = 1 / em;
    const double rr1 = std::exp(-a) / (em * em);  // R (R - 1)
    const double q = (expm1mx(-a) - size * log1pmx(u)) / em;
    // log1p(u) - v: from log1pmx(-v) while v < 1/2, and directly above,
    // where 1 - v = size/(size + mu) would be rounded inside log1p(-v).
    const double a_s = u < 1 ? -log1pmx(-v) : std::log1p(u) - v;
    const double a_ss = -v * v / size;
    double s1 = 0;
    double s2 = 0;
    if (y <= 64) {
        for (int j = 0; j < static_cast<int>(y); ++j) {
            s1 += (mu - j) / ((size + j) * sm);
            s2 += (j - mu) * (2 * size + j + mu) / ((size + j) * (size + j) * sm * sm);
        }
    } else {
        s1 = at.g[1] + a_s;
        s2 = at.h[2] + a_ss;
    }
    t.g[0] = p * ((y - 1) - q) / mu;
    t.g[1] = s1 - r * a_s;
    const double g_mumu = phi2(a) * p * p - phi1(a) * p / sm + psi2(u) / (size * size);
    t.h[0] = -(y - 1) / (mu * mu) + y / (sm * sm) - g_mumu;
    t.h[1] = ((y - 1) - q) / (sm * sm) + rr1 * p * a_s;
    t.h[2] = s2 - r * a_ss + rr1 * a_s * a_s;
    if (third) {
        const std::array<double, 4> t3 = truncated_negbinomial_third(y, mu, size, a_s);
        std::copy(t3.begin(), t3.end(), t.t3);
    }
    return t;
}

}  // namespace mlec::rt::detail

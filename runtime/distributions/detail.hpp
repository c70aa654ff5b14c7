// Shared by the distribution files (one per distribution) and the table in
// runtime/distributions.cpp; not part of any public interface.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

#include "runtime/distributions.hpp"
#include "runtime/distributions/list.hpp"
#include "runtime/functions.hpp"
#include "runtime/precondition.hpp"
#include "runtime/special_functions.hpp"

namespace mlec::rt::detail {

constexpr double neg_inf = -std::numeric_limits<double>::infinity();
constexpr double log_sqrt_2pi = 0.91893853320467274178032973640562;  // log(sqrt(2 pi))

// The log densities use Eigen's vectorized log, which clamps a subnormal
// argument (below 2.2e-308) to the smallest normal double. A parameter or
// outcome that small already puts the log density below -708, where the
// difference does not matter; the built-in log function is exact there
// (special::assign_log).

inline bool in_domain_fast(Domain d, double x) {
    switch (d) {
        case Domain::real: return std::isfinite(x);
        case Domain::positive: return x > 0 && x < std::numeric_limits<double>::infinity();
        case Domain::nonnegative: return x >= 0 && x < std::numeric_limits<double>::infinity();
        case Domain::unit_open: return x > 0 && x < 1;
        case Domain::unit_closed: return x >= 0 && x <= 1;
        case Domain::binary: return x == 0 || x == 1;
        case Domain::count: return x >= 0 && x < std::numeric_limits<double>::infinity() && x == std::floor(x);
        case Domain::category: return x >= 1 && x < std::numeric_limits<double>::infinity() && x == std::floor(x);
    }
    return false;
}

// Whether ok(x[r]) holds in every row. It counts the failures instead of
// stopping at the first (Eigen's all() is an element-by-element loop with
// an early exit), so the compiler vectorizes the pass: this check runs on
// every input of every distribution in every block.
template <class Column, class Ok>
bool every_row(const Column& x, Ok ok) {
    const double* p = x.data();
    const Eigen::Index n = x.size();
    Eigen::Index failures = 0;
    for (Eigen::Index r = 0; r < n; ++r) failures += ok(p[r]) ? 0 : 1;
    return failures == 0;
}

// Whole-column form of in_domain_fast, as one vectorizable pass (NaN fails
// every comparison, so it is never in a domain). The bitwise & and | are
// deliberate: without short-circuit branches the compiler vectorizes.
inline bool column_in_domain(Domain d, const ConstCol& x) {
    constexpr double inf = std::numeric_limits<double>::infinity();
    // v is a whole number: rounding by adding and subtracting 2^52 leaves
    // it unchanged, and every double from 2^52 up is whole (std::floor
    // keeps GCC 12 from vectorizing the loop).
    constexpr double two52 = 4503599627370496.0;
    constexpr auto whole = [](double v) { return (v >= two52) | ((v + two52) - two52 == v); };
    switch (d) {
        case Domain::real: return every_row(x, [](double v) { return (v > -inf) & (v < inf); });
        case Domain::positive: return every_row(x, [](double v) { return (v > 0.0) & (v < inf); });
        case Domain::nonnegative: return every_row(x, [](double v) { return (v >= 0.0) & (v < inf); });
        case Domain::unit_open: return every_row(x, [](double v) { return (v > 0.0) & (v < 1.0); });
        case Domain::unit_closed: return every_row(x, [](double v) { return (v >= 0.0) & (v <= 1.0); });
        case Domain::binary: return every_row(x, [](double v) { return (v == 0.0) | (v == 1.0); });
        case Domain::count: return every_row(x, [&](double v) { return (v >= 0.0) & (v < inf) & whole(v); });
        case Domain::category: return every_row(x, [&](double v) { return (v >= 1.0) & (v < inf) & whole(v); });
    }
    return false;
}

// The domain of input k >= 1 (input 0 is y): its argument's; the inputs past
// the last argument are the elements of that (vector) argument, as for
// categorical(y | p_1, ..., p_K). A vector outcome's op has 2K inputs, the
// K outcome entries first (DistributionDef::vector_outcome).
inline Domain input_domain(const DistributionDef& def, int k, int arity) {
    if (def.vector_outcome) return k < arity / 2 ? def.outcome : def.args.back().domain;
    const std::size_t i = std::min(static_cast<std::size_t>(k - 1), def.args.size() - 1);
    return def.args[i].domain;
}

// Whether row r's outcome and arguments lie in their domains. The scalar
// helpers below have preconditions (log_beta needs a, b > 0, polygamma_diff
// x > 0 and a >= 0, ...): a distribution calls them only for rows that pass
// this (or the part of it the helper's inputs need), and gives the others
// any value, which finish_rows then replaces by -inf.
inline bool row_in_domain(const DistributionDef& def, const OpCall& c, Eigen::Index r) {
    const int arity = static_cast<int>(c.in.size());
    bool ok = in_domain_fast(def.outcome, c.in[0][r]);
    for (int k = 1; ok && k < arity; ++k) ok = in_domain_fast(input_domain(def, k, arity), c.in[k][r]);
    return ok;
}

// The argument checks, which Stan Math runs before the value, run here after
// the vectorized value so that the common all-valid block stays a few passes
// of array expressions:
// every row whose outcome or arguments lie outside their domains, or whose
// log density came out -inf (probability zero, e.g. bernoulli(1 | 0), or a
// row the distribution itself rejected, like binomial's y > n) gets log
// density -inf and zero partials. A zero partial keeps the evaluator's chain
// rule finite; the -inf already tells an optimizer to reject the step.
// Discrete outcomes are never differentiated; any partial in y requested
// anyway is zero.
inline void finish_rows(OpCall& c, const DistributionDef& def) {
    const int arity = static_cast<int>(c.in.size());
    if (def.discrete) {
        if (c.want_d1(0)) c.d1[0].setZero();
        for (int j = 0; j < arity; ++j) {
            if (c.want_d2(0, j)) c.d2[pair_index(0, j, arity)].setZero();
            for (int k = j; k < arity; ++k) {
                if (c.want_d3(0, j, k)) c.d3[triple_index(0, j, k, arity)].setZero();
            }
        }
    }
    // Fast path: every row valid, nothing to repair.
    bool all_ok = every_row(c.value, [](double v) { return v > neg_inf; }) && column_in_domain(def.outcome, c.in[0]);
    for (int k = 1; all_ok && k < arity; ++k) all_ok = column_in_domain(input_domain(def, k, arity), c.in[k]);
    if (all_ok) return;

    const Eigen::Index n = c.value.size();
    for (Eigen::Index r = 0; r < n; ++r) {
        if (c.value[r] > neg_inf && row_in_domain(def, c, r)) continue;
        c.value[r] = neg_inf;
        for (Col& d : c.d1) {
            if (d.size() > 0) d[r] = 0.0;
        }
        for (Col& d : c.d2) {
            if (d.size() > 0) d[r] = 0.0;
        }
        for (Col& d : c.d3) {
            if (d.size() > 0) d[r] = 0.0;
        }
    }
}

// ---- shared scalar math ----------------------------------------------------

// log(1 + u) - u, also for small |u| where the two terms cancel to -u^2/2:
// with v = u/(2 + u), log(1 + u) = 2 atanh(v) = 2 (v + v^3/3 + v^5/5 + ...)
// and 2v - u = -u^2/(2 + u), so no term cancels (the idea of R's log1pmx).
// u >= -1.
inline double log1pmx(double u) {
    MLEC_ASSERT_PRECONDITION(u >= -1);
    if (!(std::abs(u) < 0.1)) return std::log1p(u) - u;
    const double v = u / (2.0 + u);
    const double v2 = v * v;
    // |v| < 0.053: the series sum_k v^(2k-2)/(2k+1) is exact to double
    // precision after 8 terms.
    double series = 1.0 / 17;
    for (int k = 7; k >= 1; --k) series = series * v2 + 1.0 / (2 * k + 1);
    return -u * u / (2.0 + u) + 2.0 * v * v2 * series;
}

// lgamma(x + a) - lgamma(x) for x >= 10, a >= 0, by Stirling's formula
// lgamma(z) = (z - 1/2) log z - z + log sqrt(2 pi) + R(z) with the remainders
// R kept exactly: (x - 1/2) log1p(a/x) + a log(x + a) - a + R(x + a) - R(x).
// The difference of two lgamma values of size x log x would lose
// log10(x log x) digits.
inline double lgamma_ratio(double x, double a) {
    MLEC_ASSERT_PRECONDITION(x >= 10 && a >= 0);
    return (x - 0.5) * std::log1p(a / x) + a * std::log(x + a) - a + special::stirling_remainder(x + a) -
           special::stirling_remainder(x);
}

// log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b) for a, b > 0, without
// the cancellation of the three terms when one argument is large.
inline double log_beta(double a, double b) {
    MLEC_ASSERT_PRECONDITION(a > 0 && b > 0);
    const double p = std::min(a, b);
    const double q = std::max(a, b);
    if (p >= 1 && p + q >= 20) return special::log_beta_large(p, q);
    if (q >= 10) return special::lgamma(p) - lgamma_ratio(q, p);
    return special::lgamma(p) + special::lgamma(q) - special::lgamma(p + q);
}

// Differences of the polygamma functions at x and x + a (x > 0, a >= 0),
// minus their leading terms, which the callers combine analytically:
//     psi_rem  = psi(x + a)  - psi(x)  - log1p(a/x)
//     tri_rem  = psi'(x + a) - psi'(x) + a/(x (x + a))
// For x >= 10 from the asymptotic series
//     psi(z)  = log z - 1/(2z) - sum_k B_2k/(2k z^2k)
//     psi'(z) = 1/z + 1/(2z^2) + sum_k B_2k/z^(2k+1)
// (k <= 7, the first omitted term below 1e-16 at z = 10), with each
// difference of powers written as (1/(x+a) - 1/x) times a sum of products, so
// nothing cancels even for a << x; for x < 10 and an integer a <= 16 by the
// recurrence psi(z + 1) = psi(z) + 1/z (exact sums); otherwise from Boost's
// psi and psi'.
struct PolygammaDiff {
    double psi_rem = 0;
    double tri_rem = 0;
};

inline PolygammaDiff polygamma_diff(double x, double a, bool want_psi, bool want_tri) {
    MLEC_ASSERT_PRECONDITION(x > 0 && a >= 0);
    PolygammaDiff out;
    if (a == 0) return out;
    if (x >= 10) {
        // h[n] = sum_{j<n} i2^j i1^(n-1-j), so that i2^n - i1^n = delta h[n].
        const double i1 = 1.0 / x;
        const double i2 = 1.0 / (x + a);
        const double delta = -a / (x * (x + a));
        double h[16];
        h[1] = 1.0;
        double i2_pow = i2;
        for (int n = 1; n < 15; ++n) {
            h[n + 1] = i1 * h[n] + i2_pow;
            i2_pow *= i2;
        }
        if (want_psi) {
            constexpr double c[] = {1.0 / 12, -1.0 / 120, 1.0 / 252, -1.0 / 240, 1.0 / 132, -691.0 / 32760, 1.0 / 12};
            double s = 0;
            for (int k = 1; k <= 7; ++k) s += c[k - 1] * h[2 * k];
            out.psi_rem = -0.5 * delta - delta * s;
        }
        if (want_tri) {
            constexpr double b[] = {1.0 / 6, -1.0 / 30, 1.0 / 42, -1.0 / 30, 5.0 / 66, -691.0 / 2730, 7.0 / 6};
            double s = 0;
            for (int k = 1; k <= 7; ++k) s += b[k - 1] * h[2 * k + 1];
            out.tri_rem = 0.5 * delta * h[2] + delta * s;
        }
        return out;
    }
    if (a <= 16 && a == std::floor(a)) {
        double psi = 0;
        double tri = 0;
        for (int j = 0; j < static_cast<int>(a); ++j) {
            const double inv = 1.0 / (x + j);
            psi += inv;
            tri -= inv * inv;
        }
        if (want_psi) out.psi_rem = psi - std::log1p(a / x);
        if (want_tri) out.tri_rem = tri + a / (x * (x + a));
        return out;
    }
    if (want_psi) out.psi_rem = special::digamma(x + a) - special::digamma(x) - std::log1p(a / x);
    if (want_tri) out.tri_rem = special::trigamma(x + a) - special::trigamma(x) + a / (x * (x + a));
    return out;
}

// The partials in y, mu and sigma (inputs iy, imu, is) of a location-scale
// log density f = h(z) - log sigma + (terms free of y, mu, sigma),
// z = (y - mu)/sigma, by the chain rule with dz/dy = 1/s, dz/dmu = -1/s,
// dz/ds = -z/s:
//   f_y = h'/s    f_mu = -h'/s    f_s = -(1 + z h')/s
//   f_yy = f_mumu = -f_ymu = h''/s^2
//   f_ys = -f_mus = -(z h'' + h')/s^2
//   f_ss = (1 + 2 z h' + z^2 h'')/s^2
// The caller passes h' (hz), z h' (zhz), h'' (hzz), z h'' (zhzz) and z^2 h''
// (zzhzz) as lazy Eigen expressions in forms that stay finite for huge |z|;
// each one is evaluated only if a partial that uses it was requested.
template <class Hz, class ZHz, class Hzz, class ZHzz, class ZZHzz>
void location_scale_partials(OpCall& c, int iy, int imu, int is, const ConstCol& sigma, const Hz& hz, const ZHz& zhz,
                             const Hzz& hzz, const ZHzz& zhzz, const ZZHzz& zzhzz) {
    const int arity = static_cast<int>(c.in.size());
    const auto inv_s = sigma.inverse();
    const auto inv_s2 = inv_s.square();
    if (c.want_d1(iy)) c.d1[iy] = hz * inv_s;
    if (c.want_d1(imu)) c.d1[imu] = -hz * inv_s;
    if (c.want_d1(is)) c.d1[is] = -(1.0 + zhz) * inv_s;
    if (c.want_d2(iy, iy)) c.d2[pair_index(iy, iy, arity)] = hzz * inv_s2;
    if (c.want_d2(imu, imu)) c.d2[pair_index(imu, imu, arity)] = hzz * inv_s2;
    if (c.want_d2(iy, imu)) c.d2[pair_index(iy, imu, arity)] = -hzz * inv_s2;
    if (c.want_d2(iy, is)) c.d2[pair_index(iy, is, arity)] = -(zhzz + hz) * inv_s2;
    if (c.want_d2(imu, is)) c.d2[pair_index(imu, is, arity)] = (zhzz + hz) * inv_s2;
    if (c.want_d2(is, is)) c.d2[pair_index(is, is, arity)] = (1.0 + 2.0 * zhz + zzhzz) * inv_s2;
}

// The third partials in y, mu and sigma (inputs iy, imu, is) of the same
// location-scale log density f = h(z) - log sigma, z = (y - mu)/sigma: with
// a derivatives in y, b in mu and c in sigma (a + b + c = 3), f depends on
// y and mu only through y - mu, so the partial is (-1)^b T(a + b, c), and
// differentiating the second partials above in sigma (dz/ds = -z/s):
//   T(3, 0) = h'''/s^3
//   T(2, 1) = -(2 h'' + z h''')/s^3
//   T(1, 2) = (2 h' + 4 z h'' + z^2 h''')/s^3
//   T(0, 3) = -(2 + 6 z h' + 6 z^2 h'' + z^3 h''')/s^3
// The caller passes the four numerators (lazy Eigen expressions, in forms
// that stay finite for huge |z|); each is evaluated only for a requested
// partial.
template <class N30, class N21, class N12, class N03>
void location_scale_third(OpCall& c, int iy, int imu, int is, const ConstCol& sigma, const N30& n30, const N21& n21,
                          const N12& n12, const N03& n03) {
    if (c.d3.empty()) return;
    const int arity = static_cast<int>(c.in.size());
    const auto inv_s3 = sigma.inverse().cube();
    const int inputs[3] = {iy, imu, is};
    for (int p = 0; p < 3; ++p) {
        for (int q = p; q < 3; ++q) {
            for (int r = q; r < 3; ++r) {
                if (!c.want_d3(inputs[p], inputs[q], inputs[r])) continue;
                // p <= q <= r over (y, mu, sigma): count each kind
                const int in_sigma = (p == 2) + (q == 2) + (r == 2);
                const int in_mu = (p == 1) + (q == 1) + (r == 1);
                const double sign = in_mu % 2 == 0 ? 1.0 : -1.0;
                Col& out = c.d3[triple_index(inputs[p], inputs[q], inputs[r], arity)];
                switch (in_sigma) {
                    case 0: out = sign * n30 * inv_s3; break;
                    case 1: out = sign * n21 * inv_s3; break;
                    case 2: out = sign * n12 * inv_s3; break;
                    default: out = n03 * inv_s3; break;
                }
            }
        }
    }
}

// One definition per file under runtime/distributions/, one per line of
// runtime/distributions/list.hpp.
#define MLEC_DECLARE_DISTRIBUTION(name) const DistributionDef& name##_def();
MLEC_DISTRIBUTIONS(MLEC_DECLARE_DISTRIBUTION)
#undef MLEC_DECLARE_DISTRIBUTION

}  // namespace mlec::rt::detail

// Scalar special functions shared by the built-in functions and the
// distributions: the log-gamma family from Boost.Math (std::lgamma writes the
// global `signgam` in glibc and is not thread-safe), and log k! from a table
// for the small counts that dominate real data.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include <Eigen/Core>
#include <boost/math/policies/policy.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/special_functions/trigamma.hpp>

#include "runtime/precondition.hpp"

namespace mlec::rt::special {

// The library never throws for a bad argument: a pole or domain error becomes
// NaN/inf, and the callers decide what it means. promote_double<false> keeps
// the evaluation in double (Boost's default promotes to long double, which is
// several times slower and buys nothing at our tolerances).
using Policy =
    boost::math::policies::policy<boost::math::policies::domain_error<boost::math::policies::ignore_error>,
                                  boost::math::policies::pole_error<boost::math::policies::ignore_error>,
                                  boost::math::policies::overflow_error<boost::math::policies::ignore_error>,
                                  boost::math::policies::evaluation_error<boost::math::policies::ignore_error>,
                                  boost::math::policies::promote_double<false>>;

// {log Phi(x), its first derivative, its second}, finite and accurate in
// both tails (defined with the built-in log_Phi, runtime/functions/log_phi.cpp);
// a derivative not wanted may be NaN.
std::array<double, 3> log_phi(double x, bool want_d1, bool want_d2);
// {log Phi(x), its first, second and third derivatives}, as accurate (the
// third by the continued fraction's next levels in the lower tail).
std::array<double, 4> log_phi_third(double x);

inline bool is_nonpositive_integer(double x) { return x <= 0 && x == std::floor(x); }

// log|Gamma(x)|, +inf at the poles x = 0, -1, -2, ... (as C's lgamma and R do;
// Boost's ignore_error would give NaN there).
inline double lgamma(double x) {
    if (is_nonpositive_integer(x)) return std::numeric_limits<double>::infinity();
    return boost::math::lgamma(x, Policy());
}

// psi(x) = d/dx log Gamma(x); NaN at the poles.
inline double digamma(double x) {
    if (is_nonpositive_integer(x)) return std::numeric_limits<double>::quiet_NaN();
    return boost::math::digamma(x, Policy());
}

// psi'(x) = d^2/dx^2 log Gamma(x); +inf at the poles (psi' ~ 1/(x-k)^2 there).
inline double trigamma(double x) {
    if (is_nonpositive_integer(x)) return std::numeric_limits<double>::infinity();
    return boost::math::trigamma(x, Policy());
}

// log k! for k = 0 .. 1023, filled once (thread-safe static initialisation).
inline constexpr int log_factorial_table_size = 1024;

inline const std::array<double, log_factorial_table_size>& log_factorial_table() {
    static const std::array<double, log_factorial_table_size> table = [] {
        std::array<double, log_factorial_table_size> t{};
        // Summing log k would accumulate rounding; lgamma(k+1) is correct to
        // a few ulp at every k.
        for (int k = 0; k < log_factorial_table_size; ++k) t[k] = lgamma(k + 1.0);
        return t;
    }();
    return table;
}

// log Gamma(k + 1) = log k!; a table lookup for small non-negative integers,
// Boost's lgamma otherwise (including non-integers, for callers that check
// the domain afterwards).
inline double log_factorial(double k) {
    if (k >= 0 && k < log_factorial_table_size && k == std::floor(k)) {
        return log_factorial_table()[static_cast<int>(k)];
    }
    return lgamma(k + 1.0);
}

// lgamma(x) - [(x - 1/2) log x - x + log sqrt(2 pi)], the remainder of
// Stirling's formula, for x >= 10 by its asymptotic series
//     sum_k B_2k / (2k (2k-1) x^(2k-1)),
// whose first omitted term is below 2e-18 at x = 10. Computing it directly
// (not as a difference of lgamma values) is what keeps log_beta exact.
inline double stirling_remainder(double x) {
    MLEC_ASSERT_PRECONDITION(x >= 10);
    const double r = 1.0 / (x * x);
    constexpr double c[] = {1.0 / 12,   -1.0 / 360,      1.0 / 1260, -1.0 / 1680,
                            1.0 / 1188, -691.0 / 360360, 1.0 / 156,  -3617.0 / 122400};
    double sum = c[7];
    for (int k = 6; k >= 0; --k) sum = sum * r + c[k];
    return sum / x;
}

// log B(p, q) for p, q >= 1 with p + q >= 20, without the cancellation of
// lgamma(p) + lgamma(q) - lgamma(p+q) (the terms can be ~1e7 while the
// result is ~1): Stirling's formula for the large arguments, with the
// remainders kept exactly (the approach of R's lbeta).
inline double log_beta_large(double a, double b) {
    MLEC_ASSERT_PRECONDITION(std::min(a, b) >= 1 && a + b >= 20);
    constexpr double log_sqrt_2pi = 0.91893853320467274178032973640562;
    const double p = std::min(a, b);
    const double q = std::max(a, b);
    const double ratio = p / (p + q);
    if (p >= 10) {
        const double corr = stirling_remainder(p) + stirling_remainder(q) - stirling_remainder(p + q);
        return -0.5 * std::log(q) + log_sqrt_2pi + corr + (p - 0.5) * std::log(ratio) + q * std::log1p(-ratio);
    }
    const double corr = stirling_remainder(q) - stirling_remainder(p + q);
    return lgamma(p) + corr + p - p * std::log(p + q) + (q - 0.5) * std::log1p(-ratio);
}

// log C(n, k) for integers 0 <= k <= n: the log k! table when n is small,
// otherwise -log(n+1) - log B(n-k+1, k+1). (Both are lgamma's continuation
// for other real 0 <= k <= n, which keeps log_beta_large's arguments >= 1.)
inline double log_choose(double n, double k) {
    MLEC_ASSERT_PRECONDITION(k >= 0 && k <= n);
    if (n < log_factorial_table_size) {
        return log_factorial(n) - log_factorial(k) - log_factorial(n - k);
    }
    if (k == 0 || k == n) return 0.0;
    return -std::log1p(n) - log_beta_large(n - k + 1, k + 1);
}

// out = exp(x) elementwise. Eigen 3.4's vectorized exp clamps its argument
// at -709.78 and returns 5.6e-309 where the true value is subnormal or 0, so
// the few rows that come out below the smallest normal double are redone
// with std::exp (and a block of rows equals the same rows one at a time).
template <class Out, class Derived>
void assign_exp(Out& out, const Eigen::ArrayBase<Derived>& x) {
    out = x.exp();
    // First a count the compiler vectorizes (no call, no early exit), then
    // the repair only in the rare block that needs it.
    constexpr double smallest = std::numeric_limits<double>::min();
    Eigen::Index below = 0;
    for (Eigen::Index i = 0; i < out.size(); ++i) below += out[i] < smallest ? 1 : 0;
    if (below == 0) return;
    for (Eigen::Index i = 0; i < out.size(); ++i) {
        if (out[i] < smallest) out[i] = std::exp(x.derived().coeff(i));
    }
}

// out = log(x) elementwise. Eigen's vectorized log clamps subnormal arguments
// to the smallest normal double (giving -708.4 where the truth reaches
// -744.4); those rows are redone with std::log.
template <class Out, class Derived>
void assign_log(Out& out, const Eigen::ArrayBase<Derived>& x) {
    out = x.log();
    for (Eigen::Index i = 0; i < out.size(); ++i) {
        const double xi = x.derived().coeff(i);
        if (xi > 0 && xi < std::numeric_limits<double>::min()) out[i] = std::log(xi);
    }
}

// x = log(1 + x) elementwise, vectorized. Eigen 3.4 has no vectorized
// log1p for doubles (it calls std::log1p one element at a time, the slowest
// step of a logistic likelihood), but its log is vectorized. With u = 1 + x
// rounded, log(u) * x / (u - 1) corrects the rounding of u exactly to first
// order (Goldberg, "What every computer scientist should know about
// floating-point arithmetic", 1991, Theorem 4): within 2 ulp of std::log1p
// over (-1, 1e300] in our tests.
//
// The formula is 0 * inf or inf / inf = NaN at its two edges: u == 1 (|x|
// below half an ulp of 1, where log1p(x) = x to double precision) and
// u == inf (log1p(inf) = inf). Eigen 3.4 evaluates a select() one element
// at a time, so instead of selecting, chunks are computed with the formula
// alone and the NaNs repaired afterwards from a copy of the chunk.
template <class Derived>
void log1p_in_place(Eigen::ArrayBase<Derived>& array) {
    constexpr Eigen::Index chunk = 256;
    double copy[chunk];
    auto& x = array.derived();
    const Eigen::Index n = x.size();
    for (Eigen::Index begin = 0; begin < n; begin += chunk) {
        const Eigen::Index m = std::min(chunk, n - begin);
        Eigen::Map<Eigen::ArrayXd> original(copy, m);
        auto part = x.segment(begin, m);
        original = part;
        const auto u = 1.0 + original;
        part = u.log() * (original / (u - 1.0));
        for (Eigen::Index i = 0; i < m; ++i) {
            if (!std::isnan(part[i])) continue;
            const double ui = 1.0 + copy[i];
            if (ui == 1.0) part[i] = copy[i];
            else if (ui == std::numeric_limits<double>::infinity()) part[i] = ui;
        }
    }
}

}  // namespace mlec::rt::special

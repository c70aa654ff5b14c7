// Scalar special functions shared by the built-in functions and the
// distributions: the log-gamma family from Boost.Math (std::lgamma writes the
// global `signgam` in glibc and is not thread-safe), and log k! from a table
// for the small counts that dominate real data.
#pragma once

#include <array>
#include <cmath>
#include <limits>

#include <Eigen/Core>
#include <boost/math/policies/policy.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/special_functions/trigamma.hpp>

namespace mlec::rt::special {

// The library never throws for a bad argument: a pole or domain error becomes
// NaN/inf, and the callers decide what it means. promote_double<false> keeps
// the evaluation in double (Boost's default promotes to long double, which is
// several times slower and buys nothing at our tolerances).
using Policy = boost::math::policies::policy<
    boost::math::policies::domain_error<boost::math::policies::ignore_error>,
    boost::math::policies::pole_error<boost::math::policies::ignore_error>,
    boost::math::policies::overflow_error<boost::math::policies::ignore_error>,
    boost::math::policies::evaluation_error<boost::math::policies::ignore_error>,
    boost::math::policies::promote_double<false>>;

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

// out = exp(x) elementwise. Eigen 3.4's vectorized exp clamps its argument
// at -709.78 and returns 5.6e-309 where the true value is subnormal or 0, so
// the few rows that come out below the smallest normal double are redone
// with std::exp (and a block of rows equals the same rows one at a time).
template <class Out, class Derived>
void assign_exp(Out& out, const Eigen::ArrayBase<Derived>& x) {
    out = x.exp();
    for (Eigen::Index i = 0; i < out.size(); ++i) {
        if (out[i] < std::numeric_limits<double>::min()) out[i] = std::exp(x.derived().coeff(i));
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

}  // namespace mlec::rt::special

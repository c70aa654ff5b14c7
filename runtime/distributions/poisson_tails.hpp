// The Poisson distribution functions, shared by poisson(lambda) and
// poisson_log(eta), lambda = e^eta.
#pragma once

#include <boost/math/special_functions/gamma.hpp>

#include "runtime/distributions/cdf.hpp"

namespace mlec::rt::detail {

// One distribution function of Y ~ Poisson(e^eta): its value and its
// partials in the natural parameter eta (poisson's in lambda follow by the
// chain rule, g_lambda = g'/lambda, g_lambda,lambda = (g'' - g')/lambda^2,
// g_lambda,lambda,lambda = (g''' - 3g'' + 2g')/lambda^3, with g'' - g' and
// g''' - 3g'' + 2g' kept apart so that they do not cancel).
struct PoissonSide {
    double value = neg_inf;
    double d1 = 0;            // d/deta
    double d2 = 0;            // d2/deta2
    double d2_minus_d1 = 0;   // d2/deta2 - d/deta
    double d3 = 0;            // d3/deta3
    double d3_in_lambda = 0;  // d3/deta3 - 3 d2/deta2 + 2 d/deta
};

struct PoissonTails {
    PoissonSide lower;  // log P(Y <= y)
    PoissonSide upper;  // log P(Y > y)
};

inline double poisson_log_pmf(double y, double lambda, double log_lambda) {
    return (y == 0 ? 0.0 : y * log_lambda) - lambda - special::log_factorial(y);
}

// A tail below 1e-8 is summed from its first term (cdf.hpp, tail_sum:
// terms pmf(y - j), each (y - j + 1)/lambda times the one before, below;
// pmf(y + 1 + j), each lambda/(y + 1 + j) times the one before, above), and
// its partials are the moments: g' = E[Y | tail] - lambda,
// g'' = Var[Y | tail] - lambda (Y's natural parameter is eta, and Poisson's
// mean and variance are lambda). Computed from the ratio
// w = lambda pmf(y)/P(tail) instead, g'' = w (y - lambda + 1) - w^2 would
// cancel to nothing far in a tail. Likewise g''' = k3[Y | tail] - lambda
// (the third central moment; all of Poisson's cumulants are lambda), and
// g''' - 3g'' + 2g' = k3 - 3 Var + 2 E, lambda dropping out exactly.
inline PoissonSide poisson_small_tail(const TailSum& t, double lambda) {
    return {t.log_sum,           t.mean - lambda,  t.variance - lambda,
            t.variance - t.mean, t.third - lambda, t.third - 3 * t.variance + 2 * t.mean};
}

// The other tail, whose probability is at least 1e-8: from Boost.Math's
// regularized incomplete gamma functions Q(y + 1, lambda) = P(Y <= y) and
// P(y + 1, lambda) = P(Y > y), each to full relative precision; its log as
// log1p of the other where that is below 1/2. With w as above
// (d/dlambda P(Y <= y) = -pmf(y), d/dlambda pmf(y) = pmf(y) (y/lambda - 1)),
// for the lower tail g' = -w, g'' = -w (y - lambda + 1) - w^2, and for the
// upper tail g' = w, g'' = w (y - lambda + 1) - w^2. w = 0 (lambda
// overflowed, or underflowed with y = 0) gives zero partials. With s the
// sign (-1 lower, +1 upper) and A = y - lambda, dw/deta = w (A + 1 - s w),
// so g''' = s w ((A + 1)^2 - lambda) - 3 w^2 (A + 1) + 2 s w^3, and
// g''' - 3g'' + 2g' = s w (A (A - 1) - lambda) - 3 w^2 A + 2 s w^3.
inline PoissonSide poisson_large_tail(double log_value, double log_pmf, double y, double lambda, double eta,
                                      double sign) {
    PoissonSide s;
    s.value = log_value;
    const double w = std::exp(log_pmf + eta - log_value);
    if (!(w > 0) || !std::isfinite(w)) return s;
    s.d1 = sign * w;
    s.d2 = sign * w * (y - lambda + 1) - w * w;
    s.d2_minus_d1 = sign * w * (y - lambda) - w * w;
    const double a = y - lambda;
    const double w3 = 2 * sign * w * w * w;
    s.d3 = sign * w * ((a + 1) * (a + 1) - lambda) - 3 * w * w * (a + 1) + w3;
    s.d3_in_lambda = sign * w * (a * (a - 1) - lambda) - 3 * w * w * a + w3;
    return s;
}

inline PoissonTails poisson_tails(double y, double lambda, double eta) {
    constexpr double small = 1e-8;
    const double log_pmf = poisson_log_pmf(y, lambda, eta);
    const double q = boost::math::gamma_q(y + 1, lambda, special::Policy());  // P(Y <= y)
    const double p = boost::math::gamma_p(y + 1, lambda, special::Policy());  // P(Y > y)
    PoissonTails t;
    if (q < small) {
        t.lower = poisson_small_tail(tail_sum(
                                         log_pmf, y, -1, [&](double j) { return (y - j + 1) / lambda; }, y + 1),
                                     lambda);
    } else {
        t.lower = poisson_large_tail(p < 0.5 ? std::log1p(-p) : std::log(q), log_pmf, y, lambda, eta, -1);
    }
    if (p < small) {
        t.upper = poisson_small_tail(
            tail_sum(
                poisson_log_pmf(y + 1, lambda, eta), y + 1, 1, [&](double j) { return lambda / (y + 1 + j); }, 1e7),
            lambda);
    } else {
        t.upper = poisson_large_tail(q < 0.5 ? std::log1p(-q) : std::log(p), log_pmf, y, lambda, eta, 1);
    }
    return t;
}

// The two sides of Poisson(lambda) in the inputs (y, lambda): the partials
// in eta = log lambda give those in lambda, g_lambda = g_eta/lambda,
// g_lambda,lambda = (g_eta,eta - g_eta)/lambda^2. Shared by poisson and its
// zero-inflated and hurdle forms.
// The same written into a distribution function's row, with its third
// partial g_lambda,lambda,lambda when the row wants it (poisson's own lcdf
// and lccdf).
inline void write_in_lambda(const PoissonSide& side, double lambda, CdfRow& out) {
    out.value = side.value;
    out.d1[1] = side.d1 / lambda;
    out.d2[pair_index(1, 1, 2)] = side.d2_minus_d1 / (lambda * lambda);
    if (out.third) out.d3[triple_index(1, 1, 1, 2)] = side.d3_in_lambda / (lambda * lambda * lambda);
}

inline LogSide<2> poisson_side_in_lambda(const PoissonSide& side, double lambda) {
    LogSide<2> out;
    out.value = side.value;
    out.d1[1] = side.d1 / lambda;
    out.d2[pair_index(1, 1, 2)] = side.d2_minus_d1 / (lambda * lambda);
    return out;
}

inline Sides<2> poisson_sides(double y, double lambda) {
    const PoissonTails t = poisson_tails(y, lambda, std::log(lambda));
    return {poisson_side_in_lambda(t.lower, lambda), poisson_side_in_lambda(t.upper, lambda)};
}

}  // namespace mlec::rt::detail

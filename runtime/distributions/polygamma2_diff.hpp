// The difference of psi'' = polygamma(2, .) at x + a and x without its
// leading terms, for third partials in a shape or size (negbinomial, beta),
// in the way detail.hpp's polygamma_diff gives those of psi and psi'.
#pragma once

#include <boost/math/special_functions/polygamma.hpp>

#include <cmath>

#include "runtime/distributions/detail.hpp"
#include "runtime/precondition.hpp"
#include "runtime/special_functions.hpp"

namespace mlec::rt::detail {

// With R(z) = psi''(z) + 1/z^2,
//     quad_rem = R(x + a) - R(x) = psi''(x + a) - psi''(x) - a (2x + a)/(x (x + a))^2,
// the derivative of tri_rem in x. For x >= 10 from the asymptotic series
//     R(z) = -1/z^3 - sum_k (2k + 1) B_2k/z^(2k+2)   (k <= 7),
// each difference of powers written as polygamma_diff's (no cancellation for
// a << x, where the separate terms are O(a/x^3) and the result O(a/x^4)); for
// x < 10 and an integer a <= 16 by psi''(z + 1) = psi''(z) + 2/z^3; otherwise
// from Boost's psi''. x > 0, a >= 0.
inline double polygamma2_diff(double x, double a) {
    MLEC_ASSERT_PRECONDITION(x > 0 && a >= 0);
    if (a == 0) return 0;
    if (x >= 10) {
        const double i1 = 1.0 / x;
        const double i2 = 1.0 / (x + a);
        const double delta = -a / (x * (x + a));
        double h[17];
        h[1] = 1.0;
        double i2_pow = i2;
        for (int n = 1; n < 16; ++n) {
            h[n + 1] = i1 * h[n] + i2_pow;
            i2_pow *= i2;
        }
        // (2k + 1) B_2k, k = 1..7
        constexpr double c[] = {3.0 / 6,       -5.0 / 30,          7.0 / 42,    -9.0 / 30,
                                11.0 * 5 / 66, -13.0 * 691 / 2730, 15.0 * 7 / 6};
        double s = 0;
        for (int k = 1; k <= 7; ++k) s += c[k - 1] * h[2 * k + 2];
        return -delta * h[3] - delta * s;
    }
    const double leading = a * (2 * x + a) / (x * x * (x + a) * (x + a));
    if (a <= 16 && a == std::floor(a)) {
        double sum = 0;
        for (int j = 0; j < static_cast<int>(a); ++j) {
            const double inv = 1.0 / (x + j);
            sum += 2 * inv * inv * inv;
        }
        return sum - leading;
    }
    return boost::math::polygamma(2, x + a, special::Policy()) - boost::math::polygamma(2, x, special::Policy()) -
           leading;
}

}  // namespace mlec::rt::detail

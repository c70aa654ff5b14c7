// The smaller of P(a, x) and Q(a, x) is S = (1/Gamma(a)) times the integral
// of t^(a-1) e^-t over t < x or t > x; in s = log t the integrand is
// exp(phi(s)), phi(s) = a s - e^s, concave with its maximum at s = log a,
// and d phi/da = s. So (tail_integral.hpp)
//     d/da log S = E[log T] - digamma(a),   d2/da2 log S = Var[log T] - trigamma(a),
// T given its side of x. In x, with w = +-t^(a-1) e^-t/(Gamma(a) S) at t = x
// (+ for the lower side):
//     d/dx log S = w,   d2/dx2 log S = w ((a - 1)/x - 1) - w^2,
//     d2/dx da log S = w (log x - E[log T])   (the digamma terms cancel).
// log S is Boost's value where it is a normal double and the quadrature's
// where it underflows; the larger side is 1 - S (complement_side).
#include "runtime/distributions/incomplete_gamma.hpp"

#include <boost/math/special_functions/gamma.hpp>

#include "runtime/distributions/detail.hpp"
#include "runtime/special_functions.hpp"

namespace mlec::rt::detail {

namespace {

constexpr int xx = pair_index(0, 0, 2);
constexpr int xa = pair_index(0, 1, 2);
constexpr int aa = pair_index(1, 1, 2);

// The upper side's x partials without the cancellation of
// w ((a - 1)/x - 1) - w^2 far in the tail, where w -> -1 + (a - 1)/x: in
// t = x + v, log Q = -x + log(integral over v > 0 of (x + v)^(a-1) e^-v) - lgamma(a),
// so with M = E[1/T], V = Var[1/T] (T given T > x)
//     d2/dx2 log Q = (a - 1)^2 V - (a - 1) E[1/T^2] = (a - 1)(a - 2) V - (a - 1) M^2
//     d2/dx da log Q = d/da (-1 + (a - 1) M) = M + (a - 1) Cov[log T, 1/T],
// every term of one sign or small. Hence the moments of (log T, 1/T).
template <int K>
IncGammaSide smaller_side(double x, double a, double boost_value, bool upper) {
    const double log_x = std::log(x);
    const auto phi = [a](double s) { return a * s - std::exp(s); };
    const auto g = [](double s) {
        std::array<double, K> v{};
        v[0] = s;
        if constexpr (K == 2) v[1] = std::exp(-s);
        return v;
    };
    // The width of phi where the region's largest value is: 1/sqrt(a) at
    // the mode, |phi'| or sqrt(|phi''|) = sqrt(x) at the edge otherwise.
    const double mode = std::log(a);
    const bool mode_inside = upper ? mode > log_x : mode < log_x;
    const double scale = mode_inside ? 1 / std::sqrt(a) : 1 / std::max(std::abs(a - x), std::sqrt(x));
    const TailMoments<K> m = tail_moments<K>(phi, g, log_x, upper, mode, scale);
    const double lgamma_a = special::lgamma(a);
    IncGammaSide side;
    side.value = boost_value >= std::numeric_limits<double>::min() ? std::log(boost_value) : m.log_integral - lgamma_a;
    side.d1[1] = m.mean[0] - special::digamma(a);
    side.d2[aa] = m.cov[0] - special::trigamma(a);
    // t^(a-1) e^-t = exp(phi(log t))/t.
    const double w = (upper ? -1.0 : 1.0) * std::exp(m.log_edge_ratio) / x;
    side.d1[0] = w;
    if constexpr (K == 2) {
        const double mean_inv = m.mean[1];
        const double var_inv = m.cov[pair_index(1, 1, K)];
        side.d2[xx] = (a - 1) * (a - 2) * var_inv - (a - 1) * mean_inv * mean_inv;
        side.d2[xa] = mean_inv + (a - 1) * m.cov[pair_index(0, 1, K)];
    } else {
        side.d2[xx] = w * ((a - 1) / x - 1) - w * w;
        side.d2[xa] = w * (log_x - m.mean[0]);
    }
    return side;
}

}  // namespace

IncGammaSides incomplete_gamma_sides(double x, double a) {
    IncGammaSides out;
    if (!(x > 0)) {
        out.upper.value = 0;
        return out;
    }
    if (std::isinf(x)) {
        out.lower.value = 0;
        return out;
    }
    const double p = boost::math::gamma_p(a, x, special::Policy());
    const double q = boost::math::gamma_q(a, x, special::Policy());
    if (p <= q) {
        out.lower = smaller_side<1>(x, a, p, false);
        out.upper = complement_side(out.lower);
    } else {
        out.upper = smaller_side<2>(x, a, q, true);
        out.lower = complement_side(out.upper);
    }
    return out;
}

}  // namespace mlec::rt::detail

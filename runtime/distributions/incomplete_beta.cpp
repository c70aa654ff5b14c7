// The smaller of I_x(a, b) and 1 - I_x(a, b) is S = (1/B(a, b)) times the
// integral of t^(a-1) (1-t)^(b-1) over t < x or t > x. In s = logit t the
// integrand is exp(phi(s)), phi(s) = a log t + b log(1 - t), concave with its
// maximum at s = log(a/b), and d phi/da = log T, d phi/db = log(1 - T). So
// (tail_integral.hpp), with the moments of (log T, log(1 - T)) given T's
// side of x,
//     d/da log S = E[log T] - (psi(a) - psi(a + b))
//     d/db log S = E[log(1 - T)] - (psi(b) - psi(a + b))
//     d2/da2 log S = Var[log T] - (psi'(a) - psi'(a + b))
//     d2/db2 log S = Var[log(1 - T)] - (psi'(b) - psi'(a + b))
//     d2/da db log S = Cov[log T, log(1 - T)] + psi'(a + b),
// the polygamma differences from polygamma_diff (no cancellation when one
// shape is much larger). In x, with w = +-x^(a-1) (1-x)^(b-1)/(B(a, b) S)
// (+ for the lower side):
//     d/dx log S = w,   d2/dx2 log S = w ((a - 1)/x - (b - 1)/(1 - x)) - w^2,
//     d2/dx da log S = w (log x - E[log T]),
//     d2/dx db log S = w (log(1 - x) - E[log(1 - T)]).
// log S is Boost's value where it is a normal double and the quadrature's
// where it underflows; the larger side is 1 - S (complement_side).
#include "runtime/distributions/incomplete_beta.hpp"

#include <boost/math/special_functions/beta.hpp>

#include "runtime/distributions/detail.hpp"
#include "runtime/special_functions.hpp"

namespace mlec::rt::detail {

namespace {

// log t and log(1 - t) at t = 1/(1 + e^-s), without rounding t to 1.
double log_sigmoid(double s) { return s >= 0 ? -std::log1p(std::exp(-s)) : s - std::log1p(std::exp(s)); }

IncBetaSide smaller_side(double x, double x_c, double a, double b, double boost_value, bool upper) {
    const double log_x = std::log(x);
    const double log_xc = std::log(x_c);
    const double edge = log_x - log_xc;
    const auto phi = [a, b](double s) { return a * log_sigmoid(s) + b * log_sigmoid(-s); };
    const auto g = [](double s) { return std::array<double, 2>{log_sigmoid(s), log_sigmoid(-s)}; };
    // The width of phi where the region's largest value is: 1/sqrt(|phi''|)
    // at the mode, phi'' = -(a + b) t (1 - t); at the edge also 1/|phi'|,
    // phi' = a (1 - t) - b t.
    const double mode = std::log(a) - std::log(b);
    const bool mode_inside = upper ? mode > edge : mode < edge;
    const double scale = mode_inside ? std::sqrt((a + b) / (a * b))
                                     : 1 / std::max(std::abs(a * x_c - b * x), std::sqrt((a + b) * x * x_c));
    const TailMoments<2> m = tail_moments<2>(phi, g, edge, upper, mode, scale);
    IncBetaSide side;
    side.value =
        boost_value >= std::numeric_limits<double>::min() ? std::log(boost_value) : m.log_integral - log_beta(a, b);
    // psi(a + b) - psi(a) and psi(a + b) - psi(b), and the same for psi'.
    const PolygammaDiff da = polygamma_diff(a, b, true, true);
    const PolygammaDiff db = polygamma_diff(b, a, true, true);
    const double psi_ab_a = da.psi_rem + std::log1p(b / a);
    const double psi_ab_b = db.psi_rem + std::log1p(a / b);
    const double tri_ab_a = da.tri_rem - b / (a * (a + b));
    const double tri_ab_b = db.tri_rem - a / (b * (a + b));
    side.d1[1] = m.mean[0] + psi_ab_a;
    side.d1[2] = m.mean[1] + psi_ab_b;
    side.d2[pair_index(1, 1, 3)] = m.cov[pair_index(0, 0, 2)] + tri_ab_a;
    side.d2[pair_index(2, 2, 3)] = m.cov[pair_index(1, 1, 2)] + tri_ab_b;
    side.d2[pair_index(1, 2, 3)] = m.cov[pair_index(0, 1, 2)] + special::trigamma(a + b);
    // t^(a-1) (1-t)^(b-1) = exp(phi(logit t))/(t (1 - t)).
    const double w = (upper ? -1.0 : 1.0) * std::exp(m.log_edge_ratio) / (x * x_c);
    side.d1[0] = w;
    side.d2[pair_index(0, 0, 3)] = w * ((a - 1) / x - (b - 1) / x_c) - w * w;
    side.d2[pair_index(0, 1, 3)] = w * (log_x - m.mean[0]);
    side.d2[pair_index(0, 2, 3)] = w * (log_xc - m.mean[1]);
    return side;
}

}  // namespace

IncBetaSides incomplete_beta_sides(double x, double x_c, double a, double b) {
    IncBetaSides out;
    if (!(x > 0)) {
        out.upper.value = 0;
        return out;
    }
    if (!(x_c > 0)) {
        out.lower.value = 0;
        return out;
    }
    // Each side from its own argument: I_x(a, b) and I_(1-x)(b, a).
    const double p = boost::math::ibeta(a, b, x, special::Policy());
    const double q = boost::math::ibeta(b, a, x_c, special::Policy());
    if (p <= q) {
        out.lower = smaller_side(x, x_c, a, b, p, false);
        out.upper = complement_side(out.lower);
    } else {
        out.upper = smaller_side(x, x_c, a, b, q, true);
        out.lower = complement_side(out.upper);
    }
    return out;
}

}  // namespace mlec::rt::detail

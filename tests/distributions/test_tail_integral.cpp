// The double-exponential quadrature behind the incomplete gamma and beta
// functions' shape partials (runtime/distributions/tail_integral.hpp over
// double_exponential.hpp): log of the integral of exp(phi) over a half line
// and the mean and covariance of g under it, against closed forms (the
// exponential, gamma and normal distributions, whole, truncated and far in
// a tail, in 50 digits where double underflows), and over a grid of the
// incomplete gamma and beta functions' integrands against Boost's exp_sinh
// and tanh_sinh run once per moment, as tail_moments did before.
#include <boost/math/quadrature/exp_sinh.hpp>
#include <boost/math/quadrature/tanh_sinh.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/erf.hpp>
#include <boost/math/special_functions/trigamma.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>

#include "distributions/support.hpp"
#include "runtime/distributions/tail_integral.hpp"
#include "runtime/special_functions.hpp"

using namespace mlec::test;
using mlec::rt::pair_index;
using mlec::rt::detail::tail_moments;
using mlec::rt::detail::TailMoments;

// Not an anonymous namespace: this folder is compiled in unity batches.
namespace tail_integral_test {

// What a closed form says of the integral and of g = (g_0, g_1) under it.
struct Expected {
    double log_integral;
    std::array<double, 2> mean;
    std::array<double, 3> cov;  // (0,0), (0,1), (1,1)
};

constexpr double eps = std::numeric_limits<double>::epsilon();

// Each quantity to 1e-14 of its own size (the mean's against the spread
// where that is larger), plus what no rule avoids: doubles near s_peak are
// eps |s_peak| apart, a coarseness of eps |s_peak|/width beside the
// integrand's width (at k = 1000 below, Boost's exp_sinh is 3.6e-14 off
// Var[S], ours 3e-14).
void check(const TailMoments<2>& m, const Expected& e, double s_peak = 0, double width = 1) {
    const double tol = 1e-14 + 4 * eps * std::abs(s_peak) / width;
    INFO("log integral " << m.log_integral << " vs " << e.log_integral);
    CHECK(std::abs(m.log_integral - e.log_integral) <= tol * std::max(1.0, std::abs(e.log_integral)));
    for (int k = 0; k < 2; ++k) {
        const auto ku = static_cast<std::size_t>(k);
        const double spread = std::sqrt(e.cov[static_cast<std::size_t>(pair_index(k, k, 2))]);
        INFO("mean " << k << ": " << m.mean[ku] << " vs " << e.mean[ku]);
        CHECK(std::abs(m.mean[ku] - e.mean[ku]) <= tol * std::max(std::abs(e.mean[ku]), spread));
    }
    for (std::size_t p = 0; p < 3; ++p) {
        INFO("cov " << p << ": " << m.cov[p] << " vs " << e.cov[p] << ", relative error "
                    << std::abs(m.cov[p] / e.cov[p] - 1));
        CHECK(std::abs(m.cov[p] - e.cov[p]) <= tol * std::abs(e.cov[p]));
    }
}

// g = (s, s^2): its covariance from the raw moments E[s^k].
Expected from_raw(double log_integral, double m1, double m2, double m3, double m4) {
    return {log_integral, {m1, m2}, {m2 - m1 * m1, m3 - m1 * m2, m4 - m2 * m2}};
}

const auto s_and_square = [](double s) { return std::array<double, 2>{s, s * s}; };

}  // namespace tail_integral_test

using namespace tail_integral_test;

TEST_CASE("tail integral: exp(-u) on u > 0, a peak at the end, is the exponential distribution") {
    // E[s^k] = k!: mean 1, variance 1, Var[s^2] = 24 - 4, Cov[s, s^2] = 6 - 2.
    const auto phi = [](double s) { return -s; };
    check(tail_moments<2>(phi, s_and_square, 0, true, 0, 1), from_raw(0, 1, 2, 6, 24));
    // The same on the lower side, s <= 0 with exp(s): E[s^k] = (-1)^k k!.
    const auto mirrored = [](double s) { return s; };
    check(tail_moments<2>(mirrored, s_and_square, 0, false, 0, 1), from_raw(0, -1, 2, -6, 24));
}

TEST_CASE("tail integral: u^k exp(-u), a peak inside, is the gamma distribution") {
    // Gamma(k + 1): integral Gamma(k + 1), E[S] = Var[S] = k + 1, and with
    // g = (S, log S): E[log S] = psi(k + 1), Var[log S] = psi'(k + 1),
    // Cov[S, log S] = E[S log S] - (k + 1) psi(k + 1) = (k + 1)(psi(k + 2) - psi(k + 1)) = 1.
    for (double k : {0.5, 1.0, 3.0, 30.0, 1e3}) {
        INFO("k = " << k);
        const auto phi = [k](double s) { return k * std::log(s) - s; };
        const auto g = [](double s) { return std::array<double, 2>{s, std::log(s)}; };
        const TailMoments<2> m = tail_moments<2>(phi, g, 0, true, k, std::sqrt(k));
        check(m, {std::lgamma(k + 1), {k + 1, bm::digamma(k + 1)}, {k + 1, 1, bm::trigamma(k + 1)}}, k, std::sqrt(k));
    }
}

TEST_CASE("tail integral: exp(-s^2/2) whole, halved, truncated about its peak and far in a tail") {
    const auto phi = [](double s) { return -0.5 * s * s; };
    const double log_sqrt_2pi = 0.5 * std::log(2 * std::numbers::pi);
    // Half normal: E|Z| = sqrt(2/pi), E Z^2 = 1, E|Z|^3 = 2 sqrt(2/pi), E Z^4 = 3.
    const double r = std::sqrt(2 / std::numbers::pi);
    check(tail_moments<2>(phi, s_and_square, 0, true, 0, 1), from_raw(log_sqrt_2pi - std::log(2.0), r, 1, 2 * r, 3));
    check(tail_moments<2>(phi, s_and_square, 0, false, 0, 1), from_raw(log_sqrt_2pi - std::log(2.0), -r, 1, -2 * r, 3));
    // Z > c with the peak inside (c < 0) or beyond the region (c > 0),
    // up to c = 40 where P(Z > c) = 3.7e-350 underflows: with Q = P(Z > c)
    // and lambda = phi(c)/Q, E[Z^(k+2)] = c^(k+1) lambda + (k + 1) E[Z^k]
    // (integration by parts), in 50 digits.
    for (double c : {-3.0, -1.0, -1e-3, 1e-3, 1.0, 5.0, 40.0}) {
        INFO("c = " << c);
        const Big cb = c;
        const Big q = bm::erfc(cb / sqrt(Big(2))) / 2;
        const Big lambda = exp(-cb * cb / 2) / sqrt(2 * boost::math::constants::pi<Big>()) / q;
        const Big m1 = lambda;
        const Big m2 = c * lambda + 1;
        const Big m3 = cb * cb * lambda + 2 * m1;
        const Big m4 = cb * cb * cb * lambda + 3 * m2;
        const Expected e = {
            static_cast<double>(log(q)) + log_sqrt_2pi,
            {static_cast<double>(m1), static_cast<double>(m2)},
            {static_cast<double>(m2 - m1 * m1), static_cast<double>(m3 - m1 * m2), static_cast<double>(m4 - m2 * m2)}};
        // The width where the integrand is largest: 1 at the peak, 1/c at a
        // far edge (as the incomplete gamma's callers choose it).
        const double scale = c > 0 ? 1 / std::max(c, 1.0) : 1.0;
        const TailMoments<2> upper = tail_moments<2>(phi, s_and_square, c, true, 0, scale);
        check(upper, e, std::max(c, 0.0), scale);
        // The density at the edge over the integral: lambda.
        const double log_lambda = static_cast<double>(log(lambda));
        CHECK(std::abs(upper.log_edge_ratio - log_lambda) <= 1e-14 * std::max(1.0, std::abs(log_lambda)));
        // Mirrored: Z < -c.
        const TailMoments<2> lower = tail_moments<2>(phi, s_and_square, -c, false, 0, scale);
        check(lower, {e.log_integral, {-e.mean[0], e.mean[1]}, {e.cov[0], -e.cov[1], e.cov[2]}}, std::max(c, 0.0),
              scale);
    }
}

namespace tail_integral_test {

// tail_moments as it was: Boost's exp_sinh and tanh_sinh, once per moment.
template <int K, class Phi, class G>
TailMoments<K> boost_tail_moments(const Phi& phi, const G& g, double edge, bool upper, double mode, double scale) {
    static boost::math::quadrature::exp_sinh<double, mlec::rt::special::Policy> half_line(12);
    static boost::math::quadrature::tanh_sinh<double, mlec::rt::special::Policy> segment(12);
    constexpr double tol = 1e-14;
    const double dir = upper ? 1.0 : -1.0;
    const double mode_u = (mode - edge) * dir / scale;
    const bool split = mode_u > 0;
    const double peak = phi(split ? mode : edge);
    const auto integrate = [&](const auto& h) {
        const auto f = [&](double u) {
            const double s = edge + dir * scale * u;
            const double weight = std::exp(phi(s) - peak);
            return weight == 0 ? 0.0 : weight * h(s);
        };
        if (!split) return half_line.integrate(f, 0.0, inf, tol);
        return segment.integrate(f, 0.0, mode_u, tol) + half_line.integrate(f, mode_u, inf, tol);
    };
    TailMoments<K> out;
    const double total = integrate([](double) { return 1.0; });
    out.log_integral = peak + std::log(total * scale);
    out.log_edge_ratio = (split ? phi(edge) - peak : 0.0) - std::log(total * scale);
    const std::array<double, K> origin = g(split ? mode : edge);
    std::array<double, K> offset{};
    for (std::size_t k = 0; k < K; ++k) {
        offset[k] = integrate([&](double s) { return g(s)[k] - origin[k]; }) / total;
        out.mean[k] = origin[k] + offset[k];
    }
    for (int j = 0; j < K; ++j) {
        for (int k = j; k < K; ++k) {
            const auto ju = static_cast<std::size_t>(j);
            const auto ku = static_cast<std::size_t>(k);
            out.cov[static_cast<std::size_t>(pair_index(j, k, K))] =
                integrate([&](double s) {
                    const std::array<double, K> v = g(s);
                    return (v[ju] - origin[ju] - offset[ju]) * (v[ku] - origin[ku] - offset[ku]);
                }) /
                total;
        }
    }
    return out;
}

// The two results agree to 1e-13 of each quantity's scale: the logs'
// max(1, |log|), a mean's spread, a covariance's product of spreads; or to
// what rounding leaves of them, which both rules share: `noise` relative
// (phi's rounding, eps |phi|, in every weight, and the coarseness of s
// beside the width, eps |s|/scale) and g's own rounding (eps |g|).
template <int K>
void compare(const TailMoments<K>& got, const TailMoments<K>& want, double noise) {
    const double tol = 1e-13 + 4 * noise;
    const auto close_log = [tol](double a, double b) { return std::abs(a - b) <= tol * std::max(1.0, std::abs(b)); };
    INFO("log integral " << got.log_integral << " vs " << want.log_integral << ", log edge ratio " << got.log_edge_ratio
                         << " vs " << want.log_edge_ratio);
    CHECK(close_log(got.log_integral, want.log_integral));
    CHECK(close_log(got.log_edge_ratio, want.log_edge_ratio));
    std::array<double, K> spread{};
    std::array<double, K> rounding{};
    for (std::size_t k = 0; k < K; ++k) {
        spread[k] = std::sqrt(want.cov[static_cast<std::size_t>(pair_index(int(k), int(k), K))]);
        rounding[k] = 16 * eps * std::abs(want.mean[k]);
        INFO("mean " << k << ": " << got.mean[k] << " vs " << want.mean[k] << ", spread " << spread[k]);
        CHECK(std::abs(got.mean[k] - want.mean[k]) <= tol * spread[k] + rounding[k]);
    }
    for (int j = 0; j < K; ++j) {
        for (int k = j; k < K; ++k) {
            const auto ju = static_cast<std::size_t>(j);
            const auto ku = static_cast<std::size_t>(k);
            const auto p = static_cast<std::size_t>(pair_index(j, k, K));
            INFO("cov " << j << k << ": " << got.cov[p] << " vs " << want.cov[p]);
            CHECK(std::abs(got.cov[p] - want.cov[p]) <=
                  tol * spread[ju] * spread[ku] + rounding[ju] * spread[ku] + rounding[ku] * spread[ju]);
        }
    }
}

double log_sigmoid(double s) { return s >= 0 ? -std::log1p(std::exp(-s)) : s - std::log1p(std::exp(s)); }

}  // namespace tail_integral_test

TEST_CASE("tail integral: the incomplete gamma's integrands agree with Boost's quadrature per moment") {
    // In s = log t: phi = a s - e^s, g = (s) on the lower side and (s, 1/t)
    // on the upper, with the mode and width incomplete_gamma.cpp gives them.
    for (double a : {1e-3, 0.05, 0.5, 1.0, 2.5, 10.0, 150.0, 1e4, 1e6}) {
        for (double ratio : {1e-6, 1e-2, 0.3, 0.9, 1.0, 1.1, 3.0, 30.0, 1e3}) {
            const double x = a * ratio;
            const double log_x = std::log(x);
            const auto phi = [a](double s) { return a * s - std::exp(s); };
            const double mode = std::log(a);
            for (bool upper : {false, true}) {
                INFO("a = " << a << ", x = " << x << (upper ? ", upper" : ", lower"));
                const bool inside = upper ? mode > log_x : mode < log_x;
                const double scale = inside ? 1 / std::sqrt(a) : 1 / std::max(std::abs(a - x), std::sqrt(x));
                const double start = inside ? mode : log_x;
                const double noise = eps * (std::max(1.0, std::abs(phi(start))) + std::abs(start) / scale);
                if (upper) {
                    const auto g = [](double s) { return std::array<double, 2>{s, std::exp(-s)}; };
                    compare(tail_moments<2>(phi, g, log_x, true, mode, scale),
                            boost_tail_moments<2>(phi, g, log_x, true, mode, scale), noise);
                } else {
                    const auto g = [](double s) { return std::array<double, 1>{s}; };
                    compare(tail_moments<1>(phi, g, log_x, false, mode, scale),
                            boost_tail_moments<1>(phi, g, log_x, false, mode, scale), noise);
                }
            }
        }
    }
}

TEST_CASE("tail integral: the incomplete beta's integrands agree with Boost's quadrature per moment") {
    // In s = logit t: phi = a log t + b log(1 - t), g = (log t, log(1 - t)),
    // with the mode and width incomplete_beta.cpp gives them.
    for (double a : {0.01, 0.3, 1.0, 4.0, 60.0, 1e4}) {
        for (double b : {0.02, 0.5, 1.0, 7.0, 300.0, 1e5}) {
            const double m = a / (a + b);
            for (double f : {1e-6, 1e-2, 0.5, 0.99, 1.0, 1.01, 1.5}) {
                // From far in the lower tail to far in the upper about the
                // mean, x and 1 - x each from its own side.
                const double x = f <= 1 ? f * m : 1 - (2 - f) * (1 - m);
                const double x_c = f <= 1 ? 1 - x : (2 - f) * (1 - m);
                if (!(x > 0 && x_c > 0)) continue;
                const double edge = std::log(x) - std::log(x_c);
                const auto phi = [a, b](double s) { return a * log_sigmoid(s) + b * log_sigmoid(-s); };
                const auto g = [](double s) { return std::array<double, 2>{log_sigmoid(s), log_sigmoid(-s)}; };
                const double mode = std::log(a) - std::log(b);
                for (bool upper : {false, true}) {
                    INFO("a = " << a << ", b = " << b << ", x = " << x << (upper ? ", upper" : ", lower"));
                    const bool inside = upper ? mode > edge : mode < edge;
                    const double scale = inside ? std::sqrt((a + b) / (a * b))
                                                : 1 / std::max(std::abs(a * x_c - b * x), std::sqrt((a + b) * x * x_c));
                    const double start = inside ? mode : edge;
                    const double noise = eps * (std::max(1.0, std::abs(phi(start))) + std::abs(start) / scale);
                    compare(tail_moments<2>(phi, g, edge, upper, mode, scale),
                            boost_tail_moments<2>(phi, g, edge, upper, mode, scale), noise);
                }
            }
        }
    }
}

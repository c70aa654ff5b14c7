// log_Phi(x) = log Phi(x), the log of the standard normal CDF, finite and
// accurate in both tails (where log(Phi(x)) gives -inf below x = -38.5 and
// rounds to 0 above x = 8.3).
#include "runtime/functions/detail.hpp"
#include "runtime/special_functions.hpp"

namespace mlec::rt::fn {
namespace {

constexpr double sqrt_2 = 1.4142135623730950488016887242097;
constexpr double inv_sqrt_2pi = 0.39894228040143267793994605993438;
constexpr double log_sqrt_2pi = 0.91893853320467274178032973640562;
// 1/sqrt 2 = inv_sqrt_2_hi + inv_sqrt_2_lo, the double nearest and the rest.
constexpr double inv_sqrt_2_hi = 0.70710678118654757;
constexpr double inv_sqrt_2_lo = -4.8336466567264565e-17;

// Below this x the lower tail's continued fraction is used.
constexpr double lower_tail = -5;

// K(t) = r(-t) - t for t >= 5, where r(x) = phi(x)/Phi(x), by Laplace's
// continued fraction for Mills' ratio, Phi(-t)/phi(t) = 1/(t + K),
//     K = 1/(t + 2/(t + 3/(t + 4/(t + ...)))),
// evaluated from the bottom up. The terms needed for full precision fall
// as t grows (27 at t = 5, 16 at t = 8, 10 at t = 15); the counts below
// leave a margin (checked against 50-digit values in the tests).
// Also returns the fractions below the first two levels, L = 2/(t + M) and
// M = 3/(t + 4/(t + ...)), so that K = 1/(t + L): the third derivative needs
// 2K - L, whose terms cancel to leading order (both ~ 2/t).
struct MillsTail {
    double k;  // K
    double l;  // L
    double m;  // M
};

MillsTail mills_tail(double t) {
    const int terms = t < 8 ? 32 : t < 15 ? 20 : 12;
    double m = 0;
    for (int n = terms; n >= 3; --n) m = n / (t + m);
    const double l = 2 / (t + m);
    return {1 / (t + l), l, m};
}

// phi(x) = exp(-x^2/2)/sqrt(2 pi) with x^2 = h + l split exactly (fma):
// exp(-h/2) (1 - l/2), without the relative error x^2 eps/2 that rounding
// x^2 would cost (7e-14 at x = 37).
double normal_pdf(double x) {
    const double h = x * x;
    const double l = std::fma(x, x, -h);
    return std::exp(-0.5 * h) * (1 - 0.5 * l) * inv_sqrt_2pi;
}

// Phi(-a) = erfc(a/sqrt 2)/2 for a >= 0, given pdf = phi(a). The rounding
// error d of z = a/sqrt 2 would cost erfc a relative error of about 2 z |d|
// (1.5e-13 at a = 37); it is corrected to first order,
//     erfc(z + d) = erfc(z) - d (2/sqrt pi) exp(-z^2) = erfc(z) - 2 sqrt 2 d phi(a),
// with d from an fma and the second half of 1/sqrt 2.
double upper_tail(double a, double pdf) {
    const double z = a * inv_sqrt_2_hi;
    const double d = std::fma(a, inv_sqrt_2_hi, -z) + a * inv_sqrt_2_lo;
    return 0.5 * std::erfc(z) - sqrt_2 * d * pdf;
}

// {f, f', f'', f'''} for f = log Phi(x), with r = f' = phi(x)/Phi(x),
// f'' = -r (x + r) (from phi' = -x phi), and
// f''' = -f'' (x + r) - r (1 + f'') = r ((x + r)(x + 2r) - 1):
// - x < -5: with t = -x and K as above, r = t + K and x + r = K, so
//   f = -t^2/2 - log sqrt(2 pi) - log(t + K), f' = t + K, f'' = -(t + K) K:
//   no cancellation in x + r (which directly from r would lose all its
//   digits as t grows: r ~ t + 1/t), and no underflow of Phi (below
//   x = -38.5) or of phi; f''' = r (K (K + r) - 1) = r (2K^2 + K t - 1)
//   = r K (2K - L) with K t - 1 = -K L (K = 1/(t + L)), and 2K - L =
//   2/(t + L) - 2/(t + M) = 2 K (L/2) (M - L): f''' = r K^2 L (M - L), a
//   product with no cancellation (M - L ~ 1/t), where K (K + r) - 1 ~ 2/t^4
//   would lose log10(t^4) digits;
// - -5 <= x <= 0: Phi = erfc(-x/sqrt 2)/2 (upper_tail) to full relative
//   precision, f = log Phi; x + r loses at most a factor r/K < 28 here
//   (f'' within 1e-14 relative; f''' adds the cancellation of
//   (x + r)(x + 2r) - 1, below a factor 60 at x = -5);
// - x > 0: Phi = 1 - q, q = erfc(x/sqrt 2)/2, f = log1p(-q), which keeps
//   the digits of a small q (f = -q to double precision), and rounds to
//   -0 where q underflows (x > 38.5; log Phi(40) = -3.6e-350).
// f(-inf) = -inf, f' = +inf, f'' = -1, f''' = 0 (their limits); f(+inf) = 0,
// f' = f'' = f''' = 0.
std::array<double, 4> log_phi_at(double x, bool want_d1, bool want_d2, bool want_d3) {
    if (std::isnan(x)) return {nan, nan, nan, nan};
    if (x == -inf) return {-inf, inf, -1, 0};
    if (x == inf) return {0, 0, 0, 0};
    if (x < lower_tail) {
        const double t = -x;
        const auto [k, l, m] = mills_tail(t);
        const double r = t + k;
        return {-0.5 * t * t - log_sqrt_2pi - std::log(r), r, -r * k, r * k * k * l * (m - l)};
    }
    const double pdf = normal_pdf(x);
    const double q = upper_tail(std::abs(x), pdf);  // Phi(-|x|)
    const double value = x <= 0 ? std::log(q) : std::log1p(-q);
    if (!want_d1 && !want_d2 && !want_d3) return {value, nan, nan, nan};
    const double r = pdf / (x <= 0 ? q : 1 - q);
    return {value, r, -r * (x + r), want_d3 ? r * ((x + r) * (x + 2 * r) - 1) : nan};
}

void eval_log_phi(OpCall& c) { eval_cached_unary(c, log_phi_at); }

constexpr OpDef log_phi_def{.name = "log_Phi", .arity = 1, .eval = &eval_log_phi, .third = true};

}  // namespace
}  // namespace mlec::rt::fn

namespace mlec::rt::special {

// The normal distribution's lcdf and lccdf (runtime/distributions/normal.cpp).
std::array<double, 3> log_phi(double x, bool want_d1, bool want_d2) {
    const std::array<double, 4> f = fn::log_phi_at(x, want_d1, want_d2, false);
    return {f[0], f[1], f[2]};
}

std::array<double, 4> log_phi_third(double x) { return fn::log_phi_at(x, true, true, true); }

}  // namespace mlec::rt::special

namespace mlec::rt {

const OpDef& op_log_Phi() { return fn::log_phi_def; }

}  // namespace mlec::rt

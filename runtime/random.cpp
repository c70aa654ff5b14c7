#include "runtime/random.hpp"

#include <cmath>
#include <limits>

#include "runtime/special_functions.hpp"

namespace mlec::rt {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr std::uint64_t golden_gamma = 0x9e3779b97f4a7c15ULL;  // 2^64 / golden ratio

// SplitMix64's output function (Steele, Lea & Flood, 2014): a bijection of
// 64-bit words whose every output bit depends on every input bit.
std::uint64_t mix64(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

std::uint64_t splitmix64(std::uint64_t& state) {
    state += golden_gamma;
    return mix64(state);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// Marsaglia & Tsang (2000), shape >= 1: with d = shape - 1/3, c = 1/sqrt(9d),
// x normal and v = (1 + c x)^3, d v is Gamma(shape) when accepted with
// probability exp(x^2/2 + d (1 - v + log v)); the squeeze
// u < 1 - 0.0331 x^4 accepts most draws without a log.
double marsaglia_tsang(Rng& rng, double shape) {
    const double d = shape - 1.0 / 3.0;
    const double c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
        const double x = rng.normal();
        const double w = c * x;
        if (w <= -1.0) continue;
        // v - 1 = 3w + 3w^2 + w^3, formed without subtracting from 1 so that
        // 1 - v + log v = log1p(v - 1) - (v - 1) keeps its digits when d is
        // large and v is close to 1.
        const double vm1 = w * (3.0 + w * (3.0 + w));
        const double v = 1.0 + vm1;
        const double u = rng.uniform_open();
        const double x2 = x * x;
        if (u < 1.0 - 0.0331 * x2 * x2) return d * v;
        if (std::log(u) < 0.5 * x2 + d * (std::log1p(vm1) - vm1)) return d * v;
    }
}

// Poisson by inversion (sequential search from 0), for lambda < 10 where the
// expected number of steps, lambda + 1, is small and exp(-lambda) is far from
// underflow.
double poisson_inversion(Rng& rng, double lambda) {
    const double p0 = std::exp(-lambda);
    for (;;) {
        double u = rng.uniform();
        double p = p0;
        double k = 0;
        // Rounding can leave u above the whole remaining mass; p then decays
        // to 0 and the draw starts again (probability ~1e-16).
        while (u >= p && p > 0) {
            u -= p;
            k += 1;
            p *= lambda / k;
        }
        if (p > 0) return k;
    }
}

// log p(k) for Poisson(lambda), with k >= 10 through Stirling's formula:
// log k! = (k + 1/2) log k - k + log sqrt(2 pi) + R(k), so
//     log p(k) = k (log1p(t) - t) - log(k)/2 - log sqrt(2 pi) - R(k),
// t = (lambda - k)/k, which keeps its digits for lambda = 1e15 where
// k log lambda - lambda - lgamma(k + 1) would lose them all.
double poisson_log_pmf(double k, double lambda) {
    constexpr double log_sqrt_2pi = 0.91893853320467274178032973640562;
    if (k < 10) return k * std::log(lambda) - lambda - special::log_factorial(k);
    const double t = (lambda - k) / k;
    return k * (std::log1p(t) - t) - 0.5 * std::log(k) - log_sqrt_2pi - special::stirling_remainder(k);
}

// PTRS, the transformed rejection method with squeeze of Hoermann (1993),
// "The transformed rejection method for generating Poisson random
// variables", Insurance: Mathematics and Economics 12, 39-45; for
// lambda >= 10, about 1.1 uniform pairs per draw at any lambda.
double poisson_ptrs(Rng& rng, double lambda) {
    const double slam = std::sqrt(lambda);
    const double b = 0.931 + 2.53 * slam;
    const double a = -0.059 + 0.02483 * b;
    const double inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
    const double v_r = 0.9277 - 3.6224 / (b - 2.0);
    for (;;) {
        const double u = rng.uniform_open() - 0.5;
        const double v = rng.uniform_open();
        const double us = 0.5 - std::abs(u);
        const double k = std::floor((2.0 * a / us + b) * u + lambda + 0.43);
        if (us >= 0.07 && v <= v_r) return k;
        if (k < 0 || (us < 0.013 && v > us)) continue;
        if (std::log(v * inv_alpha / (a / (us * us) + b)) <= poisson_log_pmf(k, lambda)) return k;
    }
}

// Binomial(n, p) by inversion (sequential search from 0), p <= 1/2 and
// n p < 30: P(0) = (1-p)^n >= e^-42 does not underflow, and the search takes
// n p + 1 steps on average.
double binomial_inversion(Rng& rng, double n, double p) {
    const double p0 = std::exp(n * std::log1p(-p));
    const double odds = p / (1.0 - p);
    for (;;) {
        double u = rng.uniform();
        double pk = p0;
        double k = 0;
        // P(k) = P(k-1) (n - k + 1)/k p/(1-p). Rounding can leave u above the
        // whole remaining mass; pk then decays to 0 (or k passes n) and the
        // draw starts again.
        while (u >= pk && pk > 0 && k < n) {
            u -= pk;
            k += 1;
            pk *= odds * (n - k + 1) / k;
        }
        if (u < pk) return k;
    }
}

}  // namespace

Rng::Rng(std::uint64_t seed) : seed_(seed) {
    // SplitMix64 outputs are distinct for distinct counter values, so the
    // state is never all zero (the one state xoshiro cannot leave).
    std::uint64_t state = seed;
    for (std::uint64_t& s : s_) s = splitmix64(state);
}

std::uint64_t Rng::next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

// The top 53 bits (xoshiro's low bits are its weakest) times 2^-53.
double Rng::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

// (j + 1/2) 2^-52 for a 52-bit j: symmetric about 1/2, never 0 or 1.
double Rng::uniform_open() { return (static_cast<double>(next() >> 12) + 0.5) * 0x1.0p-52; }

// Marsaglia's polar form of Box-Muller: (u, v) uniform in the unit disc,
// s = u^2 + v^2, gives two independent normals u f and v f with
// f = sqrt(-2 log(s) / s). Only log and sqrt, no trigonometry.
double Rng::normal() {
    if (has_spare_normal_) {
        has_spare_normal_ = false;
        return spare_normal_;
    }
    for (;;) {
        const double u = 2.0 * uniform() - 1.0;
        const double v = 2.0 * uniform() - 1.0;
        const double s = u * u + v * v;
        if (s >= 1.0 || s == 0.0) continue;
        const double f = std::sqrt(-2.0 * std::log(s) / s);
        spare_normal_ = v * f;
        has_spare_normal_ = true;
        return u * f;
    }
}

// Below shape 1 Marsaglia & Tsang's boost: G(a) = G(a + 1) U^(1/a).
double Rng::gamma(double shape) {
    if (!(shape > 0) || std::isinf(shape)) return nan;
    if (shape >= 1.0) return marsaglia_tsang(*this, shape);
    return std::exp(log_gamma_draw(*this, shape));
}

// The child's seed is a nonlinear hash of (seed, index), so that no simple
// relation between two parents' seeds makes their children coincide (as
// seed ^ f(index) would for seed' = seed ^ f(i) ^ f(j)).
Rng Rng::split(std::uint64_t index) const {
    return Rng(mix64(mix64(seed_ ^ 0x6a09e667f3bcc909ULL) + golden_gamma * (index + 1)));
}

double log_gamma_draw(Rng& rng, double shape) {
    if (!(shape > 0) || std::isinf(shape)) return nan;
    if (shape >= 1.0) return std::log(marsaglia_tsang(rng, shape));
    // log G(a) = log G(a + 1) + log(U)/a.
    return std::log(marsaglia_tsang(rng, shape + 1.0)) + std::log(rng.uniform_open()) / shape;
}

double beta_draw(Rng& rng, double a, double b) {
    if (!(a > 0) || !(b > 0) || std::isinf(a) || std::isinf(b)) return nan;
    double x;
    if (a >= 1.0 && b >= 1.0) {
        // Neither gamma draw can underflow (both exceed 2/3 times v > 0).
        const double ga = marsaglia_tsang(rng, a);
        const double gb = marsaglia_tsang(rng, b);
        x = ga / (ga + gb);
    } else {
        // x = 1 / (1 + G_b/G_a) from the logs: for small shapes both draws
        // may underflow, but their ratio need not. With d = log(G_b/G_a) > 0,
        // x = exp(-d - log1p(exp(-d))) reaches the subnormals (down to
        // e^-744), where 1/(1 + exp(d)) would stop at e^-709 when exp
        // overflows.
        const double d = log_gamma_draw(rng, b) - log_gamma_draw(rng, a);
        x = d > 0 ? std::exp(-d - std::log1p(std::exp(-d))) : 1.0 / (1.0 + std::exp(d));
    }
    constexpr double below_one = 1.0 - 0x1.0p-53;
    return std::min(std::max(x, std::numeric_limits<double>::denorm_min()), below_one);
}

double poisson_draw(Rng& rng, double lambda) {
    if (!(lambda >= 0) || std::isinf(lambda)) return nan;
    if (lambda == 0) return 0.0;
    return lambda < 10.0 ? poisson_inversion(rng, lambda) : poisson_ptrs(rng, lambda);
}

// Exact for any n by the order-statistic reduction (Knuth, TAOCP vol. 2,
// 3.4.1, after Ahrens & Dieter): the m-th smallest X of n uniforms is
// Beta(m, n + 1 - m). If X >= p, the uniforms below p are among the m - 1
// below X, each uniform on (0, X): Binomial(m - 1, p/X). Otherwise the m
// smallest are below p and the n - m above X are uniform on (X, 1):
// m + Binomial(n - m, (p - X)/(1 - X)). With m the median, every step halves
// n (30 steps for n = 1e9) until n min(p, 1-p) < 30, which inversion
// finishes. Chosen over BTPE for being short and plainly exact.
double binomial_draw(Rng& rng, double n, double p) {
    if (!(n >= 0) || n != std::floor(n) || n > 0x1.0p53 || !(p >= 0 && p <= 1)) return nan;
    // The answer is offset + sign * Binomial(n, p) for the current (n, p).
    double offset = 0;
    double sign = 1;
    for (;;) {
        if (p > 0.5) {
            // Binomial(n, p) = n - Binomial(n, 1 - p).
            offset += sign * n;
            sign = -sign;
            p = 1.0 - p;
        }
        if (n == 0 || p == 0) return offset;
        if (n * p < 30.0) return offset + sign * binomial_inversion(rng, n, p);
        const double m = std::floor(n / 2) + 1;
        const double x = beta_draw(rng, m, n + 1 - m);
        if (x >= p) {
            n = m - 1;
            p = p / x;
        } else {
            offset += sign * m;
            n = n - m;
            p = (p - x) / (1.0 - x);
        }
    }
}

}  // namespace mlec::rt

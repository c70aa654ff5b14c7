// The log of an integral of exp(phi(s)) over a half line, with the mean and
// covariance of functions g(s) under it (its normalized integrand): what the
// regularized incomplete gamma and beta functions' derivatives in their
// shape parameters are made of. With
//     S(theta) = (1/N(theta)) integral over R of exp(phi(s; theta)) ds,
// phi linear in theta with d phi/d theta_k = g_k(s), one has
//     d/d theta_k log S = E[g_k] - d/d theta_k log N,
//     d2/(d theta_j d theta_k) log S = Cov[g_j, g_k] - d2/(d theta_j d theta_k) log N,
// the expectations under exp(phi)/integral over R. Both stay accurate where S
// itself underflows (a far tail): the integrand is scaled by its largest
// value on R, and the moments are of offsets from a point of R, so neither
// a tiny integral nor a large mean cancels. Only the incomplete_gamma and
// incomplete_beta sources include this (Boost's quadrature is heavy).
#pragma once

#include <boost/math/quadrature/exp_sinh.hpp>
#include <boost/math/quadrature/tanh_sinh.hpp>

#include <array>
#include <cmath>

#include "runtime/distributions/log_side.hpp"
#include "runtime/op.hpp"
#include "runtime/special_functions.hpp"

namespace mlec::rt::detail {

// log of the integral, and the mean and covariance of g (packed as
// pair_index(j, k, K)).
template <int K>
struct TailMoments {
    double log_integral = 0;
    // phi(edge) - log_integral, formed without subtracting two large logs
    // where the edge holds the largest value: the density at the edge over
    // the integral (d/d edge of log_integral), exact to the quadrature's
    // relative precision far in a tail.
    double log_edge_ratio = 0;
    std::array<double, K> mean{};
    std::array<double, pair_count(K)> cov{};
};

// The region: s >= edge (upper) or s <= edge (lower). phi is concave with
// its maximum at `mode`, and `scale` is its width on the region (the
// distance over which phi falls by about 1 near the largest value): the
// quadrature runs in u = |s - edge|/scale, split at the mode when the mode
// lies inside, so that each piece's integrand is monotone with its largest
// value at an end, where double-exponential rules put most of their nodes.
// Tolerance 1e-14 relative: the moments come out within a few 1e-14 of their
// spread (checked against 50-digit references in the tests).
template <int K, class Phi, class G>
TailMoments<K> tail_moments(const Phi& phi, const G& g, double edge, bool upper, double mode, double scale) {
    // Not const: Boost declares integrate const but defines it without.
    // Their tables grow on first use, under Boost's own lock.
    static boost::math::quadrature::exp_sinh<double, special::Policy> half_line(12);
    static boost::math::quadrature::tanh_sinh<double, special::Policy> segment(12);
    constexpr double tol = 1e-14;
    const double dir = upper ? 1.0 : -1.0;
    const double mode_u = (mode - edge) * dir / scale;  // > 0: the mode is inside the region
    const bool split = mode_u > 0;
    const double peak = phi(split ? mode : edge);
    const auto s_of = [&](double u) { return edge + dir * scale * u; };

    // integral of exp(phi - peak) * h(s) du over the region.
    const auto integrate = [&](const auto& h) {
        const auto f = [&](double u) {
            const double s = s_of(u);
            const double weight = std::exp(phi(s) - peak);
            return weight == 0 ? 0.0 : weight * h(s);
        };
        if (!split) return half_line.integrate(f, 0.0, std::numeric_limits<double>::infinity(), tol);
        return segment.integrate(f, 0.0, mode_u, tol) +
               half_line.integrate(f, mode_u, std::numeric_limits<double>::infinity(), tol);
    };

    TailMoments<K> out;
    const double total = integrate([](double) { return 1.0; });
    out.log_integral = peak + std::log(total * scale);
    out.log_edge_ratio = (split ? phi(edge) - peak : 0.0) - std::log(total * scale);
    // Offsets from g at the largest value, then the covariance about the mean.
    const std::array<double, K> origin = g(split ? mode : edge);
    std::array<double, K> offset{};
    for (int k = 0; k < K; ++k) {
        const auto ku = static_cast<std::size_t>(k);
        offset[ku] = integrate([&](double s) { return g(s)[ku] - origin[ku]; }) / total;
        out.mean[ku] = origin[ku] + offset[ku];
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

}  // namespace mlec::rt::detail

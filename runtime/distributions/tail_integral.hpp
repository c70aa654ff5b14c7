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
// a tiny integral nor a large mean cancels.
#pragma once

#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "runtime/distributions/double_exponential.hpp"

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
// value at an end, where double-exponential rules put most of their nodes:
// tanh-sinh on [0, mode] and exp-sinh beyond (double_exponential.hpp).
// Every quantity comes from one set of nodes: phi and g are evaluated once
// per node, the nodes are kept, and each level's covariance is taken about
// that level's mean in a second pass over them (raw moments about g at the
// peak would cancel where the mean is many spreads away from it). Levels
// are added until the integral has converged to 1e-14 relative and each
// mean and covariance to 1e-14 of the spread sqrt(Cov[g_k, g_k]) (or to the
// rounding of g, where that is larger), up to h = 2^-10: the moments come
// out within a few 1e-14 of their spread (checked against 50-digit
// references and against Boost's exp_sinh in the tests).
// No allocation once a thread's node store has grown.
template <int K, class Phi, class G>
TailMoments<K> tail_moments(const Phi& phi, const G& g, double edge, bool upper, double mode, double scale) {
    constexpr double tol = 1e-14;
    // A part of the integral below this fraction of the total is left out.
    constexpr double negligible = 1e-20;
    constexpr double eps = std::numeric_limits<double>::epsilon();
    constexpr double inf = std::numeric_limits<double>::infinity();
    const DeRule& half_line = exp_sinh_rule();
    const DeRule& segment = tanh_sinh_rule();
    const double dir = upper ? 1.0 : -1.0;
    const double mode_u = (mode - edge) * dir / scale;  // > 0: the mode is inside the region
    const bool split = mode_u > 0;
    const double start = split ? mode : edge;
    const double peak = phi(start);
    // Offsets from g at the largest value: first moments without a large mean.
    const std::array<double, K> origin = g(start);

    struct Node {
        double weight;  // dx/dt times the scaled integrand exp(phi - peak)
        std::array<double, K> offset;
    };
    thread_local std::vector<Node> nodes;
    nodes.clear();
    double sum = 0;
    std::array<double, K> sum_offset{};
    std::array<double, K> sum_abs_offset{};
    // Adds the node at s with weight dx/dt; returns exp(phi(s) - peak).
    const auto visit = [&](double s, double weight) {
        const double f = std::exp(phi(s) - peak);
        if (f == 0) return 0.0;
        Node n{weight * f, {}};
        const std::array<double, K> v = g(s);
        for (std::size_t k = 0; k < K; ++k) {
            n.offset[k] = v[k] - origin[k];
            sum_offset[k] += n.weight * n.offset[k];
            sum_abs_offset[k] += n.weight * std::abs(n.offset[k]);
        }
        sum += n.weight;
        nodes.push_back(n);
        return f;
    };

    // Four arms, each walked outward in t: the half line beyond `start`
    // towards infinity (t >= 0) and towards `start` (t < 0); the segment
    // [edge, mode] from its middle towards the mode and towards the edge.
    // On level 0 each arm stops at the first node past which the rest of
    // the integral is negligible; finer levels stay inside those cuts.
    // Bounds: the scaled integrand is at most 1 (its largest value is at
    // `start`, and at the segment's mode end), so an end piece of length x
    // holds at most x; beyond a node on the half line, exp(phi) is
    // log-concave in u, so its tail past x1 is at most f1 (x1 - x0)/log(f0/f1)
    // (the secant's slope bounds the rate of decay from below), widened by
    // (1 + x)^2 for the moments' polynomial factors.
    std::array<double, 4> cut{inf, inf, inf, inf};
    const double length = mode_u;
    const auto half_line_s = [&](double x) { return start + dir * scale * x; };
    const auto walk = [&](int level) {
        const auto lu = static_cast<std::size_t>(level);
        const bool first = level == 0;
        double f0 = 0;
        double x0 = 0;
        for (const DeNode& n : half_line.positive[lu]) {
            if (n.t >= cut[0]) break;
            const double f = visit(half_line_s(n.offset), n.weight);
            if (!first) continue;
            const bool past =
                f == 0 || (n.t > 0 && f < f0 &&
                           f * (n.offset - x0) / std::log(f0 / f) * (1 + n.offset) * (1 + n.offset) < negligible * sum);
            if (past) {
                cut[0] = n.t;
                break;
            }
            f0 = f;
            x0 = n.offset;
        }
        for (const DeNode& n : half_line.negative[lu]) {
            if (-n.t >= cut[1]) break;
            visit(half_line_s(n.offset), n.weight);
            if (first && n.offset < negligible * sum) {
                cut[1] = -n.t;
                break;
            }
        }
        if (!split) return;
        for (const DeNode& n : segment.positive[lu]) {
            if (n.t >= cut[2]) break;
            visit(mode - dir * scale * length * n.offset, length * n.weight);
            if (first && length * n.offset < negligible * sum) {
                cut[2] = n.t;
                break;
            }
        }
        for (const DeNode& n : segment.positive[lu]) {
            if (n.t >= cut[3]) break;
            if (n.t == 0) continue;  // the middle, visited once above
            visit(edge + dir * scale * length * n.offset, length * n.weight);
            if (first && length * n.offset < negligible * sum) {
                cut[3] = n.t;
                break;
            }
        }
    };

    TailMoments<K> out;
    double total = 0;
    std::array<double, K> offset{};
    for (int level = 0; level <= DeRule::max_level; ++level) {
        walk(level);
        const double previous_total = total;
        const std::array<double, K> previous_offset = offset;
        const std::array<double, pair_count(K)> previous_cov = out.cov;
        total = std::ldexp(sum, -level);
        for (std::size_t k = 0; k < K; ++k) offset[k] = sum_offset[k] / sum;
        out.cov = {};
        for (const Node& n : nodes) {
            for (int j = 0; j < K; ++j) {
                const double dj = n.offset[static_cast<std::size_t>(j)] - offset[static_cast<std::size_t>(j)];
                for (int k = j; k < K; ++k) {
                    const double dk = n.offset[static_cast<std::size_t>(k)] - offset[static_cast<std::size_t>(k)];
                    out.cov[static_cast<std::size_t>(pair_index(j, k, K))] += n.weight * dj * dk;
                }
            }
        }
        for (double& c : out.cov) c /= sum;
        if (level < 2) continue;
        // Each quantity against its own scale, or against the rounding of g
        // in it where that is larger (an offset is no closer than eps |g|
        // to its value). Where phi is large, its rounding (eps |phi| in every
        // weight) keeps the changes from falling below tol: the levels then
        // run to the cap, as Boost's did, and the finer levels average that
        // rounding out, which the partials' finite-difference checks need.
        bool converged = std::abs(total - previous_total) <= tol * total;
        std::array<double, K> spread{};
        std::array<double, K> rounding{};
        for (std::size_t k = 0; k < K; ++k) {
            spread[k] =
                std::sqrt(out.cov[static_cast<std::size_t>(pair_index(static_cast<int>(k), static_cast<int>(k), K))]);
            rounding[k] = 8 * eps * (std::abs(origin[k]) + sum_abs_offset[k] / sum);
            converged = converged && std::abs(offset[k] - previous_offset[k]) <= std::max(tol * spread[k], rounding[k]);
        }
        for (int j = 0; j < K; ++j) {
            for (int k = j; k < K; ++k) {
                const auto ju = static_cast<std::size_t>(j);
                const auto ku = static_cast<std::size_t>(k);
                const auto jk = static_cast<std::size_t>(pair_index(j, k, K));
                const double bound =
                    std::max(tol * spread[ju] * spread[ku], rounding[ju] * spread[ku] + rounding[ku] * spread[ju]);
                converged = converged && std::abs(out.cov[jk] - previous_cov[jk]) <= bound;
            }
        }
        if (converged) break;
    }
    out.log_integral = peak + std::log(total * scale);
    out.log_edge_ratio = (split ? phi(edge) - peak : 0.0) - std::log(total * scale);
    for (std::size_t k = 0; k < K; ++k) out.mean[k] = origin[k] + offset[k];
    return out;
}

}  // namespace mlec::rt::detail

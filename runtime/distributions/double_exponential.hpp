// Node tables of the double-exponential quadrature rules (Takahasi and Mori,
// "Double exponential formulas for numerical integration", 1974): the
// trapezoid rule in t after a change of variable whose derivative falls
// double exponentially at both ends of the t line, so that an integrand
// analytic inside the interval is integrated with an error that falls like
// exp(-c/h) in the step h. Halving h adds the odd multiples of the new step,
// so a level reuses every node before it and the difference between two
// levels estimates the error of the coarser one.
//   half line [0, inf), exp-sinh:  x = exp(pi/2 sinh t),
//                                  dx/dt = pi/2 cosh t exp(pi/2 sinh t);
//   segment [0, 1], tanh-sinh:     x = (1 + tanh(pi/2 sinh t))/2,
//                                  dx/dt = pi/4 cosh t / cosh^2(pi/2 sinh t).
// A tanh-sinh node near an end is stored as its distance to that end,
// 1/(1 + exp(pi |sinh t|)), never as 1 minus a number near 1: the integrand
// is evaluated at full relative accuracy there, where ours are largest.
// The tables are built once (thread-safe static initialization) and shared.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

namespace mlec::rt::detail {

// A node: its t, its distance from the end it belongs to (x for the half
// line; the distance to the nearer end for the segment) and dx/dt.
struct DeNode {
    double t = 0;
    double offset = 0;
    double weight = 0;
};

// Level 0 has the nodes t = 0, +-1, +-2, ...; level L > 0 the odd multiples
// of 2^-L. Each list runs outward from t = 0, so that a walk can stop where
// the integrand has become negligible.
struct DeRule {
    // h = 2^-10: a level that an integrand analytic in a strip about the
    // interval never needs at double precision; the cap of a bad one.
    static constexpr int max_level = 10;
    // t >= 0 (t = 0 first, on level 0 only), and t < 0. The segment is
    // symmetric: its `negative` lists are empty and each node of `positive`
    // with t > 0 stands for one node near each end.
    std::array<std::vector<DeNode>, max_level + 1> positive;
    std::array<std::vector<DeNode>, max_level + 1> negative;
};

// exp-sinh on [0, inf), |t| <= 6.5: x from 1e-227 to 1e227, well inside the
// double range, so that x, dx/dt and their products with an integrand of
// order 1 neither overflow nor become subnormal.
const DeRule& exp_sinh_rule();

// tanh-sinh on [0, 1], 0 <= t <= 6: distances to the ends down to 1e-260.
const DeRule& tanh_sinh_rule();

// The integrals of the N components of f (a std::array<double, N>) from the
// same nodes, over [0, inf) by exp-sinh (`length` infinite) or over
// [0, length] by tanh-sinh. Levels are added, from level 2 on, until each
// component has changed by at most tol times its L1 norm (the integral of
// its absolute value), or 16 eps of it, the rounding of the sums themselves
// (below that a change is noise, and several components would seldom fall
// under it on the same level), up to max_level; on each level an arm of the t line
// stops after two consecutive nodes whose terms are below eps times the L1
// norm of the level before, where the weights have vanished.
template <std::size_t N, class F>
std::array<double, N> integrate_double_exponential(const F& f, double length, double tol) {
    const bool half_line = std::isinf(length);
    const DeRule& rule = half_line ? exp_sinh_rule() : tanh_sinh_rule();
    std::array<double, N> sum{};
    std::array<double, N> abs_sum{};
    std::array<double, N> value{};
    std::array<double, N> l1{};
    double l1_total = 0;
    // Adds the node's terms; returns their size.
    const auto add = [&](double x, double weight) {
        const std::array<double, N> y = f(x);
        double size = 0;
        for (std::size_t k = 0; k < N; ++k) {
            sum[k] += weight * y[k];
            abs_sum[k] += weight * std::abs(y[k]);
            size += weight * std::abs(y[k]);
        }
        return size;
    };
    // One arm: x from a node (its distance from the end `from_end` is
    // measured from: 0, or `length`, the nodes near it as length - d).
    const auto walk = [&](const std::vector<DeNode>& nodes, bool from_end, bool skip_middle, double small) {
        double last = small + 1;
        for (const DeNode& n : nodes) {
            if (skip_middle && n.t == 0) continue;
            const double x = half_line ? n.offset : from_end ? length - length * n.offset : length * n.offset;
            const double size = add(x, half_line ? n.weight : length * n.weight);
            if (size < small && last < small) break;
            last = size;
        }
    };
    constexpr double eps = std::numeric_limits<double>::epsilon();
    const double bound = std::max(tol, 16 * eps);
    for (int level = 0; level <= DeRule::max_level; ++level) {
        const auto lu = static_cast<std::size_t>(level);
        const double small = level == 0 ? 0.0 : eps * l1_total;
        walk(rule.positive[lu], true, false, small);
        if (half_line) {
            walk(rule.negative[lu], false, false, small);
        } else {
            walk(rule.positive[lu], false, true, small);
        }
        bool converged = level >= 2;
        l1_total = 0;
        for (std::size_t k = 0; k < N; ++k) {
            const double next = std::ldexp(sum[k], -level);
            l1[k] = std::ldexp(abs_sum[k], -level);
            l1_total += l1[k];
            converged = converged && std::abs(next - value[k]) <= bound * l1[k];
            value[k] = next;
        }
        if (converged) break;
    }
    return value;
}

}  // namespace mlec::rt::detail

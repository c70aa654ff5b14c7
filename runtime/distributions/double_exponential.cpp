#include "runtime/distributions/double_exponential.hpp"

#include <cmath>
#include <numbers>

namespace mlec::rt::detail {

namespace {

constexpr double half_pi = std::numbers::pi / 2;

DeNode exp_sinh_node(double t) {
    const double x = std::exp(half_pi * std::sinh(t));
    return {t, x, half_pi * std::cosh(t) * x};
}

// For t >= 0: with y = pi/2 sinh t, the distance to the nearer end is
// d = (1 - tanh y)/2 = e^-2y/(1 + e^-2y), and 1/cosh^2 y = 4 e^-2y/(1 + e^-2y)^2,
// so dx/dt = pi/4 cosh t/cosh^2 y = pi cosh t d/(1 + e^-2y).
DeNode tanh_sinh_node(double t) {
    const double e = std::exp(-2 * half_pi * std::sinh(t));
    const double d = e / (1 + e);
    return {t, d, std::numbers::pi * std::cosh(t) * d / (1 + e)};
}

template <class Node>
DeRule build(double t_max, bool symmetric, const Node& node) {
    DeRule rule;
    for (int level = 0; level <= DeRule::max_level; ++level) {
        const double h = std::ldexp(1.0, -level);
        const auto u = static_cast<std::size_t>(level);
        // Level 0 steps by 1 from t = 0; later ones take the odd multiples.
        const double first = level == 0 ? 0.0 : h;
        const double step = level == 0 ? 1.0 : 2 * h;
        for (double t = first; t <= t_max; t += step) rule.positive[u].push_back(node(t));
        if (symmetric) continue;
        for (double t = level == 0 ? 1.0 : h; t <= t_max; t += step) rule.negative[u].push_back(node(-t));
    }
    return rule;
}

}  // namespace

const DeRule& exp_sinh_rule() {
    static const DeRule rule = build(6.5, false, exp_sinh_node);
    return rule;
}

const DeRule& tanh_sinh_rule() {
    static const DeRule rule = build(6.0, true, tanh_sinh_node);
    return rule;
}

}  // namespace mlec::rt::detail

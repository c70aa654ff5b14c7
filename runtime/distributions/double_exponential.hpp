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

#include <array>
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

}  // namespace mlec::rt::detail

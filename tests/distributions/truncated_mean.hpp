// What the truncated means' tests share (DistributionDef::truncated_mean):
// the mean's nodes evaluated op by op with their gradient in the arguments
// and the bounds carried forward through each op's own first partials (what
// `mlec predict`'s delta-method SE is made of), checked against a reference
// computed in 50 digits without them: the integral of y p(y) over the bounds
// divided by that of p(y) (Boost's tanh-sinh and exp-sinh quadrature), or
// the same sums over the counts; and the gradient against finite
// differences of the value.
#pragma once

#include <boost/math/quadrature/exp_sinh.hpp>
#include <boost/math/quadrature/tanh_sinh.hpp>

#include "distributions/support.hpp"

namespace mlec::test {

// The truncation (lo, hi): -inf or +inf for an open side.
struct Bounds {
    double lo = -inf;
    double hi = inf;
};

// E[y | bounds] from the distribution's truncated-mean nodes, with its
// gradient in (args..., lo, hi) (0 for an open side).
struct TruncatedMean {
    double value = qnan;
    Row gradient;
};
TruncatedMean truncated_mean_at(const rt::DistributionDef& d, const Row& args, Bounds b);

// Checks the value against `expected` (relative `rel`) and every entry of
// the gradient against Ridders' differences of the value (as the ops'
// partials are checked, op_check.hpp; no differences in a count's bounds).
void check_truncated_mean(const std::string& name, const Row& args, Bounds b, double expected, double rel = 1e-10,
                          Tolerance tol = {});

// int y p(y) dy / int p(y) dy over (lo, hi) in 50 digits, p given on Big
// (unnormalized is fine). A half-infinite side is integrated by exp-sinh
// in the distance from the finite bound; both finite by tanh-sinh.
template <class Density>
double reference_continuous_mean(Density p, Bounds b) {
    using boost::math::quadrature::exp_sinh;
    using boost::math::quadrature::tanh_sinh;
    const Big lo = b.lo;
    const Big hi = b.hi;
    Big mass;
    Big first;
    if (std::isfinite(b.lo) && std::isfinite(b.hi)) {
        tanh_sinh<Big> q;
        mass = q.integrate([&](const Big& y) { return p(y); }, lo, hi);
        first = q.integrate([&](const Big& y) { return y * p(y); }, lo, hi);
    } else {
        exp_sinh<Big> q;
        const bool upward = std::isfinite(b.lo);
        const Big from = upward ? lo : hi;
        auto at = [&](const Big& t) { return upward ? from + t : from - t; };
        mass = q.integrate([&](const Big& t) { return p(at(t)); });
        first = q.integrate([&](const Big& t) { return at(t) * p(at(t)); });
    }
    return static_cast<double>(first / mass);
}

// sum k p(k) / sum p(k) over the counts lo <= k <= hi (an open upper side:
// until the terms no longer change the sums), p given on Big.
template <class Mass>
double reference_count_mean(Mass p, Bounds b) {
    Big mass = 0;
    Big first = 0;
    const double from = std::isfinite(b.lo) ? std::max(b.lo, 0.0) : 0.0;
    for (double k = from; k <= b.hi; ++k) {
        const Big term = p(Big(k));
        mass += term;
        first += term * k;
        if (!std::isfinite(b.hi) && k > from + 10 && term < mass * Big("1e-40")) break;
    }
    return static_cast<double>(first / mass);
}

}  // namespace mlec::test

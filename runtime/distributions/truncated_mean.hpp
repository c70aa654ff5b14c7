// Shared by the distributions' truncated means (DistributionDef::
// truncated_mean): the log probability of the truncation bounds as graph
// nodes, from a distribution's own log cdf and log ccdf ops, which are exact
// in both tails and have exact partials. Each truncated mean is then
//     E[Y | bounds] = (integral or sum of y p(y) over the bounds) / P(bounds),
// where the numerator is, for every distribution that has one here, a
// constant times the probability of the same bounds under a neighbouring
// distribution (gamma: y p(y | a, b) = (a/b) p(y | a + 1, b)), so that the
// ratio is the exponential of a difference of two log probabilities: no
// probability underflows however far in a tail the bounds lie.
#pragma once

#include <span>
#include <vector>

#include "runtime/distributions/detail.hpp"
#include "runtime/interval_probability.hpp"

namespace mlec::rt::detail {

// `op` of a distribution at y = `at` with the arguments `args`.
inline int at_outcome(NodeMaker& make, const OpDef& op, int at, std::span<const int> args) {
    std::vector<int> inputs = {at};
    inputs.insert(inputs.end(), args.begin(), args.end());
    return make.op(op, std::move(inputs));
}

// The bounds moved by a constant (lo + by, hi + by); an open side stays open.
inline TruncationBounds shifted(NodeMaker& make, TruncationBounds b, double by) {
    const int step = make.constant(by);
    if (b.lower >= 0) b.lower = make.op(op_add(), {b.lower, step});
    if (b.upper >= 0) b.upper = make.op(op_add(), {b.upper, step});
    return b;
}

// log P(lo < Y <= hi) of a continuous distribution `d` with arguments
// `args`: its log ccdf at lo, its log cdf at hi, or both through
// op_interval_probability, which takes the difference in the tail that
// keeps its digits.
inline int log_mass(NodeMaker& make, const DistributionDef& d, std::span<const int> args, TruncationBounds b) {
    if (b.upper < 0) return at_outcome(make, d.lccdf, b.lower, args);
    if (b.lower < 0) return at_outcome(make, d.lcdf, b.upper, args);
    return make.op(op_interval_probability(),
                   {at_outcome(make, d.lcdf, b.lower, args), at_outcome(make, d.lcdf, b.upper, args),
                    at_outcome(make, d.lccdf, b.lower, args), at_outcome(make, d.lccdf, b.upper, args)});
}

// log P(lo <= Y <= hi) of a count distribution `d`. A lower bound at or
// below 0 truncates nothing, so lo is max(lo, 0) = m, and
//     P(m <= Y <= hi) = p(m) + P(m < Y <= hi),
// (log_sum_exp of the log pmf and the log ccdf or interval): the log ccdf
// at m - 1 would need y = -1, outside a count's domain.
inline int count_log_mass(NodeMaker& make, const DistributionDef& d, std::span<const int> args, TruncationBounds b) {
    if (b.lower < 0) return at_outcome(make, d.lcdf, b.upper, args);
    const int m = make.op(op_max(), {b.lower, make.constant(0)});
    const int at_m = at_outcome(make, d.op, m, args);
    const int above_m = log_mass(make, d, args, {m, b.upper});
    return make.op(op_log_sum_exp(), {at_m, above_m});
}

// factor * exp(log_numerator - log_denominator).
inline int scaled_ratio(NodeMaker& make, int factor, int log_numerator, int log_denominator) {
    return make.op(op_mul(), {factor, make.op(op_exp(), {make.op(op_sub(), {log_numerator, log_denominator})})});
}

}  // namespace mlec::rt::detail

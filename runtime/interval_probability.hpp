// log P(lo < Y <= hi) from a distribution's log cdf and log ccdf at both
// ends: what an interval-censored row adds to the log-likelihood, and what
// a truncated one subtracts (censored(interval = ...), T[lo, hi]). Not
// callable by name in a model.
#pragma once

#include "runtime/op.hpp"

namespace mlec::rt {

// Inputs (lcdf(lo), lcdf(hi), lccdf(lo), lccdf(hi)), each row's value
//   log(F(hi) - F(lo)) = log(S(lo) - S(hi)),
// taken from whichever pair has the smaller larger term: F(hi) <= S(lo)
// (the lower tail) from the cdfs, else (the upper tail) from the ccdfs.
// There the difference is of the smaller numbers, so a probability far in
// either tail keeps its digits (1 - 1e-20 is 1 in a double; 1e-20 is not).
// A row whose interval is empty (hi <= lo, or both ends where the
// probability is 0) gives -inf with zero partials; every partial is finite,
// so a row whose interval another choice (rt::op_select) leaves out adds
// exactly nothing to the gradient and the Hessian.
const OpDef& op_interval_probability();

}  // namespace mlec::rt

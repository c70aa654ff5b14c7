// The regularized incomplete gamma functions as distribution functions:
// log P(a, x) and log Q(a, x) = log(1 - P(a, x)) with their first and
// second partials in x and in the shape a, exact (not finite differences)
// and finite in both tails. Shared by gamma and inv_gamma (Y ~ gamma(a, b):
// P(Y <= y) = P(a, b y); inv_gamma: P(Y <= y) = Q(a, b/y)).
#pragma once

#include "runtime/distributions/tail_integral.hpp"

namespace mlec::rt::detail {

// Inputs (x, a): d1 = {d/dx, d/da}, d2 packed by pair_index(., ., 2).
using IncGammaSide = LogSide<2>;

struct IncGammaSides {
    IncGammaSide lower;  // log P(a, x)
    IncGammaSide upper;  // log Q(a, x)
};

// For x, a > 0 (x = +inf: P = 1; x = 0: P = 0, each with zero partials).
IncGammaSides incomplete_gamma_sides(double x, double a);

}  // namespace mlec::rt::detail

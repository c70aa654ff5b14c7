// The regularized incomplete beta function as a distribution function:
// log I_x(a, b) and log(1 - I_x(a, b)) with their first and second partials
// in x and in both shapes a and b, exact (not finite differences) and finite
// in both tails. Shared by beta (I_y(a, b)), negbinomial
// (P(Y <= y) = I_p(size, y + 1)) and student_t (the tails
// I_x(nu/2, 1/2)/2 at x = nu/(nu + z^2)).
#pragma once

#include "runtime/distributions/tail_integral.hpp"

namespace mlec::rt::detail {

// Inputs (x, a, b): d1 = {d/dx, d/da, d/db}, d2 packed by pair_index(., ., 3).
using IncBetaSide = LogSide<3>;

struct IncBetaSides {
    IncBetaSide lower;  // log I_x(a, b)
    IncBetaSide upper;  // log(1 - I_x(a, b)) = log I_(1-x)(b, a)
};

// For a, b > 0 and 0 <= x <= 1, with x_c = 1 - x passed separately (a
// caller that knows 1 - x more exactly than 1 - x rounds, as student_t's
// z^2/(nu + z^2), keeps it). x = 0 or x_c = 0: the sides are log 0 and
// log 1, with zero partials.
IncBetaSides incomplete_beta_sides(double x, double x_c, double a, double b);

}  // namespace mlec::rt::detail

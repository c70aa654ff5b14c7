// negbinomial(mu, size)'s distribution functions in the inputs (y, mu, size),
// shared by negbinomial and its zero-inflated and hurdle forms.
// P(Y <= y) = I_p(size, y + 1) at p = size/(size + mu), 1 - p = mu/(size + mu)
// (incomplete_beta.hpp; the gamma-Poisson mixture's count is at most y when
// the (y + 1)-th Poisson event comes after the gamma rate's time), and
// P(Y > y) its other side. The count y is not differentiated; the partials
// in (p, size) (x and a there; b = y + 1 is fixed) give those in (mu, size)
// by, with t = size + mu,
//     p_mu = -size/t^2, p_size = mu/t^2,
//     p_mu,mu = 2 size/t^3, p_mu,size = (size - mu)/t^3, p_size,size = -2 mu/t^3.
#pragma once

#include "runtime/distributions/incomplete_beta.hpp"
#include "runtime/distributions/log_side.hpp"

namespace mlec::rt::detail {

inline LogSide<3> negbinomial_side(const IncBetaSide& s, double mu, double size) {
    constexpr int mm = pair_index(1, 1, 3);
    constexpr int ms = pair_index(1, 2, 3);
    constexpr int ss = pair_index(2, 2, 3);
    const double t = size + mu;
    const double p_m = -size / (t * t);
    const double p_s = mu / (t * t);
    const double p_mm = 2 * size / (t * t * t);
    const double p_ms = (size - mu) / (t * t * t);
    const double p_ss = -2 * mu / (t * t * t);
    const double lx = s.d1[0];
    const double lxx = s.d2[pair_index(0, 0, 3)];
    const double lxa = s.d2[pair_index(0, 1, 3)];
    LogSide<3> out;
    out.value = s.value;
    out.d1[1] = lx * p_m;
    out.d1[2] = lx * p_s + s.d1[1];
    out.d2[mm] = lxx * p_m * p_m + lx * p_mm;
    out.d2[ms] = lxx * p_m * p_s + lx * p_ms + lxa * p_m;
    out.d2[ss] = lxx * p_s * p_s + 2 * lxa * p_s + s.d2[pair_index(1, 1, 3)] + lx * p_ss;
    return out;
}

inline Sides<3> negbinomial_sides(double y, double mu, double size) {
    const double t = size + mu;
    const IncBetaSides s = incomplete_beta_sides(size / t, mu / t, size, y + 1);
    return {negbinomial_side(s.lower, mu, size), negbinomial_side(s.upper, mu, size)};
}

}  // namespace mlec::rt::detail

// The distribution functions of the zero-inflated and hurdle forms
// (zero_modified.hpp) from their count's, in the inputs (y, theta, pi) of
// arity N (theta: one or two count parameters, pi the last input):
//     zero-inflated: P(Y <= y) = pi + (1 - pi) F(y),  P(Y > y) = (1 - pi) S(y)
//     hurdle:        P(Y > y) = (1 - pi) S(y)/(1 - f(0)),  P(Y <= 0) = pi,
//                    P(Y <= y) = pi + (1 - pi) (F(y) - f(0))/(1 - f(0))  (y >= 1)
// for the count's F = P(Y <= y), S = 1 - F and f(0). Each side is assembled
// from the count's sides with log_sum_exp, log_diff_exp and complement_side
// (log_side.hpp), which carry the exact partials; each probability is
// formed from terms that do not cancel, so both tails stay exact.
#pragma once

#include <cmath>

#include "runtime/distributions/log_side.hpp"
#include "runtime/distributions/negbinomial_terms.hpp"

namespace mlec::rt::detail {

// A count's log pmf terms (negbinomial_terms.hpp) as a side in inputs
// 1..k of N.
template <int N>
LogSide<N> count_side(const CountTerms& t, int k) {
    LogSide<N> out;
    out.value = t.l;
    for (int i = 0; i < k; ++i) out.d1[static_cast<std::size_t>(1 + i)] = t.g[i];
    out.d2[pair_index(1, 1, N)] = t.h[0];
    if (k == 2) {
        out.d2[pair_index(1, 2, N)] = t.h[1];
        out.d2[pair_index(2, 2, N)] = t.h[2];
    }
    return out;
}

// log pi (or log(1 - pi) for `complement`) in the last input:
// d/dpi = 1/pi, d2/dpi2 = -1/pi^2 (or -1/(1 - pi), -1/(1 - pi)^2).
template <int N>
LogSide<N> log_probability(double pi, bool complement) {
    LogSide<N> out;
    const double q = complement ? 1 - pi : pi;
    const double d = complement ? -1 / q : 1 / q;
    out.value = complement ? std::log1p(-pi) : std::log(pi);
    out.d1[N - 1] = d;
    out.d2[pair_index(N - 1, N - 1, N)] = -d * d;
    return out;
}

// Zero-inflated: the upper side is the product; the lower side its
// complement where that is at most 1/2, otherwise the sum (which then stays
// well below 1, so it does not round above log 1).
template <int N>
Sides<N> zero_inflated_sides(const Sides<N>& count, double pi) {
    const LogSide<N> log_1m_pi = log_probability<N>(pi, true);
    Sides<N> out;
    out.upper = log_1m_pi + count.upper;
    out.lower = out.upper.value < -0.6931471805599453
                    ? complement_side(out.upper)
                    : log_sum_exp(log_probability<N>(pi, false), log_1m_pi + count.lower);
    return out;
}

// `zero` is log f(0) with its partials. With f(0) rounded to 1 (l0 == 0)
// the zero-truncated count has no representable pmf (hurdle_row rejects
// such rows): both sides are log 0, a rejected row.
// The upper side is always the product above. Where it is at most 1/2 the
// lower side is its complement; otherwise the lower side is the sum of
// pi and (1 - pi) T for the truncated count's lower side T <= 1/2, whose
// F(y) - f(0) is a log_diff_exp of the count's lower side and its zero.
template <int N>
Sides<N> hurdle_sides(double y, const Sides<N>& count, const LogSide<N>& zero, double pi) {
    const LogSide<N> log_pi = log_probability<N>(pi, false);
    const LogSide<N> log_1m_pi = log_probability<N>(pi, true);
    if (y == 0) return {log_pi, log_1m_pi};
    if (!(zero.value < 0)) return {};
    const LogSide<N> log_1m_f0 = complement_side(zero);
    Sides<N> out;
    out.upper = log_1m_pi + (count.upper - log_1m_f0);
    if (out.upper.value < -0.6931471805599453) {
        out.lower = complement_side(out.upper);
    } else {
        const LogSide<N> truncated_lower = log_diff_exp(count.lower, zero) - log_1m_f0;
        out.lower = log_sum_exp(log_pi, log_1m_pi + truncated_lower);
    }
    return out;
}

}  // namespace mlec::rt::detail

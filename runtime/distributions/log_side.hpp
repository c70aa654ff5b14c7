// The log of a probability with its first and second partials in the
// inputs (a side of a distribution function), and the arithmetic on such
// logs that the distribution functions are assembled from: sums and
// differences of the probabilities, and the complement 1 - S, each with
// its partials by the chain rule, in forms that stay exact far in a tail.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "runtime/op.hpp"

namespace mlec::rt::detail {

// log S and its partials in the N inputs, d2 packed by pair_index(., ., N).
template <int N>
struct LogSide {
    double value = -std::numeric_limits<double>::infinity();
    std::array<double, N> d1{};
    std::array<double, pair_count(N)> d2{};
};

// Both sides of a distribution function: log P(Y <= y) and log P(Y > y).
template <int N>
struct Sides {
    LogSide<N> lower;
    LogSide<N> upper;
};

// A side in M inputs as one in N >= M inputs whose first M are those: the
// partials in the others are 0.
template <int N, int M>
LogSide<N> widen(const LogSide<M>& s) {
    static_assert(M <= N);
    LogSide<N> out;
    out.value = s.value;
    for (int i = 0; i < M; ++i) {
        out.d1[static_cast<std::size_t>(i)] = s.d1[static_cast<std::size_t>(i)];
        for (int j = i; j < M; ++j) {
            out.d2[static_cast<std::size_t>(pair_index(i, j, N))] = s.d2[static_cast<std::size_t>(pair_index(i, j, M))];
        }
    }
    return out;
}

template <int N, int M>
Sides<N> widen(const Sides<M>& s) {
    return {widen<N>(s.lower), widen<N>(s.upper)};
}

// The log of a constant: log c with no partials.
template <int N>
LogSide<N> log_constant(double log_c) {
    LogSide<N> out;
    out.value = log_c;
    return out;
}

// log(1 - e^a) for a <= 0, without rounding e^a to 1 near a = 0 or 1 - e^a
// to 1 far below (Maechler, "Accurately computing log(1 - exp(-|a|))", 2012).
inline double log1m_exp(double a) {
    return a > -0.6931471805599453 ? std::log(-std::expm1(a)) : std::log1p(-std::exp(a));
}

// A side S of a distribution function gives the other side 1 - S: with
// r = S/(1 - S) = 1/expm1(-L),
//     d/dt log(1 - S) = -r L_t,
//     d2/(dt du) log(1 - S) = -r L_tu - r (1 + r) L_t L_u,   L = log S,
// exact for the smaller side S <= 1/2, where r <= 1 (no cancellation), and
// for a larger S as far as L is exact (1 - S is formed from L, not from S).
template <int N>
LogSide<N> complement_side(const LogSide<N>& small) {
    LogSide<N> big;
    big.value = log1m_exp(small.value);
    const double r = 1 / std::expm1(-small.value);
    if (r == 0) return big;
    for (int t = 0; t < N; ++t) {
        const auto tu = static_cast<std::size_t>(t);
        big.d1[tu] = -r * small.d1[tu];
        for (int u = t; u < N; ++u) {
            const auto p = static_cast<std::size_t>(pair_index(t, u, N));
            big.d2[p] = -r * small.d2[p] - r * (1 + r) * small.d1[tu] * small.d1[static_cast<std::size_t>(u)];
        }
    }
    return big;
}

// log(S1 S2): the logs and their partials add.
template <int N>
LogSide<N> operator+(LogSide<N> a, const LogSide<N>& b) {
    a.value += b.value;
    for (std::size_t i = 0; i < a.d1.size(); ++i) a.d1[i] += b.d1[i];
    for (std::size_t p = 0; p < a.d2.size(); ++p) a.d2[p] += b.d2[p];
    return a;
}

// log(S1/S2).
template <int N>
LogSide<N> operator-(LogSide<N> a, const LogSide<N>& b) {
    a.value -= b.value;
    for (std::size_t i = 0; i < a.d1.size(); ++i) a.d1[i] -= b.d1[i];
    for (std::size_t p = 0; p < a.d2.size(); ++p) a.d2[p] -= b.d2[p];
    return a;
}

namespace log_side {

// L = log(e^A +- e^B) with the weights p = e^(A - L) and q = +-e^(B - L)
// of the two terms (p + q = 1):
//     L_i = p A_i + q B_i,
//     L_ij = p A_ij + q B_ij + p q (A_i - B_i)(A_j - B_j)
// (the second moments of the two terms less L_i L_j reduce to that one
// product since p + q = 1). A term of weight 0 (log 0, or so far below the other that its
// weight underflows) contributes nothing: its partials may be infinite (the
// log of a probability of 0), and 0 times them would be NaN.
template <int N>
LogSide<N> mix(const LogSide<N>& a, const LogSide<N>& b, double p, double q) {
    LogSide<N> out;
    for (int i = 0; i < N; ++i) {
        const auto iu = static_cast<std::size_t>(i);
        out.d1[iu] = (p == 0 ? 0.0 : p * a.d1[iu]) + (q == 0 ? 0.0 : q * b.d1[iu]);
        for (int j = i; j < N; ++j) {
            const auto ju = static_cast<std::size_t>(j);
            const auto k = static_cast<std::size_t>(pair_index(i, j, N));
            double v = (p == 0 ? 0.0 : p * a.d2[k]) + (q == 0 ? 0.0 : q * b.d2[k]);
            if (p != 0 && q != 0) v += p * q * (a.d1[iu] - b.d1[iu]) * (a.d1[ju] - b.d1[ju]);
            out.d2[k] = v;
        }
    }
    return out;
}

}  // namespace log_side

// log(S1 + S2), either possibly log 0.
template <int N>
LogSide<N> log_sum_exp(const LogSide<N>& a, const LogSide<N>& b) {
    const double m = std::max(a.value, b.value);
    if (m == -std::numeric_limits<double>::infinity()) return LogSide<N>{};
    const double value = m + std::log1p(std::exp(std::min(a.value, b.value) - m));
    LogSide<N> out = log_side::mix(a, b, std::exp(a.value - value), std::exp(b.value - value));
    out.value = value;
    return out;
}

// log(S1 - S2) for S1 > S2 (S2 possibly log 0), with r = S2/S1:
// p = 1/(1 - r), q = -r/(1 - r). Exact while r stays away from 1; the
// callers take the difference only where r is at most a few tenths of 1 or
// both sides are exact to a few units in the last place.
template <int N>
LogSide<N> log_diff_exp(const LogSide<N>& a, const LogSide<N>& b) {
    const double r = std::exp(b.value - a.value);
    const double one_m_r = r > 0.5 ? -std::expm1(b.value - a.value) : 1 - r;
    LogSide<N> out = log_side::mix(a, b, 1 / one_m_r, -r / one_m_r);
    out.value = a.value + std::log(one_m_r);
    return out;
}

}  // namespace mlec::rt::detail

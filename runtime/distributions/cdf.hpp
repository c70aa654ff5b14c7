// Shared by the distribution functions (DistributionDef::lcdf and lccdf):
// log P(Y <= y) and log P(Y > y) with their first and second partials.
// These are not the hot path of a fit (a censored row is one of many), and
// their tails need case analysis per row, so they are computed one row at a
// time in scalar code, then repaired like the log densities (finish_rows).
#pragma once

#include <array>
#include <cmath>

#include "runtime/distributions/detail.hpp"
#include "runtime/distributions/log_side.hpp"

namespace mlec::rt::detail {

// One row of a distribution function: its value and every partial, d2 in
// the packed order of pair_index, d3 in that of triple_index. At most four
// inputs (y and three arguments), which every distribution with these
// functions has. `third` says whether the caller wants d3 (only the
// Laplace approximation's gradient does): a row computes it only then.
constexpr int max_cdf_arity = 4;
struct CdfRow {
    bool third = false;
    double value = neg_inf;
    std::array<double, max_cdf_arity> d1{};
    std::array<double, pair_count(max_cdf_arity)> d2{};
    std::array<double, triple_count(max_cdf_arity)> d3{};
};

// A side in the row's Arity inputs as the row (the same packing).
template <int Arity>
void to_row(const LogSide<Arity>& s, CdfRow& out) {
    static_assert(Arity <= max_cdf_arity);
    out.value = s.value;
    std::copy(s.d1.begin(), s.d1.end(), out.d1.begin());
    std::copy(s.d2.begin(), s.d2.end(), out.d2.begin());
}

// Which distribution function an op computes.
enum class CdfSide {
    lower,  // log P(Y <= y)
    upper,  // log P(Y > y)
};

// Where a finite y lies beyond its outcome's support: -1 below it or on an
// open lower end (P(Y <= 0) = 0 for a positive Y), +1 above it or on an
// open upper end, 0 otherwise (inside, or at no point of the line: NaN, an
// infinity, a fraction for a count).
inline int beyond_support(Domain d, double y) {
    if (!std::isfinite(y)) return 0;
    switch (d) {
        case Domain::real: return 0;
        case Domain::positive: return y <= 0 ? -1 : 0;
        case Domain::nonnegative:
        case Domain::count: return y < 0 ? -1 : 0;
        case Domain::unit_open: return y <= 0 ? -1 : (y >= 1 ? 1 : 0);
        case Domain::unit_closed:
        case Domain::binary: return y < 0 ? -1 : (y > 1 ? 1 : 0);
        case Domain::category: return y < 1 ? -1 : 0;
    }
    return 0;
}

// Row r's arguments (every input but y) lie in their domains.
inline bool arguments_in_domain(const DistributionDef& def, const OpCall& c, Eigen::Index r) {
    const int arity = static_cast<int>(c.in.size());
    for (int k = 1; k < arity; ++k) {
        if (!in_domain_fast(input_domain(def, k, arity), c.in[k][r])) return false;
    }
    return true;
}

// A y beyond the outcome's support, with the arguments in their domains, is
// a probability of 0 or 1, not a row without a value: below the support
// P(Y <= y) = 0 and P(Y > y) = 1, above it the reverse, every partial 0 (as
// in Stan). So T[0, ] on a positive outcome truncates nothing, and a count's
// T[0, ] asks log P(Y > -1) = 0. finish_rows has already given these rows
// log 0 and zero partials, as outside a domain.
inline void settle_beyond_support(OpCall& c, const DistributionDef& def, CdfSide side) {
    for (Eigen::Index r = 0; r < c.value.size(); ++r) {
        const int beyond = beyond_support(def.outcome, c.in[0][r]);
        if (beyond == 0 || !arguments_in_domain(def, c, r)) continue;
        const bool certain = (beyond < 0) == (side == CdfSide::upper);
        c.value[r] = certain ? 0.0 : neg_inf;
    }
}

// Runs `row(x, out)` (x: the row's inputs) on every row whose inputs lie in
// their domains, writes the value and the requested partials, and leaves the
// rest to finish_rows (value -inf, partials 0) and settle_beyond_support.
// `row` may assume the domains.
template <int Arity, class Row>
void eval_cdf_rows(OpCall& c, const DistributionDef& def, CdfSide side, Row row) {
    static_assert(Arity <= max_cdf_arity);
    const Eigen::Index n = c.value.size();
    const bool third = c.want_any_d3();
    for (Eigen::Index r = 0; r < n; ++r) {
        CdfRow out;
        out.third = third;
        if (row_in_domain(def, c, r)) {
            std::array<double, Arity> x;
            for (int k = 0; k < Arity; ++k) x[static_cast<std::size_t>(k)] = c.in[k][r];
            row(x, out);
        }
        c.value[r] = out.value;
        for (int i = 0; i < Arity; ++i) {
            if (c.want_d1(i)) c.d1[i][r] = out.d1[static_cast<std::size_t>(i)];
            for (int j = i; j < Arity; ++j) {
                if (c.want_d2(i, j)) c.d2[pair_index(i, j, Arity)][r] = out.d2[pair_index(i, j, Arity)];
                if (!third) continue;
                for (int k = j; k < Arity; ++k) {
                    const int t = triple_index(i, j, k, Arity);
                    if (c.want_d3(i, j, k)) c.d3[t][r] = out.d3[static_cast<std::size_t>(t)];
                }
            }
        }
    }
    finish_rows(c, def);
    settle_beyond_support(c, def, side);
}

// An outer function g of one inner quantity z(inputs): g, g', g'' and g'''
// (g''' is read only when third partials are wanted).
struct Outer {
    double g = neg_inf;
    double g1 = 0;
    double g2 = 0;
    double g3 = 0;
};

// The inner quantity with its gradient, (packed) Hessian and (packed) third
// partials in the inputs.
template <int Arity>
struct Inner {
    double z = 0;
    std::array<double, Arity> d1{};
    std::array<double, pair_count(Arity)> d2{};
    std::array<double, triple_count(Arity)> d3{};
};

// The third partials of f = g(z(inputs)) (Faa di Bruno):
//     f_ijk = g''' z_i z_j z_k + g'' (z_ij z_k + z_ik z_j + z_jk z_i) + g' z_ijk,
// each term skipped where its derivative of g is exactly 0, as in chain;
// added to d3 (packed by triple_index in Arity inputs), so that the parts
// of a sum of such functions can be added in turn.
template <int Arity, std::size_t N>
void chain_third(const Outer& o, const Inner<Arity>& z, std::array<double, N>& d3) {
    static_assert(N >= static_cast<std::size_t>(triple_count(Arity)));
    auto d1 = [&](int i) { return z.d1[static_cast<std::size_t>(i)]; };
    auto d2 = [&](int i, int j) { return z.d2[static_cast<std::size_t>(pair_index(i, j, Arity))]; };
    for (int i = 0; i < Arity; ++i) {
        for (int j = i; j < Arity; ++j) {
            for (int k = j; k < Arity; ++k) {
                const int t = triple_index(i, j, k, Arity);
                const double third = o.g3 == 0 ? 0.0 : ((o.g3 * d1(i)) * d1(j)) * d1(k);
                const double mixed = o.g2 == 0 ? 0.0 : o.g2 * (d2(i, j) * d1(k) + d2(i, k) * d1(j) + d2(j, k) * d1(i));
                const double inner = o.g1 == 0 ? 0.0 : o.g1 * z.d3[static_cast<std::size_t>(t)];
                d3[static_cast<std::size_t>(t)] += third + mixed + inner;
            }
        }
    }
}

// f = g(z(inputs)) by the chain rule: f_i = g' z_i, f_ij = g'' z_i z_j +
// g' z_ij. A g' or g'' that is exactly 0 (far in a tail, where g is 0 to
// double precision) contributes 0 even where z's partials overflowed
// (z = (y - mu)/sigma = inf): 0 * inf would be NaN, and the partials must
// stay finite. (g'' z_i) z_j is multiplied in that order, so that a large
// z_i z_j does not overflow before a small g'' scales it.
template <int Arity>
void chain(const Outer& o, const Inner<Arity>& z, CdfRow& out) {
    out.value = o.g;
    for (int i = 0; i < Arity; ++i) {
        const double zi = z.d1[static_cast<std::size_t>(i)];
        out.d1[static_cast<std::size_t>(i)] = o.g1 == 0 ? 0.0 : o.g1 * zi;
        for (int j = i; j < Arity; ++j) {
            const int p = pair_index(i, j, Arity);
            const double second = o.g2 == 0 ? 0.0 : (o.g2 * zi) * z.d1[static_cast<std::size_t>(j)];
            out.d2[p] = second + (o.g1 == 0 ? 0.0 : o.g1 * z.d2[static_cast<std::size_t>(p)]);
        }
    }
    if (out.third) chain_third(o, z, out.d3);
}

// z = (y - mu)/s at inputs (y, mu, s) = (0, 1, 2):
//   z_y = 1/s, z_mu = -1/s, z_s = -z/s, z_ys = -1/s^2, z_mus = 1/s^2,
//   z_ss = 2z/s^2, the other second partials 0;
//   z_yss = 2/s^3, z_muss = -2/s^3, z_sss = -6z/s^3, the other third 0.
inline Inner<3> standardized(double y, double mu, double s) {
    Inner<3> in;
    in.z = (y - mu) / s;
    in.d1 = {1 / s, -1 / s, -in.z / s};
    in.d2[pair_index(0, 2, 3)] = -1 / (s * s);
    in.d2[pair_index(1, 2, 3)] = 1 / (s * s);
    in.d2[pair_index(2, 2, 3)] = 2 * in.z / (s * s);
    const double s3 = s * s * s;
    in.d3[triple_index(0, 2, 2, 3)] = 2 / s3;
    in.d3[triple_index(1, 2, 2, 3)] = -2 / s3;
    in.d3[triple_index(2, 2, 2, 3)] = -6 * in.z / s3;
    return in;
}

// The lower tail of a symmetric distribution gives its upper tail:
// log P(Z > z) = G(-z) for G(z) = log P(Z <= z), so g = G(-z), g' = -G'(-z),
// g'' = G''(-z), g''' = -G'''(-z).
template <class LowerTail>
Outer upper_by_symmetry(LowerTail lower, double z) {
    const Outer o = lower(-z);
    return {o.g, -o.g1, o.g2, -o.g3};
}

// g(z) = log Phi(z), the standard normal's log cdf, exact in both tails
// (the built-in log_Phi's evaluation; its third derivative, with r = g',
// r ((z + r)(z + 2r) - 1), by the Mills ratio's continued fraction deep in
// the lower tail, where that form cancels).
inline Outer log_phi(double z) {
    const auto [g, g1, g2, g3] = special::log_phi_third(z);
    return {g, g1, g2, g3};
}

// g(z) = log F(z) for the logistic cdf F(z) = 1/(1 + e^-z):
//   g = -log1p(e^-z), formed as z - log1p(e^z) for z < 0 (no overflow)
//   g' = 1 - F(z)      g'' = -F(z) (1 - F(z))
//   g''' = -F(z) (1 - F(z)) (1 - 2 F(z)), with 1 - 2F = (1 - F) - F
// with F and 1 - F each from e^-|z|, so neither rounds to 1 - 1 (and
// 1 - 2F = tanh(-z/2) = -+(1 - e)/(1 + e) keeps its digits near z = 0 too).
inline Outer log_sigmoid(double z) {
    const double e = std::exp(-std::abs(z));
    const double f = z >= 0 ? 1 / (1 + e) : e / (1 + e);      // F(z)
    const double f_bar = z >= 0 ? e / (1 + e) : 1 / (1 + e);  // 1 - F(z)
    const double one_m_2f = (z >= 0 ? -1.0 : 1.0) * (-std::expm1(-std::abs(z))) / (1 + e);
    return {std::min(z, 0.0) - std::log1p(e), f_bar, -f * f_bar, -f * f_bar * one_m_2f};
}

// g(l) = log(1 - exp(-e^l)), the log cdf of a Weibull, exponential or
// Gumbel variable whose survival function is exp(-e^l), with P = e^l:
//   g'  = P/(e^P - 1) = P/expm1(P)
//   g'' = g' (1 - P - g')        (from d/dP [P/(e^P - 1)])
// Where P is small, log1p(-exp(-P)) would round exp(-P) to 1: the value is
// log(-expm1(-P)), and below P = 1e-10 l - P/2 (the rest is P^2/24), which
// stays right where P itself underflows. 1 - P - g' cancels for small P and
// is its series there, -P/2 - P^2/12 + P^4/720 - P^6/30240 + P^8/1209600
// (x/(e^x - 1) = sum B_n x^n/n!), whose next term is below 1e-17 of the sum
// for P < 0.2. Past P = 800, g = g' = g'' = 0 to double precision. With
// d(rest)/dl = -P - g'':
//   g''' = g'' (1 - P - g') - g' (P + g'')
// (-P/2 + P^2/3 for small P, P e^-P (1 - 3P + P^2) for large: no term
// cancels in either).
inline Outer log1m_exp_exp(double l) {
    const double p = std::exp(l);
    Outer o;
    // exp(-P) e^l underflows past P = 800 (and P/expm1(P) would be inf/inf).
    if (!(p < 800)) return {0, 0, 0};
    if (p < 1e-10) {
        o.g = l - 0.5 * p;
    } else {
        o.g = p < 0.6931471805599453 ? std::log(-std::expm1(-p)) : std::log1p(-std::exp(-p));
    }
    o.g1 = p < 1e-300 ? 1.0 : p / std::expm1(p);
    double rest = 0;
    if (p < 0.2) {
        const double p2 = p * p;
        rest = -p * (0.5 + p * (1.0 / 12 - p2 * (1.0 / 720 - p2 * (1.0 / 30240 - p2 / 1209600))));
    } else {
        rest = 1 - p - o.g1;
    }
    o.g2 = o.g1 * rest;
    o.g3 = o.g2 * rest - o.g1 * (p + o.g2);
    return o;
}

// A tail of a discrete distribution, summed from its first term: the log of
// its probability, and the mean, variance and third central moment of Y
// given that Y lies in it.
struct TailSum {
    double log_sum = neg_inf;
    double mean = 0;
    double variance = 0;
    double third = 0;
};

// The tail whose first term is P(Y = k0) = exp(log_first) and whose term j
// >= 1 is at k0 + j * step (step +1 upwards, -1 downwards), ratio(j) times
// term j - 1, summed relative to the first term until the terms no longer
// change the sum or `terms` are summed. For a tail far from the mode, where
// the incomplete gamma and beta functions underflow and where its partials
// from them would cancel: the moments give those partials instead (in an
// exponential family, d/d theta log P(tail) = E[Y | tail] - E[Y], and
// d2/d theta2 = Var[Y | tail] - Var[Y], and the third: the third central
// moments, E[(Y - E Y)^3 | tail] - that of Y, the third cumulants). The
// moments are about k0, so the offsets j are small numbers.
template <class Ratio>
TailSum tail_sum(double log_first, double k0, double step, Ratio ratio, double terms) {
    double sum = 1;
    double m1 = 0;  // sum of term * j
    double m2 = 0;  // sum of term * j^2
    double m3 = 0;  // sum of term * j^3
    double term = 1;
    for (double j = 1; j < terms; ++j) {
        term *= ratio(j);
        sum += term;
        m1 += term * j;
        m2 += term * j * j;
        m3 += term * j * j * j;
        if (term < 1e-17 * sum) break;
    }
    const double offset = m1 / sum;
    const double second = m2 / sum;
    // (step^3 = step: the third moment changes sign with the direction)
    return {log_first + std::log(sum), k0 + step * offset, std::max(0.0, second - offset * offset),
            step * (m3 / sum - 3 * offset * second + 2 * offset * offset * offset)};
}

}  // namespace mlec::rt::detail

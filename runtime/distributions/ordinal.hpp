// What ordered_logistic and ordered_probit share: the model for an ordered
// outcome y in {1, ..., K + 1} given a linear predictor eta and K increasing
// cut-points c (Stan's parametrization, and MASS::polr's with c = zeta):
//     P(y = k) = F(eta - c[k-1]) - F(eta - c[k]),  c[0] = -inf, c[K+1] = +inf,
// for a CDF F (logistic, normal). The op's inputs are (y, eta, c_1, ...,
// c_K), so it is variadic. Each distribution supplies log P(y = k) as a
// function of a = eta - c[k-1] and b = eta - c[k] (a > b) with its partials
// in a and b; this file checks the row, and spreads those partials over eta
// and the two cut-points the row depends on:
//     d/deta = f_a + f_b,  d/dc[k-1] = -f_a,  d/dc[k] = -f_b,
// and the second partials likewise (eta enters both a and b).
#pragma once

#include "runtime/distributions/cdf.hpp"
#include "runtime/distributions/detail.hpp"
#include "runtime/random.hpp"

namespace mlec::rt::detail::ordinal {

// log P and its partials in a and b. For the lowest category a = +inf
// (has_a false), for the highest b = -inf (has_b false); the partials in a
// missing one are 0. The sums faa + fab and fbb + fab (the second partials
// in eta and a cut-point) are given by the link itself, in forms without
// the cancellation of adding them (both are large for close cut-points).
struct Terms {
    double value = neg_inf;
    double fa = 0;
    double fb = 0;
    double faa = 0;
    double fbb = 0;
    double fab = 0;
    double faa_ab = 0;  // faa + fab
    double fbb_ab = 0;  // fbb + fab
};

// Whether a row's cut-points are finite and strictly increasing: otherwise
// the K + 1 probabilities are no distribution (some would be negative), and
// the row's log density is -inf.
inline bool increasing(const OpCall& c, Eigen::Index r) {
    const int arity = static_cast<int>(c.in.size());
    for (int j = 2; j < arity; ++j) {
        if (!std::isfinite(c.in[j][r])) return false;
        if (j > 2 && !(c.in[j - 1][r] < c.in[j][r])) return false;
    }
    return arity > 2;
}

// Every wanted partial zeroed: only eta and a row's two cut-points have
// partials, and each row writes its own.
inline void zero_partials(OpCall& c) {
    for (Col& d : c.d1) {
        if (d.size() > 0) d.setZero();
    }
    for (Col& d : c.d2) {
        if (d.size() > 0) d.setZero();
    }
    for (Col& d : c.d3) {
        if (d.size() > 0) d.setZero();
    }
}

// ---- third partials ---------------------------------------------------------
// A row's log probability depends on eta and at most two cut-points, its
// "local" inputs 0 (eta), 1 (c[k-1]) and 2 (c[k]); its third partials are
// packed over these three by triple_index(., ., ., 3) and spread over the
// op's inputs by eval. Every part of a link's log P is a function of one
// linear form of them, s (eta - c) or c[k] - c[k-1], or a function of a
// sum of such parts, so the parts below build every link's third partials
// without differencing a - b (which would lose eta's digits).
using Local3 = std::array<double, triple_count(3)>;
using LocalInner = Inner<3>;

// The derivative, of order `order` in the multiset (i, j, k) of local
// inputs, of G(s (eta - c)) with c the local input `ic`: each derivative in
// eta gives a factor s, each in c a factor -s, so with n of them in c it is
// G^(order) s^order (-1)^n.
inline double linear_factor(int ic, double s, std::initializer_list<int> inputs) {
    double f = 1;
    for (int i : inputs) {
        if (i == 0) f *= s;
        else if (i == ic) f *= -s;
        else return 0;
    }
    return f;
}

// d3 += the third partials of G(s (eta - c_ic)), G''' = g3.
inline void add_linear_third(Local3& d3, int ic, double s, double g3) {
    for (int i = 0; i < 3; ++i) {
        for (int j = i; j < 3; ++j) {
            for (int k = j; k < 3; ++k) d3[triple_index(i, j, k, 3)] += g3 * linear_factor(ic, s, {i, j, k});
        }
    }
}

// u += weight G(s (eta - c_ic)) with its partials in the local inputs, for
// G and its first three derivatives g = {G, G', G'', G'''}.
inline void add_linear(LocalInner& u, int ic, double s, double weight, const std::array<double, 4>& g) {
    u.z += weight * g[0];
    for (int i = 0; i < 3; ++i) {
        u.d1[i] += weight * g[1] * linear_factor(ic, s, {i});
        for (int j = i; j < 3; ++j) {
            u.d2[pair_index(i, j, 3)] += weight * g[2] * linear_factor(ic, s, {i, j});
            for (int k = j; k < 3; ++k)
                u.d3[triple_index(i, j, k, 3)] += weight * g[3] * linear_factor(ic, s, {i, j, k});
        }
    }
}

// d3 += the third partials of H(c[k] - c[k-1]) (local inputs 2 and 1), H'''
// = h3: each derivative in c[k-1] gives -1, in c[k] +1, in eta 0.
inline void add_gap_third(Local3& d3, double h3) {
    d3[triple_index(1, 1, 1, 3)] -= h3;
    d3[triple_index(1, 1, 2, 3)] += h3;
    d3[triple_index(1, 2, 2, 3)] -= h3;
    d3[triple_index(2, 2, 2, 3)] += h3;
}

// d3 += the third partials of log(1 - e^u), u < 0 a function of the local
// inputs: with w = 1/expm1(-u) = e^u/(1 - e^u), its derivatives in u are
// -w, -w (1 + w) and -w (1 + w)(1 + 2w) (dw/du = w (1 + w)); by chain_third.
inline void add_log1m_exp_third(Local3& d3, const LocalInner& u) {
    const double w = 1 / std::expm1(-u.z);
    const double w2 = w * (1 + w);
    chain_third(Outer{0, -w, -w2, -w2 * (1 + 2 * w)}, u, d3);
}

// Row r is a distribution: a category 1 ... cuts + 1, a finite eta and
// increasing cut-points.
inline bool is_distribution(const OpCall& c, Eigen::Index r, double category, int cuts) {
    return category >= 1 && category <= cuts + 1 && category == std::floor(category) && std::isfinite(c.in[1][r]) &&
           increasing(c, r);
}

// The op's evaluation, given the link's log P(a, b) as
// `Terms link(double a, double b, double gap, bool has_a, bool has_b, bool
// partials)`, gap = c[k] - c[k-1] = a - b taken from the cut-points (exact
// where a - b would lose the digits of a large eta).
// Only eta and the row's two cut-points have partials, so every partial is
// zeroed once per block and each row writes its own.
// With want_any_d3, `Local3 third(a, b, gap, has_a, has_b)` gives the third
// partials in the local inputs (eta, c[k-1], c[k]).
template <class Link, class Third>
void eval(OpCall& c, const DistributionDef& def, Link link, Third third) {
    const int arity = static_cast<int>(c.in.size());
    const int cuts = arity - 2;
    const ConstCol& y = c.in[0];
    const ConstCol& eta = c.in[1];
    zero_partials(c);
    const bool partials = want_any_partial(c);
    const bool want_third = c.want_any_d3();
    for (Eigen::Index r = 0; r < y.size(); ++r) {
        const double yr = y[r];
        if (!is_distribution(c, r, yr, cuts)) {
            c.value[r] = neg_inf;
            continue;
        }
        const int k = static_cast<int>(yr);
        const bool has_a = k > 1;
        const bool has_b = k <= cuts;
        const int ia = k;      // input of c[k-1]
        const int ib = k + 1;  // input of c[k]
        const double a = has_a ? eta[r] - c.in[ia][r] : 0.0;
        const double b = has_b ? eta[r] - c.in[ib][r] : 0.0;
        const double gap = has_a && has_b ? c.in[ib][r] - c.in[ia][r] : 0.0;
        const Terms t = link(a, b, gap, has_a, has_b, partials);
        c.value[r] = t.value;
        if (!partials || !(t.value > neg_inf)) continue;
        auto d1 = [&](int i, double v) {
            if (c.want_d1(i)) c.d1[i][r] = v;
        };
        auto d2 = [&](int i, int j, double v) {
            if (c.want_d2(i, j)) c.d2[pair_index(i, j, arity)][r] = v;
        };
        d1(1, t.fa + t.fb);
        d2(1, 1, t.faa_ab + t.fbb_ab);
        if (has_a) {
            d1(ia, -t.fa);
            d2(ia, ia, t.faa);
            d2(1, ia, -t.faa_ab);
        }
        if (has_b) {
            d1(ib, -t.fb);
            d2(ib, ib, t.fbb);
            d2(1, ib, -t.fbb_ab);
        }
        if (has_a && has_b) d2(ia, ib, t.fab);
        if (!want_third) continue;
        const Local3 d3 = third(a, b, gap, has_a, has_b);
        // local input -> op input; a missing cut-point's partials are 0
        const int input[3] = {1, has_a ? ia : -1, has_b ? ib : -1};
        for (int i = 0; i < 3; ++i) {
            for (int j = i; j < 3; ++j) {
                for (int l = j; l < 3; ++l) {
                    if (input[i] < 0 || input[j] < 0 || input[l] < 0) continue;
                    if (c.want_d3(input[i], input[j], input[l]))
                        c.d3[triple_index(input[i], input[j], input[l], arity)][r] = d3[triple_index(i, j, l, 3)];
                }
            }
        }
    }
    finish_rows(c, def);
}

// log F(z) for the link's cdf F with its first, second and third derivatives.
struct LogF {
    double l = 0;
    double l1 = 0;
    double l2 = 0;
    double l3 = 0;
};

// The distribution functions (`upper` false: log P(Y <= k), true: log
// P(Y > k)) given the link's `LogF log_f(double z)`. The latent y* = eta + e
// is at most c[k] exactly when Y <= k, so P(Y <= k) = F(c[k] - eta) and
// P(Y > k) = F(eta - c[k]) (F symmetric), each one log F, exact in both
// tails; for the highest category k = K + 1 they are 1 and 0. With
// z = +-(c[k] - eta) (+ for the lower side), the value is G(z) = log F(z):
//     d/dc[k] = +-G'(z),  d/deta = -+G'(z),
//     d2/dc[k]2 = d2/deta2 = G''(z),  d2/deta dc[k] = -G''(z),
//     d3 with n derivatives in eta of 3: +-(-1)^n G'''(z).
// Only eta and c[k] have partials. Rows whose category, eta or cut-points
// are no distribution (as for the log pmf) are log 0 with zero partials.
template <class LogFOf>
void eval_cdf(OpCall& c, const DistributionDef& def, LogFOf log_f, bool upper) {
    const int arity = static_cast<int>(c.in.size());
    const int cuts = arity - 2;
    const ConstCol& y = c.in[0];
    const ConstCol& eta = c.in[1];
    zero_partials(c);
    for (Eigen::Index r = 0; r < y.size(); ++r) {
        const double yr = y[r];
        if (!is_distribution(c, r, yr, cuts)) {
            c.value[r] = neg_inf;
            continue;
        }
        const int k = static_cast<int>(yr);
        if (k == cuts + 1) {
            c.value[r] = upper ? neg_inf : 0.0;
            continue;
        }
        const int ik = k + 1;  // input of c[k]
        const double sign = upper ? -1.0 : 1.0;
        const LogF g = log_f(sign * (c.in[ik][r] - eta[r]));
        c.value[r] = g.l;
        if (c.want_d1(1)) c.d1[1][r] = -sign * g.l1;
        if (c.want_d1(ik)) c.d1[ik][r] = sign * g.l1;
        if (c.want_d2(1, 1)) c.d2[pair_index(1, 1, arity)][r] = g.l2;
        if (c.want_d2(ik, ik)) c.d2[pair_index(ik, ik, arity)][r] = g.l2;
        if (c.want_d2(1, ik)) c.d2[pair_index(1, ik, arity)][r] = -g.l2;
        if (c.want_d3(1, 1, 1)) c.d3[triple_index(1, 1, 1, arity)][r] = -sign * g.l3;
        if (c.want_d3(1, 1, ik)) c.d3[triple_index(1, 1, ik, arity)][r] = sign * g.l3;
        if (c.want_d3(1, ik, ik)) c.d3[triple_index(1, ik, ik, arity)][r] = -sign * g.l3;
        if (c.want_d3(ik, ik, ik)) c.d3[triple_index(ik, ik, ik, arity)][r] = sign * g.l3;
    }
    finish_rows(c, def);
    // A y below category 1 or above K + 1, eta and the cut-points a
    // distribution: probability 0 on one side and 1 on the other, with no
    // partials, as for every distribution (cdf.hpp, settle_beyond_support).
    for (Eigen::Index r = 0; r < y.size(); ++r) {
        const double yr = y[r];
        const bool below = yr < 1;
        if (std::isfinite(yr) && (below || yr > cuts + 1) && std::isfinite(eta[r]) && increasing(c, r))
            c.value[r] = below == upper ? 0.0 : neg_inf;
    }
}

// The latent form: y* = eta + e, e drawn from F, and y = 1 + #{k : y* > c[k]}
// has exactly the probabilities above. NaN for arguments that are no
// distribution (a non-finite eta, cut-points not strictly increasing).
inline double sample(std::span<const double> a, double noise) {
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    if (a.size() < 2 || !std::isfinite(a[0])) return nan;
    for (std::size_t j = 1; j < a.size(); ++j) {
        if (!std::isfinite(a[j]) || (j > 1 && !(a[j - 1] < a[j]))) return nan;
    }
    const double latent = a[0] + noise;
    double y = 1;
    for (std::size_t j = 1; j < a.size(); ++j) y += latent > a[j] ? 1 : 0;
    return y;
}

// E[y] = sum_k k P(y = k) = 1 + sum_{k=1..K} P(y > k) = 1 + sum_k F(eta - c[k]),
// on the 1..K+1 scale of the category numbers, with `cdf` the op of F.
inline int mean(NodeMaker& make, std::span<const int> a, const OpDef& cdf) {
    std::vector<int> parts{make.constant(1.0)};
    for (std::size_t j = 1; j < a.size(); ++j) parts.push_back(make.op(cdf, {make.op(op_sub(), {a[0], a[j]})}));
    return make.op(op_sum(), std::move(parts));
}

}  // namespace mlec::rt::detail::ordinal

// binomial(y | n, p):
//     log p(y) = log C(n, y) + y log p + (n - y) log(1 - p),
//     log C(n, y) = lgamma(n+1) - lgamma(y+1) - lgamma(n-y+1)
//                 = -log(n+1) - log B(n-y+1, y+1)   (no cancellation for large n),
// y, n counts with y <= n, p in [0, 1]. A term whose count is 0 is 0 (so
// p = 0 with y = 0 and p = 1 with y = n give probability 1, not NaN).
// n is an integer and not differentiable: its partials are zero.
#include <boost/math/special_functions/beta.hpp>

#include "runtime/distributions/cdf.hpp"
#include "runtime/distributions/detail.hpp"
#include "runtime/random.hpp"
#include "runtime/special_functions.hpp"

namespace mlec::rt::detail {
namespace {

constexpr DistArg args[] = {{"n", Domain::count}, {"p", Domain::unit_closed}};

void eval(OpCall& c);
void lcdf(OpCall& c);
void lccdf(OpCall& c);

// Inversion for n min(p, 1-p) < 30, else the order-statistic reduction
// (binomial_draw in runtime/random.cpp).
double sample(std::span<const double> a, Rng& rng) { return binomial_draw(rng, a[0], a[1]); }

constexpr OutcomeLimit limits[] = {{0, true}};  // y <= n

// E[y] = n p.
int mean(NodeMaker& make, std::span<const int> a) { return make.op(op_mul(), {a[0], a[1]}); }

constexpr DistributionDef def{.name = "binomial",
                              .discrete = true,
                              .outcome = Domain::count,
                              .args = args,
                              .op = {.name = "binomial", .arity = 3, .eval = &eval, .third = true},
                              .sample = &sample,
                              .limits = limits,
                              .mean = &mean,
                              .lcdf = {"binomial_lcdf", 3, &lcdf, false},
                              .lccdf = {"binomial_lccdf", 3, &lccdf, false}};

constexpr int nn = pair_index(1, 1, 3);
constexpr int np = pair_index(1, 2, 3);
constexpr int pp = pair_index(2, 2, 3);

void eval(OpCall& c) {
    const ConstCol& y = c.in[0];
    const ConstCol& n = c.in[1];
    const ConstCol& p = c.in[2];
    const Eigen::Index rows = y.size();
    for (Eigen::Index r = 0; r < rows; ++r) {
        // Rows with y > n or non-integer counts are rejected in finish_rows;
        // log_choose needs 0 <= y <= n.
        const bool counts_ok = y[r] >= 0 && y[r] <= n[r];
        c.value[r] = counts_ok ? special::log_choose(n[r], y[r]) : 0.0;
    }
    const auto failures = n - y;
    Eigen::ArrayXd log1p_minus_p = -p;
    special::log1p_in_place(log1p_minus_p);
    c.value += (y > 0.0).select(y * p.log(), 0.0) + (failures > 0.0).select(failures * log1p_minus_p, 0.0);
    // d/dp = y/p - (n-y)/(1-p),  d2/dp2 = -y/p^2 - (n-y)/(1-p)^2,
    // d3/dp3 = 2y/p^3 - 2(n-y)/(1-p)^3; every partial in the integer n is 0.
    if (c.want_d1(2)) {
        c.d1[2] = (y > 0.0).select(y / p, 0.0) - (failures > 0.0).select(failures / (1.0 - p), 0.0);
    }
    if (c.want_d2(2, 2)) {
        c.d2[pp] = -(y > 0.0).select(y / p / p, 0.0) - (failures > 0.0).select(failures / (1.0 - p) / (1.0 - p), 0.0);
    }
    if (c.want_d1(1)) c.d1[1].setZero();
    if (c.want_d2(1, 1)) c.d2[nn].setZero();
    if (c.want_d2(1, 2)) c.d2[np].setZero();
    if (c.want_any_d3()) {
        for (Col& d : c.d3) {
            if (d.size() > 0) d.setZero();
        }
        if (c.want_d3(2, 2, 2)) {
            c.d3[triple_index(2, 2, 2, 3)] = 2.0 * ((y > 0.0).select(y / p / p / p, 0.0) -
                                                    (failures > 0.0).select(failures / (1.0 - p).cube(), 0.0));
        }
    }
    // More successes than trials: probability 0.
    c.value = (y <= n).select(c.value, neg_inf);
    finish_rows(c, def);
}

// The distribution functions, for y < n (y = n: P(Y <= y) = 1, P(Y > y) =
// 0; y > n is outside the support, as for the pmf):
//   F = P(Y <= y) = I_{1-p}(n - y, y + 1) = ibetac(y + 1, n - y, p),
//   1 - F = P(Y > y) = ibeta(y + 1, n - y, p),
// from Boost.Math to full relative precision until they underflow, then
// (below 1e-280) summed from their largest term, pmf(y) down or
// pmf(y + 1) up (cdf.hpp, tail_sum); the larger of the two as log1p of the other. In p, with b(k; m) the
// binomial(m, p) probability of k:
//   F' = -n b(y; n - 1)
//   F'' = -n (n - 1) (b(y - 1; n - 2) - b(y; n - 2))
//       = F' (y/p - (n - 1 - y)/(1 - p))     for 0 < p < 1,
// the first form at p = 0 and 1, where b is 0 or 1. Then g' = F'/F,
// g'' = F''/F - g'^2 for the lcdf, and the same with -F', -F'' and 1 - F
// for the lccdf; each ratio F'/F is one exp of a difference of logs.
double log_binomial_pmf(double k, double m, double p) {
    if (k < 0 || k > m) return neg_inf;
    return special::log_choose(m, k) + (k == 0 ? 0.0 : k * std::log(p)) + (k == m ? 0.0 : (m - k) * std::log1p(-p));
}

struct BinomialTails {
    double lcdf = 0;
    double lccdf = 0;
};

BinomialTails binomial_tails(double y, double n, double p) {
    constexpr double tiny = 1e-280;
    const double lower = boost::math::ibetac(y + 1, n - y, p, special::Policy());
    const double upper = boost::math::ibeta(y + 1, n - y, p, special::Policy());
    BinomialTails t;
    // log of the larger one as log1p of the other, which keeps its digits
    t.lcdf = upper < 0.5    ? std::log1p(-upper)
             : lower > tiny ? std::log(lower)
                            : tail_sum(
                                  log_binomial_pmf(y, n, p), y, -1,
                                  [&](double j) { return (y - j + 1) * (1 - p) / ((n - y + j) * p); }, y + 1)
                                  .log_sum;
    t.lccdf = lower < 0.5    ? std::log1p(-lower)
              : upper > tiny ? std::log(upper)
                             : tail_sum(
                                   log_binomial_pmf(y + 1, n, p), y + 1, 1,
                                   [&](double j) { return (n - y - j) * p / ((y + 1 + j) * (1 - p)); }, n - y)
                                   .log_sum;
    return t;
}

// F'/G and F''/G for G = exp(log_g) (F or 1 - F).
std::array<double, 2> binomial_ratios(double y, double n, double p, double log_g) {
    const double r1 = -n * std::exp(log_binomial_pmf(y, n - 1, p) - log_g);
    if (p > 0 && p < 1) return {r1, r1 * (y / p - (n - 1 - y) / (1 - p))};
    const double r2 =
        -n * (n - 1) *
        (std::exp(log_binomial_pmf(y - 1, n - 2, p) - log_g) - std::exp(log_binomial_pmf(y, n - 2, p) - log_g));
    return {r1, n >= 2 ? r2 : 0.0};
}

void lcdf(OpCall& c) {
    eval_cdf_rows<3>(c, def, CdfSide::lower, [](const auto& x, CdfRow& out) {
        const double y = x[0];
        const double n = x[1];
        const double p = x[2];
        if (y >= n) {
            out.value = 0;  // P(Y <= y) = 1 from y = n on, past the support too
            return;
        }
        out.value = binomial_tails(y, n, p).lcdf;
        if (out.value == neg_inf) return;
        const auto [r1, r2] = binomial_ratios(y, n, p, out.value);
        out.d1[2] = r1;
        out.d2[pair_index(2, 2, 3)] = r2 - r1 * r1;
    });
}

void lccdf(OpCall& c) {
    eval_cdf_rows<3>(c, def, CdfSide::upper, [](const auto& x, CdfRow& out) {
        const double y = x[0];
        const double n = x[1];
        const double p = x[2];
        if (y >= n) return;
        out.value = binomial_tails(y, n, p).lccdf;
        if (out.value == neg_inf) return;
        const auto [r1, r2] = binomial_ratios(y, n, p, out.value);
        out.d1[2] = -r1;
        out.d2[pair_index(2, 2, 3)] = -r2 - r1 * r1;
    });
}

}  // namespace

const DistributionDef& binomial_def() { return def; }

}  // namespace mlec::rt::detail

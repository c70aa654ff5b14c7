// binomial(y | n, p):
//     log p(y) = log C(n, y) + y log p + (n - y) log(1 - p),
//     log C(n, y) = lgamma(n+1) - lgamma(y+1) - lgamma(n-y+1)
//                 = -log(n+1) - log B(n-y+1, y+1)   (no cancellation for large n),
// y, n counts with y <= n, p in [0, 1]. A term whose count is 0 is 0 (so
// p = 0 with y = 0 and p = 1 with y = n give probability 1, not NaN).
// n is an integer and not differentiable: its partials are zero.
#include "runtime/distributions/detail.hpp"
#include "runtime/random.hpp"
#include "runtime/special_functions.hpp"

namespace mlec::rt::detail {
namespace {

constexpr DistArg args[] = {{"n", Domain::count}, {"p", Domain::unit_closed}};

void eval(OpCall& c);

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
                              .op = {"binomial", 3, &eval, false},
                              .sample = &sample,
                              .limits = limits,
                              .mean = &mean};

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
    // d/dp = y/p - (n-y)/(1-p),  d2/dp2 = -y/p^2 - (n-y)/(1-p)^2.
    if (c.want_d1(2)) {
        c.d1[2] = (y > 0.0).select(y / p, 0.0) - (failures > 0.0).select(failures / (1.0 - p), 0.0);
    }
    if (c.want_d2(2, 2)) {
        c.d2[pp] = -(y > 0.0).select(y / p / p, 0.0) - (failures > 0.0).select(failures / (1.0 - p) / (1.0 - p), 0.0);
    }
    if (c.want_d1(1)) c.d1[1].setZero();
    if (c.want_d2(1, 1)) c.d2[nn].setZero();
    if (c.want_d2(1, 2)) c.d2[np].setZero();
    // More successes than trials: probability 0.
    c.value = (y <= n).select(c.value, neg_inf);
    finish_rows(c, def);
}

}  // namespace

const DistributionDef& binomial_def() { return def; }

}  // namespace mlec::rt::detail

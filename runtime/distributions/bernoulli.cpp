// bernoulli(y | p):  log p(y) = y log p + (1 - y) log(1 - p),  y in {0, 1},
// p in [0, 1].
#include "runtime/distributions/cdf.hpp"
#include "runtime/distributions/detail.hpp"
#include "runtime/random.hpp"
#include "runtime/special_functions.hpp"

namespace mlec::rt::detail {
namespace {

constexpr DistArg args[] = {{"p", Domain::unit_closed}};

void eval(OpCall& c);
void lcdf(OpCall& c);
void lccdf(OpCall& c);

// y = 1 with probability p: U < p for U uniform on [0, 1).
double sample(std::span<const double> a, Rng& rng) {
    const double p = a[0];
    if (!in_domain_fast(Domain::unit_closed, p)) return std::numeric_limits<double>::quiet_NaN();
    return rng.uniform() < p ? 1.0 : 0.0;
}

// E[y] = p.
int mean(NodeMaker&, std::span<const int> a) { return a[0]; }

constexpr DistributionDef def{.name = "bernoulli",
                              .discrete = true,
                              .outcome = Domain::binary,
                              .args = args,
                              .op = {.name = "bernoulli", .arity = 2, .eval = &eval, .third = true},
                              .sample = &sample,
                              .mean = &mean,
                              .lcdf = {"bernoulli_lcdf", 2, &lcdf, false},
                              .lccdf = {"bernoulli_lccdf", 2, &lccdf, false}};

constexpr int pp = pair_index(1, 1, 2);
constexpr int ppp = triple_index(1, 1, 1, 2);

void eval(OpCall& c) {
    const ConstCol& y = c.in[0];
    const ConstCol& p = c.in[1];
    // Each outcome selects its single term, so p = 0 or 1 with the matching
    // y gives log 1 = 0 rather than 0 * log 0 = NaN.
    c.value = -p;
    special::log1p_in_place(c.value);
    c.value = (y == 1.0).select(p.log(), c.value);
    // d/dp = 1/p (y = 1) or -1/(1-p) (y = 0); in both cases d2/dp2 = -(d/dp)^2
    // and d3/dp3 = 2 (d/dp)^3 (2/p^3, or -2/(1-p)^3).
    const bool d1 = c.want_d1(1);
    const bool d2 = c.want_d2(1, 1);
    if (d1) c.d1[1] = (y == 1.0).select(p.inverse(), -(1.0 - p).inverse());
    if (d2) {
        if (d1) {
            c.d2[pp] = -c.d1[1].square();
        } else {
            c.d2[pp] = -(y == 1.0).select(p.inverse(), (1.0 - p).inverse()).square();
        }
    }
    if (c.want_d3(1, 1, 1)) c.d3[ppp] = 2.0 * (y == 1.0).select(p.inverse(), -(1.0 - p).inverse()).cube();
    finish_rows(c, def);
}

// The distribution functions: P(Y <= 0) = 1 - p, P(Y <= 1) = 1;
// P(Y > 0) = p, P(Y > 1) = 0. In p: log(1 - p) has g' = -1/(1 - p),
// g'' = -1/(1 - p)^2; log p has 1/p and -1/p^2.
void lcdf(OpCall& c) {
    eval_cdf_rows<2>(c, def, CdfSide::lower, [](const auto& x, CdfRow& out) {
        if (x[0] == 1) {
            out.value = 0;
            return;
        }
        const double q = 1 - x[1];
        out.value = std::log1p(-x[1]);
        out.d1[1] = -1 / q;
        out.d2[pair_index(1, 1, 2)] = -1 / (q * q);
    });
}

void lccdf(OpCall& c) {
    eval_cdf_rows<2>(c, def, CdfSide::upper, [](const auto& x, CdfRow& out) {
        if (x[0] == 1) return;
        const double p = x[1];
        out.value = std::log(p);
        out.d1[1] = 1 / p;
        out.d2[pair_index(1, 1, 2)] = -1 / (p * p);
    });
}

}  // namespace

const DistributionDef& bernoulli_def() { return def; }

}  // namespace mlec::rt::detail

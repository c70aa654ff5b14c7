// bernoulli(y | p):  log p(y) = y log p + (1 - y) log(1 - p),  y in {0, 1},
// p in [0, 1].
#include "runtime/distributions/detail.hpp"
#include "runtime/random.hpp"
#include "runtime/special_functions.hpp"

namespace mlec::rt::detail {
namespace {

constexpr DistArg args[] = {{"p", Domain::unit_closed}};

void eval(OpCall& c);

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
                              .op = {"bernoulli", 2, &eval, false},
                              .sample = &sample,
                              .mean = &mean};

constexpr int pp = pair_index(1, 1, 2);

void eval(OpCall& c) {
    const ConstCol& y = c.in[0];
    const ConstCol& p = c.in[1];
    // Each outcome selects its single term, so p = 0 or 1 with the matching
    // y gives log 1 = 0 rather than 0 * log 0 = NaN.
    c.value = -p;
    special::log1p_in_place(c.value);
    c.value = (y == 1.0).select(p.log(), c.value);
    // d/dp = 1/p (y = 1) or -1/(1-p) (y = 0); in both cases d2/dp2 = -(d/dp)^2.
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
    finish_rows(c, def);
}

}  // namespace

const DistributionDef& bernoulli_def() { return def; }

}  // namespace mlec::rt::detail

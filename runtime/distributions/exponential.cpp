// exponential(y | rate):  log p(y) = log rate - rate y,  y >= 0, rate > 0.
#include "runtime/distributions/detail.hpp"
#include "runtime/random.hpp"

namespace mlec::rt::detail {
namespace {

constexpr DistArg args[] = {{"rate", Domain::positive}};

void eval(OpCall& c);

// Inversion: -log(U)/rate, U on (0, 1).
double sample(std::span<const double> a, Rng& rng) {
    if (!in_domain_fast(Domain::positive, a[0])) return std::numeric_limits<double>::quiet_NaN();
    return -std::log(rng.uniform_open()) / a[0];
}

// E[y] = 1/rate.
int mean(NodeMaker& make, std::span<const int> a) { return make.op(op_div(), {make.constant(1), a[0]}); }

constexpr DistributionDef def{.name = "exponential",
                              .discrete = false,
                              .outcome = Domain::nonnegative,
                              .args = args,
                              .op = {"exponential", 2, &eval, false},
                              .sample = &sample,
                              .mean = &mean};

// d/dy = -rate, d/drate = 1/rate - y; d2/dy2 = 0, d2/dy drate = -1,
// d2/drate2 = -1/rate^2.
void eval(OpCall& c) {
    const ConstCol& y = c.in[0];
    const ConstCol& rate = c.in[1];
    c.value = rate.log() - rate * y;
    if (c.want_d1(0)) c.d1[0] = -rate;
    if (c.want_d1(1)) c.d1[1] = rate.inverse() - y;
    if (c.want_d2(0, 0)) c.d2[pair_index(0, 0, 2)].setZero();
    if (c.want_d2(0, 1)) c.d2[pair_index(0, 1, 2)].setConstant(-1.0);
    if (c.want_d2(1, 1)) c.d2[pair_index(1, 1, 2)] = -rate.inverse().square();
    finish_rows(c, def);
}

}  // namespace

const DistributionDef& exponential_def() { return def; }

}  // namespace mlec::rt::detail

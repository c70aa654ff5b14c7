// exponential(y | rate):  log p(y) = log rate - rate y,  y >= 0, rate > 0.
#include "runtime/distributions/cdf.hpp"
#include "runtime/distributions/detail.hpp"
#include "runtime/random.hpp"

namespace mlec::rt::detail {
namespace {

constexpr DistArg args[] = {{"rate", Domain::positive}};

void eval(OpCall& c);
void lcdf(OpCall& c);
void lccdf(OpCall& c);

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
                              .mean = &mean,
                              .lcdf = {"exponential_lcdf", 2, &lcdf, false},
                              .lccdf = {"exponential_lccdf", 2, &lccdf, false}};

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

// The distribution functions: P(Y > y) = exp(-rate y), so lccdf = -rate y
// (exact for every y), and lcdf = log(1 - exp(-e^l)) with l = log rate +
// log y (cdf.hpp, log1m_exp_exp): l_y = 1/y, l_rate = 1/rate,
// l_yy = -1/y^2, l_rate,rate = -1/rate^2. At y = 0 the lcdf is log 0.
void lcdf(OpCall& c) {
    eval_cdf_rows<2>(c, def, [](const auto& x, CdfRow& out) {
        const double y = x[0];
        const double rate = x[1];
        Inner<2> l;
        l.z = std::log(rate) + std::log(y);
        l.d1 = {1 / y, 1 / rate};
        l.d2 = {-1 / (y * y), 0, -1 / (rate * rate)};
        chain(log1m_exp_exp(l.z), l, out);
    });
}

void lccdf(OpCall& c) {
    eval_cdf_rows<2>(c, def, [](const auto& x, CdfRow& out) {
        out.value = -x[1] * x[0];
        out.d1 = {-x[1], -x[0]};
        out.d2[pair_index(0, 1, 2)] = -1;
    });
}

}  // namespace

const DistributionDef& exponential_def() { return def; }

}  // namespace mlec::rt::detail

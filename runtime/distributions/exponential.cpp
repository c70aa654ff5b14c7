// exponential(y | rate):  log p(y) = log rate - rate y,  y >= 0, rate > 0.
#include "runtime/distributions/cdf.hpp"
#include "runtime/distributions/detail.hpp"
#include "runtime/distributions/truncated_mean.hpp"
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

int truncated_mean(NodeMaker& make, std::span<const int> a, TruncationBounds b);

constexpr DistributionDef def{.name = "exponential",
                              .discrete = false,
                              .outcome = Domain::nonnegative,
                              .args = args,
                              .op = {.name = "exponential", .arity = 2, .eval = &eval, .third = true},
                              .sample = &sample,
                              .mean = &mean,
                              .truncated_mean = &truncated_mean,
                              .lcdf = {.name = "exponential_lcdf", .arity = 2, .eval = &lcdf, .third = true},
                              .lccdf = {.name = "exponential_lccdf", .arity = 2, .eval = &lccdf, .third = true}};

// d/dy = -rate, d/drate = 1/rate - y; d2/dy2 = 0, d2/dy drate = -1,
// d2/drate2 = -1/rate^2; d3/drate3 = 2/rate^3, the other third partials 0.
void eval(OpCall& c) {
    const ConstCol& y = c.in[0];
    const ConstCol& rate = c.in[1];
    c.value = rate.log() - rate * y;
    if (c.want_d1(0)) c.d1[0] = -rate;
    if (c.want_d1(1)) c.d1[1] = rate.inverse() - y;
    if (c.want_d2(0, 0)) c.d2[pair_index(0, 0, 2)].setZero();
    if (c.want_d2(0, 1)) c.d2[pair_index(0, 1, 2)].setConstant(-1.0);
    if (c.want_d2(1, 1)) c.d2[pair_index(1, 1, 2)] = -rate.inverse().square();
    if (c.want_d3(0, 0, 0)) c.d3[triple_index(0, 0, 0, 2)].setZero();
    if (c.want_d3(0, 0, 1)) c.d3[triple_index(0, 0, 1, 2)].setZero();
    if (c.want_d3(0, 1, 1)) c.d3[triple_index(0, 1, 1, 2)].setZero();
    if (c.want_d3(1, 1, 1)) c.d3[triple_index(1, 1, 1, 2)] = 2.0 * rate.inverse().cube();
    finish_rows(c, def);
}

// The distribution functions: P(Y > y) = exp(-rate y), so lccdf = -rate y
// (exact for every y), and lcdf = log(1 - exp(-e^l)) with l = log rate +
// log y (cdf.hpp, log1m_exp_exp): l_y = 1/y, l_rate = 1/rate,
// l_yy = -1/y^2, l_rate,rate = -1/rate^2, l_yyy = 2/y^3, l_rate,rate,rate
// = 2/rate^3 (the mixed ones 0). At y = 0 the lcdf is log 0. The lccdf's
// third partials are all 0.
void lcdf(OpCall& c) {
    eval_cdf_rows<2>(c, def, CdfSide::lower, [](const auto& x, CdfRow& out) {
        const double y = x[0];
        const double rate = x[1];
        Inner<2> l;
        l.z = std::log(rate) + std::log(y);
        l.d1 = {1 / y, 1 / rate};
        l.d2 = {-1 / (y * y), 0, -1 / (rate * rate)};
        l.d3 = {2 / (y * y * y), 0, 0, 2 / (rate * rate * rate)};
        chain(log1m_exp_exp(l.z), l, out);
    });
}

void lccdf(OpCall& c) {
    eval_cdf_rows<2>(c, def, CdfSide::upper, [](const auto& x, CdfRow& out) {
        out.value = -x[1] * x[0];
        out.d1 = {-x[1], -x[0]};
        out.d2[pair_index(0, 1, 2)] = -1;
    });
}

// E[y | lo < y < hi] = lo + 1/rate - d/(e^(rate d) - 1), d = hi - lo (the
// distribution is memoryless: y - lo is exponential truncated to (0, d)),
// lo = 0 when open, and lo + 1/rate without an upper bound. d/(e^x - 1) is
// formed as d exp(-x - log(1 - e^-x)), whose partials stay finite where
// e^x overflows. (It cancels against 1/rate when rate d is small: the
// relative error is about 1e-16/(rate d).)
int truncated_mean(NodeMaker& make, std::span<const int> a, TruncationBounds b) {
    const int lo = b.lower >= 0 ? b.lower : make.constant(0);
    const int above_lo = make.op(op_add(), {lo, mean(make, a)});
    if (b.upper < 0) return above_lo;
    const int d = make.op(op_sub(), {b.upper, lo});
    const int minus_x = make.op(op_neg(), {make.op(op_mul(), {a[0], d})});
    const int log_ratio = make.op(op_sub(), {minus_x, make.op(op_log1m_exp(), {minus_x})});
    return make.op(op_sub(), {above_lo, make.op(op_mul(), {d, make.op(op_exp(), {log_ratio})})});
}

}  // namespace

const DistributionDef& exponential_def() { return def; }

}  // namespace mlec::rt::detail

// geometric(y | p): the number of failures before the first success,
//     log p(y) = log p + y log(1 - p),   y a count, p in [0, 1].
// p = 1 makes y = 0 certain (log p = 0; the y log(1 - p) term is dropped
// when y = 0, as 0 * log 0 would be NaN) and any y > 0 impossible; p = 0 is
// in the argument's domain but gives probability 0 for every y, so -inf with
// zero partials. The closed domain [0, 1] lets all-zero data drive p to its
// bound 1, which is where their likelihood is maximal.
#include "runtime/distributions/cdf.hpp"
#include "runtime/distributions/detail.hpp"
#include "runtime/random.hpp"

namespace mlec::rt::detail {
namespace {

constexpr DistArg args[] = {{"p", Domain::unit_closed}};

void eval(OpCall& c);
void lcdf(OpCall& c);
void lccdf(OpCall& c);

// Inversion: P(Y >= k) = (1-p)^k, so floor(log U / log(1-p)) for U on (0, 1).
// p = 0 has no finite draw: NaN.
double sample(std::span<const double> a, Rng& rng) {
    const double p = a[0];
    if (!(p > 0 && p <= 1)) return std::numeric_limits<double>::quiet_NaN();
    if (p == 1) return 0.0;
    return std::floor(std::log(rng.uniform_open()) / std::log1p(-p));
}

// E[y] = (1 - p)/p, the number of failures before the first success.
int mean(NodeMaker& make, std::span<const int> a) {
    return make.op(op_div(), {make.op(op_sub(), {make.constant(1), a[0]}), a[0]});
}

constexpr DistributionDef def{.name = "geometric",
                              .discrete = true,
                              .outcome = Domain::count,
                              .args = args,
                              .op = {.name = "geometric", .arity = 2, .eval = &eval, .third = true},
                              .sample = &sample,
                              .mean = &mean,
                              .lcdf = {.name = "geometric_lcdf", .arity = 2, .eval = &lcdf, .third = true},
                              .lccdf = {.name = "geometric_lccdf", .arity = 2, .eval = &lccdf, .third = true}};

constexpr int pp = pair_index(1, 1, 2);

// d/dp = 1/p - y/(1 - p),  d2/dp2 = -1/p^2 - y/(1 - p)^2,
// d3/dp3 = 2/p^3 - 2y/(1 - p)^3 (the y-terms dropped at y = 0, so p = 1
// stays finite).
void eval(OpCall& c) {
    const ConstCol& y = c.in[0];
    const ConstCol& p = c.in[1];
    const auto has_failures = y > 0.0;
    c.value = p.log() + has_failures.select(y * (-p).log1p(), 0.0);
    if (c.want_d1(1)) c.d1[1] = p.inverse() - has_failures.select(y / (1.0 - p), 0.0);
    if (c.want_d2(1, 1)) {
        c.d2[pp] = -p.inverse().square() - has_failures.select(y / (1.0 - p).square(), 0.0);
    }
    if (c.want_d3(1, 1, 1)) {
        c.d3[triple_index(1, 1, 1, 2)] = 2.0 * (p.inverse().cube() - has_failures.select(y / (1.0 - p).cube(), 0.0));
    }
    finish_rows(c, def);
}

// The distribution functions: P(Y > y) = (1 - p)^(y + 1), so
// lccdf = (y + 1) log1p(-p), g' = -(y + 1)/(1 - p), g'' = -(y + 1)/(1 - p)^2;
// F = P(Y <= y) = -expm1((y + 1) log1p(-p)), lcdf = log1m_exp of its
// complement's log (cdf.hpp), and in p
//   F' = (y + 1)(1 - p)^y    F'' = -(y + 1) y (1 - p)^(y - 1)
//   g' = F'/F                g'' = F''/F - g'^2,
// which stay right at p = 1 (g' = 1 for y = 0, else 0); the third partials
// F''' = (y + 1) y (y - 1)(1 - p)^(y - 2) (0 for y <= 1),
// g''' = F'''/F - 3 g' g'' - g'^3 (lcdf) and -2 (y + 1)/(1 - p)^3 (lccdf).
void lcdf(OpCall& c) {
    eval_cdf_rows<2>(c, def, CdfSide::lower, [](const auto& x, CdfRow& out) {
        const double y = x[0];
        const double p = x[1];
        const double log_q = (y + 1) * std::log1p(-p);  // log P(Y > y)
        const double f = -std::expm1(log_q);
        const double f1 = (y + 1) * std::pow(1 - p, y);
        const double f2 = y == 0 ? 0.0 : -(y + 1) * y * std::pow(1 - p, y - 1);
        out.value = log1m_exp(log_q);
        out.d1[1] = f1 / f;
        out.d2[pair_index(1, 1, 2)] = f2 / f - out.d1[1] * out.d1[1];
        if (!out.third) return;
        const double f3 = y <= 1 ? 0.0 : (y + 1) * y * (y - 1) * std::pow(1 - p, y - 2);
        const double g1 = out.d1[1];
        const double g2 = out.d2[pair_index(1, 1, 2)];
        out.d3[triple_index(1, 1, 1, 2)] = f3 / f - 3 * g1 * g2 - g1 * g1 * g1;
    });
}

void lccdf(OpCall& c) {
    eval_cdf_rows<2>(c, def, CdfSide::upper, [](const auto& x, CdfRow& out) {
        const double y = x[0];
        const double q = 1 - x[1];
        out.value = (y + 1) * std::log1p(-x[1]);
        out.d1[1] = -(y + 1) / q;
        out.d2[pair_index(1, 1, 2)] = -(y + 1) / (q * q);
        out.d3[triple_index(1, 1, 1, 2)] = -2 * (y + 1) / (q * q * q);
    });
}

}  // namespace

const DistributionDef& geometric_def() { return def; }

}  // namespace mlec::rt::detail

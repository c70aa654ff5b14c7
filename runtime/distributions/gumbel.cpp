// gumbel(y | mu, beta), the distribution of a maximum (Stan's and R's
// evd::dgumbel form):
//     log p(y) = -log beta - z - exp(-z),   z = (y - mu)/beta,
// y, mu real, beta > 0. Far below mu, exp(-z) overflows and the log density
// is -inf, as the density itself is 0 to double precision there.
#include "runtime/distributions/cdf.hpp"
#include "runtime/distributions/detail.hpp"
#include "runtime/random.hpp"

namespace mlec::rt::detail {
namespace {

constexpr DistArg args[] = {{"mu", Domain::real}, {"beta", Domain::positive}};

void eval(OpCall& c);
void lcdf(OpCall& c);
void lccdf(OpCall& c);

// Inversion: mu - beta log(-log U), U on (0, 1).
double sample(std::span<const double> a, Rng& rng) {
    if (!std::isfinite(a[0]) || !in_domain_fast(Domain::positive, a[1])) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    return a[0] - a[1] * std::log(-std::log(rng.uniform_open()));
}

constexpr double euler_gamma = 0.57721566490153286060651209008240;

// E[y] = mu + beta gamma (gamma: Euler's constant).
int mean(NodeMaker& make, std::span<const int> a) {
    return make.op(op_add(), {a[0], make.op(op_mul(), {make.constant(euler_gamma), a[1]})});
}

constexpr DistributionDef def{.name = "gumbel",
                              .discrete = false,
                              .outcome = Domain::real,
                              .args = args,
                              .op = {.name = "gumbel", .arity = 3, .eval = &eval, .third = true},
                              .sample = &sample,
                              .mean = &mean,
                              .lcdf = {.name = "gumbel_lcdf", .arity = 3, .eval = &lcdf, .third = true},
                              .lccdf = {.name = "gumbel_lccdf", .arity = 3, .eval = &lccdf, .third = true}};

// h(z) = -z - e, e = exp(-z):  h' = e - 1,  h'' = -e
// (location_scale_partials): z h' = z (e - 1), z h'' = -z e, z^2 h'' = -z^2 e;
// h''' = e, so the third partials' numerators (location_scale_third) are
//   n30 = e    n21 = e (2 - z)    n12 = 2(e - 1) - 4 z e + z^2 e
//   n03 = -(2 + 6 z (e - 1) - 6 z^2 e + z^3 e).
void eval(OpCall& c) {
    const ConstCol& y = c.in[0];
    const ConstCol& mu = c.in[1];
    const ConstCol& beta = c.in[2];
    const Eigen::ArrayXd z = (y - mu) / beta;
    Eigen::ArrayXd e(z.size());
    special::assign_exp(e, -z);
    c.value = -beta.log() - z - e;
    if (want_any_partial(c)) {
        location_scale_partials(c, 0, 1, 2, beta, e - 1.0, z * (e - 1.0), -e, -z * e, -z.square() * e);
        location_scale_third(c, 0, 1, 2, beta, e, e * (2.0 - z), 2.0 * (e - 1.0) - 4.0 * z * e + z.square() * e,
                             -(2.0 + 6.0 * z * (e - 1.0) - 6.0 * z.square() * e + z.cube() * e));
    }
    finish_rows(c, def);
}

// The distribution functions: F(z) = exp(-e^-z), so lcdf = -e^-z (g' = e^-z,
// g'' = -e^-z, g''' = e^-z), and P(Y > y) = 1 - exp(-e^l) with l = -z, whose log is
// log1m_exp_exp(l) (cdf.hpp): the upper tail by the same symmetry as a
// symmetric distribution's.
Outer neg_exp_neg(double z) {
    const double e = std::exp(-z);
    return {-e, e, -e, e};
}

void lcdf(OpCall& c) {
    eval_cdf_rows<3>(c, def, CdfSide::lower, [](const auto& x, CdfRow& out) {
        const Inner<3> z = standardized(x[0], x[1], x[2]);
        chain(neg_exp_neg(z.z), z, out);
    });
}

void lccdf(OpCall& c) {
    eval_cdf_rows<3>(c, def, CdfSide::upper, [](const auto& x, CdfRow& out) {
        const Inner<3> z = standardized(x[0], x[1], x[2]);
        chain(upper_by_symmetry(log1m_exp_exp, z.z), z, out);
    });
}

}  // namespace

const DistributionDef& gumbel_def() { return def; }

}  // namespace mlec::rt::detail

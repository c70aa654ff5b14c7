// laplace(y | mu, b):  density exp(-|y - mu|/b)/(2b),
//     log p(y) = -|z| - log b - log 2,   z = (y - mu)/b,   y, mu real, b > 0.
// |z| has no derivative at y == mu; there the partials in y and mu are taken
// as 0 (the midpoint of the subgradient, as for abs), and the second partials
// (a point mass of curvature) as 0.
#include "runtime/distributions/cdf.hpp"
#include "runtime/distributions/detail.hpp"
#include "runtime/random.hpp"

namespace mlec::rt::detail {
namespace {

constexpr DistArg args[] = {{"mu", Domain::real}, {"b", Domain::positive}};

void eval(OpCall& c);
void lcdf(OpCall& c);
void lccdf(OpCall& c);

// Inversion: with u = U - 1/2 on (-1/2, 1/2) (never 0), y = mu - b sign(u)
// log(1 - 2|u|); 1 - 2|u| is exact for U = (j + 1/2) 2^-52.
double sample(std::span<const double> a, Rng& rng) {
    if (!std::isfinite(a[0]) || !in_domain_fast(Domain::positive, a[1])) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    const double u = rng.uniform_open() - 0.5;
    const double e = -std::log(1.0 - 2.0 * std::abs(u));
    return u < 0 ? a[0] - a[1] * e : a[0] + a[1] * e;
}

// E[y] = mu.
int mean(NodeMaker&, std::span<const int> a) { return a[0]; }

constexpr DistributionDef def{.name = "laplace",
                              .discrete = false,
                              .outcome = Domain::real,
                              .args = args,
                              .op = {.name = "laplace", .arity = 3, .eval = &eval, .third = true},
                              .sample = &sample,
                              .mean = &mean,
                              .lcdf = {.name = "laplace_lcdf", .arity = 3, .eval = &lcdf, .third = true},
                              .lccdf = {.name = "laplace_lccdf", .arity = 3, .eval = &lccdf, .third = true}};

constexpr double log_2 = 0.69314718055994530941723212145818;

// h(z) = -|z|: h' = -sign(z), z h' = -|z|, h'' = 0 (location_scale_partials).
void eval(OpCall& c) {
    const ConstCol& y = c.in[0];
    const ConstCol& mu = c.in[1];
    const ConstCol& b = c.in[2];
    if (!want_any_partial(c)) {
        c.value = -((y - mu) / b).abs() - b.log() - log_2;
        finish_rows(c, def);
        return;
    }
    const Eigen::ArrayXd z = (y - mu) / b;
    c.value = -z.abs() - b.log() - log_2;
    const auto zero = Eigen::ArrayXd::Zero(z.size());
    location_scale_partials(c, 0, 1, 2, b, -z.sign(), -z.abs(), zero, zero, zero);
    // Piecewise (h = -|z|, h'' = h''' = 0 for z != 0): the third partials'
    // numerators (location_scale_third) are n30 = n21 = 0, n12 = -2 sign(z),
    // n03 = 6|z| - 2; at z = 0 the kink's, as for the lower orders, sign 0.
    location_scale_third(c, 0, 1, 2, b, zero, zero, -2.0 * z.sign(), 6.0 * z.abs() - 2.0);
    finish_rows(c, def);
}

// The distribution functions, z = (y - mu)/b: F(z) = e^z/2 below 0, so
// log F = z - log 2 (g' = 1, g'' = 0), and 1 - e^-z/2 from 0, so with
// e = e^-z, log F = log1p(-e/2), g' = e/(2 - e), g'' = -g' (1 + g'),
// g''' = -g'' (1 + 2g') (g''' = 0 below 0); the
// upper tail by symmetry. The second derivative jumps at z = 0, as the
// density's first does.
Outer laplace_log_cdf(double z) {
    if (z < 0) return {z - 0.6931471805599453, 1, 0, 0};
    const double e = std::exp(-z);
    const double g1 = e / (2 - e);
    const double g2 = -g1 * (1 + g1);
    return {std::log1p(-0.5 * e), g1, g2, -g2 * (1 + 2 * g1)};
}

void lcdf(OpCall& c) {
    eval_cdf_rows<3>(c, def, CdfSide::lower, [](const auto& x, CdfRow& out) {
        const Inner<3> z = standardized(x[0], x[1], x[2]);
        chain(laplace_log_cdf(z.z), z, out);
    });
}

void lccdf(OpCall& c) {
    eval_cdf_rows<3>(c, def, CdfSide::upper, [](const auto& x, CdfRow& out) {
        const Inner<3> z = standardized(x[0], x[1], x[2]);
        chain(upper_by_symmetry(laplace_log_cdf, z.z), z, out);
    });
}

}  // namespace

const DistributionDef& laplace_def() { return def; }

}  // namespace mlec::rt::detail

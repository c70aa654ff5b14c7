// cauchy(y | mu, sigma):  log p(y) = -log pi - log sigma - log1p(z^2),
// z = (y - mu)/sigma,  y, mu real, sigma > 0.
#include "runtime/distributions/cdf.hpp"
#include "runtime/distributions/detail.hpp"
#include "runtime/random.hpp"

namespace mlec::rt::detail {
namespace {

constexpr DistArg args[] = {{"mu", Domain::real}, {"sigma", Domain::positive}};

void eval(OpCall& c);
void lcdf(OpCall& c);
void lccdf(OpCall& c);

// Inversion: mu + sigma tan(pi (U - 1/2)), U on (0, 1).
double sample(std::span<const double> a, Rng& rng) {
    if (!std::isfinite(a[0]) || !in_domain_fast(Domain::positive, a[1])) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    constexpr double pi = 3.14159265358979323846;
    return a[0] + a[1] * std::tan(pi * (rng.uniform_open() - 0.5));
}

constexpr DistributionDef def{.name = "cauchy",
                              .discrete = false,
                              .outcome = Domain::real,
                              .args = args,
                              .op = {.name = "cauchy", .arity = 3, .eval = &eval, .third = true},
                              .sample = &sample,
                              .lcdf = {.name = "cauchy_lcdf", .arity = 3, .eval = &lcdf, .third = true},
                              .lccdf = {.name = "cauchy_lccdf", .arity = 3, .eval = &lccdf, .third = true}};

constexpr double log_pi = 1.1447298858494001741434273513531;

// h(z) = -log1p(z^2). With q = 1/(1 + z^2), t = z^2/(1 + z^2) = 1 - q and
// m = z/(1 + z^2), all bounded:
//   h' = -2m,  z h' = -2t,  h'' = -2 (1 - z^2)/(1 + z^2)^2 = -2q(q - t),
//   z h'' = -2m(q - t),  z^2 h'' = -2t(q - t),
//   h''' = 4z (3 - z^2)/(1 + z^2)^3 = 4mq(3q - t),  z h''' = 4m^2 (3q - t),
//   z^2 h''' = 4mt(3q - t),  z^3 h''' = 4t^2 (3q - t)   (z q = m, z m = t),
// so the third partials' numerators (location_scale_third) are
//   n30 = 4mq(3q - t)    n21 = 4q(q - t) - 4m^2 (3q - t)
//   n12 = -4m - 8m(q - t) + 4mt(3q - t)
//   n03 = -(2 - 12t - 12t(q - t) + 4t^2 (3q - t)).
// For |z| > 1 they are formed from v = 1/z (z^2 would overflow for
// |z| > 1e154), and log1p(z^2) = 2 log|z| + log1p(v^2).
void eval(OpCall& c) {
    const ConstCol& y = c.in[0];
    const ConstCol& mu = c.in[1];
    const ConstCol& sigma = c.in[2];
    const Eigen::ArrayXd z = (y - mu) / sigma;
    const auto big = z.abs() > 1.0;
    const Eigen::ArrayXd v2 = big.select(z.inverse().square(), z.square());  // min(z^2, 1/z^2)
    c.value = -big.select(2.0 * z.abs().log() + v2.log1p(), v2.log1p()) - sigma.log() - log_pi;
    if (want_any_partial(c)) {
        // q and t: the small one is v2/(1 + v2), the other 1/(1 + v2).
        const Eigen::ArrayXd small_part = v2 / (1.0 + v2);
        const Eigen::ArrayXd large_part = (1.0 + v2).inverse();
        const Eigen::ArrayXd q = big.select(small_part, large_part);
        const Eigen::ArrayXd t = big.select(large_part, small_part);
        // m = z/(1 + z^2) = 1/(z + 1/z) for |z| > 1.
        const Eigen::ArrayXd m = big.select((z + z.inverse()).inverse(), z * large_part);
        location_scale_partials(c, 0, 1, 2, sigma, -2.0 * m, -2.0 * t, -2.0 * q * (q - t), -2.0 * m * (q - t),
                                -2.0 * t * (q - t));
        if (c.want_any_d3()) {
            const Eigen::ArrayXd w = 3.0 * q - t;
            location_scale_third(c, 0, 1, 2, sigma, 4.0 * m * q * w, 4.0 * q * (q - t) - 4.0 * m.square() * w,
                                 -4.0 * m - 8.0 * m * (q - t) + 4.0 * m * t * w,
                                 -(2.0 - 12.0 * t - 12.0 * t * (q - t) + 4.0 * t.square() * w));
        }
    }
    finish_rows(c, def);
}

// The distribution functions, z = (y - mu)/sigma: F(z) = 1/2 + atan(z)/pi,
// f = F' = 1/(pi (1 + z^2)), g = log F, g' = f/F,
// g'' = f'/F - g'^2 = -2z/(1 + z^2) g' - g'^2. In the lower tail
// (z < -1), with w = -1/z, F = atan(w)/pi (no 1/2 - 1/2 cancellation) and
// g' = w^2/((1 + w^2) atan(w)), -2z/(1 + z^2) = 2w/(1 + w^2), which stay
// exact where 1 + z^2 overflows; above z = 1, F = 1 - atan(1/z)/pi and
// g = log1p(-atan(1/z)/pi). With q = -2z/(1 + z^2) (g'' = q g' - g'^2),
// g''' = q' g' + q g'' - 2 g' g'', q' = -2 (1 - z^2)/(1 + z^2)^2, which is
// 2 w^2 (1 - w^2)/(1 + w^2)^2 in w. The upper tail by symmetry.
Outer cauchy_log_cdf(double z) {
    constexpr double pi = 3.14159265358979323846;
    if (z < -1) {
        const double w = -1 / z;
        const double a = std::atan(w);
        const double g1 = w * w / ((1 + w * w) * a);
        const double q = 2 * w / (1 + w * w);
        const double g2 = g1 * (q - g1);
        const double q1 = 2 * w * w * (1 - w * w) / ((1 + w * w) * (1 + w * w));
        return {std::log(a / pi), g1, g2, q1 * g1 + q * g2 - 2 * g1 * g2};
    }
    const double f = 1 / (pi * (1 + z * z));
    const double big_f = z <= 1 ? 0.5 + std::atan(z) / pi : 1 - std::atan(1 / z) / pi;
    const double g = z <= 1 ? std::log(big_f) : std::log1p(-std::atan(1 / z) / pi);
    const double g1 = f / big_f;
    const double q = -2 * z / (1 + z * z);
    const double g2 = q * g1 - g1 * g1;
    const double q1 = -2 * (1 - z * z) / ((1 + z * z) * (1 + z * z));
    return {g, g1, g2, q1 * g1 + q * g2 - 2 * g1 * g2};
}

void lcdf(OpCall& c) {
    eval_cdf_rows<3>(c, def, CdfSide::lower, [](const auto& x, CdfRow& out) {
        const Inner<3> z = standardized(x[0], x[1], x[2]);
        chain(cauchy_log_cdf(z.z), z, out);
    });
}

void lccdf(OpCall& c) {
    eval_cdf_rows<3>(c, def, CdfSide::upper, [](const auto& x, CdfRow& out) {
        const Inner<3> z = standardized(x[0], x[1], x[2]);
        chain(upper_by_symmetry(cauchy_log_cdf, z.z), z, out);
    });
}

}  // namespace

const DistributionDef& cauchy_def() { return def; }

}  // namespace mlec::rt::detail

// logistic(y | mu, s):  density e^-z / (s (1 + e^-z)^2),  z = (y - mu)/s.
// The density is even in z, so with e = exp(-|z|) <= 1, which never
// overflows:
//     log p(y) = -|z| - 2 log1p(e) - log s,   y, mu real, s > 0.
#include "runtime/distributions/cdf.hpp"
#include "runtime/distributions/detail.hpp"
#include "runtime/random.hpp"
#include "runtime/special_functions.hpp"

namespace mlec::rt::detail {
namespace {

constexpr DistArg args[] = {{"mu", Domain::real}, {"s", Domain::positive}};

void eval(OpCall& c);
void lcdf(OpCall& c);
void lccdf(OpCall& c);

// Inversion: mu + s log(U/(1 - U)), U on (0, 1).
double sample(std::span<const double> a, Rng& rng) {
    if (!std::isfinite(a[0]) || !in_domain_fast(Domain::positive, a[1])) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    const double u = rng.uniform_open();
    return a[0] + a[1] * (std::log(u) - std::log1p(-u));
}

// E[y] = mu.
int mean(NodeMaker&, std::span<const int> a) { return a[0]; }

constexpr DistributionDef def{.name = "logistic",
                              .discrete = false,
                              .outcome = Domain::real,
                              .args = args,
                              .op = {.name = "logistic", .arity = 3, .eval = &eval, .third = true},
                              .sample = &sample,
                              .mean = &mean,
                              .lcdf = {.name = "logistic_lcdf", .arity = 3, .eval = &lcdf, .third = true},
                              .lccdf = {.name = "logistic_lccdf", .arity = 3, .eval = &lccdf, .third = true}};

// h(z) = -|z| - 2 log1p(e):
//   h'  = -tanh(z/2) = -sign(z) (1 - e)/(1 + e)
//   h'' = -sech^2(z/2)/2 = -2e/(1 + e)^2
// Both keep full relative precision in the tails (no 1 - tanh^2), and the
// products with z and z^2 are formed as z (z h''), finite for every finite z.
// Third (location_scale_third), with H = 2e/(1 + e)^2 and th = tanh(z/2):
//   h''' = sech^2(z/2) tanh(z/2)/2 = H th    (h' = -th, h'' = -H)
//   n30 = H th    n21 = H (2 - z th)    n12 = -2 th - 4 z H + z^2 H th
//   n03 = -(2 - 6 z th - 6 z^2 H + z^3 H th)
// with z th = |z| (1 - e)/(1 + e) >= 0, and the powers of z times H finite
// (H decays as e).
void eval(OpCall& c) {
    const ConstCol& y = c.in[0];
    const ConstCol& mu = c.in[1];
    const ConstCol& s = c.in[2];
    const Eigen::ArrayXd z = (y - mu) / s;
    Eigen::ArrayXd e(z.size());
    special::assign_exp(e, -z.abs());
    Eigen::ArrayXd log1p_e = e;
    special::log1p_in_place(log1p_e);
    c.value = -z.abs() - 2.0 * log1p_e - s.log();
    if (want_any_partial(c)) {
        const auto tanh_half = (1.0 - e) / (1.0 + e);
        const Eigen::ArrayXd zhzz = -2.0 * z * e / (1.0 + e).square();
        location_scale_partials(c, 0, 1, 2, s, -z.sign() * tanh_half, -z.abs() * tanh_half,
                                -2.0 * e / (1.0 + e).square(), zhzz, z * zhzz);
        if (c.want_any_d3()) {
            const Eigen::ArrayXd h = 2.0 * e / (1.0 + e).square();
            const Eigen::ArrayXd th = z.sign() * tanh_half;
            const Eigen::ArrayXd zth = z.abs() * tanh_half;
            const Eigen::ArrayXd zh = z * h;
            location_scale_third(c, 0, 1, 2, s, h * th, h * (2.0 - zth), -2.0 * th - 4.0 * zh + z * zh * th,
                                 -(2.0 - 6.0 * zth - 6.0 * z * zh + z * z * zh * th));
        }
    }
    finish_rows(c, def);
}

// The distribution functions: log F(z) for F(z) = 1/(1 + e^-z) (cdf.hpp,
// log_sigmoid), and the upper tail by symmetry, log(1 - F(z)) = log F(-z).
void lcdf(OpCall& c) {
    eval_cdf_rows<3>(c, def, CdfSide::lower, [](const auto& x, CdfRow& out) {
        const Inner<3> z = standardized(x[0], x[1], x[2]);
        chain(log_sigmoid(z.z), z, out);
    });
}

void lccdf(OpCall& c) {
    eval_cdf_rows<3>(c, def, CdfSide::upper, [](const auto& x, CdfRow& out) {
        const Inner<3> z = standardized(x[0], x[1], x[2]);
        chain(upper_by_symmetry(log_sigmoid, z.z), z, out);
    });
}

}  // namespace

const DistributionDef& logistic_def() { return def; }

}  // namespace mlec::rt::detail

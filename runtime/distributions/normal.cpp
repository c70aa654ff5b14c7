// normal(y | mu, sigma):  log p(y) = -z^2/2 - log sigma - log sqrt(2 pi),
// z = (y - mu)/sigma, sigma > 0.
#include "runtime/distributions/cdf.hpp"
#include "runtime/distributions/detail.hpp"
#include "runtime/distributions/truncated_mean.hpp"
#include "runtime/random.hpp"

namespace mlec::rt::detail {
namespace {

constexpr DistArg args[] = {{"mu", Domain::real}, {"sigma", Domain::positive}};

void eval(OpCall& c);
void lcdf(OpCall& c);
void lccdf(OpCall& c);

double sample(std::span<const double> a, Rng& rng) {
    if (!std::isfinite(a[0]) || !in_domain_fast(Domain::positive, a[1])) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    return a[0] + a[1] * rng.normal();
}

// E[y] = mu.
int mean(NodeMaker&, std::span<const int> a) { return a[0]; }

int truncated_mean(NodeMaker& make, std::span<const int> a, TruncationBounds b);

constexpr DistributionDef def{.name = "normal",
                              .discrete = false,
                              .outcome = Domain::real,
                              .args = args,
                              .op = {.name = "normal", .arity = 3, .eval = &eval, .third = true},
                              .sample = &sample,
                              .mean = &mean,
                              .truncated_mean = &truncated_mean,
                              // A sigma at the rounding level of y: the model reproduces the data as
                              // written. Only normal says so: student_t, cauchy, laplace and logistic
                              // have a scale in y's units too, but no exact-fit note was ever written
                              // or tested for them, and setting it would add notes to their reports.
                              .exact_fit_scale = 1,
                              .lcdf = {.name = "normal_lcdf", .arity = 3, .eval = &lcdf, .third = true},
                              .lccdf = {.name = "normal_lccdf", .arity = 3, .eval = &lccdf, .third = true}};

// Partials, with s = sigma:
//   d/dy = -z/s        d/dmu = z/s         d/dsigma = (z^2 - 1)/s
//   d2/dy2 = -1/s^2    d2/dy dmu = 1/s^2   d2/dy dsigma = 2z/s^2
//   d2/dmu2 = -1/s^2   d2/dmu dsigma = -2z/s^2
//   d2/dsigma2 = (1 - 3z^2)/s^2
// Third partials (location_scale_third with h = -z^2/2: h' = -z, h'' = -1,
// h''' = 0): every one in y and mu alone 0, and
//   d3/dy2 dsigma = d3/dmu2 dsigma = -d3/dy dmu dsigma = 2/s^3
//   d3/dy dsigma2 = -d3/dmu dsigma2 = -6z/s^3
//   d3/dsigma3 = (12 z^2 - 2)/s^3
void eval(OpCall& c) {
    const ConstCol& y = c.in[0];
    const ConstCol& mu = c.in[1];
    const ConstCol& sigma = c.in[2];
    if (!want_any_partial(c)) {
        c.value = -0.5 * ((y - mu) / sigma).square() - sigma.log() - log_sqrt_2pi;
        finish_rows(c, def);
        return;
    }
    const Eigen::ArrayXd z = (y - mu) / sigma;
    const Eigen::ArrayXd inv_s = sigma.inverse();
    c.value = -0.5 * z.square() - sigma.log() - log_sqrt_2pi;
    if (c.want_d1(0)) c.d1[0] = -z * inv_s;
    if (c.want_d1(1)) c.d1[1] = z * inv_s;
    if (c.want_d1(2)) c.d1[2] = (z.square() - 1.0) * inv_s;
    const auto inv_s2 = inv_s.square();
    if (c.want_d2(0, 0)) c.d2[pair_index(0, 0, 3)] = -inv_s2;
    if (c.want_d2(0, 1)) c.d2[pair_index(0, 1, 3)] = inv_s2;
    if (c.want_d2(0, 2)) c.d2[pair_index(0, 2, 3)] = 2.0 * z * inv_s2;
    if (c.want_d2(1, 1)) c.d2[pair_index(1, 1, 3)] = -inv_s2;
    if (c.want_d2(1, 2)) c.d2[pair_index(1, 2, 3)] = -2.0 * z * inv_s2;
    if (c.want_d2(2, 2)) c.d2[pair_index(2, 2, 3)] = (1.0 - 3.0 * z.square()) * inv_s2;
    const Eigen::Index n = z.size();
    location_scale_third(c, 0, 1, 2, sigma, Eigen::ArrayXd::Zero(n), Eigen::ArrayXd::Constant(n, 2.0), -6.0 * z,
                         12.0 * z.square() - 2.0);
    finish_rows(c, def);
}

// The distribution functions: g(z) = log Phi(z) of z = (y - mu)/sigma, and
// log(1 - Phi(z)) = log Phi(-z), both from log_Phi's tail-exact evaluation
// (normal_lccdf(40 | 0, 1) = -804.608...), by the chain rule (cdf.hpp).
void lcdf(OpCall& c) {
    eval_cdf_rows<3>(c, def, CdfSide::lower, [](const auto& x, CdfRow& out) {
        const Inner<3> z = standardized(x[0], x[1], x[2]);
        chain(log_phi(z.z), z, out);
    });
}

void lccdf(OpCall& c) {
    eval_cdf_rows<3>(c, def, CdfSide::upper, [](const auto& x, CdfRow& out) {
        const Inner<3> z = standardized(x[0], x[1], x[2]);
        chain(upper_by_symmetry(log_phi, z.z), z, out);
    });
}

// E[y | lo < y < hi] = mu + sigma (phi(a) - phi(b))/(Phi(b) - Phi(a)) with
// a = (lo - mu)/sigma, b = (hi - mu)/sigma. phi(a) = sigma p(lo), p the
// density, so the shift is sigma^2 (p(lo) - p(hi))/P(lo < Y < hi), each
// ratio formed as exp(log p - log P) from the tail-exact log ccdf and log
// cdf: lo 40 sigmas above mu, where 1 - Phi(a) underflows, gives lo plus
// the inverse Mills ratio's sigma/a as it should (its error grows as
// a^2/2 ulp, the rounding of log p: 1e-13 relative at a = 40).
int truncated_mean(NodeMaker& make, std::span<const int> a, TruncationBounds b) {
    const int log_p = log_mass(make, def, a, b);
    const int variance = make.op(op_mul(), {a[1], a[1]});
    auto density_ratio = [&](int at) { return scaled_ratio(make, variance, at_outcome(make, def.op, at, a), log_p); };
    int shift = -1;
    if (b.lower >= 0 && b.upper >= 0) shift = make.op(op_sub(), {density_ratio(b.lower), density_ratio(b.upper)});
    else if (b.lower >= 0) shift = density_ratio(b.lower);
    else shift = make.op(op_neg(), {density_ratio(b.upper)});
    return make.op(op_add(), {a[0], shift});
}

}  // namespace

const DistributionDef& normal_def() { return def; }

}  // namespace mlec::rt::detail

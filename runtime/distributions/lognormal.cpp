// lognormal(y | mu, sigma):
//     log p(y) = -z^2/2 - log sigma - log y - log sqrt(2 pi),
//     z = (log y - mu)/sigma,   y > 0, sigma > 0.
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

// exp(mu + sigma z), z standard normal.
double sample(std::span<const double> a, Rng& rng) {
    if (!std::isfinite(a[0]) || !in_domain_fast(Domain::positive, a[1])) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    return std::exp(a[0] + a[1] * rng.normal());
}

// E[y] = exp(mu + sigma^2/2).
int mean(NodeMaker& make, std::span<const int> a) {
    return make.op(
        op_exp(),
        {make.op(op_add(), {a[0], make.op(op_mul(), {make.constant(0.5), make.op(op_mul(), {a[1], a[1]})})})});
}

int truncated_mean(NodeMaker& make, std::span<const int> a, TruncationBounds b);

constexpr DistributionDef def{.name = "lognormal",
                              .discrete = false,
                              .outcome = Domain::positive,
                              .args = args,
                              .op = {.name = "lognormal", .arity = 3, .eval = &eval, .third = true},
                              .sample = &sample,
                              .mean = &mean,
                              .truncated_mean = &truncated_mean,
                              .lcdf = {.name = "lognormal_lcdf", .arity = 3, .eval = &lcdf, .third = true},
                              .lccdf = {.name = "lognormal_lccdf", .arity = 3, .eval = &lccdf, .third = true}};

// Partials, with s = sigma (the mu/sigma block is the normal one in log y):
//   d/dmu = z/s     d/dsigma = (z^2 - 1)/s     d/dy = -(z/s + 1)/y
//   d2/dmu2 = -1/s^2    d2/dmu dsigma = -2z/s^2    d2/dsigma2 = (1 - 3z^2)/s^2
//   d2/dy dmu = 1/(s^2 y)    d2/dy dsigma = 2z/(s^2 y)
//   d2/dy2 = (z/s + 1 - 1/s^2)/y^2
// Third partials: f(y) = G(log y) with G = g - u, g the normal log density
// in u (normal.cpp's), so f_yyy = (G_uuu - 3 G_uu + 2 G_u)/y^3,
// f_yy.t = (G_uu.t - G_u.t)/y^2, f_y.tt' = G_u.tt'/y, f_tt't'' = G_tt't'':
//   d3/dy3 = (3/s^2 - 2z/s - 2)/y^3
//   d3/dy2 dmu = -1/(s^2 y^2)    d3/dy2 dsigma = (2/s^3 - 2z/s^2)/y^2
//   d3/dy dmu2 = 0    d3/dy dmu dsigma = -2/(s^3 y)    d3/dy dsigma2 = -6z/(s^3 y)
//   d3/dmu3 = 0    d3/dmu2 dsigma = 2/s^3    d3/dmu dsigma2 = 6z/s^3
//   d3/dsigma3 = (12 z^2 - 2)/s^3
// The third partials (above), in a function of their own: inlined into
// eval, they make GCC 12 warn falsely (-Wuninitialized) inside Eigen's
// vectorized log.
void third_partials(OpCall& c, const ConstCol& y, const Eigen::ArrayXd& z, const Eigen::ArrayXd& inv_s) {
    const auto inv_s2 = inv_s.square();
    const auto inv_s3 = inv_s2 * inv_s;
    const auto inv_y = y.inverse();
    if (c.want_d3(0, 0, 0)) c.d3[triple_index(0, 0, 0, 3)] = (3.0 * inv_s2 - 2.0 * z * inv_s - 2.0) * inv_y.cube();
    if (c.want_d3(0, 0, 1)) c.d3[triple_index(0, 0, 1, 3)] = -inv_s2 * inv_y.square();
    if (c.want_d3(0, 0, 2)) c.d3[triple_index(0, 0, 2, 3)] = (2.0 * inv_s3 - 2.0 * z * inv_s2) * inv_y.square();
    if (c.want_d3(0, 1, 1)) c.d3[triple_index(0, 1, 1, 3)].setZero();
    if (c.want_d3(0, 1, 2)) c.d3[triple_index(0, 1, 2, 3)] = -2.0 * inv_s3 * inv_y;
    if (c.want_d3(0, 2, 2)) c.d3[triple_index(0, 2, 2, 3)] = -6.0 * z * inv_s3 * inv_y;
    if (c.want_d3(1, 1, 1)) c.d3[triple_index(1, 1, 1, 3)].setZero();
    if (c.want_d3(1, 1, 2)) c.d3[triple_index(1, 1, 2, 3)] = 2.0 * inv_s3;
    if (c.want_d3(1, 2, 2)) c.d3[triple_index(1, 2, 2, 3)] = 6.0 * z * inv_s3;
    if (c.want_d3(2, 2, 2)) c.d3[triple_index(2, 2, 2, 3)] = (12.0 * z.square() - 2.0) * inv_s3;
}

void eval(OpCall& c) {
    const ConstCol& y = c.in[0];
    const ConstCol& mu = c.in[1];
    const ConstCol& sigma = c.in[2];
    if (!want_any_partial(c)) {
        const auto log_y = y.log();
        c.value = -0.5 * ((log_y - mu) / sigma).square() - sigma.log() - log_y - log_sqrt_2pi;
        finish_rows(c, def);
        return;
    }
    const Eigen::ArrayXd log_y = y.log();
    const Eigen::ArrayXd z = (log_y - mu) / sigma;
    const Eigen::ArrayXd inv_s = sigma.inverse();
    c.value = -0.5 * z.square() - sigma.log() - log_y - log_sqrt_2pi;
    if (c.want_d1(0)) c.d1[0] = -(z * inv_s + 1.0) / y;
    if (c.want_d1(1)) c.d1[1] = z * inv_s;
    if (c.want_d1(2)) c.d1[2] = (z.square() - 1.0) * inv_s;
    const auto inv_s2 = inv_s.square();
    if (c.want_d2(0, 0)) c.d2[pair_index(0, 0, 3)] = (z * inv_s + 1.0 - inv_s2) / y.square();
    if (c.want_d2(0, 1)) c.d2[pair_index(0, 1, 3)] = inv_s2 / y;
    if (c.want_d2(0, 2)) c.d2[pair_index(0, 2, 3)] = 2.0 * z * inv_s2 / y;
    if (c.want_d2(1, 1)) c.d2[pair_index(1, 1, 3)] = -inv_s2;
    if (c.want_d2(1, 2)) c.d2[pair_index(1, 2, 3)] = -2.0 * z * inv_s2;
    if (c.want_d2(2, 2)) c.d2[pair_index(2, 2, 3)] = (1.0 - 3.0 * z.square()) * inv_s2;
    if (c.want_any_d3()) third_partials(c, y, z, inv_s);
    finish_rows(c, def);
}

// The distribution functions are the normal ones of u = log y: z =
// (u - mu)/sigma, and for y, with du/dy = 1/y, z_y = z_u/y,
// z_yy = (z_uu - z_u)/y^2 = -z_u/y^2, z_y,theta = z_u,theta/y; third:
// z_yyy = 2 z_u/y^3, z_yy,sigma = -z_u,sigma/y^2, z_y,sigma,sigma =
// z_u,sigma,sigma/y (z_yy,mu = z_y,mu,sigma = 0, as z_u,mu,sigma is).
Inner<3> standardized_log(double y, double mu, double sigma) {
    Inner<3> z = standardized(std::log(y), mu, sigma);
    z.d3[triple_index(0, 0, 0, 3)] = 2 * z.d1[0] / (y * y * y);
    z.d3[triple_index(0, 0, 2, 3)] = -z.d2[pair_index(0, 2, 3)] / (y * y);
    z.d3[triple_index(0, 2, 2, 3)] /= y;
    z.d2[pair_index(0, 0, 3)] = -z.d1[0] / (y * y);
    z.d2[pair_index(0, 1, 3)] /= y;
    z.d2[pair_index(0, 2, 3)] /= y;
    z.d1[0] /= y;
    return z;
}

void lcdf(OpCall& c) {
    eval_cdf_rows<3>(c, def, CdfSide::lower, [](const auto& x, CdfRow& out) {
        const Inner<3> z = standardized_log(x[0], x[1], x[2]);
        chain(log_phi(z.z), z, out);
    });
}

void lccdf(OpCall& c) {
    eval_cdf_rows<3>(c, def, CdfSide::upper, [](const auto& x, CdfRow& out) {
        const Inner<3> z = standardized_log(x[0], x[1], x[2]);
        chain(upper_by_symmetry(log_phi, z.z), z, out);
    });
}

// E[y | lo < y < hi] = exp(mu + sigma^2/2) P'(lo < Y < hi)/P(lo < Y < hi),
// P' the lognormal with mu + sigma^2 for mu (y p(y | mu, sigma) =
// exp(mu + sigma^2/2) p(y | mu + sigma^2, sigma): complete the square in
// log y); the ratio as the exponential of the difference of the logs.
int truncated_mean(NodeMaker& make, std::span<const int> a, TruncationBounds b) {
    const int shifted_mu = make.op(op_add(), {a[0], make.op(op_mul(), {a[1], a[1]})});
    const int shifted_args[] = {shifted_mu, a[1]};
    return scaled_ratio(make, mean(make, a), log_mass(make, def, shifted_args, b), log_mass(make, def, a, b));
}

}  // namespace

const DistributionDef& lognormal_def() { return def; }

}  // namespace mlec::rt::detail

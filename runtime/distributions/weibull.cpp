// weibull(y | k, lambda) with shape k and scale lambda, as R's dweibull:
//     density (k/lambda) (y/lambda)^(k-1) exp(-(y/lambda)^k),
//     log p(y) = log k - log lambda + (k - 1) log(y/lambda) - (y/lambda)^k,
// y > 0, k > 0, lambda > 0. The outcome domain is y > 0: at y = 0 the
// density is 0, k/lambda or +inf depending on k, and its log is not
// differentiable there, so y = 0 is a data error (as for lognormal).
#include "runtime/distributions/cdf.hpp"
#include "runtime/distributions/detail.hpp"
#include "runtime/distributions/truncated_mean.hpp"
#include "runtime/random.hpp"
#include "runtime/special_functions.hpp"

namespace mlec::rt::detail {
namespace {

constexpr DistArg args[] = {{"shape", Domain::positive}, {"scale", Domain::positive}};

void eval(OpCall& c);
void lcdf(OpCall& c);
void lccdf(OpCall& c);

// Inversion: scale (-log U)^(1/shape), U on (0, 1); a draw below the
// smallest double (tiny shape) becomes that, as y > 0 is the domain.
double sample(std::span<const double> a, Rng& rng) {
    if (!in_domain_fast(Domain::positive, a[0]) || !in_domain_fast(Domain::positive, a[1])) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    const double y = a[1] * std::pow(-std::log(rng.uniform_open()), 1.0 / a[0]);
    return std::max(y, std::numeric_limits<double>::denorm_min());
}

// E[y] = scale Gamma(1 + 1/shape).
int mean(NodeMaker& make, std::span<const int> a) {
    const int gamma = make.op(
        op_exp(),
        {make.op(op_lgamma(), {make.op(op_add(), {make.constant(1), make.op(op_div(), {make.constant(1), a[0]})})})});
    return make.op(op_mul(), {a[1], gamma});
}

int truncated_mean(NodeMaker& make, std::span<const int> a, TruncationBounds b);

constexpr DistributionDef def{.name = "weibull",
                              .discrete = false,
                              .outcome = Domain::positive,
                              .args = args,
                              .op = {.name = "weibull", .arity = 3, .eval = &eval, .third = true},
                              .sample = &sample,
                              .mean = &mean,
                              .truncated_mean = &truncated_mean,
                              .lcdf = {.name = "weibull_lcdf", .arity = 3, .eval = &lcdf, .third = true},
                              .lccdf = {.name = "weibull_lccdf", .arity = 3, .eval = &lccdf, .third = true}};

constexpr int yy = pair_index(0, 0, 3);
constexpr int yk = pair_index(0, 1, 3);
constexpr int yl = pair_index(0, 2, 3);
constexpr int kk = pair_index(1, 1, 3);
constexpr int kl = pair_index(1, 2, 3);
constexpr int ll = pair_index(2, 2, 3);

// With L = log(y/lambda) and P = (y/lambda)^k = exp(k L), so that
// dP/dy = kP/y, dP/dk = L P, dP/dlambda = -kP/lambda:
//   d/dy = (k - 1 - kP)/y        d/dk = 1/k + L (1 - P)     d/dlambda = k (P - 1)/lambda
//   d2/dy2 = (1 - k)(1 + kP)/y^2          d2/dy dk = (1 - P - k L P)/y
//   d2/dy dlambda = k^2 P/(y lambda)      d2/dk2 = -1/k^2 - L^2 P
//   d2/dk dlambda = (P - 1 + k L P)/lambda
//   d2/dlambda2 = k (1 - (k + 1) P)/lambda^2
// Third partials (each the derivative of a second partial above, checked
// against the other order where two meet):
//   d3/dy3 = (1 - k)(k^2 P - 2 - 2kP)/y^3
//   d3/dy2 dk = (P - 1 - 2kP + k L P (1 - k))/y^2
//   d3/dy2 dlambda = k^2 (k - 1) P/(y^2 lambda)
//   d3/dy dk2 = -L P (2 + k L)/y        d3/dy dk dlambda = k P (2 + k L)/(y lambda)
//   d3/dy dlambda2 = -k^2 (k + 1) P/(y lambda^2)
//   d3/dk3 = 2/k^3 - L^3 P              d3/dk2 dlambda = L P (2 + k L)/lambda
//   d3/dk dlambda2 = (1 - (2k + 1) P - k (k + 1) L P)/lambda^2
//   d3/dlambda3 = k ((k + 1)(k + 2) P - 2)/lambda^3
// The third partials (above), in a function of their own: inlined into
// eval, they make GCC 12 warn falsely (-Wuninitialized) inside Eigen's
// vectorized log. lr = L, pw = P.
void third_partials(OpCall& c, const ConstCol& y, const ConstCol& k, const ConstCol& lambda, const Eigen::ArrayXd& lr,
                    const Eigen::ArrayXd& pw) {
    if (c.want_d3(0, 0, 0))
        c.d3[triple_index(0, 0, 0, 3)] = (1.0 - k) * (k.square() * pw - 2.0 - 2.0 * k * pw) / y.cube();
    if (c.want_d3(0, 0, 1)) {
        c.d3[triple_index(0, 0, 1, 3)] = (pw - 1.0 - 2.0 * k * pw + k * lr * pw * (1.0 - k)) / y.square();
    }
    if (c.want_d3(0, 0, 2)) c.d3[triple_index(0, 0, 2, 3)] = k.square() * (k - 1.0) * pw / (y.square() * lambda);
    if (c.want_d3(0, 1, 1)) c.d3[triple_index(0, 1, 1, 3)] = -lr * pw * (2.0 + k * lr) / y;
    if (c.want_d3(0, 1, 2)) c.d3[triple_index(0, 1, 2, 3)] = k * pw * (2.0 + k * lr) / (y * lambda);
    if (c.want_d3(0, 2, 2)) {
        c.d3[triple_index(0, 2, 2, 3)] = -k.square() * (k + 1.0) * pw / (y * lambda.square());
    }
    if (c.want_d3(1, 1, 1)) c.d3[triple_index(1, 1, 1, 3)] = 2.0 * k.inverse().cube() - lr.cube() * pw;
    if (c.want_d3(1, 1, 2)) c.d3[triple_index(1, 1, 2, 3)] = lr * pw * (2.0 + k * lr) / lambda;
    if (c.want_d3(1, 2, 2)) {
        c.d3[triple_index(1, 2, 2, 3)] = (1.0 - (2.0 * k + 1.0) * pw - k * (k + 1.0) * lr * pw) / lambda.square();
    }
    if (c.want_d3(2, 2, 2)) {
        c.d3[triple_index(2, 2, 2, 3)] = k * ((k + 1.0) * (k + 2.0) * pw - 2.0) / lambda.cube();
    }
}

void eval(OpCall& c) {
    const ConstCol& y = c.in[0];
    const ConstCol& k = c.in[1];
    const ConstCol& lambda = c.in[2];
    const Eigen::ArrayXd log_ratio = y.log() - lambda.log();
    Eigen::ArrayXd pw(y.size());
    special::assign_exp(pw, k * log_ratio);
    c.value = k.log() - lambda.log() + (k - 1.0) * log_ratio - pw;
    if (c.want_d1(0)) c.d1[0] = (k - 1.0 - k * pw) / y;
    if (c.want_d1(1)) c.d1[1] = k.inverse() + log_ratio * (1.0 - pw);
    if (c.want_d1(2)) c.d1[2] = k * (pw - 1.0) / lambda;
    if (c.want_d2(0, 0)) c.d2[yy] = (1.0 - k) * (1.0 + k * pw) / y.square();
    if (c.want_d2(0, 1)) c.d2[yk] = (1.0 - pw - k * log_ratio * pw) / y;
    if (c.want_d2(0, 2)) c.d2[yl] = k.square() * pw / (y * lambda);
    if (c.want_d2(1, 1)) c.d2[kk] = -k.inverse().square() - log_ratio.square() * pw;
    if (c.want_d2(1, 2)) c.d2[kl] = (pw - 1.0 + k * log_ratio * pw) / lambda;
    if (c.want_d2(2, 2)) c.d2[ll] = k * (1.0 - (k + 1.0) * pw) / lambda.square();
    if (c.want_any_d3()) third_partials(c, y, k, lambda, log_ratio, pw);
    finish_rows(c, def);
}

// The distribution functions, through l = k log(y/lambda) = log P:
// P(Y > y) = exp(-P), so lccdf = -P = -e^l, exact for every P that is a
// double, and lcdf = log(1 - exp(-e^l)) (cdf.hpp, log1m_exp_exp). With
// L = log(y/lambda):
//   l_y = k/y   l_k = L   l_lambda = -k/lambda
//   l_yy = -k/y^2   l_yk = 1/y   l_klambda = -1/lambda   l_lambdalambda = k/lambda^2
//   l_yyy = 2k/y^3   l_yyk = -1/y^2   l_klambdalambda = 1/lambda^2
//   l_lambdalambdalambda = -2k/lambda^3, the other third partials 0.
Inner<3> log_power(double y, double k, double lambda) {
    const double log_ratio = std::log(y) - std::log(lambda);
    Inner<3> l;
    l.z = k * log_ratio;
    l.d1 = {k / y, log_ratio, -k / lambda};
    l.d2[yy] = -k / (y * y);
    l.d2[yk] = 1 / y;
    l.d2[kl] = -1 / lambda;
    l.d2[ll] = k / (lambda * lambda);
    l.d3[triple_index(0, 0, 0, 3)] = 2 * k / (y * y * y);
    l.d3[triple_index(0, 0, 1, 3)] = -1 / (y * y);
    l.d3[triple_index(1, 2, 2, 3)] = 1 / (lambda * lambda);
    l.d3[triple_index(2, 2, 2, 3)] = -2 * k / (lambda * lambda * lambda);
    return l;
}

void lcdf(OpCall& c) {
    eval_cdf_rows<3>(c, def, CdfSide::lower, [](const auto& x, CdfRow& out) {
        const Inner<3> l = log_power(x[0], x[1], x[2]);
        chain(log1m_exp_exp(l.z), l, out);
    });
}

void lccdf(OpCall& c) {
    eval_cdf_rows<3>(c, def, CdfSide::upper, [](const auto& x, CdfRow& out) {
        const Inner<3> l = log_power(x[0], x[1], x[2]);
        // pow of the ratio is within a few ulp; exp(l) would carry l's
        // rounding, |l| ulp (700 for P near the largest double).
        const double ratio = x[0] / x[2];
        const bool normal = ratio > 1e-300 && ratio < std::numeric_limits<double>::infinity();
        const double p = normal ? std::pow(ratio, x[1]) : std::exp(l.z);
        chain({-p, -p, -p, -p}, l, out);
    });
}

// E[y | lo < y < hi] = scale Gamma(s) (Q(s, x_lo) - Q(s, x_hi))/(S(lo) - S(hi))
// with s = 1 + 1/shape, x = (y/scale)^shape, Q the regularized upper
// incomplete gamma function and S the weibull's survival function
// (substitute x = (y/scale)^shape in the integral of y p(y)). Q(s, x_lo) -
// Q(s, x_hi) is P(x_lo < X < x_hi) of a gamma(s, 1) variable X, from the
// gamma's distribution functions with their partials in the shape.
int truncated_mean(NodeMaker& make, std::span<const int> a, TruncationBounds b) {
    const int s = make.op(op_add(), {make.constant(1), make.op(op_div(), {make.constant(1), a[0]})});
    auto x = [&](int y) { return y < 0 ? -1 : make.op(op_pow(), {make.op(op_div(), {y, a[1]}), a[0]}); };
    const int gamma_args[] = {s, make.constant(1)};
    const int log_gamma_mass = log_mass(make, gamma_def(), gamma_args, {x(b.lower), x(b.upper)});
    return scaled_ratio(make, mean(make, a), log_gamma_mass, log_mass(make, def, a, b));
}

}  // namespace

const DistributionDef& weibull_def() { return def; }

}  // namespace mlec::rt::detail

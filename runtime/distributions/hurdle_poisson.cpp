// hurdle_poisson(y | lambda, pi): zero with probability pi, otherwise a
// zero-truncated poisson(lambda) (Stan's and brms' hurdle_poisson with
// hu = pi):
//     p(0) = pi,   p(k) = (1 - pi) lambda^k / (k! (e^lambda - 1))   (k >= 1),
// y a count, lambda > 0, pi in [0, 1]. pscl's hurdle models P(y > 0) in its
// binomial zero model, so its zero coefficients are those of 1 - pi: with
// pi = inv_logit(eta), eta's coefficients are pscl's with the sign flipped.
// The truncated count is written with expm1(lambda)/lambda, exact as
// lambda -> 0, where f(y)/(1 - f(0)) -> [y = 1].
#include "runtime/distributions/cdf.hpp"
#include "runtime/distributions/detail.hpp"
#include "runtime/distributions/poisson_tails.hpp"
#include "runtime/distributions/zero_modified.hpp"
#include "runtime/distributions/zero_modified_sides.hpp"
#include "runtime/random.hpp"

namespace mlec::rt::detail {
namespace {

constexpr DistArg args[] = {{"lambda", Domain::positive}, {"pi", Domain::unit_closed}};

void eval(OpCall& c);
void lcdf(OpCall& c);
void lccdf(OpCall& c);

// The zero-truncated Poisson: rejection of zeros when lambda > 1 (f(0) <
// 0.37, so under 1.6 draws on average), inversion from k = 1 otherwise,
// with P(k | k >= 1) = lambda^k/(k! expm1(lambda)).
double truncated_draw(Rng& rng, double lambda) {
    if (lambda > 1) {
        double k = 0;
        while (k == 0) k = poisson_draw(rng, lambda);
        return k;
    }
    const double u = rng.uniform();
    double k = 1;
    double p = lambda / std::expm1(lambda);
    double cum = p;
    while (u > cum && p > 0) {
        k += 1;
        p *= lambda / k;
        cum += p;
    }
    return k;
}

double sample(std::span<const double> a, Rng& rng) {
    if (!in_domain_fast(Domain::positive, a[0]) || !in_domain_fast(Domain::unit_closed, a[1])) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    if (rng.uniform() < a[1]) return 0.0;
    return truncated_draw(rng, a[0]);
}

// E[y] = (1 - pi) lambda / (1 - e^-lambda).
int mean(NodeMaker& make, std::span<const int> a) {
    const int one_m_pi = make.op(op_sub(), {make.constant(1), a[1]});
    const int one_m_f0 = make.op(op_neg(), {make.op(op_expm1(), {make.op(op_neg(), {a[0]})})});
    return make.op(op_div(), {make.op(op_mul(), {one_m_pi, a[0]}), one_m_f0});
}

constexpr DistributionDef def{.name = "hurdle_poisson",
                              .discrete = true,
                              .outcome = Domain::count,
                              .args = args,
                              .op = {.name = "hurdle_poisson", .arity = 3, .eval = &eval, .third = true},
                              .sample = &sample,
                              .mean = &mean,
                              .lcdf = {"hurdle_poisson_lcdf", 3, &lcdf, false},
                              .lccdf = {"hurdle_poisson_lccdf", 3, &lccdf, false}};

// s(lambda) = 1/lambda - 1/expm1(lambda) and its derivative
// s' = -1/lambda^2 + e^lambda/expm1(lambda)^2. Below 1/2 both differences
// cancel, and the series lambda/expm1(lambda) = 1 - lambda/2 + sum_k c_k
// lambda^2k, c_k = B_2k/(2k)!, gives s = 1/2 - sum_k c_k lambda^(2k-1)
// (the first omitted term is below 1e-19 at lambda = 1/2). Its second
// derivative s'' = 2/lambda^3 - q (1 + q)/(1 - q)^3, q = e^-lambda (from
// d/dlambda e^lambda/expm1(lambda)^2 = -e^lambda (e^lambda + 1)/expm1^3),
// and below 1/2 -sum_k c_k (2k - 1)(2k - 2) lambda^(2k-3) (the direct form
// loses 1e-12 relative at 1/2, where s'' is 0.004 beside terms of 16).
struct S {
    double s;
    double ds;
    double d2s;
};

S s_terms(double lambda) {
    if (lambda >= 0.5) {
        const double em1 = std::expm1(lambda);
        const double q = std::exp(-lambda);
        const double m = -std::expm1(-lambda);
        return {1.0 / lambda - 1.0 / em1, -1.0 / (lambda * lambda) + 1.0 / (em1 * m),
                2.0 / (lambda * lambda * lambda) - q * (1 + q) / (m * m * m)};
    }
    constexpr double c[] = {1.0 / 12,          -1.0 / 720,
                            1.0 / 30240,       -1.0 / 1209600,
                            1.0 / 47900160,    -691.0 / 1307674368000.0,
                            1.0 / 74724249600, -3617.0 / 10670622842880000.0};
    const double l2 = lambda * lambda;
    double s = 0;
    double ds = 0;
    double d2s = 0;
    for (int k = 8; k >= 1; --k) {
        s = s * l2 + c[k - 1];
        ds = ds * l2 + (2 * k - 1) * c[k - 1];
        if (k >= 2) d2s = d2s * l2 + (2 * k - 1) * (2 * k - 2) * c[k - 1];
    }
    return {0.5 - s * lambda, -ds, -d2s * lambda};
}

// The zero-truncated Poisson at y >= 1:
//   l = (y - 1) log lambda - log y! - log(expm1(lambda)/lambda)
//   l_lambda = (y - 1)/lambda + s - 1,   l_lambdalambda = -(y - 1)/lambda^2 + s',
//   l_lambdalambdalambda = 2 (y - 1)/lambda^3 + s''.
CountTerms truncated_terms(double y, double lambda) {
    CountTerms t;
    const double log_ratio = lambda <= 1 ? std::log(std::expm1(lambda) / lambda)
                                         : lambda + std::log1p(-std::exp(-lambda)) - std::log(lambda);
    t.l = (y > 1 ? (y - 1) * std::log(lambda) : 0.0) - special::log_factorial(y) - log_ratio;
    const S s = s_terms(lambda);
    t.g[0] = (y - 1) / lambda + s.s - 1.0;
    t.h[0] = -(y - 1) / (lambda * lambda) + s.ds;
    t.t3[0] = 2 * (y - 1) / (lambda * lambda * lambda) + s.d2s;
    return t;
}

void eval(OpCall& c) {
    const ConstCol& y = c.in[0];
    const ConstCol& lambda = c.in[1];
    const ConstCol& pi = c.in[2];
    const Eigen::Index rows = y.size();
    for (Eigen::Index r = 0; r < rows; ++r) {
        // truncated_terms needs y >= 1 and lambda > 0; other rows are
        // rejected by finish_rows.
        const bool ok = y[r] >= 1 && in_domain_fast(Domain::positive, lambda[r]);
        const CountTerms t = ok ? truncated_terms(y[r], lambda[r]) : CountTerms{};
        store_zero_modified(c, r, hurdle_row(y[r], pi[r], t), 1);
    }
    finish_rows(c, def);
}

// The distribution functions from the count's (zero_modified_sides.hpp).
Sides<3> sides(const std::array<double, 3>& x) {
    return hurdle_sides(x[0], widen<3>(poisson_sides(x[0], x[1])), count_side<3>(poisson_terms(0, x[1]), 1), x[2]);
}

void lcdf(OpCall& c) {
    eval_cdf_rows<3>(c, def, CdfSide::lower, [](const auto& x, CdfRow& out) { to_row(sides(x).lower, out); });
}

void lccdf(OpCall& c) {
    eval_cdf_rows<3>(c, def, CdfSide::upper, [](const auto& x, CdfRow& out) { to_row(sides(x).upper, out); });
}

}  // namespace

const DistributionDef& hurdle_poisson_def() { return def; }

}  // namespace mlec::rt::detail

// zero_inflated_poisson(y | lambda, pi): a structural zero with probability
// pi, otherwise poisson(lambda) (pscl's zeroinfl with dist = "poisson"; pi
// is its zero model's probability, typically inv_logit of a predictor):
//     p(0) = pi + (1 - pi) e^-lambda,   p(k) = (1 - pi) lambda^k e^-lambda / k!,
// y a count, lambda > 0, pi in [0, 1]. The zero is a log_sum_exp, exact as
// pi -> 0 (the Poisson) and pi -> 1 (a point mass at 0).
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

// A structural zero with probability pi, otherwise a Poisson draw.
double sample(std::span<const double> a, Rng& rng) {
    if (!in_domain_fast(Domain::positive, a[0]) || !in_domain_fast(Domain::unit_closed, a[1])) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    if (rng.uniform() < a[1]) return 0.0;
    return poisson_draw(rng, a[0]);
}

// E[y] = (1 - pi) lambda.
int mean(NodeMaker& make, std::span<const int> a) {
    return make.op(op_mul(), {make.op(op_sub(), {make.constant(1), a[1]}), a[0]});
}

constexpr DistributionDef def{.name = "zero_inflated_poisson",
                              .discrete = true,
                              .outcome = Domain::count,
                              .args = args,
                              .op = {.name = "zero_inflated_poisson", .arity = 3, .eval = &eval, .third = true},
                              .sample = &sample,
                              .mean = &mean,
                              .lcdf = {"zero_inflated_poisson_lcdf", 3, &lcdf, false},
                              .lccdf = {"zero_inflated_poisson_lccdf", 3, &lccdf, false}};

void eval(OpCall& c) {
    const ConstCol& y = c.in[0];
    const ConstCol& lambda = c.in[1];
    const ConstCol& pi = c.in[2];
    const Eigen::Index rows = y.size();
    const bool third = c.want_any_d3();
    for (Eigen::Index r = 0; r < rows; ++r) {
        const CountTerms at = poisson_terms(y[r], lambda[r]);
        const CountTerms at0 = poisson_terms(0, lambda[r]);
        store_zero_modified(c, r, zero_inflated_row(y[r], pi[r], at, at0, third), 1);
    }
    finish_rows(c, def);
}

// The distribution functions from the count's (zero_modified_sides.hpp).
Sides<3> sides(const std::array<double, 3>& x) {
    return zero_inflated_sides(widen<3>(poisson_sides(x[0], x[1])), x[2]);
}

void lcdf(OpCall& c) {
    eval_cdf_rows<3>(c, def, CdfSide::lower, [](const auto& x, CdfRow& out) { to_row(sides(x).lower, out); });
}

void lccdf(OpCall& c) {
    eval_cdf_rows<3>(c, def, CdfSide::upper, [](const auto& x, CdfRow& out) { to_row(sides(x).upper, out); });
}

}  // namespace

const DistributionDef& zero_inflated_poisson_def() { return def; }

}  // namespace mlec::rt::detail

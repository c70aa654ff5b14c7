// zero_inflated_negbinomial(y | mu, size, pi): a structural zero with
// probability pi, otherwise negbinomial(mu, size) (NB2; pscl's zeroinfl with
// dist = "negbin", size = its theta, pi its zero model's probability):
//     p(0) = pi + (1 - pi) f(0),   p(k) = (1 - pi) f(k)   (k >= 1),
//     f(0) = (size/(size + mu))^size,
// y a count, mu, size > 0, pi in [0, 1].
#include "runtime/distributions/cdf.hpp"
#include "runtime/distributions/detail.hpp"
#include "runtime/distributions/negbinomial_sides.hpp"
#include "runtime/distributions/zero_modified.hpp"
#include "runtime/distributions/zero_modified_sides.hpp"
#include "runtime/random.hpp"

namespace mlec::rt::detail {
namespace {

constexpr DistArg args[] = {{"mu", Domain::positive}, {"size", Domain::positive}, {"pi", Domain::unit_closed}};

void eval(OpCall& c);
void lcdf(OpCall& c);
void lccdf(OpCall& c);

// A structural zero with probability pi, otherwise the gamma-Poisson
// mixture of negbinomial's sampler.
double sample(std::span<const double> a, Rng& rng) {
    if (!in_domain_fast(Domain::unit_closed, a[2])) return std::numeric_limits<double>::quiet_NaN();
    const double count = negbinomial_def().sample(a.first(2), rng);
    if (std::isnan(count)) return count;
    return rng.uniform() < a[2] ? 0.0 : count;
}

// E[y] = (1 - pi) mu.
int mean(NodeMaker& make, std::span<const int> a) {
    return make.op(op_mul(), {make.op(op_sub(), {make.constant(1), a[2]}), a[0]});
}

constexpr DistributionDef def{.name = "zero_inflated_negbinomial",
                              .discrete = true,
                              .outcome = Domain::count,
                              .args = args,
                              .op = {.name = "zero_inflated_negbinomial", .arity = 4, .eval = &eval, .third = true},
                              .sample = &sample,
                              .mean = &mean,
                              .lcdf = {"zero_inflated_negbinomial_lcdf", 4, &lcdf, false},
                              .lccdf = {"zero_inflated_negbinomial_lccdf", 4, &lccdf, false}};

void eval(OpCall& c) {
    const ConstCol& y = c.in[0];
    const ConstCol& mu = c.in[1];
    const ConstCol& size = c.in[2];
    const ConstCol& pi = c.in[3];
    const Eigen::Index rows = y.size();
    const bool third = c.want_any_d3();
    // The count's third partials (negbinomial_third) at y and at 0.
    auto with_third = [](double yr, double m, double s) {
        const NegbinomialCount count = negbinomial_count(yr, s, true, true, true);
        CountTerms t = negbinomial_terms(yr, m, s, count);
        const std::array<double, 4> t3 = negbinomial_third(yr, m, s, count);
        std::copy(t3.begin(), t3.end(), t.t3);
        return t;
    };
    for (Eigen::Index r = 0; r < rows; ++r) {
        const CountTerms at = third ? with_third(y[r], mu[r], size[r]) : negbinomial_terms(y[r], mu[r], size[r]);
        const CountTerms at0 = third ? with_third(0, mu[r], size[r]) : negbinomial_terms(0, mu[r], size[r]);
        store_zero_modified(c, r, zero_inflated_row(y[r], pi[r], at, at0, third), 2);
    }
    finish_rows(c, def);
}

// The distribution functions from the count's (zero_modified_sides.hpp).
Sides<4> sides(const std::array<double, 4>& x) {
    return zero_inflated_sides(widen<4>(negbinomial_sides(x[0], x[1], x[2])), x[3]);
}

void lcdf(OpCall& c) {
    eval_cdf_rows<4>(c, def, CdfSide::lower, [](const auto& x, CdfRow& out) { to_row(sides(x).lower, out); });
}

void lccdf(OpCall& c) {
    eval_cdf_rows<4>(c, def, CdfSide::upper, [](const auto& x, CdfRow& out) { to_row(sides(x).upper, out); });
}

}  // namespace

const DistributionDef& zero_inflated_negbinomial_def() { return def; }

}  // namespace mlec::rt::detail

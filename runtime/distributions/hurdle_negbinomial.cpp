// hurdle_negbinomial(y | mu, size, pi): zero with probability pi, otherwise
// a zero-truncated negbinomial(mu, size) (NB2; Stan's and brms'
// hurdle_negbinomial with hu = pi):
//     p(0) = pi,   p(k) = (1 - pi) f(k)/(1 - f(0))   (k >= 1),
//     f(0) = (size/(size + mu))^size,
// y a count, mu, size > 0, pi in [0, 1]. pscl's hurdle (dist = "negbin",
// size = its theta) models P(y > 0) in its binomial zero model: with
// pi = inv_logit(eta), eta's coefficients are pscl's zero coefficients with
// the sign flipped. log(1 - f(0)) is log1m_exp of log f(0). As mu/size -> 0
// the truncated count's partials, written as the count's plus those of
// -log(1 - f(0)), would be differences of O(1/mu) and O(1/mu^2) terms:
// truncated_negbinomial.hpp writes them without cancellation (1e-12
// relative over mu = 1e-8 ... 1e3, size = 1e-3 ... 1e6).
#include "runtime/distributions/cdf.hpp"
#include "runtime/distributions/detail.hpp"
#include "runtime/distributions/negbinomial_sides.hpp"
#include "runtime/distributions/truncated_negbinomial.hpp"
#include "runtime/distributions/zero_modified.hpp"
#include "runtime/distributions/zero_modified_sides.hpp"
#include "runtime/random.hpp"

namespace mlec::rt::detail {
namespace {

constexpr DistArg args[] = {{"mu", Domain::positive}, {"size", Domain::positive}, {"pi", Domain::unit_closed}};

void eval(OpCall& c);
void lcdf(OpCall& c);
void lccdf(OpCall& c);

// The zero-truncated count by rejection of zeros while f(0) <= 0.9 (under
// ten draws on average); above, inversion from k = 1 with the recurrence
// f(k + 1) = f(k) (k + size)/(k + 1) mu/(size + mu).
double truncated_draw(Rng& rng, std::span<const double> a) {
    const double mu = a[0];
    const double size = a[1];
    const double log_f0 = -size * std::log1p(mu / size);
    if (log_f0 < std::log(0.9)) {
        const DistributionDef& nb = negbinomial_def();
        double k = 0;
        while (k == 0) k = nb.sample(a.first(2), rng);
        return k;
    }
    const double u = rng.uniform();
    const double ratio = mu / (size + mu);
    double k = 1;
    double p = std::exp(std::log(size) + std::log(ratio) + log_f0) / -std::expm1(log_f0);
    double cum = p;
    while (u > cum && p > 0) {
        p *= (k + size) / (k + 1) * ratio;
        k += 1;
        cum += p;
    }
    return k;
}

double sample(std::span<const double> a, Rng& rng) {
    if (!in_domain_fast(Domain::positive, a[0]) || !in_domain_fast(Domain::positive, a[1]) ||
        !in_domain_fast(Domain::unit_closed, a[2])) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    if (rng.uniform() < a[2]) return 0.0;
    return truncated_draw(rng, a);
}

// E[y] = (1 - pi) mu / (1 - f(0)),  1 - f(0) = -expm1(-size log1p(mu/size)).
int mean(NodeMaker& make, std::span<const int> a) {
    const int one_m_pi = make.op(op_sub(), {make.constant(1), a[2]});
    const int log_f0 =
        make.op(op_neg(), {make.op(op_mul(), {a[1], make.op(op_log1p(), {make.op(op_div(), {a[0], a[1]})})})});
    const int one_m_f0 = make.op(op_neg(), {make.op(op_expm1(), {log_f0})});
    return make.op(op_div(), {make.op(op_mul(), {one_m_pi, a[0]}), one_m_f0});
}

constexpr DistributionDef def{.name = "hurdle_negbinomial",
                              .discrete = true,
                              .outcome = Domain::count,
                              .args = args,
                              .op = {.name = "hurdle_negbinomial", .arity = 4, .eval = &eval, .third = true},
                              .sample = &sample,
                              .mean = &mean,
                              .lcdf = {"hurdle_negbinomial_lcdf", 4, &lcdf, false},
                              .lccdf = {"hurdle_negbinomial_lccdf", 4, &lccdf, false}};

void eval(OpCall& c) {
    const ConstCol& y = c.in[0];
    const ConstCol& mu = c.in[1];
    const ConstCol& size = c.in[2];
    const ConstCol& pi = c.in[3];
    const Eigen::Index rows = y.size();
    const bool third = c.want_any_d3();
    for (Eigen::Index r = 0; r < rows; ++r) {
        CountTerms t;
        if (y[r] >= 1) t = truncated_negbinomial_terms(y[r], mu[r], size[r], third);
        store_zero_modified(c, r, hurdle_row(y[r], pi[r], t), 2);
    }
    finish_rows(c, def);
}

// The distribution functions from the count's (zero_modified_sides.hpp).
Sides<4> sides(const std::array<double, 4>& x) {
    return hurdle_sides(x[0], widen<4>(negbinomial_sides(x[0], x[1], x[2])),
                        count_side<4>(negbinomial_terms(0, x[1], x[2]), 2), x[3]);
}

void lcdf(OpCall& c) {
    eval_cdf_rows<4>(c, def, CdfSide::lower, [](const auto& x, CdfRow& out) { to_row(sides(x).lower, out); });
}

void lccdf(OpCall& c) {
    eval_cdf_rows<4>(c, def, CdfSide::upper, [](const auto& x, CdfRow& out) { to_row(sides(x).upper, out); });
}

}  // namespace

const DistributionDef& hurdle_negbinomial_def() { return def; }

}  // namespace mlec::rt::detail

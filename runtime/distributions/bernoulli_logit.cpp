// bernoulli_logit(y | eta) = bernoulli(y | sigmoid(eta)):
//     log p(y) = y eta - log(1 + exp(eta)),   y in {0, 1}, eta real.
// With z = (2y - 1) eta this is -log(1 + exp(-z)) = -(max(-z, 0) + log1p(exp(-|eta|))),
// which never overflows: finite for |eta| up to the largest double, and
// exactly 0 or -|eta| once exp(-|eta|) underflows.
#include "runtime/distributions/cdf.hpp"
#include "runtime/distributions/detail.hpp"
#include "runtime/random.hpp"
#include "runtime/special_functions.hpp"

namespace mlec::rt::detail {
namespace {

constexpr DistArg args[] = {{"eta", Domain::real}};

void eval(OpCall& c);
void lcdf(OpCall& c);
void lccdf(OpCall& c);

// bernoulli(sigmoid(eta)), the sigmoid written so that exp never overflows.
double sample(std::span<const double> a, Rng& rng) {
    const double eta = a[0];
    if (!std::isfinite(eta)) return std::numeric_limits<double>::quiet_NaN();
    const double e = std::exp(-std::abs(eta));
    const double p = eta >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
    return rng.uniform() < p ? 1.0 : 0.0;
}

// E[y] = sigmoid(eta).
int mean(NodeMaker& make, std::span<const int> a) { return make.op(op_sigmoid(), {a[0]}); }

// bernoulli(sigmoid(eta)) or bernoulli(inv_logit(eta)) is evaluated as this.
constexpr std::string_view links[] = {"sigmoid", "inv_logit"};
constexpr StableForm stable{"bernoulli", links};

constexpr DistributionDef def{.name = "bernoulli_logit",
                              .discrete = true,
                              .outcome = Domain::binary,
                              .args = args,
                              .op = {.name = "bernoulli_logit", .arity = 2, .eval = &eval, .third = true},
                              .sample = &sample,
                              .mean = &mean,
                              .stable_form = &stable,
                              .linear_predictor = 0,
                              .lcdf = {"bernoulli_logit_lcdf", 2, &lcdf, false},
                              .lccdf = {"bernoulli_logit_lccdf", 2, &lccdf, false}};

constexpr int ee = pair_index(1, 1, 2);
constexpr int eee = triple_index(1, 1, 1, 2);

// d/deta   = y - sigmoid(eta) = (2y - 1) sigmoid(-z)
// d2/deta2 = -sigmoid(eta) (1 - sigmoid(eta)) = -e/(1+e)^2,  e = exp(-|eta|)
// where sigmoid(-z) = e/(1+e) for z >= 0 and 1/(1+e) for z < 0: both
// partials keep full relative precision in the tails.
void eval(OpCall& c) {
    const ConstCol& y = c.in[0];
    const ConstCol& eta = c.in[1];
    const auto z = (2.0 * y - 1.0) * eta;
    Col& e = c.value;  // scratch until the value is written last
    special::assign_exp(e, -eta.abs());
    if (c.want_d1(1)) {
        // A plain loop: the compiler vectorizes this choice, Eigen 3.4's
        // select() would go element by element.
        const Eigen::Index n = e.size();
        double* d1 = c.d1[1].data();
        for (Eigen::Index r = 0; r < n; ++r) {
            const double sign = 2.0 * y[r] - 1.0;
            const double one_plus = 1.0 + e[r];
            d1[r] = sign * (sign * eta[r] >= 0.0 ? e[r] / one_plus : 1.0 / one_plus);
        }
    }
    if (c.want_d2(1, 1)) c.d2[ee] = -e / (1.0 + e).square();
    // f = log sigma(s eta), s = 2y - 1 = +-1: f''' = -s sigma''(s eta)
    // = sign(eta) sigma'(eta) (1 - e)/(1 + e) (sigmoid's sigma'', even in s),
    // the same for both outcomes.
    if (c.want_d3(1, 1, 1)) c.d3[eee] = eta.sign() * (e / (1.0 + e).square()) * (1.0 - e) / (1.0 + e);
    special::log1p_in_place(e);
    c.value = -((-z).max(0.0) + e);
    finish_rows(c, def);
}

// The distribution functions: P(Y > 0) = sigmoid(eta), whose log is
// log_sigmoid(eta) (cdf.hpp, exact for every eta), and P(Y <= 0) =
// sigmoid(-eta); P(Y <= 1) = 1, P(Y > 1) = 0.
void lcdf(OpCall& c) {
    eval_cdf_rows<2>(c, def, CdfSide::lower, [](const auto& x, CdfRow& out) {
        if (x[0] == 1) {
            out.value = 0;
            return;
        }
        const Outer o = upper_by_symmetry(log_sigmoid, x[1]);
        out.value = o.g;
        out.d1[1] = o.g1;
        out.d2[pair_index(1, 1, 2)] = o.g2;
    });
}

void lccdf(OpCall& c) {
    eval_cdf_rows<2>(c, def, CdfSide::upper, [](const auto& x, CdfRow& out) {
        if (x[0] == 1) return;
        const Outer o = log_sigmoid(x[1]);
        out.value = o.g;
        out.d1[1] = o.g1;
        out.d2[pair_index(1, 1, 2)] = o.g2;
    });
}

}  // namespace

const DistributionDef& bernoulli_logit_def() { return def; }

}  // namespace mlec::rt::detail

// ordered_logistic(y | eta, c): an ordered outcome y in {1, ..., K + 1}
// with K increasing cut-points c (runtime/distributions/ordinal.hpp),
//     P(y = k) = sigmoid(eta - c[k-1]) - sigmoid(eta - c[k]),
// Stan's ordered_logistic and MASS::polr's logistic model (zeta = c).
// With a = eta - c[k-1] > b = eta - c[k], the difference factors exactly,
//     sigmoid(a) - sigmoid(b) = sigmoid(a) sigmoid(-b) (1 - e^-(a - b)),
// so log P = log sigmoid(a) + log sigmoid(-b) + log1m_exp(-(a - b)) keeps
// full relative precision in both tails and for close cut-points; the two
// outer categories keep one factor each.
#include "runtime/distributions/ordinal.hpp"

namespace mlec::rt::detail {
namespace {

constexpr DistArg args[] = {{"eta", Domain::real}, {"c", Domain::real, true}};

void eval(OpCall& c);
void lcdf(OpCall& c);
void lccdf(OpCall& c);

double sample(std::span<const double> a, Rng& rng) {
    const double u = rng.uniform_open();
    return ordinal::sample(a, std::log(u) - std::log1p(-u));
}

int mean(NodeMaker& make, std::span<const int> a) { return ordinal::mean(make, a, op_sigmoid()); }

double logit(double p) { return std::log(p) - std::log1p(-p); }

constexpr DistributionDef def{.name = "ordered_logistic",
                              .discrete = true,
                              .outcome = Domain::category,
                              .args = args,
                              .op = {.name = "ordered_logistic", .arity = -1, .eval = &eval, .third = true},
                              .sample = &sample,
                              .mean = &mean,
                              .ordinal = true,
                              .latent_quantile = &logit,
                              .lcdf = {.name = "ordered_logistic_lcdf", .arity = -1, .eval = &lcdf, .third = true},
                              .lccdf = {.name = "ordered_logistic_lccdf", .arity = -1, .eval = &lccdf, .third = true}};

// log sigmoid(x) = -log(1 + e^-x), with the exponent kept <= 0.
double log_sigmoid(double x) { return x >= 0 ? -std::log1p(std::exp(-x)) : x - std::log1p(std::exp(x)); }

// sigmoid(x), and sigmoid(x) sigmoid(-x) = e^-|x| / (1 + e^-|x|)^2.
double sigmoid(double x) { return x >= 0 ? 1 / (1 + std::exp(-x)) : std::exp(x) / (1 + std::exp(x)); }
double sigmoid_product(double x) {
    const double e = std::exp(-std::abs(x));
    return e / ((1 + e) * (1 + e));
}

// log(1 - e^x) for x < 0 (Maechler's switch at -log 2).
double log1m_exp(double x) { return x > -0.6931471805599453 ? std::log(-std::expm1(x)) : std::log1p(-std::exp(x)); }

// The partials of the three factors' logs: log sigmoid(a) gives sigmoid(-a)
// and -sigmoid(a) sigmoid(-a); log sigmoid(-b) gives -sigmoid(b) and
// -sigmoid(b) sigmoid(-b); log1m_exp(-(a - b)) gives g = 1/expm1(a - b) in
// a (-g in b), and its second partials -h, -h, +h with h = g (1 + g). The
// third factor depends on a - b only, so it drops out of faa + fab and
// fbb + fab exactly.
ordinal::Terms link(double a, double b, double gap, bool has_a, bool has_b, bool partials) {
    ordinal::Terms t;
    t.value = (has_a ? log_sigmoid(a) : 0.0) + (has_b ? log_sigmoid(-b) : 0.0);
    if (has_a && has_b) t.value += log1m_exp(-gap);
    if (!partials) return t;
    if (has_a) {
        t.fa = sigmoid(-a);
        t.faa = t.faa_ab = -sigmoid_product(a);
    }
    if (has_b) {
        t.fb = -sigmoid(b);
        t.fbb = t.fbb_ab = -sigmoid_product(b);
    }
    if (has_a && has_b) {
        const double g = 1 / std::expm1(gap);
        const double h = g * (1 + g);
        t.fa += g;
        t.fb -= g;
        t.faa -= h;
        t.fbb -= h;
        t.fab = h;
    }
    return t;
}

// (log sigmoid)'''(x) = -sigmoid(x) sigmoid(-x) (1 - 2 sigmoid(x)), and
// 1 - 2 sigmoid(x) = -tanh(x/2), exact near 0 and in both tails.
double log_sigmoid_third(double x) { return sigmoid_product(x) * std::tanh(0.5 * x); }

// The third partials of the three factors' logs, each a function of one
// linear form of (eta, c[k-1], c[k]) (ordinal.hpp): log sigmoid(eta -
// c[k-1]), log sigmoid(-(eta - c[k])), and log1m_exp(-gap) of gap = c[k] -
// c[k-1], whose third derivative in gap is h (1 + 2g) (g' = -h above). The
// gap's term has no eta in it, so eta's third partials never difference it.
ordinal::Local3 third(double a, double b, double gap, bool has_a, bool has_b) {
    ordinal::Local3 d3{};
    if (has_a) ordinal::add_linear_third(d3, 1, 1.0, log_sigmoid_third(a));
    if (has_b) ordinal::add_linear_third(d3, 2, -1.0, log_sigmoid_third(-b));
    if (has_a && has_b) {
        const double g = 1 / std::expm1(gap);
        const double h = g * (1 + g);
        ordinal::add_gap_third(d3, h * (1 + 2 * g));
    }
    return d3;
}

void eval(OpCall& c) { ordinal::eval(c, def, &link, &third); }

// log sigmoid(z) with its derivatives sigmoid(-z), -sigmoid(z) sigmoid(-z)
// and the third above.
ordinal::LogF log_f(double z) { return {log_sigmoid(z), sigmoid(-z), -sigmoid_product(z), log_sigmoid_third(z)}; }

void lcdf(OpCall& c) { ordinal::eval_cdf(c, def, &log_f, false); }
void lccdf(OpCall& c) { ordinal::eval_cdf(c, def, &log_f, true); }

}  // namespace

const DistributionDef& ordered_logistic_def() { return def; }

}  // namespace mlec::rt::detail

// gumbel(y | mu, beta), the distribution of a maximum (Stan's and R's
// evd::dgumbel form):
//     log p(y) = -log beta - z - exp(-z),   z = (y - mu)/beta,
// y, mu real, beta > 0. Far below mu, exp(-z) overflows and the log density
// is -inf, as the density itself is 0 to double precision there.
#include "runtime/distributions/detail.hpp"
#include "runtime/random.hpp"

namespace mlec::rt::detail {
namespace {

constexpr DistArg args[] = {{"mu", Domain::real}, {"beta", Domain::positive}};

void eval(OpCall& c);

// Inversion: mu - beta log(-log U), U on (0, 1).
double sample(std::span<const double> a, Rng& rng) {
    if (!std::isfinite(a[0]) || !in_domain_fast(Domain::positive, a[1])) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    return a[0] - a[1] * std::log(-std::log(rng.uniform_open()));
}

constexpr double euler_gamma = 0.57721566490153286060651209008240;

// E[y] = mu + beta gamma (gamma: Euler's constant).
int mean(NodeMaker& make, std::span<const int> a) {
    return make.op(op_add(), {a[0], make.op(op_mul(), {make.constant(euler_gamma), a[1]})});
}

constexpr DistributionDef def{.name = "gumbel",
                              .discrete = false,
                              .outcome = Domain::real,
                              .args = args,
                              .op = {"gumbel", 3, &eval, false},
                              .sample = &sample,
                              .mean = &mean};

// h(z) = -z - e, e = exp(-z):  h' = e - 1,  h'' = -e
// (location_scale_partials): z h' = z (e - 1), z h'' = -z e, z^2 h'' = -z^2 e.
void eval(OpCall& c) {
    const ConstCol& y = c.in[0];
    const ConstCol& mu = c.in[1];
    const ConstCol& beta = c.in[2];
    const Eigen::ArrayXd z = (y - mu) / beta;
    Eigen::ArrayXd e(z.size());
    special::assign_exp(e, -z);
    c.value = -beta.log() - z - e;
    if (want_any_partial(c)) {
        location_scale_partials(c, 0, 1, 2, beta, e - 1.0, z * (e - 1.0), -e, -z * e, -z.square() * e);
    }
    finish_rows(c, def);
}

}  // namespace

const DistributionDef& gumbel_def() { return def; }

}  // namespace mlec::rt::detail

// laplace(y | mu, b):  density exp(-|y - mu|/b)/(2b),
//     log p(y) = -|z| - log b - log 2,   z = (y - mu)/b,   y, mu real, b > 0.
// |z| has no derivative at y == mu; there the partials in y and mu are taken
// as 0 (the midpoint of the subgradient, as for abs), and the second partials
// (a point mass of curvature) as 0.
#include "runtime/distributions/detail.hpp"
#include "runtime/random.hpp"

namespace mlec::rt::detail {
namespace {

constexpr DistArg args[] = {{"mu", Domain::real}, {"b", Domain::positive}};

void eval(OpCall& c);

// Inversion: with u = U - 1/2 on (-1/2, 1/2) (never 0), y = mu - b sign(u)
// log(1 - 2|u|); 1 - 2|u| is exact for U = (j + 1/2) 2^-52.
double sample(std::span<const double> a, Rng& rng) {
    if (!std::isfinite(a[0]) || !in_domain_fast(Domain::positive, a[1])) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    const double u = rng.uniform_open() - 0.5;
    const double e = -std::log(1.0 - 2.0 * std::abs(u));
    return u < 0 ? a[0] - a[1] * e : a[0] + a[1] * e;
}

// E[y] = mu.
int mean(NodeMaker&, std::span<const int> a) { return a[0]; }

constexpr DistributionDef def{.name = "laplace",
                              .discrete = false,
                              .outcome = Domain::real,
                              .args = args,
                              .op = {"laplace", 3, &eval, false},
                              .sample = &sample,
                              .mean = &mean};

constexpr double log_2 = 0.69314718055994530941723212145818;

// h(z) = -|z|: h' = -sign(z), z h' = -|z|, h'' = 0 (location_scale_partials).
void eval(OpCall& c) {
    const ConstCol& y = c.in[0];
    const ConstCol& mu = c.in[1];
    const ConstCol& b = c.in[2];
    if (!want_any_partial(c)) {
        c.value = -((y - mu) / b).abs() - b.log() - log_2;
        finish_rows(c, def);
        return;
    }
    const Eigen::ArrayXd z = (y - mu) / b;
    c.value = -z.abs() - b.log() - log_2;
    const auto zero = Eigen::ArrayXd::Zero(z.size());
    location_scale_partials(c, 0, 1, 2, b, -z.sign(), -z.abs(), zero, zero, zero);
    finish_rows(c, def);
}

}  // namespace

const DistributionDef& laplace_def() { return def; }

}  // namespace mlec::rt::detail

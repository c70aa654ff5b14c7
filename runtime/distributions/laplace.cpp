// laplace(y | mu, b):  density exp(-|y - mu|/b)/(2b),
//     log p(y) = -|z| - log b - log 2,   z = (y - mu)/b,   y, mu real, b > 0.
// |z| has no derivative at y == mu; there the partials in y and mu are taken
// as 0 (the midpoint of the subgradient, as for abs), and the second partials
// (a point mass of curvature) as 0.
#include "runtime/distributions/detail.hpp"

namespace mlec::rt::detail {
namespace {

constexpr DistArg args[] = {{"mu", Domain::real}, {"b", Domain::positive}};

void eval(OpCall& c);

constexpr DistributionDef def{"laplace", false, Domain::real, args,
                              OpDef{"laplace", 3, &eval, false}};

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

// skew_normal(y | xi, omega, alpha), Azzalini's skew normal in Stan's form:
//     log p(y) = log 2 - log omega - log sqrt(2 pi) - z^2/2 + log Phi(alpha z),
// z = (y - xi)/omega, y, xi, alpha real, omega > 0; alpha = 0 is
// normal(xi, omega).
// log Phi(t) is the delicate part: Phi(t) = erfc(-t/sqrt 2)/2 underflows
// below t = -38, and its log and the partials phi/Phi lose digits to
// cancellation well before that. Below t = -5 they come from the Laplace
// continued fraction of the Mills ratio instead (the built-in log_Phi's
// evaluation, special::log_phi), exact to double precision there, never
// underflowing.
#include "runtime/distributions/detail.hpp"
#include "runtime/random.hpp"
#include "runtime/special_functions.hpp"

namespace mlec::rt::detail {
namespace {

constexpr DistArg args[] = {{"xi", Domain::real}, {"omega", Domain::positive}, {"alpha", Domain::real}};

void eval(OpCall& c);

// Azzalini's construction from two standard normals u0, v: with
// delta = alpha/sqrt(1 + alpha^2), u1 = delta u0 + sqrt(1 - delta^2) v is
// normal with correlation delta to u0, and z = u1 if u0 >= 0, else -u1, is
// skew normal with shape alpha. (hypot keeps a huge alpha from overflowing
// alpha^2.)
double sample(std::span<const double> a, Rng& rng) {
    if (!std::isfinite(a[0]) || !in_domain_fast(Domain::positive, a[1]) || !std::isfinite(a[2])) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    const double h = std::hypot(1.0, a[2]);
    const double u0 = rng.normal();
    const double v = rng.normal();
    const double u1 = (a[2] / h) * u0 + v / h;
    return a[0] + a[1] * (u0 >= 0 ? u1 : -u1);
}

// E[y] = xi + omega delta sqrt(2/pi), delta = alpha/sqrt(1 + alpha^2),
// written as sin(atan(alpha)), which is the same number without squaring
// alpha (finite for any alpha).
int mean(NodeMaker& make, std::span<const int> a) {
    constexpr double sqrt_2_over_pi = 0.79788456080286535587989211986876;
    const int delta = make.op(op_sin(), {make.op(op_atan(), {a[2]})});
    const int shift = make.op(op_mul(), {make.op(op_mul(), {make.constant(sqrt_2_over_pi), a[1]}), delta});
    return make.op(op_add(), {a[0], shift});
}

constexpr DistributionDef def{.name = "skew_normal",
                              .discrete = false,
                              .outcome = Domain::real,
                              .args = args,
                              .op = {"skew_normal", 4, &eval, false},
                              .sample = &sample,
                              .mean = &mean,
                              .no_cdf = "its Owen's T function and derivatives are not implemented yet"};

constexpr int arity = 4;
constexpr int ia = 3;  // alpha's input
constexpr double log_2 = 0.69314718055994530941723212145818;

// L(t) = log Phi(t) and what the partials need of it:
//   l1 = L'  = phi(t)/Phi(t)  (the inverse Mills ratio)
//   l2 = L'' = -l1 (t + l1)
//   m  = L' + t L''
struct LogPhi {
    double l = 0;
    double l1 = 0;
    double l2 = 0;
    double m = 0;
};

// From the built-in log_Phi's evaluation (runtime/functions/log_phi.cpp:
// erfc above t = -5, Laplace's continued fraction of the Mills ratio below,
// where l1 + t = -l2/l1 keeps its digits and Phi never underflows);
// m = l1 + t l2 adds two terms of one sign for t < 0. Above t = 38 phi
// underflows: l1 = l2 = m = 0, their limits.
LogPhi log_phi_terms(double t) {
    const auto [l, l1, l2] = special::log_phi(t, true, true);
    if (!(l1 > 0)) return {l, 0.0, 0.0, 0.0};  // t > 38 (or NaN: finish_rows)
    return {l, l1, l2, l1 + t * l2};
}

// h(z) = -z^2/2 + L(alpha z) for the y, xi, omega block
// (location_scale_partials), with t = alpha z:
//   h' = -z + alpha l1      z h' = -z^2 + t l1
//   h'' = -1 + alpha^2 l2   (z h'' and z^2 h'' from it)
// and in alpha, since dt/dalpha = z, dt/dy = alpha/omega:
//   d/dalpha = z l1           d2/dalpha2 = z^2 l2
//   d2/dalpha dy = -d2/dalpha dxi = m/omega
//   d2/dalpha domega = -z m/omega
// (l2 in (-1, 0), so no sum above cancels but where the true partial
// crosses zero.)
void eval(OpCall& c) {
    const ConstCol& y = c.in[0];
    const ConstCol& xi = c.in[1];
    const ConstCol& omega = c.in[2];
    const ConstCol& alpha = c.in[ia];
    const Eigen::Index rows = y.size();
    const Eigen::ArrayXd z = (y - xi) / omega;
    const Eigen::ArrayXd t = alpha * z;
    Eigen::ArrayXd l(rows);
    Eigen::ArrayXd l1(rows);
    Eigen::ArrayXd l2(rows);
    Eigen::ArrayXd m(rows);
    for (Eigen::Index r = 0; r < rows; ++r) {
        const LogPhi p = log_phi_terms(t[r]);
        l[r] = p.l;
        l1[r] = p.l1;
        l2[r] = p.l2;
        m[r] = p.m;
    }
    c.value = log_2 - log_sqrt_2pi - omega.log() - 0.5 * z.square() + l;
    if (want_any_partial(c)) {
        const Eigen::ArrayXd hzz = alpha.square() * l2 - 1.0;
        location_scale_partials(c, 0, 1, 2, omega, alpha * l1 - z, t * l1 - z.square(), hzz, z * hzz, z.square() * hzz);
        if (c.want_d1(ia)) c.d1[ia] = z * l1;
        if (c.want_d2(ia, ia)) c.d2[pair_index(ia, ia, arity)] = z.square() * l2;
        if (c.want_d2(0, ia)) c.d2[pair_index(0, ia, arity)] = m / omega;
        if (c.want_d2(1, ia)) c.d2[pair_index(1, ia, arity)] = -m / omega;
        if (c.want_d2(2, ia)) c.d2[pair_index(2, ia, arity)] = -z * m / omega;
    }
    finish_rows(c, def);
}

}  // namespace

const DistributionDef& skew_normal_def() { return def; }

}  // namespace mlec::rt::detail

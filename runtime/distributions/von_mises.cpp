// von_mises(y | mu, kappa), the circular normal (Stan's von_mises):
//     log p(y) = kappa cos(y - mu) - log(2 pi I0(kappa)),
// y, mu real (angles in radians), kappa > 0. The density has period 2 pi in
// y: as in Stan, any real y is accepted and stands for its angle, so y and
// y + 2 pi have the same density (data are usually in [-pi, pi]; a y outside
// is not wrapped or rejected). Its mean is the circular mean mu; the sampler
// returns angles in [-pi, pi].
// log I0 and the ratio A = I1/I0 come from Boost's cyl_bessel_i below
// kappa = 25 and from the Hankel expansions of e^-kappa I0, e^-kappa I1
// above, so nothing overflows (I0 does past kappa = 713) and the derivative
// A' = 1 - A/kappa - A^2, a difference of terms near 1 for large kappa, is
// formed from the series without cancelling.
#include <boost/math/special_functions/bessel.hpp>

#include "runtime/distributions/detail.hpp"
#include "runtime/random.hpp"

namespace mlec::rt::detail {
namespace {

constexpr double pi = 3.14159265358979323846;
constexpr double log_2pi = 1.8378770664093454836;

constexpr DistArg args[] = {{"mu", Domain::real}, {"kappa", Domain::positive}};

void eval(OpCall& c);

// Best and Fisher (1979), Applied Statistics 28, 152-157, with
// rho = (tau - sqrt(2 tau))/(2 kappa) written as 2 kappa/(tau + sqrt(2 tau))
// (tau = 1 + sqrt(1 + 4 kappa^2)), which does not cancel as kappa -> 0.
// The draw mu +- acos(f) is wrapped into [-pi, pi].
double sample(std::span<const double> a, Rng& rng) {
    const double mu = a[0];
    const double kappa = a[1];
    if (!std::isfinite(mu) || !in_domain_fast(Domain::positive, kappa)) return std::numeric_limits<double>::quiet_NaN();
    const double tau = 1.0 + std::sqrt(1.0 + 4.0 * kappa * kappa);
    const double rho = 2.0 * kappa / (tau + std::sqrt(2.0 * tau));
    const double r = (1.0 + rho * rho) / (2.0 * rho);
    double f = 0;
    for (;;) {
        const double z = std::cos(pi * rng.uniform());
        f = (1.0 + r * z) / (r + z);
        const double c = kappa * (r - f);
        const double u2 = rng.uniform_open();
        if (c * (2.0 - c) - u2 > 0 || std::log(c / u2) + 1.0 - c >= 0) break;
    }
    const double angle = std::acos(std::clamp(f, -1.0, 1.0));
    const double theta = rng.uniform() < 0.5 ? mu - angle : mu + angle;
    return std::remainder(theta, 2.0 * pi);
}

// E[y] = mu, the circular mean (the direction of E[(cos y, sin y)]).
int mean(NodeMaker&, std::span<const int> a) { return a[0]; }

constexpr DistributionDef def{
    .name = "von_mises",
    .discrete = false,
    .outcome = Domain::real,
    .args = args,
    .op = {"von_mises", 3, &eval, false},
    .sample = &sample,
    .mean = &mean,
    .no_cdf = "an angle's cumulative probability depends on where the circle is cut, and is not implemented"};

// log I0(kappa) - kappa, A = I1/I0 and A' = dA/dkappa.
struct Bessel {
    double log_i0_minus_kappa;
    double a;
    double da;
};

// For x >= 25: I_nu(x) = e^x/sqrt(2 pi x) S_nu(x) with
// S_nu = sum_k t_k, t_k = t_(k-1) ((2k - 1)^2 - 4 nu^2)/(8 k x) (t_0 = 1),
// summed until the terms stop mattering (the smallest term of the
// divergent series is about e^-2x, below 1e-21 at x = 25). Then
// A = S1/S0 and A' = (S1' S0 - S1 S0')/S0^2, S' = sum_k -k t_k/x.
Bessel bessel_terms(double x) {
    if (x < 25) {
        const double i0 = boost::math::cyl_bessel_i(0, x);
        const double a = boost::math::cyl_bessel_i(1, x) / i0;
        return {std::log(i0) - x, a, 1.0 - a / x - a * a};
    }
    double s0 = 1, s1 = 1, ds0 = 0, ds1 = 0;
    double t0 = 1, t1 = 1;
    for (int k = 1; k < 60; ++k) {
        const double odd2 = (2.0 * k - 1) * (2.0 * k - 1);
        t0 *= odd2 / (8.0 * k * x);
        t1 *= (odd2 - 4.0) / (8.0 * k * x);
        s0 += t0;
        s1 += t1;
        ds0 -= k * t0 / x;
        ds1 -= k * t1 / x;
        if (std::abs(t0) < 1e-18 && std::abs(t1) < 1e-18) break;
    }
    return {-0.5 * (log_2pi + std::log(x)) + std::log(s0), s1 / s0, (ds1 * s0 - s1 * ds0) / (s0 * s0)};
}

constexpr int mm = pair_index(1, 1, 3);
constexpr int mk = pair_index(1, 2, 3);
constexpr int kk = pair_index(2, 2, 3);
constexpr int yy = pair_index(0, 0, 3);
constexpr int ym = pair_index(0, 1, 3);
constexpr int yk = pair_index(0, 2, 3);

// With d = y - mu:
//   f_y = -kappa sin d = -f_mu,  f_kappa = cos d - A,
//   f_yy = f_mumu = -f_ymu = -kappa cos d,  f_ykappa = -f_mukappa = -sin d,
//   f_kappakappa = -A'.
// The value is formed as -2 kappa sin^2(d/2) - log(2 pi) - (log I0 - kappa):
// kappa cos d and log I0 are both near kappa for large kappa, and their
// difference would keep only the absolute accuracy of kappa.
void eval(OpCall& c) {
    const ConstCol& y = c.in[0];
    const ConstCol& mu = c.in[1];
    const ConstCol& kappa = c.in[2];
    const Eigen::Index rows = y.size();
    Eigen::ArrayXd a(rows);
    Eigen::ArrayXd da(rows);
    for (Eigen::Index r = 0; r < rows; ++r) {
        // kappa outside (0, inf) is rejected by finish_rows.
        const Bessel b = in_domain_fast(Domain::positive, kappa[r]) ? bessel_terms(kappa[r]) : Bessel{0, 0, 0};
        c.value[r] = -log_2pi - b.log_i0_minus_kappa;
        a[r] = b.a;
        da[r] = b.da;
    }
    const Eigen::ArrayXd d = y - mu;
    c.value -= 2.0 * kappa * (0.5 * d).sin().square();
    if (want_any_partial(c)) {
        const Eigen::ArrayXd cos_d = d.cos();
        const Eigen::ArrayXd sin_d = d.sin();
        if (c.want_d1(0)) c.d1[0] = -kappa * sin_d;
        if (c.want_d1(1)) c.d1[1] = kappa * sin_d;
        if (c.want_d1(2)) c.d1[2] = cos_d - a;
        if (c.want_d2(0, 0)) c.d2[yy] = -kappa * cos_d;
        if (c.want_d2(1, 1)) c.d2[mm] = -kappa * cos_d;
        if (c.want_d2(0, 1)) c.d2[ym] = kappa * cos_d;
        if (c.want_d2(0, 2)) c.d2[yk] = -sin_d;
        if (c.want_d2(1, 2)) c.d2[mk] = sin_d;
        if (c.want_d2(2, 2)) c.d2[kk] = -da;
    }
    finish_rows(c, def);
}

}  // namespace

const DistributionDef& von_mises_def() { return def; }

}  // namespace mlec::rt::detail

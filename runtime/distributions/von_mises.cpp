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
// The distribution functions follow Stan's convention: the circle is cut at
// -pi, y and mu lie in [-pi, pi], and von_mises_lcdf(y | mu, kappa) is
// log P(-pi <= Y <= y) of the density on [-pi, pi]; a y or mu outside has
// no value (a row with probability 0, as outside any domain).
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/special_functions/bessel.hpp>

#include "runtime/distributions/cdf.hpp"
#include "runtime/distributions/detail.hpp"
#include "runtime/random.hpp"
#include "runtime/special_functions.hpp"

namespace mlec::rt::detail {
namespace {

constexpr double pi = 3.14159265358979323846;
constexpr double log_2pi = 1.8378770664093454836;

constexpr DistArg args[] = {{"mu", Domain::real}, {"kappa", Domain::positive}};

void eval(OpCall& c);
void lcdf(OpCall& c);
void lccdf(OpCall& c);

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

constexpr DistributionDef def{.name = "von_mises",
                              .discrete = false,
                              .outcome = Domain::real,
                              .args = args,
                              .op = {.name = "von_mises", .arity = 3, .eval = &eval, .third = true},
                              .sample = &sample,
                              .mean = &mean,
                              .lcdf = {"von_mises_lcdf", 3, &lcdf, false},
                              .lccdf = {"von_mises_lccdf", 3, &lccdf, false}};

// log I0(kappa) - kappa, A = I1/I0, A' = dA/dkappa and A''.
struct Bessel {
    double log_i0_minus_kappa;
    double a;
    double da;
    double dda;
};

// For x >= 25: I_nu(x) = e^x/sqrt(2 pi x) S_nu(x) with
// S_nu = sum_k t_k, t_k = t_(k-1) ((2k - 1)^2 - 4 nu^2)/(8 k x) (t_0 = 1),
// summed until the terms stop mattering (the smallest term of the
// divergent series is about e^-2x, below 1e-21 at x = 25). Then
// A = S1/S0, A' = (S1' S0 - S1 S0')/S0^2 and
// A'' = (S1'' S0 - S1 S0'')/S0^2 - 2 S0' A'/S0, with S' = sum_k -k t_k/x and
// S'' = sum_k k (k + 1) t_k/x^2 (t_k is a constant times x^-k). Below
// x = 25, A'' = -A'/x + A/x^2 - 2 A A' from A' = 1 - A/x - A^2 (about 1.5
// digits cancel at x = 25, fewer below).
Bessel bessel_terms(double x) {
    if (x < 25) {
        const double i0 = boost::math::cyl_bessel_i(0, x);
        const double a = boost::math::cyl_bessel_i(1, x) / i0;
        const double da = 1.0 - a / x - a * a;
        return {std::log(i0) - x, a, da, -da / x + a / (x * x) - 2.0 * a * da};
    }
    double s0 = 1, s1 = 1, ds0 = 0, ds1 = 0, dds0 = 0, dds1 = 0;
    double t0 = 1, t1 = 1;
    for (int k = 1; k < 60; ++k) {
        const double odd2 = (2.0 * k - 1) * (2.0 * k - 1);
        t0 *= odd2 / (8.0 * k * x);
        t1 *= (odd2 - 4.0) / (8.0 * k * x);
        s0 += t0;
        s1 += t1;
        ds0 -= k * t0 / x;
        ds1 -= k * t1 / x;
        dds0 += k * (k + 1.0) * t0 / (x * x);
        dds1 += k * (k + 1.0) * t1 / (x * x);
        if (std::abs(t0) < 1e-18 && std::abs(t1) < 1e-18) break;
    }
    const double da = (ds1 * s0 - s1 * ds0) / (s0 * s0);
    return {-0.5 * (log_2pi + std::log(x)) + std::log(s0), s1 / s0, da,
            (dds1 * s0 - s1 * dds0) / (s0 * s0) - 2.0 * ds0 * da / s0};
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
//   f_kappakappa = -A';
// third partials (each y a -d/dmu):
//   f_yyy = -f_yymu = f_ymumu = -f_mumumu = kappa sin d,
//   f_yykappa = -f_ymukappa = f_mumukappa = -cos d,
//   f_ykappakappa = f_mukappakappa = 0,  f_kappakappakappa = -A''.
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
    Eigen::ArrayXd dda(rows);
    for (Eigen::Index r = 0; r < rows; ++r) {
        // kappa outside (0, inf) is rejected by finish_rows.
        const Bessel b = in_domain_fast(Domain::positive, kappa[r]) ? bessel_terms(kappa[r]) : Bessel{0, 0, 0, 0};
        c.value[r] = -log_2pi - b.log_i0_minus_kappa;
        a[r] = b.a;
        da[r] = b.da;
        dda[r] = b.dda;
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
        if (c.want_any_d3()) {
            const Eigen::ArrayXd k_sin = kappa * sin_d;
            const auto put = [&c](int i, int j, int k, const Eigen::ArrayXd& v) {
                if (c.want_d3(i, j, k)) c.d3[triple_index(i, j, k, 3)] = v;
            };
            put(0, 0, 0, k_sin);
            put(0, 0, 1, -k_sin);
            put(0, 1, 1, k_sin);
            put(1, 1, 1, -k_sin);
            put(0, 0, 2, -cos_d);
            put(0, 1, 2, cos_d);
            put(1, 1, 2, -cos_d);
            put(0, 2, 2, Eigen::ArrayXd::Zero(rows));
            put(1, 2, 2, Eigen::ArrayXd::Zero(rows));
            put(2, 2, 2, -dda);
        }
    }
    finish_rows(c, def);
}

// ---- distribution functions ----------------------------------------------
//
// One side of y on the cut circle, [lo, hi] = [-pi, y] (lcdf) or [y, pi]
// (lccdf), integrated directly:
//     log P = log Q - log(2 pi I0(kappa)),  Q = integral_lo^hi e^(kappa cos(t - mu)) dt.
// Not the Fourier series of F in the Bessel ratios I_j/I0 (Stan's method,
// with a normal approximation past kappa = 50): that gives F to an absolute
// 1e-16, and log F in a tail (y near the cut, far from mu: log P = -400 at
// kappa = 100) needs it relative. The integrand is taken relative to its
// largest value on [lo, hi], at `top` (mu, or the end nearer to it), as
// e^(kappa h(t)) with h(t) = cos(t - mu) - cos(top - mu) formed as a product
// of sines (no cancellation near top), and split at mu and a few widths
// (1/sqrt(kappa), or 1/(kappa |sin(top - mu)|) at an end) from the peak, so
// that each piece is smooth on its own scale. The quadrature is adaptive
// Gauss-Kronrod (31 points): tanh-sinh lost 3e-14 of such a peak at kappa =
// 1e4 (its nodes round onto the end). The partials: with e(t) = e^(kappa cos(t - mu))
// and sign s = +1 for the lower side (y = hi), -1 for the upper (y = lo):
//     Q_y = s e(y),  Q_mu = e(lo) - e(hi)  (d/dmu e = -d/dt e),
//     Q_yy = -s kappa sin(y - mu) e(y) = -Q_ymu,  Q_ykappa = s cos(y - mu) e(y),
//     Q_mumu = kappa (sin(lo - mu) e(lo) - sin(hi - mu) e(hi)),
//     Q_mukappa = cos(lo - mu) e(lo) - cos(hi - mu) e(hi),
//     Q_kappa/Q = E[cos(t - mu)],  d2/dkappa2 log Q = Var[h]
// (moments under the normalized integrand, h about top), and log(2 pi I0)
// has kappa-partials A = I1/I0 and A'.
void side_row(const std::array<double, 3>& x, CdfRow& out, bool lower) {
    // Its error estimate, the distance to the 15-point Gauss rule, is far
    // above the 31-point rule's error on these smooth pieces: 1e-13 by it
    // is about 1e-16 (and the depth bounds the work where it is not met).
    constexpr double tol = 1e-13;
    constexpr unsigned max_depth = 8;
    const double y = x[0];
    const double mu = x[1];
    const double kappa = x[2];
    if (!(std::abs(y) <= pi && std::abs(mu) <= pi)) return;  // off the cut circle: no value
    const double lo = lower ? -pi : y;
    const double hi = lower ? y : pi;
    if (!(lo < hi)) return;  // probability 0
    const bool mu_inside = lo < mu && mu < hi;
    const double top = mu_inside || mu == lo || mu == hi ? mu : (std::cos(lo - mu) >= std::cos(hi - mu) ? lo : hi);
    // cos a - cos b = -2 sin((a + b)/2) sin((a - b)/2), (a + b)/2 formed from
    // the differences t - mu and top - mu (0 when top is mu): (t + top)/2 - mu
    // would round to an absolute 1e-16 of a small angle near the peak.
    const auto h = [&](double t) {
        return -2 * std::sin(0.5 * (t - mu) + 0.5 * (top - mu)) * std::sin(0.5 * (t - top));
    };
    // A piece from the peak at `peak` to `end`: where the integrand's width
    // near the peak, 1/sqrt(kappa) or 1/(kappa |sin(top - mu)|) (its slope
    // at an end), is a small part of the piece, the first few widths are
    // integrated apart, so that the quadrature resolves them.
    const double slope = std::abs(std::sin(top - mu));
    const double near = std::min(10 / std::sqrt(kappa), 30 / (kappa * slope));
    const auto piece = [&](const auto& f, double peak, double end) {
        const auto segment_integral = [&](double a, double b) {
            return boost::math::quadrature::gauss_kronrod<double, 31, special::Policy>::integrate(
                f, std::min(a, b), std::max(a, b), max_depth, tol);
        };
        if (!(near < 0.5 * std::abs(end - peak))) return segment_integral(peak, end);
        const double split = end > peak ? peak + near : peak - near;
        return segment_integral(peak, split) + segment_integral(split, end);
    };
    const auto integrate = [&](auto part) {
        const auto f = [&](double t) {
            const double ht = h(t);
            const double w = std::exp(kappa * ht);
            return w == 0 ? 0.0 : w * part(ht);
        };
        if (!mu_inside) return top == lo ? piece(f, lo, hi) : piece(f, hi, lo);
        return piece(f, mu, lo) + piece(f, mu, hi);
    };
    const double q = integrate([](double) { return 1.0; });
    const double m1 = integrate([](double ht) { return ht; }) / q;
    const double m2 = integrate([](double ht) { return ht * ht; }) / q;
    const Bessel b = bessel_terms(kappa);
    const double sin_top = std::sin(0.5 * (top - mu));
    const double cos_top_m1 = -2 * sin_top * sin_top;  // cos(top - mu) - 1
    // At most 0: where this side is all but the whole circle, its rounding
    // (a few 1e-16) could carry it above.
    out.value = std::min(0.0, kappa * cos_top_m1 + std::log(q) - log_2pi - b.log_i0_minus_kappa);
    // e(t)/Q at y and the ends.
    const auto ratio = [&](double t) { return std::exp(kappa * h(t)) / q; };
    const double r_y = ratio(y);
    const double r_lo = ratio(lo);
    const double r_hi = ratio(hi);
    const double s = lower ? 1.0 : -1.0;
    const double q_y = s * r_y;
    const double q_mu = r_lo - r_hi;
    const double q_k = 1 + cos_top_m1 + m1;  // E[cos(t - mu)]
    out.d1 = {q_y, q_mu, (1 - b.a) + cos_top_m1 + m1};
    out.d2[yy] = -s * kappa * std::sin(y - mu) * r_y - q_y * q_y;
    out.d2[ym] = s * kappa * std::sin(y - mu) * r_y - q_y * q_mu;
    out.d2[yk] = s * std::cos(y - mu) * r_y - q_y * q_k;
    out.d2[mm] = kappa * (std::sin(lo - mu) * r_lo - std::sin(hi - mu) * r_hi) - q_mu * q_mu;
    out.d2[mk] = std::cos(lo - mu) * r_lo - std::cos(hi - mu) * r_hi - q_mu * q_k;
    out.d2[kk] = (m2 - m1 * m1) - b.da;
}

void lcdf(OpCall& c) {
    eval_cdf_rows<3>(c, def, CdfSide::lower, [](const auto& x, CdfRow& out) { side_row(x, out, true); });
}

void lccdf(OpCall& c) {
    eval_cdf_rows<3>(c, def, CdfSide::upper, [](const auto& x, CdfRow& out) { side_row(x, out, false); });
}

}  // namespace

const DistributionDef& von_mises_def() { return def; }

}  // namespace mlec::rt::detail

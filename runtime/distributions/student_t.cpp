// student_t(y | nu, mu, sigma), Stan's and R's (location-scale) form:
//     log p(y) = C(nu) - log sigma - (nu + 1)/2 log1p(z^2/nu),  z = (y - mu)/sigma,
//     C(nu) = lgamma((nu + 1)/2) - lgamma(nu/2) - log(nu pi)/2,
// y, mu real, nu, sigma > 0.
// For nu >= 20, C is formed by Stirling's formula with exact remainders
// (x = nu/2):  C = x log1pmx(1/(2x)) - log sqrt(2 pi) + R(x + 1/2) - R(x),
// which tends to the normal constant without the cancellation of two lgamma
// values of size nu log nu (1e-5 absolute at nu = 1e10).
#include "runtime/distributions/cdf.hpp"
#include "runtime/distributions/detail.hpp"
#include "runtime/distributions/incomplete_beta.hpp"
#include "runtime/distributions/polygamma2_diff.hpp"
#include "runtime/random.hpp"
#include "runtime/special_functions.hpp"

namespace mlec::rt::detail {
namespace {

constexpr DistArg args[] = {{"nu", Domain::positive}, {"mu", Domain::real}, {"sigma", Domain::positive}};

void eval(OpCall& c);
void lcdf(OpCall& c);
void lccdf(OpCall& c);

// mu + sigma z / sqrt(chi2_nu / nu), chi2_nu = 2 G(nu/2); the square root
// taken through the gamma draw's log, which may underflow for small nu.
double sample(std::span<const double> a, Rng& rng) {
    const double nu = a[0];
    if (!in_domain_fast(Domain::positive, nu) || !std::isfinite(a[1]) || !in_domain_fast(Domain::positive, a[2])) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    const double z = rng.normal();
    const double log_chi2_over_nu = log_gamma_draw(rng, 0.5 * nu) + std::log(2.0 / nu);
    return a[1] + a[2] * z * std::exp(-0.5 * log_chi2_over_nu);
}

// E[y] = mu (for nu > 1; reported as mu whatever nu).
int mean(NodeMaker&, std::span<const int> a) { return a[1]; }

constexpr DistributionDef def{.name = "student_t",
                              .discrete = false,
                              .outcome = Domain::real,
                              .args = args,
                              .op = {.name = "student_t", .arity = 4, .eval = &eval, .third = true},
                              .sample = &sample,
                              .mean = &mean,
                              .lcdf = {"student_t_lcdf", 4, &lcdf, false},
                              .lccdf = {"student_t_lccdf", 4, &lccdf, false}};

constexpr int arity = 4;
constexpr int iy = 0;
constexpr int inu = 1;
constexpr int imu = 2;
constexpr int isig = 3;
constexpr double log_pi = 1.1447298858494001741434273513531;

struct NuTerms {
    double c = 0;   // C(nu)
    double c1 = 0;  // C'(nu)
    double c2 = 0;  // C''(nu)
    double c3 = 0;  // C'''(nu)
};

// C'  = (psi((nu+1)/2) - psi(nu/2))/2 - 1/(2 nu) = psi_rem/2 + log1pmx(1/nu)/2
// C'' = (psi1((nu+1)/2) - psi1(nu/2))/4 + 1/(2 nu^2) = tri_rem/4 + 1/(2 nu^2 (nu + 1))
// C''' = (psi2((nu+1)/2) - psi2(nu/2))/8 - 1/nu^3 = quad_rem/8 - (3 nu + 2)/(2 nu^3 (nu + 1)^2)
// with psi_rem, tri_rem = polygamma_diff(nu/2, 1/2) and quad_rem =
// polygamma2_diff(nu/2, 1/2) (psi2 = polygamma(2, .)): they tend to 0 like
// 1/nu^2, 1/nu^3 and 1/nu^4 as the normal limit is approached, and are
// formed without cancelling their O(1/nu) parts. polygamma_diff needs nu/2 > 0:
// a nu outside (0, inf), or one so small that nu/2 rounds to 0, gives NaN,
// which finish_rows turns into -inf.
NuTerms nu_terms(double nu, bool want_c1, bool want_c2, bool want_c3) {
    NuTerms t;
    const double x = 0.5 * nu;
    if (!in_domain_fast(args[0].domain, x)) {
        constexpr double nan = std::numeric_limits<double>::quiet_NaN();
        return {nan, nan, nan, nan};
    }
    if (want_c3) {
        t.c3 = 0.125 * polygamma2_diff(x, 0.5) - (3.0 * nu + 2.0) / (2.0 * nu * nu * nu * (nu + 1.0) * (nu + 1.0));
    }
    if (x >= 10) {
        t.c =
            x * log1pmx(0.5 / x) - log_sqrt_2pi + special::stirling_remainder(x + 0.5) - special::stirling_remainder(x);
    } else {
        t.c = special::lgamma(x + 0.5) - special::lgamma(x) - 0.5 * (std::log(nu) + log_pi);
    }
    if (want_c1 || want_c2) {
        const PolygammaDiff d = polygamma_diff(x, 0.5, want_c1, want_c2);
        t.c1 = 0.5 * d.psi_rem + 0.5 * log1pmx(1.0 / nu);
        t.c2 = 0.25 * d.tri_rem + 0.5 / (nu * nu * (nu + 1.0));
    }
    return t;
}

// With u = z/sqrt(nu), q = 1/(1 + u^2), t = u^2/(1 + u^2) = 1 - q and
// m = u/(1 + u^2) (all bounded, formed from 1/u for |u| > 1 as in cauchy),
// h(z) = -(nu + 1)/2 log1p(u^2) has
//   h' = -(nu + 1) m/sqrt(nu)            z h' = -(nu + 1) t
//   h'' = -(nu + 1) q (q - t)/nu          z h'' = -(nu + 1) m (q - t)/sqrt(nu)
//   z^2 h'' = -(nu + 1) t (q - t)
// for the y, mu, sigma block (location_scale_partials), and in nu
//   d/dnu  = C' + log1pmx(-t)/2 + t/(2 nu),  log1pmx(-t) = log(1 - t) + t = t - log1p(u^2)
//   d2/dnu2 = C'' + ((nu - 1) t^2 - 2 t q)/(2 nu^2)
//   d2/dnu dy = -d2/dnu dmu = -m (t - q/nu)/(sqrt(nu) sigma)
//   d2/dnu dsigma = t (t - q/nu)/sigma
// (log1pmx(-t) + t: the two O(z^2/nu) terms of d/dnu cancel analytically.)
// Third partials, with A = nu + 1, w = 3q - t, r = sqrt(nu) and, at fixed
// z, dt/dnu = -tq/nu, dq/dnu = tq/nu, dm/dnu = -m (q - t)/(2 nu):
//   h''' = 2 A m q w/nu^(3/2)  (cauchy's, scaled), so the y, mu, sigma block
//   (location_scale_third) has the numerators
//     n30 = 2A m q w/(nu r)    n21 = (2A/nu)(q (q - t) - m^2 w)
//     n12 = (2A m/r)(-1 - 2(q - t) + t w)
//     n03 = -(2 - 6A t - 6A t (q - t) + 2A t^2 w);
//   and with one nu (d/dnu of the second partials above):
//     d3/dnu dy2 = d3/dnu dmu2 = -d3/dnu dy dmu = q ((q - t) - A t w)/(nu^2 sigma^2)
//     d3/dnu dy dsigma = -d3/dnu dmu dsigma = 2 m q (1 - A (q - t)/nu)/(r sigma^2)
//     d3/dnu dsigma2 = t (A q w/nu - 1 - 2q)/sigma^2
//     d3/dnu2 dy = -d3/dnu2 dmu = -2 m q (q - nu t)/(r nu^2 sigma)
//     d3/dnu2 dsigma = 2 t q (q - nu t)/(nu^2 sigma)
//     d3/dnu3 = C''' + (t^2 + 2tq (q - nu t)/nu)/(2 nu^2) - ((nu - 1) t^2 - 2tq)/nu^3
// The third partials (above) but C''', in a function of their own: inlined
// into eval, they make GCC 12 warn falsely (-Wuninitialized) inside Eigen's
// vectorized log (as in lognormal and weibull).
void third_partials(OpCall& c, const Eigen::ArrayXd& r, const Eigen::ArrayXd& q, const Eigen::ArrayXd& t,
                    const Eigen::ArrayXd& m) {
    const ConstCol& nu = c.in[inu];
    const ConstCol& sigma = c.in[isig];
    const Eigen::ArrayXd a = nu + 1.0;
    const Eigen::ArrayXd w = 3.0 * q - t;
    location_scale_third(c, iy, imu, isig, sigma, 2.0 * a * m * q * w / (nu * r),
                         (2.0 * a / nu) * (q * (q - t) - m.square() * w),
                         (2.0 * a * m / r) * (-1.0 - 2.0 * (q - t) + t * w),
                         -(2.0 - 6.0 * a * t - 6.0 * a * t * (q - t) + 2.0 * a * t.square() * w));
    const auto inv_s2 = sigma.inverse().square();
    auto put = [&](int i, int j, int k, const auto& value) {
        if (c.want_d3(i, j, k)) c.d3[triple_index(i, j, k, arity)] = value;
    };
    const Eigen::ArrayXd nu_yy = q * ((q - t) - a * t * w) / nu.square() * inv_s2;
    put(inu, iy, iy, nu_yy);
    put(inu, imu, imu, nu_yy);
    put(inu, iy, imu, -nu_yy);
    const Eigen::ArrayXd nu_ys = 2.0 * m * q * (1.0 - a * (q - t) / nu) / r * inv_s2;
    put(inu, iy, isig, nu_ys);
    put(inu, imu, isig, -nu_ys);
    put(inu, isig, isig, t * (a * q * w / nu - 1.0 - 2.0 * q) * inv_s2);
    const Eigen::ArrayXd nunu_y = -2.0 * m * q * (q - nu * t) / (r * nu.square() * sigma);
    put(inu, inu, iy, nunu_y);
    put(inu, inu, imu, -nunu_y);
    put(inu, inu, isig, 2.0 * t * q * (q - nu * t) / (nu.square() * sigma));
    if (c.want_d3(inu, inu, inu)) {
        c.d3[triple_index(inu, inu, inu, arity)] +=
            (t.square() + 2.0 * t * q * (q - nu * t) / nu) / (2.0 * nu.square()) -
            ((nu - 1.0) * t.square() - 2.0 * t * q) / nu.cube();
    }
}

void eval(OpCall& c) {
    const ConstCol& y = c.in[iy];
    const ConstCol& nu = c.in[inu];
    const ConstCol& mu = c.in[imu];
    const ConstCol& sigma = c.in[isig];
    const Eigen::Index rows = y.size();
    const bool d_nu = c.want_d1(inu);
    const bool d_nunu = c.want_d2(inu, inu);
    const bool d_nununu = c.want_d3(inu, inu, inu);
    double last = std::numeric_limits<double>::quiet_NaN();
    NuTerms nt;
    for (Eigen::Index r = 0; r < rows; ++r) {
        if (!(nu[r] == last)) {
            last = nu[r];
            nt = nu_terms(last, d_nu, d_nunu, d_nununu);
        }
        c.value[r] = nt.c;
        if (d_nu) c.d1[inu][r] = nt.c1;
        if (d_nunu) c.d2[pair_index(inu, inu, arity)][r] = nt.c2;
        if (d_nununu) c.d3[triple_index(inu, inu, inu, arity)][r] = nt.c3;
    }
    const Eigen::ArrayXd sqrt_nu = nu.sqrt();
    const Eigen::ArrayXd z = (y - mu) / sigma;
    const Eigen::ArrayXd u = z / sqrt_nu;
    const auto big = u.abs() > 1.0;
    const Eigen::ArrayXd v2 = big.select(u.inverse().square(), u.square());  // min(u^2, 1/u^2)
    const Eigen::ArrayXd log1p_u2 = big.select(2.0 * u.abs().log() + v2.log1p(), v2.log1p());
    c.value += -sigma.log() - 0.5 * (nu + 1.0) * log1p_u2;
    if (want_any_partial(c)) {
        const Eigen::ArrayXd small_part = v2 / (1.0 + v2);
        const Eigen::ArrayXd large_part = (1.0 + v2).inverse();
        const Eigen::ArrayXd q = big.select(small_part, large_part);
        const Eigen::ArrayXd t = big.select(large_part, small_part);
        const Eigen::ArrayXd m = big.select((u + u.inverse()).inverse(), u * large_part);
        const auto np1 = nu + 1.0;
        location_scale_partials(c, iy, imu, isig, sigma, -np1 * m / sqrt_nu, -np1 * t, -np1 * q * (q - t) / nu,
                                -np1 * m * (q - t) / sqrt_nu, -np1 * t * (q - t));
        if (d_nu) {
            // log1pmx(-t) = t - log1p(u^2); the series form for t < 1/2,
            // where the two terms would cancel, and the direct one above,
            // where t rounds to 1 and log1p(-t) would be -inf.
            for (Eigen::Index r = 0; r < rows; ++r) {
                const double lm = t[r] < 0.5 ? log1pmx(-t[r]) : t[r] - log1p_u2[r];
                c.d1[inu][r] += 0.5 * lm + 0.5 * t[r] / nu[r];
            }
        }
        if (d_nunu) {
            c.d2[pair_index(inu, inu, arity)] += ((nu - 1.0) * t.square() - 2.0 * t * q) / (2.0 * nu.square());
        }
        const bool d_ynu = c.want_d2(iy, inu);
        const bool d_munu = c.want_d2(imu, inu);
        if (d_ynu || d_munu) {
            const Eigen::ArrayXd g = -m * (t - q / nu) / (sqrt_nu * sigma);
            if (d_ynu) c.d2[pair_index(iy, inu, arity)] = g;
            if (d_munu) c.d2[pair_index(imu, inu, arity)] = -g;
        }
        if (c.want_d2(inu, isig)) c.d2[pair_index(inu, isig, arity)] = t * (t - q / nu) / sigma;
        if (c.want_any_d3()) third_partials(c, sqrt_nu, q, t, m);
    }
    finish_rows(c, def);
}

// The distribution functions. For u >= 0 the upper tail of the standard
// t is S(u) = P(T > u) = I_x(nu/2, 1/2)/2 at x = nu/(nu + u^2), 1 - x =
// u^2/(nu + u^2) (incomplete_beta.hpp, inputs (x, a, b) = (x, nu/2, 1/2)).
// In (u, nu), with L = log S, f the t density and g = d/dnu log f(u) (eval's
// d/dnu at z = u, sigma = 1):
//     L_nu = L_x x_nu + L_a/2,   L_nu,nu = L_xx x_nu^2 + L_xa x_nu + L_aa/4 + L_x x_nu,nu
//     L_u = L_x x_u (= -f/S; -2 f(0) at u = 0, where 1 - x is 0)
//     L_uu = L_u (f'/f - L_u),   f'/f = -(nu + 1) u/(nu + u^2)
//     L_u,nu = L_u (g - L_nu)
// from x_u = -2 x^2 u/nu, x_nu = x (1 - x)/nu, x_nu,nu = -2 x^2 (1 - x)/nu^2.
// The u partials are written through f rather than through x's own second
// partials, whose two terms grow like 1/u and cancel near u = 0.
LogSide<2> upper_tail(double u, double nu) {
    // x and 1 - x from r = u^2/nu, or from 1/r for u^2 > nu, so that
    // neither rounds to 0 or 1 before it must.
    const double r = u * u / nu;
    const double x = r > 1 ? (1 / r) / (1 + 1 / r) : 1 / (1 + r);
    const double x_c = r > 1 ? 1 / (1 + 1 / r) : r / (1 + r);
    const IncBetaSide b = incomplete_beta_sides(x, x_c, 0.5 * nu, 0.5).lower;
    const double lx = b.d1[0];
    const double x_nu = x * x_c / nu;
    LogSide<2> t;
    t.value = b.value - 0.6931471805599453;
    const double l_nu = x_c > 0 ? lx * x_nu + 0.5 * b.d1[1] : 0.0;
    const double l_nunu = x_c > 0 ? b.d2[pair_index(0, 0, 3)] * x_nu * x_nu + b.d2[pair_index(0, 1, 3)] * x_nu +
                                        0.25 * b.d2[pair_index(1, 1, 3)] - lx * 2 * x * x * x_c / (nu * nu)
                                  : 0.0;
    const NuTerms nt = nu_terms(nu, true, false, false);
    const double l_u = x_c > 0 ? lx * (-2 * x * x * u / nu) : -2 * std::exp(nt.c);
    const double lm = x_c < 0.5 ? log1pmx(-x_c) : x_c + std::log(x);
    const double g = nt.c1 + 0.5 * lm + 0.5 * x_c / nu;
    t.d1 = {l_u, l_nu};
    t.d2[pair_index(0, 0, 2)] = l_u * (-(nu + 1) * u / (nu + u * u) - l_u);
    t.d2[pair_index(0, 1, 2)] = l_u * (g - l_nu);
    t.d2[pair_index(1, 1, 2)] = l_nunu;
    return t;
}

// log P(T <= z) (lower) or log P(T > z) in (z, nu): the upper tail at
// |z| (with the signs of its odd z partials turned for z < 0), or 1 minus
// it; then (y, mu, sigma) by z = (y - mu)/sigma (cdf.hpp, standardized).
void write(const std::array<double, 4>& in, bool lower, CdfRow& out) {
    const double nu = in[inu];
    const Inner<3> z = standardized(in[iy], in[imu], in[isig]);
    LogSide<2> t = upper_tail(std::abs(z.z), nu);
    if (z.z < 0) {
        t.d1[0] = -t.d1[0];
        t.d2[pair_index(0, 1, 2)] = -t.d2[pair_index(0, 1, 2)];
    }
    // The tail itself is log P(T > z) for z >= 0 and log P(T <= z) for z < 0.
    if ((z.z >= 0) == lower) t = complement_side(t);
    out.value = t.value;
    const double g_z = t.d1[0];
    const double g_zz = t.d2[pair_index(0, 0, 2)];
    const double g_znu = t.d2[pair_index(0, 1, 2)];
    // z's inputs (y, mu, sigma) are inputs (iy, imu, isig).
    constexpr std::array<int, 3> at = {iy, imu, isig};
    out.d1[inu] = t.d1[1];
    out.d2[pair_index(inu, inu, arity)] = t.d2[pair_index(1, 1, 2)];
    for (int i = 0; i < 3; ++i) {
        const double zi = z.d1[static_cast<std::size_t>(i)];
        const int ai = at[static_cast<std::size_t>(i)];
        out.d1[static_cast<std::size_t>(ai)] = g_z == 0 ? 0.0 : g_z * zi;
        out.d2[pair_index(std::min(ai, inu), std::max(ai, inu), arity)] = g_znu == 0 ? 0.0 : g_znu * zi;
        for (int j = i; j < 3; ++j) {
            const int aj = at[static_cast<std::size_t>(j)];
            const double second = g_zz == 0 ? 0.0 : (g_zz * zi) * z.d1[static_cast<std::size_t>(j)];
            const double first = g_z == 0 ? 0.0 : g_z * z.d2[static_cast<std::size_t>(pair_index(i, j, 3))];
            out.d2[pair_index(std::min(ai, aj), std::max(ai, aj), arity)] = second + first;
        }
    }
}

void lcdf(OpCall& c) {
    eval_cdf_rows<4>(c, def, CdfSide::lower, [](const auto& x, CdfRow& out) { write(x, true, out); });
}

void lccdf(OpCall& c) {
    eval_cdf_rows<4>(c, def, CdfSide::upper, [](const auto& x, CdfRow& out) { write(x, false, out); });
}

}  // namespace

const DistributionDef& student_t_def() { return def; }

}  // namespace mlec::rt::detail

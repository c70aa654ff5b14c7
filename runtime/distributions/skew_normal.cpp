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
// The distribution functions integrate the density in the log domain (see
// lower_side below): F = Phi(z) - 2 T(z, alpha) with Owen's T cancels in a
// tail (z < 0 < alpha, and 1 - F for alpha < 0 < z) to nothing.
#include "runtime/distributions/cdf.hpp"
#include "runtime/distributions/detail.hpp"
#include "runtime/distributions/double_exponential.hpp"
#include "runtime/distributions/log_side.hpp"
#include "runtime/random.hpp"
#include "runtime/special_functions.hpp"

namespace mlec::rt::detail {
namespace {

constexpr DistArg args[] = {{"xi", Domain::real}, {"omega", Domain::positive}, {"alpha", Domain::real}};

void eval(OpCall& c);
void lcdf(OpCall& c);
void lccdf(OpCall& c);

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
                              .op = {.name = "skew_normal", .arity = 4, .eval = &eval, .third = true},
                              .sample = &sample,
                              .mean = &mean,
                              .lcdf = {"skew_normal_lcdf", 4, &lcdf, false},
                              .lccdf = {"skew_normal_lccdf", 4, &lccdf, false}};

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
// crosses zero.) Third partials, with l3 = L''' (special::log_phi_third,
// tail-exact) and m' = dm/dt = 2 l2 + t l3: h''' = alpha^3 l3, so the
// y, xi, omega block (location_scale_third) has the numerators
//   n30 = alpha^3 l3    n21 = 2 - 2 alpha^2 l2 - alpha^2 t l3
//   n12 = -6z + 2 alpha l1 + 4 alpha t l2 + alpha t^2 l3
//   n03 = -(2 - 12 z^2 + 6 t l1 + 6 t^2 l2 + t^3 l3)
// and with alpha (dt/domega = -t/omega, dz/domega = -z/omega):
//   d3/dalpha dy2 = d3/dalpha dxi2 = -d3/dalpha dy dxi = alpha m'/omega^2
//   d3/dalpha dy domega = -d3/dalpha dxi domega = -(m + t m')/omega^2
//   d3/dalpha domega2 = z (2m + t m')/omega^2
//   d3/dalpha2 dy = -d3/dalpha2 dxi = z m'/omega
//   d3/dalpha2 domega = -z^2 m'/omega      d3/dalpha3 = z^3 l3
// The third partials (above), in a function of their own: inlined into
// eval, they make GCC 12 warn falsely (-Wuninitialized) inside Eigen's
// vectorized log (as in lognormal).
void third_partials(OpCall& c, const Eigen::ArrayXd& z, const Eigen::ArrayXd& t, const Eigen::ArrayXd& l1,
                    const Eigen::ArrayXd& l2, const Eigen::ArrayXd& m) {
    const ConstCol& omega = c.in[2];
    const ConstCol& alpha = c.in[ia];
    const Eigen::Index rows = z.size();
    Eigen::ArrayXd l3(rows);
    for (Eigen::Index r = 0; r < rows; ++r) {
        const double third = special::log_phi_third(t[r])[3];
        l3[r] = l1[r] > 0 ? third : 0.0;  // t > 38: the limits, as l1 and l2
    }
    const Eigen::ArrayXd a2 = alpha.square();
    location_scale_third(c, 0, 1, 2, omega, a2 * alpha * l3, 2.0 - 2.0 * a2 * l2 - a2 * t * l3,
                         -6.0 * z + 2.0 * alpha * l1 + 4.0 * alpha * t * l2 + alpha * t.square() * l3,
                         -(2.0 - 12.0 * z.square() + 6.0 * t * l1 + 6.0 * t.square() * l2 + t.cube() * l3));
    const Eigen::ArrayXd m1 = 2.0 * l2 + t * l3;  // m'
    const auto inv_o = omega.inverse();
    auto put = [&](int i, int j, int k, const auto& value) {
        if (c.want_d3(i, j, k)) c.d3[triple_index(i, j, k, arity)] = value;
    };
    const Eigen::ArrayXd a_yy = alpha * m1 * inv_o.square();
    put(ia, 0, 0, a_yy);
    put(ia, 1, 1, a_yy);
    put(ia, 0, 1, -a_yy);
    const Eigen::ArrayXd a_yo = -(m + t * m1) * inv_o.square();
    put(ia, 0, 2, a_yo);
    put(ia, 1, 2, -a_yo);
    put(ia, 2, 2, z * (2.0 * m + t * m1) * inv_o.square());
    const Eigen::ArrayXd aa_y = z * m1 * inv_o;
    put(ia, ia, 0, aa_y);
    put(ia, ia, 1, -aa_y);
    put(ia, ia, 2, -z.square() * m1 * inv_o);
    put(ia, ia, ia, z.cube() * l3);
}

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
        if (c.want_any_d3()) third_partials(c, z, t, l1, l2, m);
    }
    finish_rows(c, def);
}

// ---- distribution functions ----------------------------------------------
//
// Of the standardized variable Z (z = (y - xi)/omega, shape a = alpha), with
// density f(z) = 2 phi(z) Phi(a z) = exp(psi(z)):
//     F(z; a) = f(z) J(z; a),  J = integral_0^inf exp(E(u)) du,
//     E(u) = psi(z - u) - psi(z),
// J being the skew normal's Mills ratio. E is formed from u without
// subtracting two large logs: with L = log Phi, r = L' = phi/Phi and
// q(x) = r(x) + x (small and positive for x <= 0), x0 = a z, x1 = a (z - u),
//     E   = (1 + a^2) u (z - u/2) - log(r(x1)/r(x0))           (x0 <= 0)
//         = u (z - u/2) + L(x1) - L(x0)                         (x0 > 0)
// and its partials, the integrands of J_z and J_a:
//     E_z = (1 + a^2) u + a (q(x1) - q(x0))   = u + a (r(x1) - r(x0))
//     E_a = a u (2z - u) + z (q(x1) - q(x0)) - u q(x1) = (z - u) r(x1) - z r(x0)
// (L(x) = -x^2/2 - log sqrt(2 pi) - log r(x) gives the first forms, whose
// terms keep their digits where a z is far below 0 and L(x1), L(x0) are
// both near -a^2 z^2/2). Then, with G = log F:
//     G    = log 2 + log phi(z) + L(x0) + log J
//     G_z  = f/F = 1/J,  G_a = F_a/F = -r(x0)/((1 + a^2) J)
// (F_a = -2 dT/da = -exp(-z^2 (1 + a^2)/2)/(pi (1 + a^2)), closed form), and
//     G_zz = -J_z/J^2,  G_za = -J_a/J^2,
//     G_aa = -z r'(x0)/((1 + a^2) J) + 2 a r(x0)/((1 + a^2)^2 J) + r(x0) J_a/((1 + a^2) J^2).
// This is log F exact to the quadrature's precision however far in the
// lower tail, where Phi(z) - 2 T(z, a) would cancel to nothing (z < 0 < a).
// It is the smaller side that is integrated: the lower one for z at most
// the mean delta sqrt(2/pi) (F below about 0.6 there), otherwise the upper
// one by the reflection 1 - F(z; a) = F(-z; -a); the other side is
// log(1 - S) of it (complement_side).

// log Phi(x), r = phi/Phi, r' = L'' and q = r + x at one point.
struct PhiTerms {
    double l = 0;
    double r = 0;
    double dr = 0;
    double q = 0;
};

PhiTerms phi_terms(double x) {
    const auto [l, l1, l2] = special::log_phi(x, true, true);
    // Past x = 38, r underflows to 0 and q = x (its limit).
    return {l, l1, l2, l1 > 0 ? -l2 / l1 : x};
}

// log F(z; a) and its partials in (z, a) (d2 packed by pair_index(., ., 2)).
LogSide<2> lower_side(double z, double a) {
    constexpr double tol = 1e-15;
    constexpr double inf = std::numeric_limits<double>::infinity();
    const double x0 = a * z;
    const PhiTerms p0 = phi_terms(x0);
    const double c = 1 + a * a;
    const bool q_form = x0 <= 0;
    struct Exponent {
        double e, ez, ea;
    };
    const auto exponent = [&](double u) -> Exponent {
        const PhiTerms p1 = phi_terms(a * (z - u));
        if (q_form) {
            const double dq = p1.q - p0.q;
            return {c * u * (z - 0.5 * u) - std::log(p1.r / p0.r), c * u + a * dq,
                    a * u * (2 * z - u) + z * dq - u * p1.q};
        }
        return {u * (z - 0.5 * u) + p1.l - p0.l, u + a * (p1.r - p0.r), (z - u) * p1.r - z * p0.r};
    };
    // The integrands of J, J_z and J_a, exp(E(u)) times (1, E_z, E_a), from
    // one evaluation of E; 0 where its Gaussian factor alone is below e^-750
    // (the rest of E is negative in the first form, r falling, and below
    // log 2 in the second), without evaluating log Phi at an argument that
    // may have overflowed.
    const auto integrands = [&](double u) {
        if ((q_form ? c : 1.0) * u * (z - 0.5 * u) < -750) return std::array<double, 3>{};
        const Exponent e = exponent(u);
        const double w = std::exp(e.e);
        if (w == 0) return std::array<double, 3>{};
        return std::array<double, 3>{w, w * e.ez, w * e.ea};
    };
    // Over u >= u0, in units `width` of the integrand's decay there.
    const auto from = [&](double u0, double width) {
        std::array<double, 3> out =
            integrate_double_exponential<3>([&](double v) { return integrands(u0 + width * v); }, inf, tol);
        for (double& v : out) v *= width;
        return out;
    };
    // For z, a > 0, Phi(a (z - u)) falls from 1 to 0 within 1/a of u = z, a
    // kink for large a: [0, z] and the rest (at width 1/sqrt(1 + a^2)) are
    // integrated apart. Otherwise in units of the width at u = 0: the decay
    // rate psi'(z) = -z + a r(x0), or the curvature 1 - a^2 r'(x0) where the
    // integrand falls slowly.
    const bool kink = z > 0 && a > 0;
    const double width = 1 / std::max(-z + a * p0.r, std::sqrt(1 - a * a * p0.dr));
    std::array<double, 3> js{};
    if (kink) {
        const std::array<double, 3> near = integrate_double_exponential<3>(integrands, z, tol);
        const std::array<double, 3> far = from(z, 1 / std::sqrt(c));
        for (std::size_t k = 0; k < 3; ++k) js[k] = near[k] + far[k];
    } else {
        js = from(0.0, width);
    }
    const auto [j, jz, ja] = js;
    LogSide<2> s;
    s.value = log_2 - log_sqrt_2pi - 0.5 * z * z + p0.l + std::log(j);
    s.d1 = {1 / j, -p0.r / (c * j)};
    s.d2[pair_index(0, 0, 2)] = -jz / (j * j);
    s.d2[pair_index(0, 1, 2)] = -ja / (j * j);
    s.d2[pair_index(1, 1, 2)] = -z * p0.dr / (c * j) + 2 * a * p0.r / (c * c * j) + p0.r * ja / (c * j * j);
    return s;
}

// log P(Z <= z) (lower) or log P(Z > z) in (z, a); at an infinite z (an
// overflowed (y - xi)/omega) probability 0 or 1 with zero partials.
LogSide<2> side(double z, double a, bool lower) {
    if (!std::isfinite(z)) {
        LogSide<2> s;
        if ((z > 0) == lower) s.value = 0;
        return s;
    }
    // The mean, sin(atan(a)) sqrt(2/pi), parts the sides (the side below it
    // has probability at most about 0.6).
    const bool lower_is_small = z <= std::sin(std::atan(a)) * 0.79788456080286535587989211986876;
    if (lower_is_small) {
        const LogSide<2> s = lower_side(z, a);
        return lower ? s : complement_side(s);
    }
    // P(Z > z; a) = P(Z <= -z; -a): partials in z and a change sign.
    LogSide<2> s = lower_side(-z, -a);
    s.d1[0] = -s.d1[0];
    s.d1[1] = -s.d1[1];
    return lower ? complement_side(s) : s;
}

// From (z, a) to the inputs (y, xi, omega, alpha) by the chain rule in z.
void eval_side(OpCall& c, bool lower) {
    eval_cdf_rows<arity>(c, def, lower ? CdfSide::lower : CdfSide::upper, [lower](const auto& x, CdfRow& out) {
        const Inner<3> z = standardized(x[0], x[1], x[2]);
        const LogSide<2> s = side(z.z, x[ia], lower);
        out.value = s.value;
        const double gz = s.d1[0];
        const double gzz = s.d2[pair_index(0, 0, 2)];
        const double gza = s.d2[pair_index(0, 1, 2)];
        for (int i = 0; i < 3; ++i) {
            const auto iu = static_cast<std::size_t>(i);
            const double zi = z.d1[iu];
            out.d1[iu] = gz == 0 ? 0.0 : gz * zi;
            out.d2[static_cast<std::size_t>(pair_index(i, ia, arity))] = gza == 0 ? 0.0 : gza * zi;
            for (int k = i; k < 3; ++k) {
                const double second = gzz == 0 ? 0.0 : (gzz * zi) * z.d1[static_cast<std::size_t>(k)];
                out.d2[static_cast<std::size_t>(pair_index(i, k, arity))] =
                    second + (gz == 0 ? 0.0 : gz * z.d2[static_cast<std::size_t>(pair_index(i, k, 3))]);
            }
        }
        out.d1[ia] = s.d1[1];
        out.d2[static_cast<std::size_t>(pair_index(ia, ia, arity))] = s.d2[pair_index(1, 1, 2)];
    });
}

void lcdf(OpCall& c) { eval_side(c, true); }
void lccdf(OpCall& c) { eval_side(c, false); }

}  // namespace

const DistributionDef& skew_normal_def() { return def; }

}  // namespace mlec::rt::detail

// The built-in functions and operators as graph ops. Each op writes its value
// and only the partials the caller asked for (OpCall::want_d1 / want_d2).
// Outputs are assumed not to alias inputs; an op may use its own output
// buffers as scratch space before writing their final contents.
#include "runtime/functions.hpp"

#include <array>
#include <cmath>
#include <limits>

#include <boost/math/special_functions/erf.hpp>
#include <boost/math/special_functions/polygamma.hpp>

#include "runtime/special_functions.hpp"

namespace mlec::rt {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// Packed second-partial slots (see pair_index) for one and two inputs.
constexpr int p00 = 0;     // unary f''
constexpr int a_a = pair_index(0, 0, 2);
constexpr int a_b = pair_index(0, 1, 2);
constexpr int b_b = pair_index(1, 1, 2);

void zero_requested_d2(OpCall& c) {
    for (Col& d : c.d2) {
        if (d.size() > 0) d.setZero();
    }
}

bool detail_want_any(const OpCall& c) {
    for (const Col& d : c.d1) {
        if (d.size() > 0) return true;
    }
    for (const Col& d : c.d2) {
        if (d.size() > 0) return true;
    }
    return false;
}

// ---- arithmetic -----------------------------------------------------------

void eval_add(OpCall& c) {
    c.value = c.in[0] + c.in[1];
    if (c.want_d1(0)) c.d1[0].setOnes();
    if (c.want_d1(1)) c.d1[1].setOnes();
    zero_requested_d2(c);
}

void eval_sub(OpCall& c) {
    c.value = c.in[0] - c.in[1];
    if (c.want_d1(0)) c.d1[0].setOnes();
    if (c.want_d1(1)) c.d1[1].setConstant(-1.0);
    zero_requested_d2(c);
}

void eval_neg(OpCall& c) {
    c.value = -c.in[0];
    if (c.want_d1(0)) c.d1[0].setConstant(-1.0);
    zero_requested_d2(c);
}

// d(ab)/da = b, d(ab)/db = a, d2/dadb = 1.
void eval_mul(OpCall& c) {
    const ConstCol& a = c.in[0];
    const ConstCol& b = c.in[1];
    c.value = a * b;
    if (c.want_d1(0)) c.d1[0] = b;
    if (c.want_d1(1)) c.d1[1] = a;
    if (c.want_d2(0, 0)) c.d2[a_a].setZero();
    if (c.want_d2(0, 1)) c.d2[a_b].setOnes();
    if (c.want_d2(1, 1)) c.d2[b_b].setZero();
}

// f = a/b: f_a = 1/b, f_b = -a/b^2 = -f/b, f_ab = -1/b^2, f_bb = 2a/b^3 = 2f/b^2.
// Writing the b-partials through f avoids overflowing b^2, b^3.
void eval_div(OpCall& c) {
    const ConstCol& a = c.in[0];
    const ConstCol& b = c.in[1];
    c.value = a / b;
    const Col& f = c.value;
    if (c.want_d1(0)) c.d1[0] = b.inverse();
    if (c.want_d1(1)) c.d1[1] = -f / b;
    if (c.want_d2(0, 0)) c.d2[a_a].setZero();
    if (c.want_d2(0, 1)) c.d2[a_b] = -(b.inverse().square());
    if (c.want_d2(1, 1)) c.d2[b_b] = 2.0 * (f / b) / b;
}

// c * a^k with the convention 0 * (anything) = 0, so that the vanishing
// coefficients of the power rule win over 0^negative = inf (d/da a^1 at a = 0
// is 1 * 0^0 = 1; d/da a^0 is 0 even at a = 0).
double coef_pow(double coef, double a, double k) { return coef == 0.0 ? 0.0 : coef * std::pow(a, k); }

// f = a^b.
//   f_a  = b a^(b-1)              f_aa = b (b-1) a^(b-2)
//   f_b  = a^b log a              f_bb = a^b (log a)^2
//   f_ab = a^(b-1) (1 + b log a)
// a > 0: the formulas as written.
// a = 0: f(0, b) = 0 for every b > 0, so f_b = f_bb = 0 there (the limit of
//   a^b log a is 0; 0 * log 0 would give NaN). f_ab = d/db (b 0^(b-1)) is 0
//   for b > 1 and undefined at b <= 1 (NaN). b <= 0 gives 0^b = inf or a jump:
//   f_b, f_bb NaN.
// a < 0: a^b is real only at integer b (std::pow gives NaN elsewhere), and the
//   power rule in a still holds there, so f, f_a, f_aa are finite; but b -> a^b
//   is not defined on any neighbourhood of b, so f_b, f_ab, f_bb are NaN.
//   A model only asks for them when the exponent depends on a parameter, and
//   then a negative base is a modelling error the NaN makes visible.
void eval_pow(OpCall& c) {
    const ConstCol& a = c.in[0];
    const ConstCol& b = c.in[1];
    const Eigen::Index n = a.size();
    const bool d_a = c.want_d1(0);
    const bool d_b = c.want_d1(1);
    const bool d_aa = c.want_d2(0, 0);
    const bool d_ab = c.want_d2(0, 1);
    const bool d_bb = c.want_d2(1, 1);
    const bool any_b = d_b || d_ab || d_bb;
    for (Eigen::Index i = 0; i < n; ++i) {
        const double x = a[i];
        const double e = b[i];
        const double f = std::pow(x, e);
        c.value[i] = f;
        if (x > 0) {
            // a^(b-1) = f/a to within an ulp whenever f is a normal number
            // (one division instead of a second pow); else pow itself.
            const double f1 = std::isnormal(f) ? f / x : std::pow(x, e - 1.0);
            if (d_a) c.d1[0][i] = e == 0.0 ? 0.0 : e * f1;
            if (d_aa) c.d2[a_a][i] = e == 0.0 || e == 1.0 ? 0.0 : e * (e - 1.0) * (f1 / x);
            if (!any_b) continue;
            const double la = std::log(x);
            if (d_b) c.d1[1][i] = f * la;
            if (d_ab) c.d2[a_b][i] = f1 * (1.0 + e * la);
            if (d_bb) c.d2[b_b][i] = f * la * la;
            continue;
        }
        if (d_a) c.d1[0][i] = coef_pow(e, x, e - 1.0);
        if (d_aa) c.d2[a_a][i] = coef_pow(e * (e - 1.0), x, e - 2.0);
        // See above: at a = 0 the b-partials exist only for b > 0 (b > 1 for
        // f_ab); at a < 0 never.
        const bool zero_base = x == 0;
        if (d_b) c.d1[1][i] = zero_base && e > 0 ? 0.0 : nan;
        if (d_ab) c.d2[a_b][i] = zero_base && e > 1 ? 0.0 : nan;
        if (d_bb) c.d2[b_b][i] = zero_base && e > 0 ? 0.0 : nan;
    }
}

// ---- unary functions ------------------------------------------------------

void eval_exp(OpCall& c) {
    special::assign_exp(c.value, c.in[0]);
    if (c.want_d1(0)) c.d1[0] = c.value;
    if (c.want_d2(0, 0)) c.d2[p00] = c.value;
}

void eval_log(OpCall& c) {
    const ConstCol& x = c.in[0];
    special::assign_log(c.value, x);
    if (c.want_d1(0)) c.d1[0] = x.inverse();
    if (c.want_d2(0, 0)) c.d2[p00] = -(x.inverse().square());
}

void eval_log1p(OpCall& c) {
    const ConstCol& x = c.in[0];
    c.value = x;
    special::log1p_in_place(c.value);
    if (c.want_d1(0)) c.d1[0] = (1.0 + x).inverse();
    if (c.want_d2(0, 0)) c.d2[p00] = -((1.0 + x).inverse().square());
}

// d/dx expm1(x) = exp(x), not expm1(x) + 1, which loses the tail for x << 0.
void eval_expm1(OpCall& c) {
    const ConstCol& x = c.in[0];
    c.value = x.expm1();
    const bool d1 = c.want_d1(0);
    const bool d2 = c.want_d2(0, 0);
    if (d1) special::assign_exp(c.d1[0], x);
    if (d2) {
        if (d1) {
            c.d2[p00] = c.d1[0];
        } else {
            special::assign_exp(c.d2[p00], x);
        }
    }
}

// (sqrt x)' = 1/(2 sqrt x), (sqrt x)'' = -1/(4 x sqrt x) = -(sqrt x)'/(2x).
void eval_sqrt(OpCall& c) {
    const ConstCol& x = c.in[0];
    c.value = x.sqrt();
    const bool d1 = c.want_d1(0);
    const bool d2 = c.want_d2(0, 0);
    if (d1) c.d1[0] = 0.5 / c.value;
    if (d2) c.d2[p00] = -0.25 / (x * c.value);
}

// |x|' = sign(x), taken as 0 at x = 0 (the midpoint of the subgradient);
// |x|'' = 0 everywhere it exists.
void eval_abs(OpCall& c) {
    const ConstCol& x = c.in[0];
    c.value = x.abs();
    if (c.want_d1(0)) c.d1[0] = x.sign();
    if (c.want_d2(0, 0)) c.d2[p00].setZero();
}

// sigma(x) = 1/(1+exp(-x)) written through e = exp(-|x|) <= 1, which never
// overflows:  sigma = 1/(1+e) for x >= 0,  e/(1+e) for x < 0.
//   sigma'  = sigma (1 - sigma) = e/(1+e)^2                  (even in x)
//   sigma'' = sigma' (1 - 2 sigma) = -sign(x) sigma' (1-e)/(1+e)
// Both derivative forms keep full relative precision in the tails, where
// 1 - sigma would cancel.
void eval_sigmoid(OpCall& c) {
    const ConstCol& x = c.in[0];
    Col& e = c.value;  // scratch until the last line
    special::assign_exp(e, -x.abs());
    const bool d1 = c.want_d1(0);
    const bool d2 = c.want_d2(0, 0);
    if (d1) c.d1[0] = e / (1.0 + e).square();
    if (d2) {
        c.d2[p00] = -x.sign() * (e / (1.0 + e).square()) * (1.0 - e) / (1.0 + e);
    }
    c.value = (x >= 0).select((1.0 + e).inverse(), e / (1.0 + e));
}

// logit(p) = log(p) - log1p(-p): both terms are accurate near 0 and near 1,
// where log(p/(1-p)) would round 1-p first.
//   logit'  = 1/p + 1/(1-p) = 1/(p(1-p))
//   logit'' = -1/p^2 + 1/(1-p)^2 = (2p-1)/(p(1-p))^2
void eval_logit(OpCall& c) {
    const ConstCol& p = c.in[0];
    special::assign_log(c.value, p);
    c.value -= (-p).log1p();
    const bool d1 = c.want_d1(0);
    const bool d2 = c.want_d2(0, 0);
    if (d1) c.d1[0] = (p * (1.0 - p)).inverse();
    if (d2) c.d2[p00] = (2.0 * p - 1.0) * (p * (1.0 - p)).inverse().square();
}

// tanh' = sech^2 x = 4e/(1+e)^2 with e = exp(-2|x|) (1 - tanh^2 would cancel
// to 0 for |x| > 19); tanh'' = -2 tanh(x) tanh'(x).
void eval_tanh(OpCall& c) {
    const ConstCol& x = c.in[0];
    c.value = x.tanh();
    const bool d1 = c.want_d1(0);
    const bool d2 = c.want_d2(0, 0);
    if (!d1 && !d2) return;
    // sech^2 goes into the first wanted output (one exp per row), then the
    // second partial is formed from it.
    Col& sech2 = d1 ? c.d1[0] : c.d2[p00];
    special::assign_exp(sech2, -2.0 * x.abs());
    sech2 = 4.0 * sech2 / (1.0 + sech2).square();
    if (d1 && d2) {
        c.d2[p00] = -2.0 * c.value * sech2;
    } else if (d2) {
        c.d2[p00] *= -2.0 * c.value;
    }
}

// A unary special function whose argument is often a broadcast parameter,
// identical on every row: value and derivatives (computed together by
// `at(x, want_d1, want_d2)` -> {f, f', f''}) are recomputed only when the
// argument changes from the previous row.
template <class At>
void eval_cached_unary(OpCall& c, At&& at) {
    const ConstCol& x = c.in[0];
    const Eigen::Index n = x.size();
    const bool d1 = c.want_d1(0);
    const bool d2 = c.want_d2(0, 0);
    double last = nan;
    std::array<double, 3> f{nan, nan, nan};
    for (Eigen::Index i = 0; i < n; ++i) {
        if (!(x[i] == last)) {
            last = x[i];
            f = at(last, d1, d2);
        }
        c.value[i] = f[0];
        if (d1) c.d1[0][i] = f[1];
        if (d2) c.d2[p00][i] = f[2];
    }
}

// lgamma' = digamma, lgamma'' = trigamma (Boost.Math).
void eval_lgamma(OpCall& c) {
    eval_cached_unary(c, [](double x, bool d1, bool d2) {
        return std::array<double, 3>{special::lgamma(x), d1 ? special::digamma(x) : nan,
                                     d2 ? special::trigamma(x) : nan};
    });
}

// ---- the normal CDF and quantile, digamma -------------------------------

constexpr double sqrt_2 = 1.4142135623730950488016887242097;
constexpr double inv_sqrt_2pi = 0.39894228040143267793994605993438;

// Phi(x) = erfc(-x/sqrt 2)/2, accurate to full relative precision in the
// lower tail (1 + erf would cancel to 0 below x = -8);
// Phi' = phi(x) = exp(-x^2/2)/sqrt(2 pi), Phi'' = -x phi(x).
void eval_phi(OpCall& c) {
    const ConstCol& x = c.in[0];
    const Eigen::Index n = x.size();
    for (Eigen::Index i = 0; i < n; ++i) c.value[i] = 0.5 * std::erfc(-x[i] / sqrt_2);
    const bool d1 = c.want_d1(0);
    const bool d2 = c.want_d2(0, 0);
    if (!d1 && !d2) return;
    Col& pdf = d1 ? c.d1[0] : c.d2[p00];
    special::assign_exp(pdf, -0.5 * x.square());
    pdf *= inv_sqrt_2pi;
    if (d2) c.d2[p00] = -x * pdf;  // in place when pdf is d2 itself
}

// probit(p) = Phi^-1(p) = -sqrt 2 erfc^-1(2p) (Boost.Math). Above p = 1/2 the
// upper tail is used instead, sqrt 2 erfc^-1(2(1 - p)), since 1 - p is exact
// there (Sterbenz) and erfc^-1 near 2 would see only the rounded 2p.
// probit(0) = -inf, probit(1) = +inf, NaN outside [0, 1].
//   probit'  = 1/phi(q)
//   probit'' = q/phi(q)^2       (q = probit(p); from phi'(q) = -q phi(q))
// The argument is often a broadcast parameter: recomputed only when it
// changes from the previous row.
void eval_probit(OpCall& c) {
    const ConstCol& p = c.in[0];
    const Eigen::Index n = p.size();
    const bool d1 = c.want_d1(0);
    const bool d2 = c.want_d2(0, 0);
    double last = nan;
    double q = nan;
    double inv_pdf = nan;
    for (Eigen::Index i = 0; i < n; ++i) {
        if (!(p[i] == last)) {
            last = p[i];
            if (!(last >= 0 && last <= 1)) {
                q = nan;
            } else if (last == 0) {
                q = -std::numeric_limits<double>::infinity();
            } else if (last == 1) {
                q = std::numeric_limits<double>::infinity();
            } else if (last < 0.5) {
                q = -sqrt_2 * boost::math::erfc_inv(2 * last, special::Policy());
            } else {
                q = sqrt_2 * boost::math::erfc_inv(2 * (1 - last), special::Policy());
            }
            // 1/phi(q) = sqrt(2 pi) exp(q^2/2); +inf at p = 0 or 1.
            inv_pdf = std::exp(0.5 * q * q) / inv_sqrt_2pi;
        }
        c.value[i] = q;
        if (d1) c.d1[0][i] = inv_pdf;
        if (d2) c.d2[p00][i] = q * inv_pdf * inv_pdf;
    }
}

// digamma' = trigamma, digamma'' = psi^(2) = polygamma(2, x) (Boost.Math).
// At the poles x = 0, -1, -2, ... psi jumps from +inf to -inf: value and
// partials NaN there (psi' is +inf on both sides but psi'' changes sign).
void eval_digamma(OpCall& c) {
    eval_cached_unary(c, [](double x, bool d1, bool d2) {
        const bool pole = special::is_nonpositive_integer(x);
        return std::array<double, 3>{special::digamma(x), d1 && !pole ? special::trigamma(x) : nan,
                                     d2 && !pole ? boost::math::polygamma(2, x, special::Policy()) : nan};
    });
}

// ---- trigonometric, hyperbolic and error functions -------------------------
// Values from <cmath> (Eigen's array functions call it for doubles). Outside
// a function's domain (asin, acos beyond [-1, 1]) the value and partials are
// NaN, as log's are for a negative argument: the fit treats the point as
// outside the likelihood's domain.

// sin' = cos, sin'' = -sin.
void eval_sin(OpCall& c) {
    const ConstCol& x = c.in[0];
    c.value = x.sin();
    if (c.want_d1(0)) c.d1[0] = x.cos();
    if (c.want_d2(0, 0)) c.d2[p00] = -c.value;
}

// cos' = -sin, cos'' = -cos.
void eval_cos(OpCall& c) {
    const ConstCol& x = c.in[0];
    c.value = x.cos();
    if (c.want_d1(0)) c.d1[0] = -x.sin();
    if (c.want_d2(0, 0)) c.d2[p00] = -c.value;
}

// tan' = 1 + tan^2 = sec^2, tan'' = 2 tan sec^2 (1 + tan^2 adds two
// non-negative numbers: no cancellation, unlike 1/cos^2 near the poles
// where cos is a rounded difference).
void eval_tan(OpCall& c) {
    const ConstCol& x = c.in[0];
    c.value = x.tan();
    const bool d1 = c.want_d1(0);
    const bool d2 = c.want_d2(0, 0);
    if (d1) c.d1[0] = 1.0 + c.value.square();
    if (d2) c.d2[p00] = 2.0 * c.value * (1.0 + c.value.square());
}

// asin' = 1/sqrt(1 - x^2), asin'' = x/(1 - x^2)^(3/2), with 1 - x^2 formed
// as (1 - x)(1 + x): 1 - x is exact near x = 1 (Sterbenz), so the partials
// keep their precision where they grow without bound. At x = +-1: +inf and
// +-inf; beyond: NaN (the square root of a negative number).
void asin_partials(OpCall& c, double sign) {
    const ConstCol& x = c.in[0];
    const bool d1 = c.want_d1(0);
    const bool d2 = c.want_d2(0, 0);
    if (!d1 && !d2) return;
    Col& inv_root = d1 ? c.d1[0] : c.d2[p00];  // 1/sqrt(1 - x^2)
    inv_root = ((1.0 - x) * (1.0 + x)).sqrt().inverse();
    if (d2) c.d2[p00] = sign * x * inv_root.cube();  // in place when inv_root is d2 itself
    if (d1) c.d1[0] *= sign;
}

void eval_asin(OpCall& c) {
    c.value = c.in[0].asin();
    asin_partials(c, 1.0);
}

// acos = pi/2 - asin: the partials of asin, negated.
void eval_acos(OpCall& c) {
    c.value = c.in[0].acos();
    asin_partials(c, -1.0);
}

// atan' = 1/(1 + x^2), atan'' = -2x/(1 + x^2)^2, written -2 (x atan') atan'
// so that no x^4 overflows before the quotient underflows.
void eval_atan(OpCall& c) {
    const ConstCol& x = c.in[0];
    c.value = x.atan();
    const bool d1 = c.want_d1(0);
    const bool d2 = c.want_d2(0, 0);
    if (!d1 && !d2) return;
    Col& inv = d1 ? c.d1[0] : c.d2[p00];  // 1/(1 + x^2)
    inv = (1.0 + x.square()).inverse();
    if (d2) c.d2[p00] = -2.0 * (x * inv) * inv;
}

// f = atan2(y, x), the angle of the point (x, y); with r = hypot(x, y)
// (no overflow of x^2 + y^2) and u = x/r, v = y/r:
//   f_y  = x/r^2 = u/r           f_x  = -y/r^2 = -v/r
//   f_yy = -2xy/r^4 = -2uv/r^2   f_xx = 2uv/r^2
//   f_yx = (y^2 - x^2)/r^4 = (v - u)(v + u)/r^2
// At the origin f is discontinuous: the partials are NaN (0/0).
void eval_atan2(OpCall& c) {
    const ConstCol& y = c.in[0];
    const ConstCol& x = c.in[1];
    const Eigen::Index n = y.size();
    for (Eigen::Index i = 0; i < n; ++i) c.value[i] = std::atan2(y[i], x[i]);
    if (!detail_want_any(c)) return;
    for (Eigen::Index i = 0; i < n; ++i) {
        const double r = std::hypot(x[i], y[i]);
        const double u = x[i] / r;
        const double v = y[i] / r;
        if (c.want_d1(0)) c.d1[0][i] = u / r;
        if (c.want_d1(1)) c.d1[1][i] = -v / r;
        if (c.want_d2(0, 0)) c.d2[a_a][i] = -2.0 * u * v / r / r;
        if (c.want_d2(0, 1)) c.d2[a_b][i] = (v - u) * (v + u) / r / r;
        if (c.want_d2(1, 1)) c.d2[b_b][i] = 2.0 * u * v / r / r;
    }
}

// sinh' = cosh, sinh'' = sinh.
void eval_sinh(OpCall& c) {
    const ConstCol& x = c.in[0];
    c.value = x.sinh();
    if (c.want_d1(0)) c.d1[0] = x.cosh();
    if (c.want_d2(0, 0)) c.d2[p00] = c.value;
}

// cosh' = sinh, cosh'' = cosh.
void eval_cosh(OpCall& c) {
    const ConstCol& x = c.in[0];
    c.value = x.cosh();
    if (c.want_d1(0)) c.d1[0] = x.sinh();
    if (c.want_d2(0, 0)) c.d2[p00] = c.value;
}

constexpr double two_over_sqrt_pi = 1.1283791670955125738961589031215;

// erf' = (2/sqrt pi) exp(-x^2), erf'' = -2x erf'; erfc = 1 - erf has the
// same partials negated (sign = -1). erfc is computed directly, so its
// upper tail keeps full relative precision where 1 - erf would be 0.
void erf_partials(OpCall& c, double sign) {
    const ConstCol& x = c.in[0];
    const bool d1 = c.want_d1(0);
    const bool d2 = c.want_d2(0, 0);
    if (!d1 && !d2) return;
    Col& slope = d1 ? c.d1[0] : c.d2[p00];  // sign * erf'
    special::assign_exp(slope, -x.square());
    slope *= sign * two_over_sqrt_pi;
    if (d2) c.d2[p00] = -2.0 * x * slope;  // in place when slope is d2 itself
}

void eval_erf(OpCall& c) {
    const ConstCol& x = c.in[0];
    for (Eigen::Index i = 0; i < x.size(); ++i) c.value[i] = std::erf(x[i]);
    erf_partials(c, 1.0);
}

void eval_erfc(OpCall& c) {
    const ConstCol& x = c.in[0];
    for (Eigen::Index i = 0; i < x.size(); ++i) c.value[i] = std::erfc(x[i]);
    erf_partials(c, -1.0);
}

// ---- variadic functions (arity -1: in.size() inputs) ---------------------

// sum(x1, ..., xk): linear. (An empty sum is 0.)
void eval_sum(OpCall& c) {
    const int k = static_cast<int>(c.in.size());
    c.value.setZero();
    for (int i = 0; i < k; ++i) {
        c.value += c.in[i];
        if (c.want_d1(i)) c.d1[i].setOnes();
    }
    zero_requested_d2(c);
}

// x1*y1 + x2*y2 + ... (an even number of inputs, paired in order): the
// interpreter's node for a linear predictor b0 + b1*x1 + ... + bk*xk, with
// a summand that is not a product paired with the constant 1. The only
// non-zero second partials are those of the pairs, all 1. (Row-varying
// products are evaluated by the evaluator itself, which uses row-invariant
// factors as numbers; this serves row-invariant nodes and constant folding.)
void eval_sum_of_products(OpCall& c) {
    const int k = static_cast<int>(c.in.size());
    c.value.setZero();
    for (int i = 0; i + 1 < k; i += 2) c.value += c.in[i] * c.in[i + 1];
    for (int j = 0; j < k; ++j)
        if (c.want_d1(j)) c.d1[j] = c.in[j ^ 1];
    zero_requested_d2(c);
    for (int j = 0; j + 1 < k; j += 2)
        if (c.want_d2(j, j + 1)) c.d2[pair_index(j, j + 1, k)].setOnes();
}

// min/max(x1, ..., xk): the partial in x_i is 1 on the rows where x_i is the
// FIRST input attaining the extreme, 0 elsewhere (a subgradient: at a tie the
// first input wins, so exactly one input gets each row's unit); every second
// partial is 0. A NaN in any input makes the row's value NaN. (With no
// inputs, min is +inf and max -inf.)
template <bool is_max>
void eval_extreme(OpCall& c) {
    const int k = static_cast<int>(c.in.size());
    const Eigen::Index n = c.value.size();
    if (k == 0) {
        c.value.setConstant(is_max ? -std::numeric_limits<double>::infinity()
                                   : std::numeric_limits<double>::infinity());
        return;
    }
    c.value = c.in[0];
    // which[r] = index of the winning input (a double, so the selects below
    // vectorize). A NaN input always replaces the running extreme, and no
    // comparison with a NaN extreme succeeds, so NaN propagates.
    Eigen::ArrayXd which = Eigen::ArrayXd::Zero(n);
    for (int i = 1; i < k; ++i) {
        const ConstCol& x = c.in[i];
        for (Eigen::Index r = 0; r < n; ++r) {
            const bool better = is_max ? x[r] > c.value[r] : x[r] < c.value[r];
            if (better || std::isnan(x[r])) {
                c.value[r] = x[r];
                which[r] = i;
            }
        }
    }
    for (int i = 0; i < k; ++i) {
        if (c.want_d1(i)) c.d1[i] = (which == static_cast<double>(i)).select(1.0, Eigen::ArrayXd::Zero(n));
    }
    zero_requested_d2(c);
}

// log_sum_exp(x1, ..., xk) = m + log(sum_i exp(x_i - m)), m = max_i x_i,
// never overflowing. The winning term exp(x_j - m) = 1 (j = the first input
// attaining m) is kept out of the sum: with rest = sum_{i != j} exp(x_i - m),
//     value = m + log1p(rest)
// keeps the tiny contributions that 1 + rest would round away. Partials:
//     d/dx_i = s_i = exp(x_i - m)/(1 + rest)            (the softmax)
//     d2/dx_i dx_j = s_i (delta_ij - s_j),
// the diagonal as s_i (1 - s_i) with 1 - s_j = rest/(1 + rest) for the
// winner (no cancellation when s_j -> 1). Rows where m is infinite: every
// input -inf gives -inf, some input +inf gives +inf, with s = 1 on the first
// such input, 0 elsewhere (the limit along any path on which it stays the
// largest); a NaN input gives NaN.
void eval_log_sum_exp(OpCall& c) {
    const int k = static_cast<int>(c.in.size());
    const Eigen::Index n = c.value.size();
    if (k == 0) {
        c.value.setConstant(-std::numeric_limits<double>::infinity());
        return;
    }
    Eigen::ArrayXd m = c.in[0];
    Eigen::ArrayXd which = Eigen::ArrayXd::Zero(n);
    for (int i = 1; i < k; ++i) {
        const ConstCol& x = c.in[i];
        for (Eigen::Index r = 0; r < n; ++r) {
            if (x[r] > m[r]) {
                m[r] = x[r];
                which[r] = i;
            }
        }
    }
    const bool finite = m.isFinite().all();
    // Shift by m only where it is finite (inf - inf would be NaN); rows with
    // an infinite m are redone below.
    const Eigen::ArrayXd shift = m.isFinite().select(m, 0.0);
    const bool partials = detail_want_any(c);
    // e.col(i) = exp(x_i - m), with the winner's term set to 0 so that the
    // column sum is `rest`; kept only when partials are wanted.
    Eigen::ArrayXXd e(partials ? n : 0, partials ? k : 0);
    Eigen::ArrayXd rest = Eigen::ArrayXd::Zero(n);
    Eigen::ArrayXd term(n);
    for (int i = 0; i < k; ++i) {
        special::assign_exp(term, c.in[i] - shift);
        term = (which == static_cast<double>(i)).select(0.0, term);
        rest += term;
        if (partials) e.col(i) = term;
    }
    c.value = shift + rest.log1p();
    if (partials) {
        const Eigen::ArrayXd inv_total = (1.0 + rest).inverse();
        // softmax s_i into e (the winner's entry: 1/(1 + rest))
        for (int i = 0; i < k; ++i) {
            e.col(i) = (which == static_cast<double>(i)).select(inv_total, e.col(i) * inv_total);
        }
        for (int i = 0; i < k; ++i) {
            if (c.want_d1(i)) c.d1[i] = e.col(i);
        }
        for (int i = 0; i < k; ++i) {
            for (int j = i; j < k; ++j) {
                if (!c.want_d2(i, j)) continue;
                Col& out = c.d2[pair_index(i, j, k)];
                if (i == j) {
                    // 1 - s_i: rest/(1 + rest) for the winner, else 1 - s_i
                    // directly (s_i <= 1/2 there, no cancellation).
                    out = e.col(i) * (which == static_cast<double>(i)).select(rest * inv_total, 1.0 - e.col(i));
                } else {
                    out = -e.col(i) * e.col(j);
                }
            }
        }
    }
    if (finite) return;
    for (Eigen::Index r = 0; r < n; ++r) {
        if (std::isfinite(m[r])) continue;
        bool has_nan = false;
        for (int i = 0; i < k; ++i) has_nan = has_nan || std::isnan(c.in[i][r]);
        c.value[r] = has_nan ? nan : m[r];
        // which[r] is already the first input equal to m[r] (strict > above).
        for (int i = 0; i < k; ++i) {
            if (c.want_d1(i)) c.d1[i][r] = has_nan ? nan : (which[r] == i ? 1.0 : 0.0);
            for (int j = i; j < k; ++j) {
                if (c.want_d2(i, j)) c.d2[pair_index(i, j, k)][r] = has_nan ? nan : 0.0;
            }
        }
    }
}

constexpr double partial_one(int) { return 1.0; }
constexpr double partial_sub(int input) { return input == 0 ? 1.0 : -1.0; }
constexpr double partial_neg(int) { return -1.0; }

constexpr OpDef add_def{"+", 2, &eval_add, true, &partial_one};
constexpr OpDef sub_def{"-", 2, &eval_sub, true, &partial_sub};
constexpr OpDef mul_def{"*", 2, &eval_mul, false, nullptr, true};
constexpr OpDef div_def{"/", 2, &eval_div, false};
constexpr OpDef neg_def{"-", 1, &eval_neg, true, &partial_neg};
constexpr OpDef pow_def{"pow", 2, &eval_pow, false};

constexpr OpDef exp_def{"exp", 1, &eval_exp, false};
constexpr OpDef log_def{"log", 1, &eval_log, false};
constexpr OpDef log1p_def{"log1p", 1, &eval_log1p, false};
constexpr OpDef expm1_def{"expm1", 1, &eval_expm1, false};
constexpr OpDef sqrt_def{"sqrt", 1, &eval_sqrt, false};
constexpr OpDef abs_def{"abs", 1, &eval_abs, false};
constexpr OpDef sigmoid_def{"sigmoid", 1, &eval_sigmoid, false};
constexpr OpDef inv_logit_def{"inv_logit", 1, &eval_sigmoid, false};
constexpr OpDef logit_def{"logit", 1, &eval_logit, false};
constexpr OpDef tanh_def{"tanh", 1, &eval_tanh, false};
constexpr OpDef lgamma_def{"lgamma", 1, &eval_lgamma, false};
constexpr OpDef probit_def{"probit", 1, &eval_probit, false};
constexpr OpDef phi_def{"Phi", 1, &eval_phi, false};
constexpr OpDef digamma_def{"digamma", 1, &eval_digamma, false};
constexpr OpDef sin_def{"sin", 1, &eval_sin, false};
constexpr OpDef cos_def{"cos", 1, &eval_cos, false};
constexpr OpDef tan_def{"tan", 1, &eval_tan, false};
constexpr OpDef asin_def{"asin", 1, &eval_asin, false};
constexpr OpDef acos_def{"acos", 1, &eval_acos, false};
constexpr OpDef atan_def{"atan", 1, &eval_atan, false};
constexpr OpDef atan2_def{"atan2", 2, &eval_atan2, false};
constexpr OpDef sinh_def{"sinh", 1, &eval_sinh, false};
constexpr OpDef cosh_def{"cosh", 1, &eval_cosh, false};
constexpr OpDef erf_def{"erf", 1, &eval_erf, false};
constexpr OpDef erfc_def{"erfc", 1, &eval_erfc, false};
// Variadic. sum, min and max have identically zero second partials, so they
// are marked linear: the Hessian pass skips them.
constexpr OpDef log_sum_exp_def{"log_sum_exp", -1, &eval_log_sum_exp, false};
constexpr OpDef sum_def{"sum", -1, &eval_sum, true, &partial_one};
constexpr OpDef min_def{"min", -1, &eval_extreme<false>, true};
constexpr OpDef max_def{"max", -1, &eval_extreme<true>, true};
constexpr OpDef sum_of_products_def{"sum_of_products", -1, &eval_sum_of_products, false, nullptr, true};

constexpr std::array<const OpDef*, 30> named_functions{
    &exp_def,     &log_def,       &log1p_def,      &expm1_def,   &sqrt_def,
    &abs_def,     &pow_def,       &sigmoid_def,    &inv_logit_def, &logit_def,
    &tanh_def,    &lgamma_def,    &probit_def,     &phi_def,     &digamma_def,
    &sin_def,     &cos_def,       &tan_def,        &asin_def,    &acos_def,
    &atan_def,    &atan2_def,     &sinh_def,       &cosh_def,    &erf_def,
    &erfc_def,
    &log_sum_exp_def, &sum_def,   &min_def,        &max_def};

}  // namespace

const OpDef& op_add() { return add_def; }
const OpDef& op_sub() { return sub_def; }
const OpDef& op_mul() { return mul_def; }
const OpDef& op_div() { return div_def; }
const OpDef& op_pow() { return pow_def; }
const OpDef& op_neg() { return neg_def; }
const OpDef& op_sum_of_products() { return sum_of_products_def; }

const OpDef* find_function(std::string_view name) {
    for (const OpDef* def : all_functions()) {
        if (def->name == name) return def;
    }
    return nullptr;
}

std::span<const OpDef* const> all_functions() {
    return named_functions;
}

}  // namespace mlec::rt

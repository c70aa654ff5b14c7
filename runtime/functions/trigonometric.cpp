// sin cos tan asin acos atan atan2. Kept together: they share one rule for
// arguments outside their domain (below), and asin and acos their partials.
#include "runtime/functions/detail.hpp"

namespace mlec::rt::fn {
namespace {

// Values from <cmath> (Eigen's array functions call it for doubles). Outside
// a function's domain (asin, acos beyond [-1, 1]) the value and partials are
// NaN, as log's are for a negative argument: the fit treats the point as
// outside the likelihood's domain.

// sin' = cos, sin'' = -sin, sin''' = -cos.
void eval_sin(OpCall& c) {
    const ConstCol& x = c.in[0];
    c.value = x.sin();
    if (c.want_d1(0)) c.d1[0] = x.cos();
    if (c.want_d2(0, 0)) c.d2[p00] = -c.value;
    if (c.want_d3(0, 0, 0)) c.d3[t000] = -x.cos();
}

// cos' = -sin, cos'' = -cos, cos''' = sin.
void eval_cos(OpCall& c) {
    const ConstCol& x = c.in[0];
    c.value = x.cos();
    if (c.want_d1(0)) c.d1[0] = -x.sin();
    if (c.want_d2(0, 0)) c.d2[p00] = -c.value;
    if (c.want_d3(0, 0, 0)) c.d3[t000] = x.sin();
}

// tan' = 1 + tan^2 = sec^2, tan'' = 2 tan sec^2 (1 + tan^2 adds two
// non-negative numbers: no cancellation, unlike 1/cos^2 near the poles
// where cos is a rounded difference); tan''' = 2 sec^2 (sec^2 + 2 tan^2)
// = 2 (1 + tan^2)(1 + 3 tan^2), likewise a sum of non-negative terms.
void eval_tan(OpCall& c) {
    const ConstCol& x = c.in[0];
    c.value = x.tan();
    const bool d1 = c.want_d1(0);
    const bool d2 = c.want_d2(0, 0);
    if (d1) c.d1[0] = 1.0 + c.value.square();
    if (d2) c.d2[p00] = 2.0 * c.value * (1.0 + c.value.square());
    if (c.want_d3(0, 0, 0)) c.d3[t000] = 2.0 * (1.0 + c.value.square()) * (1.0 + 3.0 * c.value.square());
}

// asin' = 1/sqrt(1 - x^2), asin'' = x/(1 - x^2)^(3/2), with 1 - x^2 formed
// as (1 - x)(1 + x): 1 - x is exact near x = 1 (Sterbenz), so the partials
// keep their precision where they grow without bound. At x = +-1: +inf and
// +-inf; beyond: NaN (the square root of a negative number).
// asin''' = (1 + 2x^2)/(1 - x^2)^(5/2) (from asin'' = x g^3, g = asin',
// g' = x g^3: g^3 + 3 x^2 g^5 = g^5 (1 - x^2 + 3 x^2)).
void asin_partials(OpCall& c, double sign) {
    const ConstCol& x = c.in[0];
    const bool d1 = c.want_d1(0);
    const bool d2 = c.want_d2(0, 0);
    const bool d3 = c.want_d3(0, 0, 0);
    if (!d1 && !d2 && !d3) return;
    Col& inv_root = d1 ? c.d1[0] : d2 ? c.d2[p00] : c.d3[t000];  // 1/sqrt(1 - x^2)
    inv_root = ((1.0 - x) * (1.0 + x)).sqrt().inverse();
    // d3 first: in place when inv_root is d3, before d2 overwrites it when it is d2
    if (d3) c.d3[t000] = sign * (1.0 + 2.0 * x.square()) * inv_root.square() * inv_root.cube();
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
// so that no x^4 overflows before the quotient underflows;
// atan''' = (6x^2 - 2)/(1 + x^2)^3, written 6 (x atan')^2 atan' - 2 atan'^3.
void eval_atan(OpCall& c) {
    const ConstCol& x = c.in[0];
    c.value = x.atan();
    const bool d1 = c.want_d1(0);
    const bool d2 = c.want_d2(0, 0);
    const bool d3 = c.want_d3(0, 0, 0);
    if (!d1 && !d2 && !d3) return;
    Col& inv = d1 ? c.d1[0] : d2 ? c.d2[p00] : c.d3[t000];  // 1/(1 + x^2)
    inv = (1.0 + x.square()).inverse();
    if (d3) c.d3[t000] = 6.0 * (x * inv).square() * inv - 2.0 * inv.cube();  // in place, or before d2
    if (d2) c.d2[p00] = -2.0 * (x * inv) * inv;
}

// f = atan2(y, x), the angle of the point (x, y); with r = hypot(x, y)
// (no overflow of x^2 + y^2) and u = x/r, v = y/r:
//   f_y  = x/r^2 = u/r           f_x  = -y/r^2 = -v/r
//   f_yy = -2xy/r^4 = -2uv/r^2   f_xx = 2uv/r^2
//   f_yx = (y^2 - x^2)/r^4 = (v - u)(v + u)/r^2
// The third partials, from f = Im log(x + iy): every n-th partial with m
// derivatives in y is Im(i^m (log)^(n)(z)), and (log)'''(z) = 2/z^3 =
// 2 (u - iv)^3/r^3 = 2 (A + iB)/r^3 with A = u^3 - 3uv^2, B = v^3 - 3u^2 v:
//   f_xxx = 2B/r^3   f_xxy = 2A/r^3   f_xyy = -2B/r^3   f_yyy = -2A/r^3
// At the origin f is discontinuous: the partials are NaN (0/0).
void eval_atan2(OpCall& c) {
    const ConstCol& y = c.in[0];
    const ConstCol& x = c.in[1];
    const Eigen::Index n = y.size();
    for (Eigen::Index i = 0; i < n; ++i) c.value[i] = std::atan2(y[i], x[i]);
    if (!want_any_partial(c)) return;
    for (Eigen::Index i = 0; i < n; ++i) {
        const double r = std::hypot(x[i], y[i]);
        const double u = x[i] / r;
        const double v = y[i] / r;
        if (c.want_d1(0)) c.d1[0][i] = u / r;
        if (c.want_d1(1)) c.d1[1][i] = -v / r;
        if (c.want_d2(0, 0)) c.d2[a_a][i] = -2.0 * u * v / r / r;
        if (c.want_d2(0, 1)) c.d2[a_b][i] = (v - u) * (v + u) / r / r;
        if (c.want_d2(1, 1)) c.d2[b_b][i] = 2.0 * u * v / r / r;
        if (c.d3.empty()) continue;
        const double a3 = 2.0 * (u * u * u - 3.0 * u * v * v) / r / r / r;
        const double b3 = 2.0 * (v * v * v - 3.0 * u * u * v) / r / r / r;
        // inputs: 0 = y (a), 1 = x (b)
        if (c.want_d3(0, 0, 0)) c.d3[a_a_a][i] = -a3;
        if (c.want_d3(0, 0, 1)) c.d3[a_a_b][i] = -b3;
        if (c.want_d3(0, 1, 1)) c.d3[a_b_b][i] = a3;
        if (c.want_d3(1, 1, 1)) c.d3[b_b_b][i] = b3;
    }
}

constexpr OpDef sin_def{.name = "sin", .arity = 1, .eval = &eval_sin, .third = true};
constexpr OpDef cos_def{.name = "cos", .arity = 1, .eval = &eval_cos, .third = true};
constexpr OpDef tan_def{.name = "tan", .arity = 1, .eval = &eval_tan, .third = true};
constexpr OpDef asin_def{.name = "asin", .arity = 1, .eval = &eval_asin, .third = true};
constexpr OpDef acos_def{.name = "acos", .arity = 1, .eval = &eval_acos, .third = true};
constexpr OpDef atan_def{.name = "atan", .arity = 1, .eval = &eval_atan, .third = true};
constexpr OpDef atan2_def{.name = "atan2", .arity = 2, .eval = &eval_atan2, .third = true};

}  // namespace
}  // namespace mlec::rt::fn

namespace mlec::rt {

const OpDef& op_sin() { return fn::sin_def; }
const OpDef& op_cos() { return fn::cos_def; }
const OpDef& op_tan() { return fn::tan_def; }
const OpDef& op_asin() { return fn::asin_def; }
const OpDef& op_acos() { return fn::acos_def; }
const OpDef& op_atan() { return fn::atan_def; }
const OpDef& op_atan2() { return fn::atan2_def; }

}  // namespace mlec::rt

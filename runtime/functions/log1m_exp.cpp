// log1m_exp(x) = log(1 - exp(x)) for x <= 0, and log_diff_exp(a, b) =
// log(exp(a) - exp(b)) = a + log1m_exp(b - a) for a >= b. Kept together:
// the second is the first at b - a.
#include "runtime/functions/detail.hpp"

namespace mlec::rt::fn {
namespace {

constexpr double ln_2 = 0.69314718055994530941723212145818;

// g(x) = log(1 - e^x) and its derivatives, {g, g', g''}, for x <= 0
// (Maechler 2012, "Accurately computing log(1 - exp(-|a|))", the Rmpfr
// vignette): log(-expm1(x)) for x > -ln 2, where 1 - e^x is small and only
// expm1 keeps its digits; log1p(-exp(x)) below, where e^x <= 1/2 is small
// and only log1p keeps them. With expm1(x) = e^x - 1 in (-1, 0), which has
// no cancellation anywhere on x < 0,
//   g'  = -e^x/(1 - e^x) = e^x/expm1(x)
//   g'' = g'(1 - g') = g'/(1 - e^x) = -e^x/expm1(x)^2
//   g''' = g''(1 - 2g')    (1 - 2g' = (1 + e^x)/(1 - e^x) >= 1: no cancellation).
// g(0) = -inf with g', g'' and g''' their limits from below, -inf; g(-inf) = 0,
// g' = g'' = g''' = 0. x > 0 (1 - e^x < 0) and NaN give NaN throughout.
std::array<double, 4> log1m_exp_at(double x, bool want_d1, bool want_d2, bool want_d3) {
    if (!(x <= 0)) return {nan, nan, nan, nan};
    if (x == 0) return {-inf, -inf, -inf, -inf};
    const double value = x > -ln_2 ? std::log(-std::expm1(x)) : std::log1p(-std::exp(x));
    if (!want_d1 && !want_d2 && !want_d3) return {value, nan, nan, nan};
    const double em1 = std::expm1(x);
    const double d1 = std::exp(x) / em1;
    const double d2 = -d1 / em1;
    return {value, d1, want_d2 || want_d3 ? d2 : nan, want_d3 ? d2 * (1 - 2 * d1) : nan};
}

void eval_log1m_exp(OpCall& c) { eval_cached_unary(c, log1m_exp_at); }

// log_diff_exp(a, b) = a + g(d), d = b - a <= 0 (g as above), so that
//   d/da = 1 - g'(d) = -1/expm1(d)   (>= 1; 1 - g' written without the 1)
//   d/db = g'(d)
//   d2/da2 = d2/db2 = g''(d),  d2/da db = -g''(d),
//   d3/da3 = d3/da db2 = -g'''(d),  d3/da2 db = d3/db3 = g'''(d).
// As Stan's: a = b gives -inf, with the partials' limits as b rises to a
// (+inf in a, -inf in b, g'' = g''' = -inf) when a is finite, and NaN partials at
// a = b = -inf, where the limit depends on the path; a = b = +inf and a < b
// give NaN; a = +inf > b gives +inf, b = -inf gives a (partials 1 and 0).
void eval_log_diff_exp(OpCall& c) {
    const ConstCol& a = c.in[0];
    const ConstCol& b = c.in[1];
    const Eigen::Index n = a.size();
    const bool da = c.want_d1(0);
    const bool db = c.want_d1(1);
    const bool daa = c.want_d2(0, 0);
    const bool dab = c.want_d2(0, 1);
    const bool dbb = c.want_d2(1, 1);
    const bool want_d2 = daa || dab || dbb;
    const bool want_d3 = c.want_any_d3();
    for (Eigen::Index i = 0; i < n; ++i) {
        std::array<double, 4> g;
        double d1a;
        if (a[i] == b[i] && a[i] < inf) {
            const bool finite = a[i] > -inf;
            g = {-inf, finite ? -inf : nan, finite ? -inf : nan, finite ? -inf : nan};
            d1a = finite ? inf : nan;
            c.value[i] = -inf;
        } else {
            const double d = b[i] - a[i];
            g = log1m_exp_at(d, da || db, want_d2, want_d3);
            d1a = da ? -1 / std::expm1(d) : nan;
            c.value[i] = a[i] + g[0];
        }
        if (da) c.d1[0][i] = std::isnan(g[1]) ? nan : d1a;
        if (db) c.d1[1][i] = g[1];
        if (daa) c.d2[a_a][i] = g[2];
        if (dab) c.d2[a_b][i] = -g[2];
        if (dbb) c.d2[b_b][i] = g[2];
        if (!want_d3) continue;
        if (c.want_d3(0, 0, 0)) c.d3[a_a_a][i] = -g[3];
        if (c.want_d3(0, 0, 1)) c.d3[a_a_b][i] = g[3];
        if (c.want_d3(0, 1, 1)) c.d3[a_b_b][i] = -g[3];
        if (c.want_d3(1, 1, 1)) c.d3[b_b_b][i] = g[3];
    }
}

constexpr OpDef log1m_exp_def{.name = "log1m_exp", .arity = 1, .eval = &eval_log1m_exp, .third = true};
constexpr OpDef log_diff_exp_def{.name = "log_diff_exp", .arity = 2, .eval = &eval_log_diff_exp, .third = true};

}  // namespace
}  // namespace mlec::rt::fn

namespace mlec::rt {

const OpDef& op_log1m_exp() { return fn::log1m_exp_def; }
const OpDef& op_log_diff_exp() { return fn::log_diff_exp_def; }

}  // namespace mlec::rt

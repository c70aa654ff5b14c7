// pow(a, b), also the operator a ^ b.
#include "runtime/functions/detail.hpp"

namespace mlec::rt::fn {
namespace {

// c * a^k with the convention 0 * (anything) = 0, so that the vanishing
// coefficients of the power rule win over 0^negative = inf (d/da a^1 at a = 0
// is 1 * 0^0 = 1; d/da a^0 is 0 even at a = 0).
double coef_pow(double coef, double a, double k) { return coef == 0.0 ? 0.0 : coef * std::pow(a, k); }

// f = a^b.
//   f_a  = b a^(b-1)              f_aa = b (b-1) a^(b-2)
//   f_b  = a^b log a              f_bb = a^b (log a)^2
//   f_ab = a^(b-1) (1 + b log a)
//   f_aaa = b (b-1) (b-2) a^(b-3)   f_aab = a^(b-2) (2b - 1 + b (b-1) log a)
//   f_abb = a^(b-1) log a (2 + b log a)   f_bbb = a^b (log a)^3
// a > 0: the formulas as written.
// a = 0: f(0, b) = 0 for every b > 0, so f_b = f_bb = 0 there (the limit of
//   a^b log a is 0; 0 * log 0 would give NaN). f_ab = d/db (b 0^(b-1)) is 0
//   for b > 1 and undefined at b <= 1 (NaN). b <= 0 gives 0^b = inf or a jump:
//   f_b, f_bb NaN. Likewise f_bbb = 0 for b > 0, f_abb = d/db f_ab = 0 for
//   b > 1, f_aab = d/db (b (b-1) 0^(b-2)) = 0 for b > 2, NaN otherwise.
// a < 0: a^b is real only at integer b (std::pow gives NaN elsewhere), and the
//   power rule in a still holds there, so f, f_a, f_aa are finite; but b -> a^b
//   is not defined on any neighbourhood of b, so f_b, f_ab, f_bb (and the
//   third partials but f_aaa) are NaN.
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
    const bool d_aaa = c.want_d3(0, 0, 0);
    const bool d_aab = c.want_d3(0, 0, 1);
    const bool d_abb = c.want_d3(0, 1, 1);
    const bool d_bbb = c.want_d3(1, 1, 1);
    const bool any_b = d_b || d_ab || d_bb || d_aab || d_abb || d_bbb;
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
            if (d_aaa) {
                c.d3[a_a_a][i] = e == 0.0 || e == 1.0 || e == 2.0 ? 0.0 : e * (e - 1.0) * (e - 2.0) * (f1 / x / x);
            }
            if (!any_b) continue;
            const double la = std::log(x);
            if (d_b) c.d1[1][i] = f * la;
            if (d_ab) c.d2[a_b][i] = f1 * (1.0 + e * la);
            if (d_bb) c.d2[b_b][i] = f * la * la;
            if (d_aab) c.d3[a_a_b][i] = (f1 / x) * (2.0 * e - 1.0 + e * (e - 1.0) * la);
            if (d_abb) c.d3[a_b_b][i] = f1 * la * (2.0 + e * la);
            if (d_bbb) c.d3[b_b_b][i] = f * la * la * la;
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
        if (d_aaa) c.d3[a_a_a][i] = coef_pow(e * (e - 1.0) * (e - 2.0), x, e - 3.0);
        if (d_aab) c.d3[a_a_b][i] = zero_base && e > 2 ? 0.0 : nan;
        if (d_abb) c.d3[a_b_b][i] = zero_base && e > 1 ? 0.0 : nan;
        if (d_bbb) c.d3[b_b_b][i] = zero_base && e > 0 ? 0.0 : nan;
    }
}

constexpr OpDef pow_def{.name = "pow", .arity = 2, .eval = &eval_pow, .third = true};

}  // namespace
}  // namespace mlec::rt::fn

namespace mlec::rt {

const OpDef& op_pow() { return fn::pow_def; }

}  // namespace mlec::rt

// erf and erfc = 1 - erf. Kept together: they share their partials, up to
// sign.
#include "runtime/functions/detail.hpp"

#include "runtime/special_functions.hpp"

namespace mlec::rt::fn {
namespace {

constexpr double two_over_sqrt_pi = 1.1283791670955125738961589031215;

// erf' = (2/sqrt pi) exp(-x^2), erf'' = -2x erf', erf''' = (4x^2 - 2) erf';
// erfc = 1 - erf has the same partials negated (sign = -1). erfc is computed directly, so its
// upper tail keeps full relative precision where 1 - erf would be 0.
void erf_partials(OpCall& c, double sign) {
    const ConstCol& x = c.in[0];
    const bool d1 = c.want_d1(0);
    const bool d2 = c.want_d2(0, 0);
    const bool d3 = c.want_d3(0, 0, 0);
    if (!d1 && !d2 && !d3) return;
    Col& slope = d1 ? c.d1[0] : d2 ? c.d2[p00] : c.d3[t000];  // sign * erf'
    special::assign_exp(slope, -x.square());
    slope *= sign * two_over_sqrt_pi;
    // d3 first: in place when slope is d3 itself, and before d2 overwrites
    // the slope when slope is d2.
    if (d3) c.d3[t000] = (4.0 * x.square() - 2.0) * slope;
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

constexpr OpDef erf_def{.name = "erf", .arity = 1, .eval = &eval_erf, .third = true};
constexpr OpDef erfc_def{.name = "erfc", .arity = 1, .eval = &eval_erfc, .third = true};

}  // namespace
}  // namespace mlec::rt::fn

namespace mlec::rt {

const OpDef& op_erf() { return fn::erf_def; }
const OpDef& op_erfc() { return fn::erfc_def; }

}  // namespace mlec::rt

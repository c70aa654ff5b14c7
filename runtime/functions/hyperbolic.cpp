// sinh cosh tanh. Kept together: the hyperbolic functions, each other's
// derivatives.
#include "runtime/functions/detail.hpp"

#include "runtime/special_functions.hpp"

namespace mlec::rt::fn {
namespace {

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

constexpr OpDef tanh_def{"tanh", 1, &eval_tanh, false};
constexpr OpDef sinh_def{"sinh", 1, &eval_sinh, false};
constexpr OpDef cosh_def{"cosh", 1, &eval_cosh, false};

}  // namespace
}  // namespace mlec::rt::fn

namespace mlec::rt {

const OpDef& op_tanh() { return fn::tanh_def; }
const OpDef& op_sinh() { return fn::sinh_def; }
const OpDef& op_cosh() { return fn::cosh_def; }

}  // namespace mlec::rt

// sinh cosh tanh. Kept together: the hyperbolic functions, each other's
// derivatives.
#include "runtime/functions/detail.hpp"

#include "runtime/special_functions.hpp"

namespace mlec::rt::fn {
namespace {

// tanh' = sech^2 x = 4e/(1+e)^2 with e = exp(-2|x|) (1 - tanh^2 would cancel
// to 0 for |x| > 19); tanh'' = -2 tanh(x) tanh'(x);
// tanh''' = -2 tanh'^2 + 4 tanh^2 tanh' = 2 tanh' (2 tanh^2 - tanh').
void eval_tanh(OpCall& c) {
    const ConstCol& x = c.in[0];
    c.value = x.tanh();
    const bool d1 = c.want_d1(0);
    const bool d2 = c.want_d2(0, 0);
    const bool d3 = c.want_d3(0, 0, 0);
    if (!d1 && !d2 && !d3) return;
    // sech^2 goes into the first wanted output (one exp per row), then the
    // second and third partials are formed from it.
    Col& sech2 = d1 ? c.d1[0] : d2 ? c.d2[p00] : c.d3[t000];
    special::assign_exp(sech2, -2.0 * x.abs());
    sech2 = 4.0 * sech2 / (1.0 + sech2).square();
    // in place when sech2 is d3 itself; before d2 overwrites it otherwise
    if (d3) c.d3[t000] = 2.0 * sech2 * (2.0 * c.value.square() - sech2);
    if (d1 && d2) {
        c.d2[p00] = -2.0 * c.value * sech2;
    } else if (d2) {
        c.d2[p00] *= -2.0 * c.value;
    }
}

// sinh' = cosh, sinh'' = sinh, sinh''' = cosh.
void eval_sinh(OpCall& c) {
    const ConstCol& x = c.in[0];
    c.value = x.sinh();
    if (c.want_d1(0)) c.d1[0] = x.cosh();
    if (c.want_d2(0, 0)) c.d2[p00] = c.value;
    if (c.want_d3(0, 0, 0)) c.d3[t000] = x.cosh();
}

// cosh' = sinh, cosh'' = cosh, cosh''' = sinh.
void eval_cosh(OpCall& c) {
    const ConstCol& x = c.in[0];
    c.value = x.cosh();
    if (c.want_d1(0)) c.d1[0] = x.sinh();
    if (c.want_d2(0, 0)) c.d2[p00] = c.value;
    if (c.want_d3(0, 0, 0)) c.d3[t000] = x.sinh();
}

constexpr OpDef tanh_def{.name = "tanh", .arity = 1, .eval = &eval_tanh, .third = true};
constexpr OpDef sinh_def{.name = "sinh", .arity = 1, .eval = &eval_sinh, .third = true};
constexpr OpDef cosh_def{.name = "cosh", .arity = 1, .eval = &eval_cosh, .third = true};

}  // namespace
}  // namespace mlec::rt::fn

namespace mlec::rt {

const OpDef& op_tanh() { return fn::tanh_def; }
const OpDef& op_sinh() { return fn::sinh_def; }
const OpDef& op_cosh() { return fn::cosh_def; }

}  // namespace mlec::rt

// sqrt(x).
#include "runtime/functions/detail.hpp"

namespace mlec::rt::fn {
namespace {

// (sqrt x)' = 1/(2 sqrt x), (sqrt x)'' = -1/(4 x sqrt x) = -(sqrt x)'/(2x),
// (sqrt x)''' = 3/(8 x^2 sqrt x), divided by x twice so that x^2 cannot
// overflow before the quotient underflows.
void eval_sqrt(OpCall& c) {
    const ConstCol& x = c.in[0];
    c.value = x.sqrt();
    const bool d1 = c.want_d1(0);
    const bool d2 = c.want_d2(0, 0);
    if (d1) c.d1[0] = 0.5 / c.value;
    if (d2) c.d2[p00] = -0.25 / (x * c.value);
    if (c.want_d3(0, 0, 0)) c.d3[t000] = 0.375 / (x * c.value) / x;
}

constexpr OpDef sqrt_def{.name = "sqrt", .arity = 1, .eval = &eval_sqrt, .third = true};

}  // namespace
}  // namespace mlec::rt::fn

namespace mlec::rt {

const OpDef& op_sqrt() { return fn::sqrt_def; }

}  // namespace mlec::rt

// expm1(x) = exp(x) - 1.
#include "runtime/functions/detail.hpp"

#include "runtime/special_functions.hpp"

namespace mlec::rt::fn {
namespace {

// d/dx expm1(x) = exp(x), not expm1(x) + 1, which loses the tail for x << 0;
// so are the second and third derivatives.
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
    if (c.want_d3(0, 0, 0)) special::assign_exp(c.d3[t000], x);
}

constexpr OpDef expm1_def{.name = "expm1", .arity = 1, .eval = &eval_expm1, .third = true};

}  // namespace
}  // namespace mlec::rt::fn

namespace mlec::rt {

const OpDef& op_expm1() { return fn::expm1_def; }

}  // namespace mlec::rt

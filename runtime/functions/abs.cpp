// abs(x) = |x|.
#include "runtime/functions/detail.hpp"

namespace mlec::rt::fn {
namespace {

// |x|' = sign(x), taken as 0 at x = 0 (the midpoint of the subgradient);
// |x|'' = |x|''' = 0 everywhere they exist. (Not `linear`: the kink at 0
// is no second partial the Hessian pass could skip knowingly; the zeros are
// returned.)
void eval_abs(OpCall& c) {
    const ConstCol& x = c.in[0];
    c.value = x.abs();
    if (c.want_d1(0)) c.d1[0] = x.sign();
    if (c.want_d2(0, 0)) c.d2[p00].setZero();
    zero_requested_d3(c);
}

constexpr OpDef abs_def{.name = "abs", .arity = 1, .eval = &eval_abs, .third = true};

}  // namespace
}  // namespace mlec::rt::fn

namespace mlec::rt {

const OpDef& op_abs() { return fn::abs_def; }

}  // namespace mlec::rt

// log1p(x) = log(1 + x).
#include "runtime/functions/detail.hpp"

#include "runtime/special_functions.hpp"

namespace mlec::rt::fn {
namespace {

// log1p' = 1/(1+x), log1p'' = -1/(1+x)^2, log1p''' = 2/(1+x)^3.
void eval_log1p(OpCall& c) {
    const ConstCol& x = c.in[0];
    c.value = x;
    special::log1p_in_place(c.value);
    if (c.want_d1(0)) c.d1[0] = (1.0 + x).inverse();
    if (c.want_d2(0, 0)) c.d2[p00] = -((1.0 + x).inverse().square());
    if (c.want_d3(0, 0, 0)) c.d3[t000] = 2.0 * (1.0 + x).inverse().cube();
}

constexpr OpDef log1p_def{.name = "log1p", .arity = 1, .eval = &eval_log1p, .third = true};

}  // namespace
}  // namespace mlec::rt::fn

namespace mlec::rt {

const OpDef& op_log1p() { return fn::log1p_def; }

}  // namespace mlec::rt

// log(x).
#include "runtime/functions/detail.hpp"

#include "runtime/special_functions.hpp"

namespace mlec::rt::fn {
namespace {

// log' = 1/x, log'' = -1/x^2, log''' = 2/x^3.
void eval_log(OpCall& c) {
    const ConstCol& x = c.in[0];
    special::assign_log(c.value, x);
    if (c.want_d1(0)) c.d1[0] = x.inverse();
    if (c.want_d2(0, 0)) c.d2[p00] = -(x.inverse().square());
    if (c.want_d3(0, 0, 0)) c.d3[t000] = 2.0 * x.inverse().cube();
}

constexpr OpDef log_def{.name = "log", .arity = 1, .eval = &eval_log, .third = true};

}  // namespace
}  // namespace mlec::rt::fn

namespace mlec::rt {

const OpDef& op_log() { return fn::log_def; }

}  // namespace mlec::rt

// log1m(x) = log(1 - x), for x <= 1.
#include "runtime/functions/detail.hpp"

#include "runtime/special_functions.hpp"

namespace mlec::rt::fn {
namespace {

// log1m(x) = log1p(-x), accurate near 0 where log(1 - x) would round 1 - x;
// -inf at x = 1, NaN beyond (as log1p below -1).
//   log1m'  = -1/(1 - x)
//   log1m'' = -1/(1 - x)^2
//   log1m''' = -2/(1 - x)^3
void eval_log1m(OpCall& c) {
    const ConstCol& x = c.in[0];
    c.value = -x;
    special::log1p_in_place(c.value);
    if (c.want_d1(0)) c.d1[0] = -((1.0 - x).inverse());
    if (c.want_d2(0, 0)) c.d2[p00] = -((1.0 - x).inverse().square());
    if (c.want_d3(0, 0, 0)) c.d3[t000] = -2.0 * (1.0 - x).inverse().cube();
}

constexpr OpDef log1m_def{.name = "log1m", .arity = 1, .eval = &eval_log1m, .third = true};

}  // namespace
}  // namespace mlec::rt::fn

namespace mlec::rt {

const OpDef& op_log1m() { return fn::log1m_def; }

}  // namespace mlec::rt

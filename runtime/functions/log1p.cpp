// log1p(x) = log(1 + x).
#include "runtime/functions/detail.hpp"

#include "runtime/special_functions.hpp"

namespace mlec::rt::fn {
namespace {

void eval_log1p(OpCall& c) {
    const ConstCol& x = c.in[0];
    c.value = x;
    special::log1p_in_place(c.value);
    if (c.want_d1(0)) c.d1[0] = (1.0 + x).inverse();
    if (c.want_d2(0, 0)) c.d2[p00] = -((1.0 + x).inverse().square());
}

constexpr OpDef log1p_def{"log1p", 1, &eval_log1p, false};

}  // namespace
}  // namespace mlec::rt::fn

namespace mlec::rt {

const OpDef& op_log1p() { return fn::log1p_def; }

}  // namespace mlec::rt

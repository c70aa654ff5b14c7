// log(x).
#include "runtime/functions/detail.hpp"

#include "runtime/special_functions.hpp"

namespace mlec::rt::fn {
namespace {

void eval_log(OpCall& c) {
    const ConstCol& x = c.in[0];
    special::assign_log(c.value, x);
    if (c.want_d1(0)) c.d1[0] = x.inverse();
    if (c.want_d2(0, 0)) c.d2[p00] = -(x.inverse().square());
}

constexpr OpDef log_def{"log", 1, &eval_log, false};

}  // namespace
}  // namespace mlec::rt::fn

namespace mlec::rt {

const OpDef& op_log() { return fn::log_def; }

}  // namespace mlec::rt

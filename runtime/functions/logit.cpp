// logit(p) = log(p/(1 - p)), the inverse of sigmoid.
#include "runtime/functions/detail.hpp"

#include "runtime/special_functions.hpp"

namespace mlec::rt::fn {
namespace {

// logit(p) = log(p) - log1p(-p): both terms are accurate near 0 and near 1,
// where log(p/(1-p)) would round 1-p first.
//   logit'  = 1/p + 1/(1-p) = 1/(p(1-p))
//   logit'' = -1/p^2 + 1/(1-p)^2 = (2p-1)/(p(1-p))^2
//   logit''' = 2/p^3 + 2/(1-p)^3     (two positive terms: no cancellation)
void eval_logit(OpCall& c) {
    const ConstCol& p = c.in[0];
    special::assign_log(c.value, p);
    c.value -= (-p).log1p();
    const bool d1 = c.want_d1(0);
    const bool d2 = c.want_d2(0, 0);
    if (d1) c.d1[0] = (p * (1.0 - p)).inverse();
    if (d2) c.d2[p00] = (2.0 * p - 1.0) * (p * (1.0 - p)).inverse().square();
    if (c.want_d3(0, 0, 0)) c.d3[t000] = 2.0 * (p.inverse().cube() + (1.0 - p).inverse().cube());
}

constexpr OpDef logit_def{.name = "logit", .arity = 1, .eval = &eval_logit, .third = true};

}  // namespace
}  // namespace mlec::rt::fn

namespace mlec::rt {

const OpDef& op_logit() { return fn::logit_def; }

}  // namespace mlec::rt

// ifelse(c, a, b), also written c ? a : b: a where c is true (non-zero), b
// where it is false (zero), NaN where c is NaN. Only the taken branch
// counts: the partial in a is 1 on the rows that take a and 0 elsewhere,
// and likewise for b; the partial in c is 0 (a step). The value is chosen,
// never computed as c*a + (1-c)*b, so a NaN or inf in the untaken branch
// never reaches it; the evaluator, told by OpDef::branch, keeps the
// untaken branch out of the derivatives too (docs/architecture.md,
// "Conditionals"). On each row the value is one input, copied: `linear`,
// so every second and third partial is 0.
#include "runtime/functions/detail.hpp"

namespace mlec::rt::fn {
namespace {

void eval_ifelse(OpCall& c) {
    const ConstCol& cond = c.in[0];
    const ConstCol& a = c.in[1];
    const ConstCol& b = c.in[2];
    for (Eigen::Index r = 0; r < cond.size(); ++r)
        c.value[r] = std::isnan(cond[r]) ? nan : (cond[r] != 0 ? a[r] : b[r]);
    if (c.want_d1(0)) c.d1[0].setZero();
    if (c.want_d1(1))
        for (Eigen::Index r = 0; r < cond.size(); ++r) c.d1[1][r] = cond[r] != 0 && !std::isnan(cond[r]) ? 1.0 : 0.0;
    if (c.want_d1(2))
        for (Eigen::Index r = 0; r < cond.size(); ++r) c.d1[2][r] = cond[r] == 0 ? 1.0 : 0.0;
    zero_requested_d2(c);
}

constexpr OpDef ifelse_def{.name = "ifelse", .arity = 3, .eval = &eval_ifelse, .linear = true, .branch = true};

}  // namespace
}  // namespace mlec::rt::fn

namespace mlec::rt {

const OpDef& op_ifelse() { return fn::ifelse_def; }

}  // namespace mlec::rt

// exp(x).
#include "runtime/functions/detail.hpp"

#include "runtime/special_functions.hpp"

namespace mlec::rt::fn {
namespace {

// exp' = exp'' = exp''' = exp.
void eval_exp(OpCall& c) {
    special::assign_exp(c.value, c.in[0]);
    if (c.want_d1(0)) c.d1[0] = c.value;
    if (c.want_d2(0, 0)) c.d2[p00] = c.value;
    if (c.want_d3(0, 0, 0)) c.d3[t000] = c.value;
}

constexpr OpDef exp_def{.name = "exp", .arity = 1, .eval = &eval_exp, .third = true};

}  // namespace
}  // namespace mlec::rt::fn

namespace mlec::rt {

const OpDef& op_exp() { return fn::exp_def; }

}  // namespace mlec::rt

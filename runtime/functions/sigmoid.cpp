// sigmoid(x) = 1/(1 + exp(-x)), also called inv_logit: one function under
// two names, both callable in a model.
#include "runtime/functions/detail.hpp"

#include "runtime/special_functions.hpp"

namespace mlec::rt::fn {
namespace {

// sigma(x) = 1/(1+exp(-x)) written through e = exp(-|x|) <= 1, which never
// overflows:  sigma = 1/(1+e) for x >= 0,  e/(1+e) for x < 0.
//   sigma'  = sigma (1 - sigma) = e/(1+e)^2                  (even in x)
//   sigma'' = sigma' (1 - 2 sigma) = -sign(x) sigma' (1-e)/(1+e)
//   sigma''' = sigma'' (1 - 2 sigma) - 2 sigma'^2 = sigma' ((1 - 2 sigma)^2 - 2 sigma')
//            = sigma' (1 - 4e + e^2)/(1+e)^2                  (even in x)
// All derivative forms keep full relative precision in the tails, where
// 1 - sigma would cancel.
void eval_sigmoid(OpCall& c) {
    const ConstCol& x = c.in[0];
    Col& e = c.value;  // scratch until the last line
    special::assign_exp(e, -x.abs());
    const bool d1 = c.want_d1(0);
    const bool d2 = c.want_d2(0, 0);
    if (d1) c.d1[0] = e / (1.0 + e).square();
    if (d2) {
        c.d2[p00] = -x.sign() * (e / (1.0 + e).square()) * (1.0 - e) / (1.0 + e);
    }
    if (c.want_d3(0, 0, 0)) c.d3[t000] = (e / (1.0 + e).square()) * (1.0 - 4.0 * e + e.square()) / (1.0 + e).square();
    c.value = (x >= 0).select((1.0 + e).inverse(), e / (1.0 + e));
}

constexpr OpDef sigmoid_def{.name = "sigmoid", .arity = 1, .eval = &eval_sigmoid, .third = true};
constexpr OpDef inv_logit_def{.name = "inv_logit", .arity = 1, .eval = &eval_sigmoid, .third = true};

}  // namespace
}  // namespace mlec::rt::fn

namespace mlec::rt {

const OpDef& op_sigmoid() { return fn::sigmoid_def; }
const OpDef& op_inv_logit() { return fn::inv_logit_def; }

}  // namespace mlec::rt

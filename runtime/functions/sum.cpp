// sum(x1, ..., xk) and the linear predictor's node x1*y1 + x2*y2 + ... (not
// callable by name). Kept together: the two sums the interpreter builds.
#include "runtime/functions/detail.hpp"

namespace mlec::rt::fn {
namespace {

// sum(x1, ..., xk): linear. (An empty sum is 0.)
void eval_sum(OpCall& c) {
    const int k = static_cast<int>(c.in.size());
    c.value.setZero();
    for (int i = 0; i < k; ++i) {
        c.value += c.in[i];
        if (c.want_d1(i)) c.d1[i].setOnes();
    }
    zero_requested_d2(c);
}

// x1*y1 + x2*y2 + ... (an even number of inputs, paired in order): the
// interpreter's node for a linear predictor b0 + b1*x1 + ... + bk*xk, with
// a summand that is not a product paired with the constant 1. The only
// non-zero second partials are those of the pairs, all 1. (Row-varying
// products are evaluated by the evaluator itself, which uses row-invariant
// factors as numbers; this serves row-invariant nodes and constant folding.)
void eval_sum_of_products(OpCall& c) {
    const int k = static_cast<int>(c.in.size());
    c.value.setZero();
    for (int i = 0; i + 1 < k; i += 2) c.value += c.in[i] * c.in[i + 1];
    for (int j = 0; j < k; ++j)
        if (c.want_d1(j)) c.d1[j] = c.in[j ^ 1];
    zero_requested_d2(c);
    for (int j = 0; j + 1 < k; j += 2)
        if (c.want_d2(j, j + 1)) c.d2[pair_index(j, j + 1, k)].setOnes();
}

constexpr OpDef sum_def{"sum", -1, &eval_sum, true, &partial_one};
constexpr OpDef sum_of_products_def{"sum_of_products", -1, &eval_sum_of_products, false, nullptr, true};

}  // namespace
}  // namespace mlec::rt::fn

namespace mlec::rt {

const OpDef& op_sum() { return fn::sum_def; }
const OpDef& op_sum_of_products() { return fn::sum_of_products_def; }

}  // namespace mlec::rt

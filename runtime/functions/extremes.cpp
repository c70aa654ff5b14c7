// min(x1, ..., xk) and max(x1, ..., xk): one template, two directions.
#include "runtime/functions/detail.hpp"

namespace mlec::rt::fn {
namespace {

// min/max(x1, ..., xk): the partial in x_i is 1 on the rows where x_i is the
// FIRST input attaining the extreme, 0 elsewhere (a subgradient: at a tie the
// first input wins, so exactly one input gets each row's unit); every second
// partial is 0. A NaN in any input makes the row's value NaN. (With no
// inputs, min is +inf and max -inf.)
template <bool is_max>
void eval_extreme(OpCall& c) {
    const int k = static_cast<int>(c.in.size());
    const Eigen::Index n = c.value.size();
    if (k == 0) {
        c.value.setConstant(is_max ? -std::numeric_limits<double>::infinity()
                                   : std::numeric_limits<double>::infinity());
        return;
    }
    c.value = c.in[0];
    // which[r] = index of the winning input (a double, so the selects below
    // vectorize). A NaN input always replaces the running extreme, and no
    // comparison with a NaN extreme succeeds, so NaN propagates.
    Eigen::ArrayXd which = Eigen::ArrayXd::Zero(n);
    for (int i = 1; i < k; ++i) {
        const ConstCol& x = c.in[i];
        for (Eigen::Index r = 0; r < n; ++r) {
            const bool better = is_max ? x[r] > c.value[r] : x[r] < c.value[r];
            if (better || std::isnan(x[r])) {
                c.value[r] = x[r];
                which[r] = i;
            }
        }
    }
    for (int i = 0; i < k; ++i) {
        if (c.want_d1(i)) c.d1[i] = (which == static_cast<double>(i)).select(1.0, Eigen::ArrayXd::Zero(n));
    }
    zero_requested_d2(c);
}

constexpr OpDef min_def{"min", -1, &eval_extreme<false>, true};
constexpr OpDef max_def{"max", -1, &eval_extreme<true>, true};

}  // namespace
}  // namespace mlec::rt::fn

namespace mlec::rt {

const OpDef& op_min() { return fn::min_def; }
const OpDef& op_max() { return fn::max_def; }

}  // namespace mlec::rt

// The logical operators && || and !. Any non-zero operand counts as true
// and zero as false (as in R, C and Stan), so `!(y == 0)` and `!y` agree
// for a count y; the result is always 1 or 0. A NaN operand gives NaN:
// a missing value is neither true nor false, and a NaN never hides behind
// a 0 (`0 && NaN` is NaN, unlike R's short circuit). Steps: zero partials
// of every order.
#include "runtime/functions/detail.hpp"

namespace mlec::rt::fn {
namespace {

// 1 or 0 for a number, NaN for NaN.
inline double truth(double x) { return std::isnan(x) ? nan : (x != 0 ? 1.0 : 0.0); }

template <bool is_and>
void eval_logical(OpCall& c) {
    const ConstCol& a = c.in[0];
    const ConstCol& b = c.in[1];
    for (Eigen::Index r = 0; r < a.size(); ++r) {
        const double x = truth(a[r]);
        const double y = truth(b[r]);
        c.value[r] = std::isnan(x) || std::isnan(y) ? nan : (is_and ? x * y : std::max(x, y));
    }
    if (c.want_d1(0)) c.d1[0].setZero();
    if (c.want_d1(1)) c.d1[1].setZero();
    zero_requested_d2(c);
}

void eval_not(OpCall& c) {
    const ConstCol& a = c.in[0];
    for (Eigen::Index r = 0; r < a.size(); ++r) c.value[r] = std::isnan(a[r]) ? nan : (a[r] == 0 ? 1.0 : 0.0);
    if (c.want_d1(0)) c.d1[0].setZero();
    zero_requested_d2(c);
}

constexpr OpDef and_def{"&&", 2, &eval_logical<true>, true, &partial_zero};
constexpr OpDef or_def{"||", 2, &eval_logical<false>, true, &partial_zero};
constexpr OpDef not_def{"!", 1, &eval_not, true, &partial_zero};

}  // namespace
}  // namespace mlec::rt::fn

namespace mlec::rt {

const OpDef& op_and() { return fn::and_def; }
const OpDef& op_or() { return fn::or_def; }
const OpDef& op_not() { return fn::not_def; }

}  // namespace mlec::rt

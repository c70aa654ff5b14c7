// The comparison operators == != < <= > >=, which the interpreter makes of a
// model's comparisons: 1 where the comparison holds, 0 where it does not,
// and NaN where an operand is NaN (a missing value is not silently false).
// They are steps, so their partials are zero wherever they are defined;
// the evaluator reads that constant instead of storing partials (and knows
// from it that every second and third partial is 0 too).
#include <functional>

#include "runtime/functions/detail.hpp"

namespace mlec::rt::fn {
namespace {

template <class Compare>
void eval_compare(OpCall& c) {
    const ConstCol& a = c.in[0];
    const ConstCol& b = c.in[1];
    const Compare holds;
    for (Eigen::Index r = 0; r < a.size(); ++r)
        c.value[r] = std::isnan(a[r]) || std::isnan(b[r]) ? nan : (holds(a[r], b[r]) ? 1.0 : 0.0);
    if (c.want_d1(0)) c.d1[0].setZero();
    if (c.want_d1(1)) c.d1[1].setZero();
    zero_requested_d2(c);
}

constexpr OpDef eq_def{"==", 2, &eval_compare<std::equal_to<>>, true, &partial_zero};
constexpr OpDef ne_def{"!=", 2, &eval_compare<std::not_equal_to<>>, true, &partial_zero};
constexpr OpDef lt_def{"<", 2, &eval_compare<std::less<>>, true, &partial_zero};
constexpr OpDef le_def{"<=", 2, &eval_compare<std::less_equal<>>, true, &partial_zero};
constexpr OpDef gt_def{">", 2, &eval_compare<std::greater<>>, true, &partial_zero};
constexpr OpDef ge_def{">=", 2, &eval_compare<std::greater_equal<>>, true, &partial_zero};

}  // namespace
}  // namespace mlec::rt::fn

namespace mlec::rt {

const OpDef& op_eq() { return fn::eq_def; }
const OpDef& op_ne() { return fn::ne_def; }
const OpDef& op_lt() { return fn::lt_def; }
const OpDef& op_le() { return fn::le_def; }
const OpDef& op_gt() { return fn::gt_def; }
const OpDef& op_ge() { return fn::ge_def; }

}  // namespace mlec::rt

// The built-in functions and operators of the model language, as graph ops.
#pragma once

#include <span>
#include <string_view>

#include "runtime/op.hpp"

namespace mlec::rt {

// Arithmetic, used by the interpreter for the operators. Every one takes
// equal-length inputs (see OpCall). `pow` serves both `^` and pow(a, b).
const OpDef& op_add();  // a + b
const OpDef& op_sub();  // a - b
const OpDef& op_mul();  // a * b
const OpDef& op_div();  // a / b
const OpDef& op_pow();  // a ^ b
const OpDef& op_neg();  // -a
// x1*y1 + x2*y2 + ... over its inputs in pairs: what the interpreter makes of
// a linear predictor (not callable by name in a model).
const OpDef& op_sum_of_products();

// The named built-in functions callable in a model: exp log log1p expm1 sqrt
// abs pow sigmoid inv_logit logit tanh lgamma probit Phi digamma sin cos tan
// asin acos atan atan2 sinh cosh erf erfc (inv_logit is sigmoid under a
// second name; pow and atan2 take two inputs), and the variadic (arity -1,
// one or more inputs) log_sum_exp sum min max; binary min(a, b) is the
// variadic one with two inputs. Returns nullptr for an unknown name.
const OpDef* find_function(std::string_view name);

// Every named built-in, for "did you mean" suggestions and for the tests that
// walk the whole table.
std::span<const OpDef* const> all_functions();

}  // namespace mlec::rt

// The built-in functions and operators of the model language, as graph ops.
// Each one lives in its own file under runtime/functions/ (or with its tight
// family there); runtime/functions/list.hpp names them all.
#pragma once

#include <span>
#include <string_view>

#include "runtime/functions/list.hpp"
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
// Comparisons and logical operators: 1 or 0 per row, NaN for a NaN
// operand, zero partials (comparison.cpp, logical.cpp).
const OpDef& op_eq();   // a == b
const OpDef& op_ne();   // a != b
const OpDef& op_lt();   // a < b
const OpDef& op_le();   // a <= b
const OpDef& op_gt();   // a > b
const OpDef& op_ge();   // a >= b
const OpDef& op_and();  // a && b
const OpDef& op_or();   // a || b
const OpDef& op_not();  // !a
// x1*y1 + x2*y2 + ... over its inputs in pairs: what the interpreter makes of
// a linear predictor (not callable by name in a model).
const OpDef& op_sum_of_products();

// The named built-in functions callable in a model, one accessor each:
// op_exp(), op_log(), ..., op_Phi(), ... (the list in
// runtime/functions/list.hpp). The variadic ones (arity -1: log_sum_exp,
// sum, min, max) take one or more inputs; binary min(a, b) is the variadic
// one with two inputs.
#define MLEC_DECLARE_FUNCTION(name) const OpDef& op_##name();
MLEC_FUNCTIONS(MLEC_DECLARE_FUNCTION)
#undef MLEC_DECLARE_FUNCTION

// The named built-in by the name a model calls it; nullptr for an unknown
// name.
const OpDef* find_function(std::string_view name);

// Every named built-in, in the list's order, for "did you mean" suggestions
// and for the tests that walk the whole table.
std::span<const OpDef* const> all_functions();

}  // namespace mlec::rt

// What the built-in functions' tests share (one test file per function or
// family in this folder, as under runtime/functions/, all linked into one
// executable, test_functions): each file registers its functions' points
// with MLEC_FUNCTION_TEST, and test_all.cpp checks every registered point
// the same way (the value against <cmath>, Boost.Math or 50-digit
// arithmetic, the partials against finite differences, the block form
// against single rows) and the table against what the files say. Finite
// differences and the op harness are in tests/support/op_check.hpp.
#pragma once

#include <boost/multiprecision/cpp_bin_float.hpp>

#include <cmath>
#include <vector>

#include "runtime/functions.hpp"
#include "support/op_check.hpp"

namespace mlec::test {

struct FunctionPoint {
    Row x;
    double expected;  // from an independent source
    bool fd = true;   // check partials by finite differences here
    Row step = {};    // first finite-difference steps; empty = from the domains
};

struct FunctionCase {
    const rt::OpDef* op;
    std::vector<rt::Domain> domains;  // where finite differences may step
    std::vector<FunctionPoint> points;
    // What the table must say of a named function (the operators + - * /
    // are in no table): its arity (-1: variadic) and whether it is linear.
    int arity = 1;
    bool linear = false;
};

using FunctionCasesFunction = std::vector<FunctionCase> (*)();

// Adds a file's cases (computed on first use); returns true, for a
// namespace-scope initializer.
bool register_function_cases(FunctionCasesFunction cases);

// Every registered case.
const std::vector<FunctionCase>& registered_function_cases();

// The registered case of a named function, nullptr when there is none.
const FunctionCase* case_of(const rt::OpDef& op);

// 50-digit references (Boost.Multiprecision's own series, independent of
// <cmath>).
using Big = boost::multiprecision::cpp_bin_float_50;

}  // namespace mlec::test

// In a function's test file (in an anonymous namespace):
//     MLEC_FUNCTION_TEST(exp) {
//         return {{&mlec::rt::op_exp(), {Domain::real}, {{{0}, 1}, ...}}};
//     }
// registers its cases: the op, where finite differences may step, the
// points, and for a function that is not unary or is linear, its arity and
// linearity.
#define MLEC_FUNCTION_TEST(id)                                                                      \
    std::vector<mlec::test::FunctionCase> id##_cases();                                             \
    [[maybe_unused]] const bool id##_registered = mlec::test::register_function_cases(&id##_cases); \
    std::vector<mlec::test::FunctionCase> id##_cases()

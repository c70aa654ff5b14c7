// The operators + - * / and unary -, which the interpreter makes of a
// model's arithmetic (a ^ b is pow, in pow.cpp). Kept together: they are
// the language's operators rather than named functions, and +, - and
// unary - share the constant partials the evaluator uses instead of d1.
#include "runtime/functions/detail.hpp"

namespace mlec::rt::fn {
namespace {

void eval_add(OpCall& c) {
    c.value = c.in[0] + c.in[1];
    if (c.want_d1(0)) c.d1[0].setOnes();
    if (c.want_d1(1)) c.d1[1].setOnes();
    zero_requested_d2(c);
}

void eval_sub(OpCall& c) {
    c.value = c.in[0] - c.in[1];
    if (c.want_d1(0)) c.d1[0].setOnes();
    if (c.want_d1(1)) c.d1[1].setConstant(-1.0);
    zero_requested_d2(c);
}

void eval_neg(OpCall& c) {
    c.value = -c.in[0];
    if (c.want_d1(0)) c.d1[0].setConstant(-1.0);
    zero_requested_d2(c);
}

// d(ab)/da = b, d(ab)/db = a, d2/dadb = 1; every third partial 0 (`product`).
void eval_mul(OpCall& c) {
    const ConstCol& a = c.in[0];
    const ConstCol& b = c.in[1];
    c.value = a * b;
    if (c.want_d1(0)) c.d1[0] = b;
    if (c.want_d1(1)) c.d1[1] = a;
    if (c.want_d2(0, 0)) c.d2[a_a].setZero();
    if (c.want_d2(0, 1)) c.d2[a_b].setOnes();
    if (c.want_d2(1, 1)) c.d2[b_b].setZero();
}

// f = a/b: f_a = 1/b, f_b = -a/b^2 = -f/b, f_ab = -1/b^2, f_bb = 2a/b^3 = 2f/b^2.
// Third: f_aaa = f_aab = 0, f_abb = 2/b^3, f_bbb = -6a/b^4 = -6f/b^3.
// Writing the b-partials through f avoids overflowing b^2, b^3.
void eval_div(OpCall& c) {
    const ConstCol& a = c.in[0];
    const ConstCol& b = c.in[1];
    c.value = a / b;
    const Col& f = c.value;
    if (c.want_d1(0)) c.d1[0] = b.inverse();
    if (c.want_d1(1)) c.d1[1] = -f / b;
    if (c.want_d2(0, 0)) c.d2[a_a].setZero();
    if (c.want_d2(0, 1)) c.d2[a_b] = -(b.inverse().square());
    if (c.want_d2(1, 1)) c.d2[b_b] = 2.0 * (f / b) / b;
    if (c.want_d3(0, 0, 0)) c.d3[a_a_a].setZero();
    if (c.want_d3(0, 0, 1)) c.d3[a_a_b].setZero();
    if (c.want_d3(0, 1, 1)) c.d3[a_b_b] = 2.0 * b.inverse().cube();
    if (c.want_d3(1, 1, 1)) c.d3[b_b_b] = -6.0 * ((f / b) / b) / b;
}

constexpr double partial_sub(int input) { return input == 0 ? 1.0 : -1.0; }
constexpr double partial_neg(int) { return -1.0; }

constexpr OpDef add_def{"+", 2, &eval_add, true, &partial_one};
constexpr OpDef sub_def{"-", 2, &eval_sub, true, &partial_sub};
constexpr OpDef mul_def{"*", 2, &eval_mul, false, nullptr, true};
constexpr OpDef div_def{.name = "/", .arity = 2, .eval = &eval_div, .third = true};
constexpr OpDef neg_def{"-", 1, &eval_neg, true, &partial_neg};

}  // namespace
}  // namespace mlec::rt::fn

namespace mlec::rt {

const OpDef& op_add() { return fn::add_def; }
const OpDef& op_sub() { return fn::sub_def; }
const OpDef& op_mul() { return fn::mul_def; }
const OpDef& op_div() { return fn::div_def; }
const OpDef& op_neg() { return fn::neg_def; }

}  // namespace mlec::rt

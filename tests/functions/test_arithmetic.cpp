// the operators + - * / and unary -: its points for the checks every function
// gets (test_all.cpp).
#include "functions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;
using mlec::rt::OpDef;

namespace {

MLEC_FUNCTION_TEST(arithmetic) {
    using namespace mlec::rt;
    const Domain real = Domain::real;
    std::vector<FunctionCase> out;
    out.push_back({&op_add(), {real, real}, {{{1.5, -2.25}, -0.75}, {{1e10, 3}, 1e10 + 3, true, {1e9, 1e3}}}});
    out.push_back({&op_sub(), {real, real}, {{{1.5, -2.25}, 3.75}, {{-7, 1e-3}, -7.001}}});
    out.push_back({&op_mul(), {real, real}, {{{1.5, -2.25}, -3.375}, {{0, 4}, 0}, {{-3e5, 2e-4}, -60}}});
    out.push_back({&op_div(),
                   {real, real},
                   {{{1.5, -2.5}, -0.6}, {{0, 4}, 0}, {{3, 1e-3}, 3000, true, {0.1, 1e-4}}, {{7, 0}, inf, false}}});
    out.push_back({&op_neg(), {real}, {{{1.5}, -1.5}, {{0}, 0}}});
    return out;
}

}  // namespace

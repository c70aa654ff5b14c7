// The comparison and logical operators == != < <= > >= && || !: their points
// for the checks every function gets (test_all.cpp; they are in no table,
// like + - * /), and their own tests: 1 or 0, NaN for NaN, zero partials.
#include "functions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;
using mlec::rt::OpDef;

namespace {

MLEC_FUNCTION_TEST(comparison) {
    using namespace mlec::rt;
    const std::vector<Domain> two(2, Domain::real);
    std::vector<FunctionCase> out;
    // (ties are steps: no finite differences there)
    out.push_back({&op_eq(), two, {{{1.5, 1.5}, 1, false}, {{1.5, 2}, 0}, {{qnan, 1}, qnan, false}}, 2, true});
    out.push_back({&op_ne(), two, {{{1.5, 1.5}, 0, false}, {{1.5, 2}, 1}, {{1, qnan}, qnan, false}}, 2, true});
    out.push_back({&op_lt(), two, {{{1, 2}, 1}, {{2, 1}, 0}, {{2, 2}, 0, false}, {{-inf, 0}, 1, false}}, 2, true});
    out.push_back({&op_le(), two, {{{1, 2}, 1}, {{2, 1}, 0}, {{2, 2}, 1, false}}, 2, true});
    out.push_back({&op_gt(), two, {{{1, 2}, 0}, {{2, 1}, 1}, {{2, 2}, 0, false}}, 2, true});
    out.push_back(
        {&op_ge(), two, {{{1, 2}, 0}, {{2, 1}, 1}, {{2, 2}, 1, false}, {{qnan, qnan}, qnan, false}}, 2, true});
    // logical: any non-zero is true; the points sit away from 0
    out.push_back(
        {&op_and(), two, {{{1, 1}, 1}, {{2.5, -3}, 1}, {{0, 1}, 0, false}, {{0, qnan}, qnan, false}}, 2, true});
    out.push_back(
        {&op_or(), two, {{{0, 0}, 0, false}, {{0, 1}, 1, false}, {{-2, 4}, 1}, {{1, qnan}, qnan, false}}, 2, true});
    out.push_back(
        {&op_not(), {Domain::real}, {{{0}, 1, false}, {{1}, 0}, {{-7.5}, 0}, {{qnan}, qnan, false}}, 1, true});
    return out;
}

}  // namespace

TEST_CASE("comparisons and logical operators give 0 or 1 and zero partials") {
    using mlec::test::eval_one;
    CHECK(eval_one(mlec::rt::op_lt(), {1, 2}).d1 == Row{0, 0});
    CHECK(eval_one(mlec::rt::op_and(), {3, 0.5}).value == 1);
    CHECK(eval_one(mlec::rt::op_or(), {0, -0.0}).value == 0);
    CHECK(eval_one(mlec::rt::op_not(), {-0.0}).value == 1);
    CHECK(mlec::rt::find_function("==") == nullptr);  // operators, not named functions
}

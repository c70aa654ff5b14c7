// min and max: its points for the checks every function gets (test_all.cpp),
// and its own tests.
#include "functions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;
using mlec::rt::OpDef;

namespace {

MLEC_FUNCTION_TEST(extremes) {
    using namespace mlec::rt;
    const Domain real = Domain::real;
    const std::vector<Domain> reals(5, real);
    std::vector<FunctionCase> out;
    for (const char* name : {"min", "max"}) {
        const bool is_min = name == std::string("min");
        out.push_back({find_function(name),
                       reals,
                       {{{3}, 3},
                        {{1, 2}, is_min ? 1.0 : 2.0},
                        {{-1, 5, 3}, is_min ? -1.0 : 5.0},
                        {{4, -2.5, 0.5, 7, 1}, is_min ? -2.5 : 7.0},
                        {{-1e300, 1e300}, is_min ? -1e300 : 1e300, true, {1e299, 1e299}},
                        // ties: not differentiable (the first input wins, below)
                        {{2, 1, 1}, is_min ? 1.0 : 2.0, false},
                        {{3, 3}, 3, false},
                        {{qnan, 1}, qnan, false},
                        {{1, qnan}, qnan, false}},
                       -1,
                       true});
    }
    return out;
}

}  // namespace

TEST_CASE("min and max: the first input attaining the extreme gets the unit partial") {
    using mlec::test::eval_one;
    const OpDef& mn = *mlec::rt::find_function("min");
    const OpDef& mx = *mlec::rt::find_function("max");
    CHECK(eval_one(mn, {2, 1, 1}).d1 == Row{0, 1, 0});
    CHECK(eval_one(mx, {2, 1, 2}).d1 == Row{1, 0, 0});
    CHECK(eval_one(mn, {-1, 5, 3}).d1 == Row{1, 0, 0});
    CHECK(eval_one(mx, {-1, 5, 3}).d1 == Row{0, 1, 0});
    CHECK(eval_one(mx, {-inf, -inf}).value == -inf);
    CHECK(eval_one(mn, {inf, 1}).value == 1);
    CHECK(std::isnan(eval_one(mx, {1, qnan, 2}).value));
    // binary min(a, b) is the variadic op with two inputs
    CHECK(eval_one(mn, {4, -7}).value == -7);
    CHECK(eval_one(*mlec::rt::find_function("sum"), {1.5, 2.5}).d1 == Row{1, 1});
}

// abs: its points for the checks every function gets (test_all.cpp), and its
// own tests.
#include "functions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;
using mlec::rt::OpDef;

namespace {

MLEC_FUNCTION_TEST(abs) {
    using namespace mlec::rt;
    const Domain real = Domain::real;
    std::vector<FunctionCase> out;
    out.push_back({find_function("abs"),
                   {real},
                   {{{-2.5}, 2.5, true, {0.5}}, {{3}, 3, true, {0.5}}, {{0}, 0, false}, {{-1e-300}, 1e-300, false}}});
    return out;
}

}  // namespace

TEST_CASE("abs: derivative sign(x), 0 at 0, second derivative 0") {
    const OpDef& abs = *mlec::rt::find_function("abs");
    CHECK(mlec::test::eval_one(abs, {0}).d1[0] == 0);
    CHECK(mlec::test::eval_one(abs, {-1e-300}).d1[0] == -1);
    CHECK(mlec::test::eval_one(abs, {2}).d1[0] == 1);
    CHECK(mlec::test::eval_one(abs, {-2}).d2[0] == 0);
}

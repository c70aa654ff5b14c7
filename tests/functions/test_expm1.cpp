// expm1: its points for the checks every function gets (test_all.cpp), and
// its own tests.
#include "functions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;
using mlec::rt::OpDef;

namespace {

MLEC_FUNCTION_TEST(expm1) {
    using namespace mlec::rt;
    const Domain real = Domain::real;
    std::vector<FunctionCase> out;
    out.push_back({find_function("expm1"),
                   {real},
                   {{{0}, 0},
                    {{1e-10}, std::expm1(1e-10)},
                    {{-2}, std::expm1(-2.0)},
                    {{5}, std::exp(5.0) - 1},
                    {{-50}, std::expm1(-50.0)}}});
    return out;
}

}  // namespace

TEST_CASE("expm1 partials keep their precision in the tails") {
    using mlec::test::eval_one;
    // expm1' = exp, not expm1 + 1
    const Evaluated m = eval_one(*mlec::rt::find_function("expm1"), {-50});
    CHECK(m.d1[0] == Approx(std::exp(-50.0)).epsilon(1e-15));
}

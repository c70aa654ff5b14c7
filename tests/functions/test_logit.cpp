// logit: its points for the checks every function gets (test_all.cpp), and
// its own tests.
#include "functions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;
using mlec::rt::OpDef;

namespace {

MLEC_FUNCTION_TEST(logit) {
    using namespace mlec::rt;
    std::vector<FunctionCase> out;
    out.push_back({find_function("logit"),
                   {Domain::unit_open},
                   {{{0.5}, 0},
                    {{0.1}, std::log(0.1 / 0.9)},
                    {{0.999}, std::log(0.999 / (1 - 0.999))},
                    {{1e-8}, std::log(1e-8 / (1 - 1e-8))},
                    // 1 - p is exact for p >= 1/2 (Sterbenz), so this quotient is too
                    {{1 - 1e-8}, std::log((1 - 1e-8) / (1 - (1 - 1e-8)))},
                    {{0}, -inf, false},
                    {{1}, inf, false}}});
    return out;
}

}  // namespace

TEST_CASE("logit partials keep their precision in the tails") {
    using mlec::test::eval_one;
    // logit near the ends
    const Evaluated l = eval_one(*mlec::rt::find_function("logit"), {1e-12});
    CHECK(l.d1[0] == Approx(1 / (1e-12 * (1 - 1e-12))).epsilon(1e-14));
}

// log1m: its points for the checks every function gets (test_all.cpp).
#include "functions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;

namespace {

// 50-digit reference: 1 - x is exact there for every double x here.
double big_log1m(double x) { return static_cast<double>(log(1 - Big(x))); }

MLEC_FUNCTION_TEST(log1m) {
    using namespace mlec::rt;
    std::vector<FunctionCase> out;
    out.push_back({find_function("log1m"),
                   {Domain::real},
                   {{{0}, 0},
                    {{1e-10}, big_log1m(1e-10)},  // log(1 - x) would keep 7 digits
                    {{-1e-300}, big_log1m(-1e-300)},
                    {{0.5}, big_log1m(0.5)},
                    {{-3}, big_log1m(-3)},
                    {{0.999999}, big_log1m(0.999999), true, {2e-7}},
                    {{-1e6}, big_log1m(-1e6)},
                    {{1}, -inf, false},
                    {{2}, qnan, false},
                    {{-inf}, inf, false},
                    {{qnan}, qnan, false}}});
    return out;
}

}  // namespace

TEST_CASE("log1m at the end of its domain") {
    using mlec::test::eval_one;
    const Evaluated one = eval_one(*mlec::rt::find_function("log1m"), {1});
    CHECK(one.value == -inf);
    CHECK(one.d1[0] == -inf);
    CHECK(one.d2[0] == -inf);
    CHECK(eval_one(*mlec::rt::find_function("log1m"), {-1e-300}).value == 1e-300);
}

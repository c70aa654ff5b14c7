// tanh, sinh and cosh: its points for the checks every function gets
// (test_all.cpp), and its own tests.
#include "functions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;
using mlec::rt::OpDef;

namespace {

// 50-digit references (Boost.Multiprecision's own series, independent of <cmath>).
double big_sinh(double x) { return static_cast<double>(sinh(Big(x))); }
double big_cosh(double x) { return static_cast<double>(cosh(Big(x))); }

MLEC_FUNCTION_TEST(hyperbolic) {
    using namespace mlec::rt;
    const Domain real = Domain::real;
    std::vector<FunctionCase> out;
    out.push_back({find_function("tanh"),
                   {real},
                   {{{0}, 0},
                    {{0.5}, std::tanh(0.5)},
                    {{-2}, std::tanh(-2.0)},
                    {{10}, std::tanh(10.0), true, {1}},
                    {{-400}, -1, false}}});
    out.push_back({find_function("sinh"),
                   {real},
                   {{{0}, 0},
                    {{0.5}, big_sinh(0.5)},
                    {{-3}, big_sinh(-3)},
                    {{20}, big_sinh(20)},
                    {{1e-8}, big_sinh(1e-8)},
                    {{-710}, big_sinh(-710), false},
                    {{800}, inf, false}}});
    out.push_back({find_function("cosh"),
                   {real},
                   {{{0}, 1},
                    {{0.5}, big_cosh(0.5)},
                    {{-3}, big_cosh(-3)},
                    {{20}, big_cosh(20)},
                    {{710}, big_cosh(710), false},
                    {{-800}, inf, false}}});
    return out;
}

}  // namespace

TEST_CASE("tanh partials keep their precision in the tails") {
    using mlec::test::eval_one;
    // tanh'(x) = sech^2 x = 4 e^{-2|x|} / (1 + e^{-2|x|})^2, nonzero where 1 - tanh^2 = 0.
    const Evaluated t = eval_one(*mlec::rt::find_function("tanh"), {25});
    CHECK(t.d1[0] == Approx(4 * std::exp(-50.0)).epsilon(1e-13));
    CHECK(t.d2[0] == Approx(-8 * std::exp(-50.0)).epsilon(1e-13));
}

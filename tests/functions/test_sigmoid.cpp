// sigmoid and inv_logit: its points for the checks every function gets
// (test_all.cpp), and its own tests.
#include "functions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;
using mlec::rt::OpDef;

namespace {

double naive_sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

MLEC_FUNCTION_TEST(sigmoid) {
    using namespace mlec::rt;
    const Domain real = Domain::real;
    std::vector<FunctionCase> out;
    for (const char* name : {"sigmoid", "inv_logit"}) {
        out.push_back({find_function(name),
                       {real},
                       {{{0}, 0.5},
                        {{2}, naive_sigmoid(2)},
                        {{-3}, naive_sigmoid(-3)},
                        {{40}, naive_sigmoid(40)},
                        {{-40}, naive_sigmoid(-40), true, {0.5}},
                        // sigmoid(x) = e^x (1 - e^x + ...) for x << 0
                        {{-700}, std::exp(-700.0), false},
                        {{700}, 1, false},
                        {{1e300}, 1, false},
                        {{-1e300}, 0, false}}});
    }
    return out;
}

}  // namespace

TEST_CASE("sigmoid partials keep their precision in the tails") {
    using mlec::test::eval_one;
    const OpDef& sigmoid = *mlec::rt::find_function("sigmoid");
    // sigma'(x) = e^-|x| / (1 + e^-|x|)^2, sigma'' = -sign(x) sigma' tanh(|x|/2)
    for (double x : {40.0, -40.0, 300.0, -300.0}) {
        const double e = std::exp(-std::abs(x));
        const Evaluated s = eval_one(sigmoid, {x});
        INFO("sigmoid at " << x);
        CHECK(s.d1[0] == Approx(e / ((1 + e) * (1 + e))).epsilon(1e-14));
        CHECK(s.d2[0] == Approx(-(x > 0 ? 1 : -1) * e * (1 - e) / ((1 + e) * (1 + e) * (1 + e))).epsilon(1e-14));
        CHECK(s.d1[0] > 0);
    }
    const Evaluated lo = eval_one(sigmoid, {-40});
    CHECK(lo.value == Approx(std::exp(-40.0)).epsilon(1e-14));  // 1 - sigma would have lost it
}

// erf and erfc: its points for the checks every function gets (test_all.cpp),
// and its own tests.
#include <boost/math/special_functions/erf.hpp>

#include <numbers>

#include "functions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;
using mlec::rt::OpDef;

namespace {

// 50-digit references (Boost.Multiprecision's own series, independent of <cmath>).
double big_erf(double x) { return static_cast<double>(boost::math::erf(Big(x))); }
double big_erfc(double x) { return static_cast<double>(boost::math::erfc(Big(x))); }

MLEC_FUNCTION_TEST(erf) {
    using namespace mlec::rt;
    const Domain real = Domain::real;
    std::vector<FunctionCase> out;
    out.push_back({find_function("erf"),
                   {real},
                   {{{0}, 0},
                    {{0.5}, big_erf(0.5)},
                    {{-1.5}, big_erf(-1.5)},
                    {{3}, big_erf(3)},
                    {{1e-9}, big_erf(1e-9)},
                    {{7}, 1, false},
                    {{-inf}, -1, false}}});
    out.push_back({find_function("erfc"),
                   {real},
                   {{{0}, 1},
                    {{0.5}, big_erfc(0.5)},
                    {{-1.5}, big_erfc(-1.5)},
                    {{3}, big_erfc(3)},
                    {{10}, big_erfc(10)},
                    {{-7}, 2, false},
                    {{30}, big_erfc(30), false}}});
    return out;
}

}  // namespace

TEST_CASE("erf and erfc partials keep their precision in the tails") {
    using mlec::test::eval_one;
    // erfc keeps its upper tail, where 1 - erf is 0; its partials too
    const OpDef& erfc = *mlec::rt::find_function("erfc");
    for (double x : {10.0, 26.0}) {
        const Evaluated e = eval_one(erfc, {x});
        const double slope = -2 / std::sqrt(std::numbers::pi) * std::exp(-x * x);
        INFO("erfc at " << x);
        CHECK(e.value == Approx(big_erfc(x)).epsilon(1e-13));
        CHECK(e.d1[0] == Approx(slope).epsilon(1e-14));
        CHECK(e.d2[0] == Approx(-2 * x * slope).epsilon(1e-14));
    }
    CHECK(eval_one(*mlec::rt::find_function("erf"), {-10}).d1[0] ==
          Approx(2 / std::sqrt(std::numbers::pi) * std::exp(-100.0)).epsilon(1e-14));
}

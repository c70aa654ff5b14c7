// digamma: its points for the checks every function gets (test_all.cpp), and
// its own tests.
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/polygamma.hpp>
#include <boost/math/special_functions/trigamma.hpp>

#include <numbers>

#include "functions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;
using mlec::rt::OpDef;

namespace {

MLEC_FUNCTION_TEST(digamma) {
    using namespace mlec::rt;
    const Domain pos = Domain::positive;
    std::vector<FunctionCase> out;
    out.push_back({find_function("digamma"),
                   {pos},
                   {{{1}, -0.57721566490153286061},
                    {{0.5}, boost::math::digamma(0.5)},
                    {{3.7}, boost::math::digamma(3.7)},
                    {{1e-8}, boost::math::digamma(1e-8)},
                    {{1e10}, boost::math::digamma(1e10)},
                    {{-2.5}, boost::math::digamma(-2.5), true, {0.1}},
                    {{0}, qnan, false},
                    {{-3}, qnan, false}}});
    return out;
}

}  // namespace

TEST_CASE("digamma partials are trigamma and polygamma(2, x)") {
    const OpDef& dg = *mlec::rt::find_function("digamma");
    for (double x : {0.5, 1.0, 3.7, 1e-8, 1e10, -2.5}) {
        const Evaluated e = mlec::test::eval_one(dg, {x});
        INFO("digamma at " << x);
        CHECK(e.value == Approx(boost::math::digamma(x)).epsilon(1e-14));
        CHECK(e.d1[0] == Approx(boost::math::trigamma(x)).epsilon(1e-13));
        CHECK(e.d2[0] == Approx(boost::math::polygamma(2, x)).epsilon(1e-12));
    }
    // psi'(1) = pi^2/6, psi''(1) = -2 zeta(3)
    const Evaluated one = mlec::test::eval_one(dg, {1});
    CHECK(one.d1[0] == Approx(std::numbers::pi * std::numbers::pi / 6).epsilon(1e-15));
    CHECK(one.d2[0] == Approx(-2 * 1.2020569031595942854).epsilon(1e-14));
    // poles: NaN, value and partials
    const Evaluated pole = mlec::test::eval_one(dg, {-2});
    CHECK(std::isnan(pole.value));
    CHECK(std::isnan(pole.d1[0]));
    CHECK(std::isnan(pole.d2[0]));
}

// lgamma: its points for the checks every function gets (test_all.cpp), and
// its own tests.
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/trigamma.hpp>

#include <numbers>

#include "functions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;
using mlec::rt::OpDef;

namespace {

MLEC_FUNCTION_TEST(lgamma) {
    using namespace mlec::rt;
    const Domain pos = Domain::positive;
    std::vector<FunctionCase> out;
    // std::lgamma is fine as the reference here: the tests are single-threaded.
    out.push_back({find_function("lgamma"),
                   {pos},
                   {{{0.5}, std::lgamma(0.5)},
                    {{1}, 0},
                    {{2}, 0},
                    {{3.7}, std::lgamma(3.7)},
                    {{0.01}, std::lgamma(0.01)},
                    {{100}, std::lgamma(100.0)},
                    {{1e5}, std::lgamma(1e5)},
                    {{-2.5}, std::lgamma(-2.5), true, {0.1}},
                    {{0}, inf, false},
                    {{-3}, inf, false}}});
    return out;
}

}  // namespace

TEST_CASE("lgamma partials are digamma and trigamma") {
    const OpDef& lg = *mlec::rt::find_function("lgamma");
    for (double x : {0.5, 1.0, 3.7, 0.01, 1e5, -2.5}) {
        const Evaluated e = mlec::test::eval_one(lg, {x});
        INFO("lgamma at " << x);
        CHECK(e.d1[0] == Approx(boost::math::digamma(x)).epsilon(1e-13));
        CHECK(e.d2[0] == Approx(boost::math::trigamma(x)).epsilon(1e-13));
    }
    // Euler-Mascheroni: psi(1) = -gamma, psi'(1) = pi^2/6
    const Evaluated one = mlec::test::eval_one(lg, {1});
    CHECK(one.d1[0] == Approx(-0.57721566490153286).epsilon(1e-15));
    CHECK(one.d2[0] == Approx(std::numbers::pi * std::numbers::pi / 6).epsilon(1e-15));
}

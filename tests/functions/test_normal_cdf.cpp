// Phi and probit: its points for the checks every function gets
// (test_all.cpp), and its own tests.
#include <boost/math/distributions/normal.hpp>

#include <numbers>

#include "functions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;
using mlec::rt::OpDef;

namespace {

double normal_cdf(double x) { return boost::math::cdf(boost::math::normal_distribution<>(), x); }
double normal_quantile(double p) { return boost::math::quantile(boost::math::normal_distribution<>(), p); }
// The upper quantile Phi^-1(1 - q) from q, without forming 1 - q.
double normal_upper_quantile(double q) {
    return boost::math::quantile(boost::math::complement(boost::math::normal_distribution<>(), q));
}

MLEC_FUNCTION_TEST(normal_cdf) {
    using namespace mlec::rt;
    const Domain real = Domain::real;
    std::vector<FunctionCase> out;
    out.push_back({find_function("Phi"),
                   {real},
                   {{{0}, 0.5},
                    {{1.5}, normal_cdf(1.5)},
                    {{-3}, normal_cdf(-3)},
                    {{-30}, normal_cdf(-30)},  // 4.9e-198: erfc, not 1 + erf (tails checked below)
                    {{8.5}, normal_cdf(8.5)},
                    {{-40}, 0, false},  // underflows
                    {{40}, 1, false},
                    {{qnan}, qnan, false}}});
    const double almost_one = 1 - 1e-10;
    out.push_back({find_function("probit"),
                   {Domain::unit_open},
                   {{{0.5}, 0},
                    {{0.975}, normal_quantile(0.975)},
                    {{0.3}, normal_quantile(0.3)},
                    {{1e-10}, normal_quantile(1e-10)},
                    {{almost_one}, normal_upper_quantile(1 - almost_one)},
                    {{1e-300}, normal_quantile(1e-300), false},
                    {{0}, -inf, false},
                    {{1}, inf, false},
                    {{-0.1}, qnan, false},
                    {{1.5}, qnan, false}}});
    return out;
}

}  // namespace

TEST_CASE("Phi and probit: tails, inverse pair, derivatives") {
    using mlec::test::eval_one;
    const OpDef& phi = *mlec::rt::find_function("Phi");
    const OpDef& probit = *mlec::rt::find_function("probit");
    const double inv_sqrt_2pi = 1 / std::sqrt(2 * std::numbers::pi);
    // Lower tail to full relative precision, where 1 + erf(x/sqrt 2) is 0.
    for (double x : {-10.0, -20.0, -30.0, -37.0}) {
        INFO("Phi at " << x);
        const Evaluated e = eval_one(phi, {x});
        CHECK(e.value > 0);
        CHECK(e.value == Approx(normal_cdf(x)).epsilon(1e-12));
        // Phi' = phi(x), Phi'' = -x phi(x)
        const double pdf = inv_sqrt_2pi * std::exp(-0.5 * x * x);
        CHECK(e.d1[0] == Approx(pdf).epsilon(1e-14));
        CHECK(e.d2[0] == Approx(-x * pdf).epsilon(1e-14));
    }
    // probit(Phi(x)) = x, also deep in the lower tail; in the upper tail the
    // rounding of Phi(x) to a double near 1 limits the round trip (to
    // eps/phi(x) absolute: 7e-11 at x = 5).
    for (double x : {-30.0, -8.0, -1.0, 0.25, 3.0, 5.0}) {
        const double p = normal_cdf(x);
        INFO("probit(Phi(" << x << "))");
        CHECK(eval_one(probit, {p}).value == Approx(x).epsilon(x > 4 ? 1e-10 : 1e-13));
    }
    // probit' = 1/phi(q), probit'' = q/phi(q)^2 at q = probit(p)
    for (double p : {0.5, 0.1, 0.975, 1e-10}) {
        const double q = normal_quantile(p);
        const double pdf = inv_sqrt_2pi * std::exp(-0.5 * q * q);
        const Evaluated e = eval_one(probit, {p});
        INFO("probit at " << p);
        CHECK(e.d1[0] == Approx(1 / pdf).epsilon(1e-13));
        CHECK(e.d2[0] == Approx(q / (pdf * pdf)).margin(1e-13).epsilon(1e-13));
    }
    // The upper tail of probit keeps the digits of 1 - p.
    CHECK(eval_one(probit, {1 - 1e-12}).value == Approx(normal_upper_quantile(1 - (1 - 1e-12))).epsilon(1e-14));
    CHECK(eval_one(probit, {0.5}).value == 0);
    CHECK(eval_one(probit, {0}).value == -inf);
    CHECK(eval_one(probit, {1}).value == inf);
}

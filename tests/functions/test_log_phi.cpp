// log_Phi: its points for the checks every function gets (test_all.cpp),
// and its own tests.
#include <boost/math/special_functions/erf.hpp>
#include <boost/math/special_functions/log1p.hpp>

#include <numbers>

#include "functions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;
using mlec::rt::OpDef;

namespace {

// 50-digit references from Boost.Math's erfc in Boost.Multiprecision (its
// own series and continued fractions, none of the implementation's code):
// Phi(x) = erfc(-x/sqrt 2)/2, and log Phi(x) = log1p(-Phi(-x)) above 0,
// where 1 - Phi(-x) would round to 1 even at 50 digits (x > 12).
Big big_phi(const Big& x) { return boost::math::erfc(-x / sqrt(Big(2))) / 2; }

struct Reference {
    double value;  // log Phi(x)
    double d1;     // r = phi(x)/Phi(x)
    double d2;     // -r (x + r)
};

Reference reference(double x) {
    const Big bx(x);
    const Big cdf = big_phi(bx);
    const Big value = x > 0 ? boost::math::log1p(-big_phi(-bx)) : log(cdf);
    const Big pdf = exp(-bx * bx / 2) / sqrt(2 * boost::math::constants::pi<Big>());
    const Big r = pdf / cdf;
    return {static_cast<double>(value), static_cast<double>(r), static_cast<double>(-r * (bx + r))};
}

double big_log_phi(double x) { return reference(x).value; }

MLEC_FUNCTION_TEST(log_phi) {
    using namespace mlec::rt;
    std::vector<FunctionCase> out;
    out.push_back({find_function("log_Phi"),
                   {Domain::real},
                   {{{0}, -std::log(2.0)},
                    {{1.5}, big_log_phi(1.5)},
                    {{-0.75}, big_log_phi(-0.75)},
                    {{-3}, big_log_phi(-3)},
                    // either side of -5, where the continued fraction starts
                    {{-4.99}, big_log_phi(-4.99), true, {0.5}},
                    {{-5.01}, big_log_phi(-5.01), true, {0.5}},
                    {{-12}, big_log_phi(-12)},
                    {{-40}, big_log_phi(-40)},  // -804.608..., where Phi is 3.6e-350
                    {{-1e4}, big_log_phi(-1e4)},
                    {{8}, big_log_phi(8)},
                    {{30}, big_log_phi(30)},  // -4.9e-198: log(Phi) would be 0
                    {{40}, 0, false},         // -3.6e-350 underflows
                    {{-inf}, -inf, false},
                    {{inf}, 0, false},
                    {{qnan}, qnan, false}}});
    return out;
}

}  // namespace

TEST_CASE("log_Phi: value and partials to full precision in both tails") {
    using mlec::test::eval_one;
    const OpDef& f = *mlec::rt::find_function("log_Phi");
    std::vector<double> xs;
    for (double x = -60; x <= 37; x += 0.375) xs.push_back(x);
    for (double x : {-4.999, -5.0, -5.001, -7.99, -8.0, -14.99, -15.0, -100.0, -1e3, -1e4}) xs.push_back(x);
    for (double x : xs) {
        const Reference want = reference(x);
        const Evaluated got = eval_one(f, {x});
        INFO("log_Phi at " << x << ": got " << got.value << ", " << got.d1[0] << ", " << got.d2[0] << "; want "
                           << want.value << ", " << want.d1 << ", " << want.d2);
        CHECK(got.value == Approx(want.value).epsilon(1e-15).margin(1e-300));
        CHECK(got.d1[0] == Approx(want.d1).epsilon(1e-15).margin(1e-300));
        // f'' = -r (x + r) cancels in (-5, 0), by a factor up to 28
        CHECK(got.d2[0] == Approx(want.d2).epsilon(2e-14).margin(1e-300));
    }
    // Far in the lower tail, where even 50-digit numbers underflow
    // (e^(-t^2/2) is below 2^(-2^31)): against Mills' ratio's asymptotic
    // series, Phi(-t)/phi(t) = (1 - 1/t^2 + 3/t^4 - ...)/t, so that
    // log Phi = -t^2/2 - log sqrt(2 pi) - log t - 1/t^2 + O(t^-4) and
    // r = t + 1/t - 2/t^3 + O(t^-5).
    for (double t : {1e5, 1e7, 1e15}) {
        const Evaluated got = eval_one(f, {-t});
        INFO("log_Phi at " << -t);
        CHECK(got.value ==
              Approx(-t * t / 2 - 0.5 * std::log(2 * std::numbers::pi) - std::log(t) - 1 / (t * t)).epsilon(1e-15));
        CHECK(got.d1[0] == Approx(t + 1 / t - 2 / (t * t * t)).epsilon(1e-15));
        CHECK(got.d2[0] == Approx(-1 + 1 / (t * t)).epsilon(1e-15));
    }
    // The value the issue asks for, and the ends.
    CHECK(eval_one(f, {-40}).value == Approx(-804.60844201375378817).epsilon(1e-16));
    const Evaluated low = eval_one(f, {-1e200});  // -5e399 is below -DBL_MAX
    CHECK(low.value == -inf);
    CHECK(low.d1[0] == 1e200);
    CHECK(low.d2[0] == Approx(-1).epsilon(1e-15));
    const Evaluated lowest = eval_one(f, {-inf});
    CHECK(lowest.value == -inf);
    CHECK(lowest.d1[0] == inf);
    CHECK(lowest.d2[0] == -1);
    const Evaluated highest = eval_one(f, {inf});
    CHECK(highest.value == 0);
    CHECK(highest.d1[0] == 0);
    CHECK(highest.d2[0] == 0);
}

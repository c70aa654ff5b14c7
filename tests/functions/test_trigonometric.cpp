// sin, cos, tan, asin, acos, atan and atan2: its points for the checks every
// function gets (test_all.cpp), and its own tests.
#include <numbers>

#include "functions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;
using mlec::rt::OpDef;

namespace {

// 50-digit references for the trigonometric, hyperbolic and error functions
// (Boost.Multiprecision's own series, independent of <cmath>).
double big_sin(double x) { return static_cast<double>(sin(Big(x))); }
double big_cos(double x) { return static_cast<double>(cos(Big(x))); }
double big_tan(double x) { return static_cast<double>(tan(Big(x))); }
double big_asin(double x) { return static_cast<double>(asin(Big(x))); }
double big_acos(double x) { return static_cast<double>(acos(Big(x))); }
double big_atan(double x) { return static_cast<double>(atan(Big(x))); }
double big_atan2(double y, double x) { return static_cast<double>(atan2(Big(y), Big(x))); }
const double pi = std::numbers::pi;

MLEC_FUNCTION_TEST(trigonometric) {
    using namespace mlec::rt;
    const Domain real = Domain::real;
    std::vector<FunctionCase> out;
    // Trigonometric functions: large arguments step by less than a period.
    out.push_back({find_function("sin"),
                   {real},
                   {{{0}, 0},
                    {{0.5}, big_sin(0.5)},
                    {{-2}, big_sin(-2)},
                    {{3}, big_sin(3)},
                    {{1e-8}, big_sin(1e-8)},
                    {{100}, big_sin(100), true, {0.1}},
                    {{pi}, big_sin(pi)},
                    {{inf}, qnan, false}}});
    out.push_back({find_function("cos"),
                   {real},
                   {{{0}, 1},
                    {{0.5}, big_cos(0.5)},
                    {{-2}, big_cos(-2)},
                    {{3}, big_cos(3)},
                    {{100}, big_cos(100), true, {0.1}},
                    {{pi / 2}, big_cos(pi / 2)},
                    {{-inf}, qnan, false}}});
    out.push_back({find_function("tan"),
                   {real},
                   {{{0}, 0},
                    {{0.5}, big_tan(0.5)},
                    {{-1.2}, big_tan(-1.2)},
                    {{1.5}, big_tan(1.5), true, {0.01}},
                    {{4}, big_tan(4), true, {0.1}},
                    // the double nearest pi/2: tan is 1.6e16, not infinite
                    {{pi / 2}, big_tan(pi / 2), false}}});
    // asin and acos: defined on [-1, 1]; infinite slope at the ends, NaN beyond.
    for (const char* name : {"asin", "acos"}) {
        const bool is_asin = name == std::string("asin");
        auto ref = is_asin ? big_asin : big_acos;
        out.push_back({find_function(name),
                       {real},
                       {{{0}, ref(0)},
                        {{0.5}, ref(0.5)},
                        {{-0.9}, ref(-0.9), true, {0.05}},
                        {{0.999999}, ref(0.999999), true, {2.5e-7}},
                        {{1e-10}, ref(1e-10)},
                        {{1}, is_asin ? pi / 2 : 0, false},
                        {{-1}, is_asin ? -pi / 2 : pi, false},
                        {{1.5}, qnan, false},
                        {{-1.0000001}, qnan, false}}});
    }
    out.push_back({find_function("atan"),
                   {real},
                   {{{0}, 0},
                    {{1}, pi / 4},
                    {{-3}, big_atan(-3)},
                    {{1e3}, big_atan(1e3)},
                    {{1e-9}, big_atan(1e-9)},
                    {{1e200}, big_atan(1e200), false},
                    {{-inf}, -pi / 2, false}}});
    // atan2(y, x): the angle of (x, y). Across the negative x axis it jumps
    // by 2 pi, and at the origin it has no derivative: no differences there.
    out.push_back({find_function("atan2"),
                   {real, real},
                   {{{1, 1}, pi / 4},
                    {{1, -1}, big_atan2(1, -1)},
                    {{-2, 0.5}, big_atan2(-2, 0.5)},
                    {{0.5, -3}, big_atan2(0.5, -3)},
                    {{1e-3, 2}, big_atan2(1e-3, 2)},
                    {{3, 1e-3}, big_atan2(3, 1e-3), true, {0.1, 1e-4}},
                    {{1e200, -1e200}, big_atan2(1e200, -1e200), false},
                    {{0, -1}, pi, false},
                    {{-0.0, -1}, -pi, false},
                    {{0, 0}, 0, false}},
                   2});
    return out;
}

}  // namespace

TEST_CASE("tan and atan partials keep their precision in the tails") {
    using mlec::test::eval_one;
    // atan'' = -2x/(1 + x^2)^2 = -2/x^3 far out, where (1 + x^2)^2 overflows
    const Evaluated a = eval_one(*mlec::rt::find_function("atan"), {1e100});
    CHECK(a.d1[0] == Approx(1e-200).epsilon(1e-14));
    CHECK(a.d2[0] == Approx(-2e-300).epsilon(1e-14));

    // tan' = 1 + tan^2 = 1/cos^2 near the pole
    const Evaluated t_pole = eval_one(*mlec::rt::find_function("tan"), {1.57});
    CHECK(t_pole.d1[0] == Approx(1 / (big_cos(1.57) * big_cos(1.57))).epsilon(1e-12));
}

TEST_CASE("asin and acos at and beyond the ends of [-1, 1]") {
    using mlec::test::eval_one;
    for (const char* name : {"asin", "acos"}) {
        const OpDef& f = *mlec::rt::find_function(name);
        const double sign = name == std::string("asin") ? 1 : -1;
        INFO(name);
        // infinite slope at the ends, as log's at 0
        const Evaluated one = eval_one(f, {1});
        CHECK(one.d1[0] == sign * inf);
        CHECK(one.d2[0] == sign * inf);
        const Evaluated minus_one = eval_one(f, {-1});
        CHECK(minus_one.d1[0] == sign * inf);
        CHECK(minus_one.d2[0] == -sign * inf);
        // outside the domain: NaN, as log's of a negative number
        for (double x : {1.0000000000000002, -1.5, 3.0, inf, qnan}) {
            const Evaluated e = eval_one(f, {x});
            CHECK(std::isnan(e.value));
            CHECK(std::isnan(e.d1[0]));
            CHECK(std::isnan(e.d2[0]));
        }
        // Near 1 the slope 1/sqrt(1 - x^2) keeps its digits: 1 - x is exact.
        for (double x : {1 - 1e-12, -(1 - 1e-9), 0.75}) {
            const Big X = x;
            const Big root = sqrt(1 - X * X);
            const Evaluated e = eval_one(f, {x});
            CHECK(e.d1[0] == Approx(sign * static_cast<double>(1 / root)).epsilon(1e-14));
            CHECK(e.d2[0] == Approx(sign * static_cast<double>(X / (root * root * root))).epsilon(1e-14));
        }
    }
}

TEST_CASE("atan2: closed-form partials, huge and tiny points, the origin") {
    using mlec::rt::pair_index;
    using mlec::test::eval_one;
    const OpDef& f = *mlec::rt::find_function("atan2");
    const int yy = pair_index(0, 0, 2), yx = pair_index(0, 1, 2), xx = pair_index(1, 1, 2);
    // (x, y) = (4, 3), r^2 = 25: f_y = x/r^2, f_x = -y/r^2, f_yy = -2xy/r^4,
    // f_yx = (y^2 - x^2)/r^4, f_xx = 2xy/r^4
    const Evaluated e = eval_one(f, {3, 4});
    CHECK(e.value == Approx(std::atan(0.75)).epsilon(1e-15));
    CHECK(e.d1[0] == Approx(4.0 / 25).epsilon(1e-15));
    CHECK(e.d1[1] == Approx(-3.0 / 25).epsilon(1e-15));
    CHECK(e.d2[yy] == Approx(-24.0 / 625).epsilon(1e-15));
    CHECK(e.d2[yx] == Approx(-7.0 / 625).epsilon(1e-15));
    CHECK(e.d2[xx] == Approx(24.0 / 625).epsilon(1e-15));
    // x^2 + y^2 would overflow at 1e200 and underflow at 1e-200
    const Evaluated big = eval_one(f, {1e200, 1e200});
    CHECK(big.d1[0] == Approx(0.5e-200).epsilon(1e-14));
    CHECK(big.d1[1] == Approx(-0.5e-200).epsilon(1e-14));
    const Evaluated tiny = eval_one(f, {-3e-200, 4e-200});
    CHECK(tiny.d1[0] == Approx(1.6e199).epsilon(1e-14));  // x/r^2 = 4e-200/25e-400
    CHECK(tiny.d1[1] == Approx(1.2e199).epsilon(1e-14));  // -y/r^2
    // the origin: atan2(0, 0) = 0 (as <cmath>), but no derivative
    const Evaluated origin = eval_one(f, {0, 0});
    CHECK(origin.value == 0);
    for (double d : origin.d1) CHECK(std::isnan(d));
    for (double d : origin.d2) CHECK(std::isnan(d));
}

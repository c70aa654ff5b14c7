// log1m_exp and log_diff_exp: their points for the checks every function
// gets (test_all.cpp), and their own tests.
#include "functions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;
using mlec::rt::OpDef;

namespace {

// 50-digit references, straight from the definitions (no expm1, no log1p):
// at 50 digits 1 - e^x keeps 40 or more digits for every x >= -1e-10 here.
double big_log1m_exp(double x) { return static_cast<double>(log(1 - exp(Big(x)))); }
double big_log_diff_exp(double a, double b) { return static_cast<double>(log(exp(Big(a)) - exp(Big(b)))); }

MLEC_FUNCTION_TEST(log1m_exp) {
    using namespace mlec::rt;
    const Domain real = Domain::real;
    std::vector<FunctionCase> out;
    out.push_back({find_function("log1m_exp"),
                   {real},
                   {{{-1}, big_log1m_exp(-1)},
                    {{-0.5}, big_log1m_exp(-0.5)},
                    // either side of -ln 2, where the formula changes
                    {{-0.6931}, big_log1m_exp(-0.6931), true, {1e-3}},
                    {{-0.6932}, big_log1m_exp(-0.6932), true, {1e-3}},
                    {{-1e-3}, big_log1m_exp(-1e-3), true, {2e-4}},
                    {{-1e-10}, big_log1m_exp(-1e-10), true, {2e-11}},  // log(1 - e^x) keeps 7 digits
                    {{-5}, big_log1m_exp(-5)},
                    {{-40}, big_log1m_exp(-40)},  // -4.2e-18, where 1 - e^x rounds to 1
                    {{-800}, 0, false},           // -e^-800 underflows
                    {{0}, -inf, false},
                    {{-inf}, 0, false},
                    {{0.5}, qnan, false},
                    {{qnan}, qnan, false}}});
    out.push_back({find_function("log_diff_exp"),
                   {real, real},
                   {{{0, -1}, big_log_diff_exp(0, -1)},
                    {{2, 1.5}, big_log_diff_exp(2, 1.5), true, {0.1, 0.1}},
                    {{-3, -7}, big_log_diff_exp(-3, -7)},
                    {{5, -30}, big_log_diff_exp(5, -30)},
                    {{1000, 999}, big_log_diff_exp(1000, 999), true, {0.25, 0.25}},  // e^1000 overflows
                    {{-1000, -1000.5}, big_log_diff_exp(-1000, -1000.5), true, {0.1, 0.1}},
                    {{0, -1e-9}, big_log_diff_exp(0, -1e-9), true, {2e-10, 2e-10}},
                    {{1, 1}, -inf, false},
                    {{-inf, -inf}, -inf, false},
                    {{inf, 0}, inf, false},
                    {{3, -inf}, 3, false},
                    {{1, 2}, qnan, false},
                    {{-inf, 0}, qnan, false},
                    {{inf, inf}, qnan, false},
                    {{qnan, 0}, qnan, false},
                    {{0, qnan}, qnan, false}},
                   2});
    return out;
}

}  // namespace

TEST_CASE("log1m_exp: both formulas to full precision, partials at the ends") {
    using mlec::test::eval_one;
    const OpDef& f = *mlec::rt::find_function("log1m_exp");
    // A sweep across -ln 2 and into both tails against 50 digits.
    for (double x = -1e-12; x > -60; x *= 1.37) {
        INFO("log1m_exp at " << x);
        const Big e = exp(Big(x));
        const Evaluated got = eval_one(f, {x});
        CHECK(got.value == Approx(static_cast<double>(log(1 - e))).epsilon(4e-16));
        // g' = -e^x/(1 - e^x), g'' = -e^x/(1 - e^x)^2
        CHECK(got.d1[0] == Approx(static_cast<double>(-e / (1 - e))).epsilon(1e-15));
        CHECK(got.d2[0] == Approx(static_cast<double>(-e / ((1 - e) * (1 - e)))).epsilon(2e-15));
    }
    // x = 0: -inf, partials their limits from below
    const Evaluated zero = eval_one(f, {0});
    CHECK(zero.value == -inf);
    CHECK(zero.d1[0] == -inf);
    CHECK(zero.d2[0] == -inf);
    const Evaluated far = eval_one(f, {-inf});
    CHECK(far.value == 0);
    CHECK(far.d1[0] == 0);
    CHECK(far.d2[0] == 0);
    // outside the domain: NaN, partials included
    const Evaluated out = eval_one(f, {1e-300});
    CHECK(std::isnan(out.value));
    CHECK(std::isnan(out.d1[0]));
    CHECK(std::isnan(out.d2[0]));
}

TEST_CASE("log_diff_exp: partials, and the edges of its domain") {
    using mlec::rt::pair_index;
    using mlec::test::eval_one;
    const OpDef& f = *mlec::rt::find_function("log_diff_exp");
    const int aa = pair_index(0, 0, 2);
    const int ab = pair_index(0, 1, 2);
    const int bb = pair_index(1, 1, 2);
    // d/da = e^a/(e^a - e^b), d/db = -e^b/(e^a - e^b), and the Hessian
    // -e^(a+b)/(e^a - e^b)^2 [1, -1; -1, 1], against 50 digits
    for (const Row& x : std::vector<Row>{{0, -1}, {2, 1.999}, {-700, -760}, {40, 0}, {1e5, 1e5 - 1e-6}}) {
        INFO("log_diff_exp at " << show(x));
        const Big ea = exp(Big(x[0]));
        const Big eb = exp(Big(x[1]));
        const Big diff = ea - eb;
        const Evaluated got = eval_one(f, x);
        CHECK(got.d1[0] == Approx(static_cast<double>(ea / diff)).epsilon(1e-15));
        CHECK(got.d1[1] == Approx(static_cast<double>(-eb / diff)).epsilon(1e-15));
        const double h = static_cast<double>(-ea * eb / (diff * diff));
        CHECK(got.d2[aa] == Approx(h).epsilon(2e-15));
        CHECK(got.d2[ab] == Approx(-h).epsilon(2e-15));
        CHECK(got.d2[bb] == Approx(h).epsilon(2e-15));
    }
    // a = b: -inf, partials their limits as b rises to a
    const Evaluated tie = eval_one(f, {1, 1});
    CHECK(tie.value == -inf);
    CHECK(tie.d1 == Row{inf, -inf});
    CHECK(tie.d2 == Row{-inf, inf, -inf});
    // a = b = -inf: -inf (log(0 - 0)), partials NaN: their limit depends
    // on the path
    const Evaluated zeros = eval_one(f, {-inf, -inf});
    CHECK(zeros.value == -inf);
    for (double v : zeros.d1) CHECK(std::isnan(v));
    for (double v : zeros.d2) CHECK(std::isnan(v));
    // b = -inf: the value is a, and only a counts
    const Evaluated no_b = eval_one(f, {3, -inf});
    CHECK(no_b.value == 3);
    CHECK(no_b.d1 == Row{1, 0});
    CHECK(no_b.d2 == Row{0, 0, 0});
    // a < b: NaN, partials included
    const Evaluated below = eval_one(f, {1, 1 + 1e-15});
    CHECK(std::isnan(below.value));
    for (double v : below.d1) CHECK(std::isnan(v));
    for (double v : below.d2) CHECK(std::isnan(v));
    // log_diff_exp(a, b) = a + log1m_exp(b - a)
    const OpDef& log1m_exp = *mlec::rt::find_function("log1m_exp");
    CHECK(eval_one(f, {0.25, -2}).value == 0.25 + eval_one(log1m_exp, {-2.25}).value);
}

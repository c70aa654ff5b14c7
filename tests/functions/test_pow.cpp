// pow(a, b), also a ^ b: its points for the checks every function gets
// (test_all.cpp), and its own tests.
#include "functions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;
using mlec::rt::OpDef;

namespace {

MLEC_FUNCTION_TEST(pow) {
    using namespace mlec::rt;
    const Domain real = Domain::real;
    const Domain pos = Domain::positive;
    std::vector<FunctionCase> out;
    out.push_back({&op_pow(),
                   {pos, real},
                   {{{2, 3}, 8},
                    {{1.5, -0.5}, std::pow(1.5, -0.5)},
                    {{0.3, 2.7}, std::pow(0.3, 2.7)},
                    {{10, 0.5}, std::sqrt(10.0)},
                    {{1e-3, 1.5}, std::pow(1e-3, 1.5)},
                    // edges (partials checked by hand below)
                    {{-2, 3}, -8, false},
                    {{0, 2}, 0, false},
                    {{0, 0}, 1, false},
                    {{-8, 1.0 / 3}, qnan, false}},
                   2});
    out.push_back({find_function("pow"), {pos, real}, {{{2, 0.5}, std::sqrt(2.0)}, {{3, 2}, 9}}, 2});
    return out;
}

}  // namespace

TEST_CASE("pow at a non-positive base") {
    using mlec::rt::pair_index;
    const OpDef& pow = mlec::rt::op_pow();
    const int aa = pair_index(0, 0, 2);
    const int ab = pair_index(0, 1, 2);
    const int bb = pair_index(1, 1, 2);

    // a < 0, integer b: value and partials in a by the power rule, finite;
    // b -> a^b is undefined around b, so its partials are NaN.
    const Evaluated neg = mlec::test::eval_one(pow, {-2, 3});
    CHECK(neg.value == -8);
    CHECK(neg.d1[0] == 12);    // 3 (-2)^2
    CHECK(neg.d2[aa] == -12);  // 6 (-2)
    CHECK(std::isnan(neg.d1[1]));
    CHECK(std::isnan(neg.d2[ab]));
    CHECK(std::isnan(neg.d2[bb]));
    const Evaluated neg_sq = mlec::test::eval_one(pow, {-3, 2});
    CHECK(neg_sq.value == 9);
    CHECK(neg_sq.d1[0] == -6);
    CHECK(neg_sq.d2[aa] == 2);

    // a = 0: 0^b = 0 for all b > 0, so the b-partials are 0, not 0 * log 0.
    const Evaluated zero = mlec::test::eval_one(pow, {0, 2});
    CHECK(zero.value == 0);
    CHECK(zero.d1[0] == 0);
    CHECK(zero.d2[aa] == 2);
    CHECK(zero.d1[1] == 0);
    CHECK(zero.d2[ab] == 0);
    CHECK(zero.d2[bb] == 0);
    // a^1 at 0: derivative 1 (1 * 0^0), second 0 (0 * 0^-1 taken as 0)
    const Evaluated linear = mlec::test::eval_one(pow, {0, 1});
    CHECK(linear.d1[0] == 1);
    CHECK(linear.d2[aa] == 0);
    // a^0 = 1: its derivative in a is 0 everywhere, also at 0
    const Evaluated constant = mlec::test::eval_one(pow, {0, 0});
    CHECK(constant.value == 1);
    CHECK(constant.d1[0] == 0);
    CHECK(constant.d2[aa] == 0);
    // a > 0: f_b = a^b log a
    const Evaluated pos = mlec::test::eval_one(pow, {2, 3});
    CHECK(pos.d1[1] == Approx(8 * std::log(2.0)).epsilon(1e-15));
    CHECK(pos.d2[ab] == Approx(4 * (1 + 3 * std::log(2.0))).epsilon(1e-15));
}

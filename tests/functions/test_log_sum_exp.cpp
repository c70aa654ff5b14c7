// log_sum_exp: its points for the checks every function gets (test_all.cpp),
// and its own tests.
#include "functions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;
using mlec::rt::OpDef;

namespace {

MLEC_FUNCTION_TEST(log_sum_exp) {
    using namespace mlec::rt;
    const Domain real = Domain::real;
    std::vector<FunctionCase> out;
    // Variadic: the points have 1 to 5 inputs; `domains` covers the longest.
    const std::vector<Domain> reals(5, real);
    out.push_back({find_function("log_sum_exp"),
                   reals,
                   {{{1.5}, 1.5},
                    {{0, 0}, std::log(2.0)},
                    {{1, 2, 3}, std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0))},
                    {{1000, 1000}, 1000 + std::log(2.0), true, {1, 1}},  // exp(1000) overflows
                    {{-1000, -1001}, -1000 + std::log1p(std::exp(-1.0)), true, {1, 1}},
                    {{40, 0}, 40 + std::log1p(std::exp(-40.0)), true, {1, 1}},
                    {{0.5, -0.25, 2, -3, 1},
                     std::log(std::exp(0.5) + std::exp(-0.25) + std::exp(2.0) + std::exp(-3.0) + std::exp(1.0))},
                    {{-inf, 2}, 2, false},
                    {{-inf, -inf}, -inf, false},
                    {{1, inf}, inf, false},
                    {{qnan, 1}, qnan, false}},
                   -1});
    return out;
}

}  // namespace

TEST_CASE("log_sum_exp: softmax partials, exact in the tails, infinite inputs") {
    using mlec::rt::pair_index;
    using mlec::test::eval_one;
    const OpDef& lse = *mlec::rt::find_function("log_sum_exp");
    // softmax and diag(s) - s s^T against the closed form
    const Row x{0.5, -0.25, 2};
    double total = 0;
    for (double v : x) total += std::exp(v);
    const Evaluated e = eval_one(lse, x);
    for (int i = 0; i < 3; ++i) {
        const double si = std::exp(x[i]) / total;
        CHECK(e.d1[i] == Approx(si).epsilon(1e-14));
        for (int j = i; j < 3; ++j) {
            const double sj = std::exp(x[j]) / total;
            CHECK(e.d2[pair_index(i, j, 3)] == Approx((i == j ? si : 0.0) - si * sj).epsilon(1e-13));
        }
    }
    // A term 40 below the largest still counts, in the value and in the
    // curvature s (1 - s) that 1 - s would round to 0.
    const double t = std::exp(-40.0);
    const Evaluated tail = eval_one(lse, {0, -40});
    CHECK(tail.value == Approx(std::log1p(t)).epsilon(1e-15));
    CHECK(tail.value > 0);
    CHECK(tail.d2[pair_index(0, 0, 2)] == Approx(t / ((1 + t) * (1 + t))).epsilon(1e-14));
    CHECK(tail.d2[pair_index(1, 1, 2)] == Approx(t / ((1 + t) * (1 + t))).epsilon(1e-14));
    CHECK(tail.d2[pair_index(0, 1, 2)] == Approx(-t / ((1 + t) * (1 + t))).epsilon(1e-14));
    // every input -inf: -inf; the first input takes the unit weight
    const Evaluated all_neg = eval_one(lse, {-inf, -inf});
    CHECK(all_neg.value == -inf);
    CHECK(all_neg.d1 == Row{1, 0});
    CHECK(all_neg.d2 == Row{0, 0, 0});
    // -inf next to a finite input: weight 0
    const Evaluated one_neg = eval_one(lse, {-inf, 2});
    CHECK(one_neg.d1 == Row{0, 1});
    CHECK(one_neg.d2 == Row{0, 0, 0});
    const Evaluated pos = eval_one(lse, {1, inf});
    CHECK(pos.value == inf);
    CHECK(pos.d1 == Row{0, 1});
    CHECK(std::isnan(eval_one(lse, {1, qnan}).d1[0]));
    // ties split evenly
    const Evaluated tie = eval_one(lse, {3, 3, 3, 3});
    CHECK(tie.value == Approx(3 + std::log(4.0)).epsilon(1e-15));
    for (double v : tie.d1) CHECK(v == 0.25);
}

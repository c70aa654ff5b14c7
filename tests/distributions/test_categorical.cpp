// categorical: its points for the checks every distribution gets
// (test_all.cpp), and its own tests.
#include "distributions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;

namespace {

// categorical(y | p_1, ..., p_K): rows of 1 + K entries
MLEC_DISTRIBUTION_TEST(categorical, true, Domain::category, "p:in [0, 1];") {
    return {{{1, 0.2, 0.3, 0.5}, std::log(0.2)},
            {{3, 0.2, 0.3, 0.5}, std::log(0.5)},
            {{2, 0.7, 0.3}, std::log(0.3)},
            {{1, 1}, 0},
            {{2, 0.5, 1e-100}, std::log(1e-100), true, {0, 0.1, 1e-101}},
            {{5, 0.1, 0.1, 0.1, 0.1, 0.6}, std::log(0.6)},
            {{4, 0.2, 0.3, 0.5}, -inf, false},  // y > K
            {{2, 0.5, 0}, -inf, false},         // p_y = 0
            {{1.5, 0.5, 0.5}, -inf, false},
            {{0, 0.5, 0.5}, -inf, false},
            {{1, 0.5, 1.5}, -inf, false},  // an element outside [0, 1]
            {{1, 0.5, qnan}, -inf, false}};
}

}  // namespace

TEST_CASE("categorical at its boundaries") {
    // categorical: only p_y is touched; p is not renormalized
    using mlec::rt::pair_index;
    const Evaluated cat = mlec::test::eval_one(dist("categorical").op, {2, 0.5, 0.25, 0.25});
    CHECK(cat.value == Approx(std::log(0.25)).epsilon(1e-15));
    CHECK(cat.d1 == Row{0, 0, 4, 0});
    for (int i = 0; i < 4; ++i) {
        for (int j = i; j < 4; ++j) CHECK(cat.d2[pair_index(i, j, 4)] == (i == 2 && j == 2 ? -16 : 0));
    }
    CHECK(mlec::test::eval_one(dist("categorical").op, {1, 0.5, 0.25}).value == Approx(std::log(0.5)).epsilon(1e-15));
}

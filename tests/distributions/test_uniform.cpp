// uniform: its points for the checks every distribution gets (test_all.cpp),
// and its own tests.
#include "distributions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;

namespace {

MLEC_DISTRIBUTION_TEST(uniform, false, Domain::real, "lo:a real number;hi:a real number;") {
    return {{{0.5, 0, 1}, 0, true, {0.1, 0.1, 0.1}},
            {{2, -1, 5}, -std::log(6.0), true, {0.5, 0.5, 0.5}},
            {{1e-3, 1e-6, 1e-2}, -std::log(1e-2 - 1e-6), true, {1e-4, 1e-7, 1e-3}},
            {{1e8, -1e9, 1e9}, -std::log(2e9), true, {1e7, 1e7, 1e7}},
            {{-7, -8, -6.5}, -std::log(1.5), true, {0.1, 0.1, 0.1}},
            {{0, 0, 1}, 0, false},  // the support is closed
            {{1, 0, 1}, 0, false},
            {{-0.1, 0, 1}, -inf, false},
            {{1.1, 0, 1}, -inf, false},
            {{0.5, 1, 0}, -inf, false},  // lo > hi
            {{1, 1, 1}, -inf, false},    // lo == hi
            {{qnan, 0, 1}, -inf, false},
            {{0.5, -inf, 1}, -inf, false}};
}

}  // namespace

TEST_CASE("uniform partials") {
    // uniform: -log(hi - lo), partials +-1/w, second partials +-1/w^2, none in y
    const Evaluated u = mlec::test::eval_one(dist("uniform").op, {0.5, -1, 3});
    CHECK(u.value == Approx(-std::log(4.0)).epsilon(1e-15));
    CHECK(u.d1 == Row{0, 0.25, -0.25});
    CHECK(u.d2 == Row{0, 0, 0, 0.0625, -0.0625, 0.0625});
}

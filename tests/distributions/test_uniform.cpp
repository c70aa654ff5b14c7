// uniform: its points for the checks every distribution gets (test_all.cpp),
// and its own tests.
#include <boost/math/distributions/uniform.hpp>

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

// Below lo, P(Y <= y) = 0 and P(Y > y) = 1; above hi the reverse.
MLEC_CDF_TEST(uniform) {
    auto point = [](double y, double lo, double hi) {
        return big_cdf_point({y, lo, hi}, bm::uniform_distribution<Big>(lo, hi));
    };
    CdfPoint near_hi = point(0.999, 0, 1);
    near_hi.step = {1e-4, 0.1, 1e-4};
    CdfPoint at_lo = point(0, 0, 1);
    at_lo.fd = false;
    CdfPoint at_hi = point(1, 0, 1);
    at_hi.fd = false;
    return {point(0.3, 0, 1),
            point(2, -1, 5),
            point(-3, -4, -2.5),
            near_hi,
            at_lo,
            at_hi,
            {{-1, 0, 1}, -inf, 0.0, false},
            {{2, 0, 1}, 0.0, -inf, false},
            cdf_outside({0.5, 1, 0}),
            cdf_outside({0.5, 1, 1})};
}

}  // namespace

TEST_CASE("uniform partials") {
    // uniform: -log(hi - lo), partials +-1/w, second partials +-1/w^2, none in y
    const Evaluated u = mlec::test::eval_one(dist("uniform").op, {0.5, -1, 3});
    CHECK(u.value == Approx(-std::log(4.0)).epsilon(1e-15));
    CHECK(u.d1 == Row{0, 0.25, -0.25});
    CHECK(u.d2 == Row{0, 0, 0, 0.0625, -0.0625, 0.0625});
}

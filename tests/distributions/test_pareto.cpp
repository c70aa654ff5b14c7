// pareto: its points for the checks every distribution gets (test_all.cpp),
// and its own tests. Boost.Math's pareto_distribution(scale, shape) is
// Stan's pareto(y_min, alpha).
#include <boost/math/distributions/pareto.hpp>

#include "distributions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;

namespace {

double log_pdf_pareto(double y, double y_min, double alpha) {
    return std::log(bm::pdf(bm::pareto_distribution<>(y_min, alpha), y));
}

// Steps that keep y above y_min (and y_min below y) while differencing.
MLEC_DISTRIBUTION_TEST(pareto, false, Domain::positive, "y_min:positive;alpha:positive;") {
    return {{{2, 1, 3}, log_pdf_pareto(2, 1, 3), true, {0.2, 0.2, 0.5}},
            {{1.5, 0.5, 0.3}, log_pdf_pareto(1.5, 0.5, 0.3), true, {0.2, 0.2, 0.05}},  // alpha < 1
            {{1e6, 2, 1.2}, log_pdf_pareto(1e6, 2, 1.2), true, {1e5, 0.5, 0.2}},
            {{3e-5, 1e-5, 7}, log_pdf_pareto(3e-5, 1e-5, 7), true, {5e-6, 5e-6, 1}},
            {{1.001, 1, 500}, log_pdf_pareto(1.001, 1, 500), true, {2e-4, 2e-4, 50}},  // large alpha
            // y^(alpha + 1) near the top of the doubles: the formula itself
            {{1e300, 1e-150, 0.01},
             std::log(0.01) + 0.01 * std::log(1e-150) - 1.01 * std::log(1e300),
             true,
             {1e299, 1e-151, 1e-3}},
            // y == y_min: inside (the density's jump is at the edge)
            {{2, 2, 3}, log_pdf_pareto(2, 2, 3), false},
            {{1.999, 2, 3}, -inf, false},  // below y_min
            {{0.5, 1, 2}, -inf, false},
            {{0, 1, 2}, -inf, false},
            {{2, 0, 2}, -inf, false},
            {{2, -1, 2}, -inf, false},
            {{2, 1, 0}, -inf, false},
            {{2, 1, qnan}, -inf, false},
            {{inf, 1, 2}, -inf, false}};
}

MLEC_CDF_TEST(pareto) {
    auto point = [](double y, double y_min, double alpha) {
        return big_cdf_point({y, y_min, alpha}, bm::pareto_distribution<Big>(y_min, alpha));
    };
    CdfPoint near_min = point(2.0000001, 2, 3);  // P = 1.5e-7
    near_min.step = {1e-9, 1e-9, 0.5};
    near_min.tol = {1e-5, 1e-8};
    return {point(3, 2, 1.5),
            point(1e10, 1, 2),
            point(1.5, 1, 0.01),
            point(50, 0.3, 4),
            near_min,
            {{1e300, 1e-5, 5}, 0.0, -5 * (std::log(1e300) - std::log(1e-5)), false, {}, {}, 1e-14},
            {{1, 2, 1}, -inf, 0.0, false},  // below y_min
            cdf_outside({3, 0, 1}),
            cdf_outside({3, 2, 0})};
}

}  // namespace

TEST_CASE("pareto at its lower limit and its mean") {
    const auto& d = dist("pareto");
    // y == y_min: the one-sided partials
    const Evaluated e = eval_one(d.op, {2, 2, 3});
    CHECK(e.value == Approx(std::log(1.5)).epsilon(1e-15));
    CHECK(e.d1[0] == Approx(-2.0).epsilon(1e-15));
    CHECK(e.d1[1] == Approx(1.5).epsilon(1e-15));
    CHECK(e.d1[2] == Approx(1.0 / 3).epsilon(1e-15));
    // the limit y >= y_min is the table's, for the data check
    REQUIRE(d.limits.size() == 1);
    CHECK(d.limits[0].arg == 0);
    CHECK_FALSE(d.limits[0].upper);

    for (const Row& a : std::vector<Row>{{1, 3}, {0.5, 1.5}, {2e3, 1e6}}) {
        INFO(show(a));
        CHECK(mean_at(d, a) == Approx(bm::mean(bm::pareto_distribution<>(a[0], a[1]))).epsilon(1e-14));
    }
    // alpha <= 1: no mean; +inf (predict writes NA)
    CHECK(mean_at(d, {1, 1}) == inf);
    CHECK(mean_at(d, {2, 0.5}) == inf);
}

// laplace: its points for the checks every distribution gets (test_all.cpp),
// and its own tests.
#include <boost/math/distributions/laplace.hpp>

#include "distributions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;

namespace {

double log_pdf_laplace(double y, double mu, double b) {
    return std::log(bm::pdf(bm::laplace_distribution<>(mu, b), y));
}

MLEC_DISTRIBUTION_TEST(laplace, false, Domain::real, "mu:a real number;b:positive;") {
    return {{{0.3, 0, 1}, log_pdf_laplace(0.3, 0, 1)},
            {{-2, 1, 0.5}, log_pdf_laplace(-2, 1, 0.5)},
            {{1e3, 0, 2}, log_pdf_laplace(1e3, 0, 2)},
            {{1e-9, 0, 1e-10}, log_pdf_laplace(1e-9, 0, 1e-10), true, {1e-10, 1e-10, 2e-11}},
            // y == mu: not differentiable in y, mu (partials 0, below)
            {{1, 1, 2}, log_pdf_laplace(1, 1, 2), true, {0, 0, 0.5}},
            {{1e4, 0, 1}, -1e4 - std::log(2.0)},  // pdf underflows
            {{0, 0, 0}, -inf, false},
            {{0, 0, -1}, -inf, false},
            {{qnan, 0, 1}, -inf, false}};
}

// z = 0 is a kink of the second derivative: checked there by value only.
MLEC_CDF_TEST(laplace) {
    auto point = [](double y, double mu, double b) {
        return big_cdf_point({y, mu, b}, bm::laplace_distribution<Big>(mu, b));
    };
    CdfPoint kink = point(0, 0, 1);
    kink.fd = false;
    return {point(0.3, 0, 1),      point(-2, 1, 0.5), point(40, 0, 1), point(-40, 0, 1),
            point(-800, 0, 1),     point(800, 0, 1),  point(5, 1, 3),  kink,
            cdf_outside({0, 0, 0})};
}

}  // namespace

TEST_CASE("laplace partials at y == mu") {
    // laplace at y == mu: the partials in y and mu are 0, in b -1/b
    const Evaluated at = mlec::test::eval_one(dist("laplace").op, {1, 1, 2});
    CHECK(at.d1[0] == 0);
    CHECK(at.d1[1] == 0);
    CHECK(at.d1[2] == -0.5);
    CHECK(at.d2[0] == 0);
}

// poisson: its points for the checks every distribution gets (test_all.cpp).
#include <boost/math/distributions/poisson.hpp>

#include "distributions/support.hpp"
#include "distributions/truncated_mean.hpp"

using namespace mlec::test;
using mlec::rt::Domain;

namespace {

MLEC_DISTRIBUTION_TEST(poisson, true, Domain::count, "lambda:positive;") {
    return {{{0, 2.5}, log_pdf_poisson(0, 2.5)},
            {{3, 2.5}, log_pdf_poisson(3, 2.5)},
            {{10, 0.01}, log_pdf_poisson(10, 0.01)},
            {{2000, 1900}, log_pdf_poisson(2000, 1900)},
            {{0, 1e-8}, log_pdf_poisson(0, 1e-8)},
            {{5, 1e6}, 5 * std::log(1e6) - 1e6 - std::lgamma(6.0)},  // pdf underflows
            {{5, 0}, -inf, false},
            {{5, -1}, -inf, false},
            {{2.5, 1}, -inf, false},
            {{-1, 1}, -inf, false},
            {{1, inf}, -inf, false}};
}

// Far tails (P(Y <= 0) = e^-1000, P(Y > 100) near 1e-656) are summed from
// their largest term where the double incomplete gamma function underflows.
MLEC_CDF_TEST(poisson) {
    auto point = [](double y, double lambda) {
        return big_cdf_point({y, lambda}, bm::poisson_distribution<Big>(lambda));
    };
    CdfPoint tiny_lambda = point(0, 1e-100);
    tiny_lambda.fd = false;  // steps of 1e-101 in lambda: differences are noise
    return {point(3, 2.5),           point(0, 1),          point(0, 1000),     point(10, 1e-3), point(100, 1e-5),
            point(1000, 1000),       point(50, 200),       tiny_lambda,        point(20, 700),  point(2, 30),
            cdf_outside({0.5, 2.5}), cdf_below({-1, 2.5}), cdf_outside({3, 0})};
}

}  // namespace

// Counts: E[y | lo <= y <= hi], bounds included, against the sums.
TEST_CASE("poisson's truncated mean") {
    auto check = [](double lambda, Bounds b) {
        auto p = [&](const Big& k) { return exp(k * log(Big(lambda)) - lambda - boost::math::lgamma(k + 1)); };
        check_truncated_mean("poisson", {lambda}, b, reference_count_mean(p, b));
    };
    check(2.5, {1, inf});  // zero-truncated: lambda/(1 - e^-lambda)
    check(3, {2, 6});
    check(4, {-inf, 3});
    check(0.5, {8, inf});
    check(3, {0, inf});
    check(20, {1, inf});
    check(2, {-3, 1});
    CHECK(truncated_mean_at(dist("poisson"), {2.5}, {1, inf}).value == Approx(2.5 / -std::expm1(-2.5)).epsilon(1e-14));
}

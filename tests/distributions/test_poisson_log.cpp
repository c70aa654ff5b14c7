// poisson_log: its points for the checks every distribution gets
// (test_all.cpp).
#include <boost/math/distributions/poisson.hpp>

#include "distributions/support.hpp"
#include "distributions/truncated_mean.hpp"

using namespace mlec::test;
using mlec::rt::Domain;

namespace {

MLEC_DISTRIBUTION_TEST(poisson_log, true, Domain::count, "eta:a real number;") {
    return {{{0, 0.5}, log_pdf_poisson(0, std::exp(0.5))},
            {{3, std::log(2.5)}, log_pdf_poisson(3, 2.5)},
            {{7, -3}, log_pdf_poisson(7, std::exp(-3.0))},
            {{2000, std::log(1900.0)}, log_pdf_poisson(2000, 1900)},
            // exp(eta) underflows or the pdf does: y eta - exp(eta) - lgamma(y+1)
            {{0, -800}, 0},
            {{4, -800}, -3200 - std::lgamma(5.0)},
            {{3, 40}, 120 - std::exp(40.0) - std::lgamma(4.0)},
            {{2, 800}, -inf, false},
            {{0, qnan}, -inf, false},
            {{1.5, 0}, -inf, false}};
}

// eta = -800: lambda underflows in double, P(Y > 5) = exp(-4806.6...) stays.
MLEC_CDF_TEST(poisson_log) {
    auto point = [](double y, double eta) {
        return big_cdf_point({y, eta}, bm::poisson_distribution<Big>(exp(Big(eta))));
    };
    CdfPoint near_mode = point(1000, 6.9);  // Boost's Q and P to about 1e-14 here
    near_mode.tol = {1e-5, 1e-8};
    return {point(3, 0.9),  point(0, 6.9), point(5, -800), point(100, -11.5),     near_mode,
            point(50, 5.3), point(0, -3),  point(7, 2),    cdf_outside({0.5, 1}), cdf_below({-1, 1})};
}

}  // namespace

TEST_CASE("poisson_log's truncated mean") {
    auto check = [](double eta, Bounds b) {
        auto p = [&](const Big& k) { return exp(k * eta - exp(Big(eta)) - boost::math::lgamma(k + 1)); };
        check_truncated_mean("poisson_log", {eta}, b, reference_count_mean(p, b));
    };
    check(0.9, {1, inf});
    check(1.2, {2, 6});
    check(-0.5, {-inf, 1});
}

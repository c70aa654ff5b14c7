// weibull: its points for the checks every distribution gets (test_all.cpp).
#include <boost/math/distributions/weibull.hpp>

#include "distributions/support.hpp"
#include "distributions/truncated_mean.hpp"

using namespace mlec::test;
using mlec::rt::Domain;

namespace {

double log_pdf_weibull(double y, double shape, double scale) {
    return std::log(bm::pdf(bm::weibull_distribution<>(shape, scale), y));
}

MLEC_DISTRIBUTION_TEST(weibull, false, Domain::positive, "shape:positive;scale:positive;") {
    return {{{1.5, 2, 1}, log_pdf_weibull(1.5, 2, 1)},
            {{0.3, 0.5, 2}, log_pdf_weibull(0.3, 0.5, 2)},  // shape < 1
            {{2, 1, 3}, log_pdf_weibull(2, 1, 3)},          // shape 1: exponential
            {{1e-3, 3, 1e-2}, log_pdf_weibull(1e-3, 3, 1e-2)},
            {{100, 1.2, 50}, log_pdf_weibull(100, 1.2, 50)},
            {{5, 20, 4}, log_pdf_weibull(5, 20, 4)},
            {{0, 2, 1}, -inf, false},  // y = 0 is outside the positive outcome domain
            {{-1, 2, 1}, -inf, false},
            {{1, 0, 1}, -inf, false},
            {{1, 2, 0}, -inf, false}};
}

// For huge y the survival function exp(-(y/lambda)^k) is far below any
// double (and below Big's exponent range): lccdf is -(y/lambda)^k exactly,
// lcdf rounds to 0.
MLEC_CDF_TEST(weibull) {
    auto point = [](double y, double k, double lambda) {
        return big_cdf_point({y, k, lambda}, bm::weibull_distribution<Big>(k, lambda));
    };
    CdfPoint tiny_p = point(1e-6, 2, 1);  // P = 1e-12: lcdf = log P - P/2
    tiny_p.tol = {1e-6, 1e-8};            // differences of partials near -2 + 1e-12
    return {point(1.5, 2, 1),
            point(0.3, 0.5, 2),
            point(2, 1, 3),
            point(1e-3, 3, 1e-2),
            point(100, 1.2, 50),
            point(5, 20, 4),
            tiny_p,
            point(0.5, 1, 1.1),   // P < 0.2: the series of g''
            point(1e-100, 3, 1),  // P = 1e-300, lcdf = 3 log(1e-100)
            point(30, 2, 1),      // lcdf rounds to -exp(-900)
            {{1e6, 2, 1}, 0.0, -1e12, true, {}, {1e-6, 1e-10}, 1e-15},
            {{1e300, 0.5, 1e-8}, 0.0, -1e154, false, {}, {}, 1e-14},
            cdf_below({0, 2, 1}),
            cdf_below({-1, 2, 1}),
            cdf_outside({1, 0, 1}),
            cdf_outside({1, 2, 0})};
}

}  // namespace

TEST_CASE("weibull's truncated mean") {
    auto check = [](double shape, double scale, Bounds b) {
        auto p = [&](const Big& y) { return pow(y / scale, shape - 1) * exp(-pow(y / scale, shape)); };
        const Bounds support{std::isfinite(b.lo) ? b.lo : 0.0, b.hi};
        check_truncated_mean("weibull", {shape, scale}, b, reference_continuous_mean(p, support));
    };
    check(1.5, 2, {1, inf});
    check(0.8, 1, {0.5, 4});
    check(2.5, 3, {-inf, 2});
    check(2, 1, {5, inf});
}

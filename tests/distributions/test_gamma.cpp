// gamma: its points for the checks every distribution gets (test_all.cpp).
#include <boost/math/distributions/gamma.hpp>

#include "distributions/support.hpp"
#include "distributions/truncated_mean.hpp"

using namespace mlec::test;
using mlec::rt::Domain;

namespace {

double log_pdf_gamma(double y, double shape, double rate) {
    return std::log(bm::pdf(bm::gamma_distribution<>(shape, 1 / rate), y));
}

MLEC_DISTRIBUTION_TEST(gamma, false, Domain::positive, "shape:positive;rate:positive;") {
    return {{{2, 0.5, 1.3}, log_pdf_gamma(2, 0.5, 1.3)},  // shape < 1
            {{2, 3.5, 0.7}, log_pdf_gamma(2, 3.5, 0.7)},
            {{0.01, 0.2, 5}, log_pdf_gamma(0.01, 0.2, 5)},
            {{100, 50, 0.5}, log_pdf_gamma(100, 50, 0.5)},
            {{1, 1, 1}, log_pdf_gamma(1, 1, 1)},
            {{0, 2, 1}, -inf, false},
            {{1, 0, 1}, -inf, false},
            {{1, 2, -1}, -inf, false}};
}

// Shapes from 0.1 to 1000, the body and both tails; far tails where P or Q
// underflows a double (log P(Y <= 1e-3) = -2.8e2 at shape 30, log P(Y > y)
// = -1985 at x = 2000) come from the quadrature's integral.
MLEC_CDF_TEST(gamma) {
    auto point = [](double y, double shape, double rate) {
        return big_cdf_point({y, shape, rate}, bm::gamma_distribution<Big>(shape, 1 / Big(rate)));
    };
    return {point(2, 0.5, 1.3),    point(2, 3.5, 0.7),     point(0.01, 0.2, 5),    point(100, 50, 0.5),
            point(1, 1, 1),        point(0.5, 0.1, 1),     point(3, 0.1, 1),       point(1e-5, 0.1, 1),
            point(25, 0.1, 2),     point(900, 1000, 1),    point(500, 1000, 2),    point(1100, 1000, 1),
            point(350, 1000, 0.5), point(1300, 1000, 1),   point(1e-3, 30, 1),     point(400, 3, 2),
            point(2000, 3, 1),     point(0.5, 1000, 2),    point(3000, 1000, 1),   point(1e-6, 2, 1),
            cdf_below({0, 2, 1}),  cdf_outside({1, 0, 1}), cdf_outside({1, 2, -1})};
}

}  // namespace

TEST_CASE("gamma's truncated mean") {
    auto check = [](double shape, double rate, Bounds b) {
        auto p = [&](const Big& y) { return pow(y, shape - 1) * exp(-rate * y); };
        // (an open lower side is the support's end, 0)
        const Bounds support{std::isfinite(b.lo) ? b.lo : 0.0, b.hi};
        check_truncated_mean("gamma", {shape, rate}, b, reference_continuous_mean(p, support));
    };
    check(2, 1.5, {1, inf});
    check(0.5, 2, {0.1, 2});
    check(3, 1, {-inf, 1});
    check(2, 1, {50, inf});
}

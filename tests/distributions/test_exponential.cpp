// exponential: its points for the checks every distribution gets
// (test_all.cpp).
#include <boost/math/distributions/exponential.hpp>

#include "distributions/support.hpp"
#include "distributions/truncated_mean.hpp"

using namespace mlec::test;
using mlec::rt::Domain;

namespace {

double log_pdf_exponential(double y, double rate) { return std::log(bm::pdf(bm::exponential_distribution<>(rate), y)); }

MLEC_DISTRIBUTION_TEST(exponential, false, Domain::nonnegative, "rate:positive;") {
    return {{{0, 2}, log_pdf_exponential(0, 2)},  // y on the boundary: no steps in y
            {{1.5, 0.3}, log_pdf_exponential(1.5, 0.3)},
            {{1e-3, 1e3}, log_pdf_exponential(1e-3, 1e3)},
            {{50, 0.01}, log_pdf_exponential(50, 0.01)},
            {{-1, 1}, -inf, false},
            {{1, 0}, -inf, false},
            {{1, -2}, -inf, false}};
}

// lccdf = -rate y exactly, however far out.
MLEC_CDF_TEST(exponential) {
    auto point = [](double y, double rate) {
        return big_cdf_point({y, rate}, bm::exponential_distribution<Big>(rate));
    };
    CdfPoint tiny = point(1e-12, 2);
    tiny.fd = false;  // differences of differences at 1e-12 are noise
    return {point(1, 1),
            point(0.1, 3),
            tiny,  // lcdf = log(2e-12) - 1e-12
            point(1e-6, 2),
            point(0.2, 0.5),
            point(50, 2),
            {{1e300, 2}, 0.0, -2e300, false, {}, {}, 1e-15},
            {{0, 2}, -inf, 0.0, false},
            cdf_below({-1, 1}),
            cdf_outside({1, 0})};
}

}  // namespace

TEST_CASE("exponential's truncated mean") {
    auto check = [](double rate, Bounds b) {
        auto p = [&](const Big& y) { return exp(-rate * y); };
        const Bounds support{std::isfinite(b.lo) ? b.lo : 0.0, b.hi};
        check_truncated_mean("exponential", {rate}, b, reference_continuous_mean(p, support));
    };
    check(2, {0.5, inf});
    check(0.7, {1, 2});
    check(1.5, {-inf, 3});
    check(3, {0.2, 0.21});
    check(1, {0, 900});  // e^(rate d) overflows
}

// weibull: its points for the checks every distribution gets (test_all.cpp).
#include <boost/math/distributions/weibull.hpp>

#include "distributions/support.hpp"

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

}  // namespace

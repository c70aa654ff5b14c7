// gamma: its points for the checks every distribution gets (test_all.cpp).
#include <boost/math/distributions/gamma.hpp>

#include "distributions/support.hpp"

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

}  // namespace

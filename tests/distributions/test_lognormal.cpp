// lognormal: its points for the checks every distribution gets (test_all.cpp).
#include <boost/math/distributions/lognormal.hpp>

#include "distributions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;

namespace {

double log_pdf_lognormal(double y, double mu, double sigma) {
    return std::log(bm::pdf(bm::lognormal_distribution<>(mu, sigma), y));
}

MLEC_DISTRIBUTION_TEST(lognormal, false, Domain::positive, "mu:a real number;sigma:positive;") {
    return {{{1.5, 0.2, 0.8}, log_pdf_lognormal(1.5, 0.2, 0.8)},
            {{0.01, -3, 2}, log_pdf_lognormal(0.01, -3, 2)},
            {{100, 4, 0.1}, log_pdf_lognormal(100, 4, 0.1)},
            {{1e-5, 2, 30}, log_pdf_lognormal(1e-5, 2, 30)},
            {{0, 0, 1}, -inf, false},
            {{-1, 0, 1}, -inf, false},
            {{1, 0, 0}, -inf, false}};
}

}  // namespace

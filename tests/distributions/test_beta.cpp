// beta: its points for the checks every distribution gets (test_all.cpp).
#include <boost/math/distributions/beta.hpp>

#include "distributions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;

namespace {

double log_pdf_beta(double y, double a, double b) { return std::log(bm::pdf(bm::beta_distribution<>(a, b), y)); }

MLEC_DISTRIBUTION_TEST(beta, false, Domain::unit_open, "a:positive;b:positive;") {
    return {{{0.3, 2, 3}, log_pdf_beta(0.3, 2, 3)},
            {{0.01, 0.5, 0.5}, log_pdf_beta(0.01, 0.5, 0.5)},
            {{0.999, 5, 0.8}, log_pdf_beta(0.999, 5, 0.8)},
            {{0.5, 1, 1}, 0},
            {{0.4, 1e-3, 2}, log_pdf_beta(0.4, 1e-3, 2)},
            {{0.7, 50, 30}, log_pdf_beta(0.7, 50, 30)},
            {{0.2, 1e6, 4e6}, log_pdf_beta(0.2, 1e6, 4e6), true, {1e-4, 1e4, 4e4}, {1e-5, 1e-8}, 1e-9},
            {{0.3, 15, 2.5}, log_pdf_beta(0.3, 15, 2.5)},
            {{0, 2, 3}, -inf, false},
            {{1, 2, 3}, -inf, false},
            {{0.5, 0, 3}, -inf, false},
            {{0.5, 2, -1}, -inf, false}};
}

}  // namespace

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

// Shapes from 0.1 to 1000, the body and both tails; far tails where
// I_y(a, b) underflows a double come from the quadrature's integral.
MLEC_CDF_TEST(beta) {
    auto point = [](double y, double a, double b) {
        return big_cdf_point({y, a, b}, bm::beta_distribution<Big>(a, b));
    };
    return {point(0.3, 2, 3),     point(0.01, 0.5, 0.5),   point(0.999, 0.5, 0.5),   point(0.5, 0.1, 0.1),
            point(0.2, 30, 5),    point(0.9, 1000, 50),    point(0.95, 1000, 50),    point(1e-3, 5, 1000),
            point(0.02, 5, 1000), point(0.45, 1000, 1000), point(0.4, 100, 100),     point(1e-6, 0.1, 3),
            point(0.99, 2, 0.5),  point(0.1, 3, 1000),     point(0.7, 1000, 2),      point(1e-3, 50, 2),
            cdf_below({0, 2, 3}), cdf_above({1, 2, 3}),    cdf_outside({0.5, 0, 3}), cdf_outside({0.5, 2, -1})};
}

}  // namespace

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

MLEC_CDF_TEST(lognormal) {
    auto point = [](double y, double mu, double sigma) {
        return big_cdf_point({y, mu, sigma}, bm::lognormal_distribution<Big>(mu, sigma));
    };
    CdfPoint narrow = point(3, 1.1, 0.01);
    narrow.step = {0.003, 0.001, 0.0025};
    return {point(1.5, 0, 1),
            point(0.2, 1, 0.5),
            point(std::exp(40.0), 0, 1),
            point(std::exp(-40.0), 0, 1),
            narrow,
            point(1e-3, 2, 3),
            point(50, 0.5, 0.2),
            cdf_outside({0, 0, 1}),
            cdf_outside({-1, 0, 1}),
            cdf_outside({1, 0, 0})};
}

}  // namespace

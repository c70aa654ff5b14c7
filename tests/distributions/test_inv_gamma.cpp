// inv_gamma: its points for the checks every distribution gets
// (test_all.cpp), and its own tests. Boost.Math's
// inverse_gamma_distribution(shape, scale) is Stan's inv_gamma(alpha, beta).
#include <boost/math/distributions/inverse_gamma.hpp>

#include "distributions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;

namespace {

double log_pdf_inv_gamma(double y, double alpha, double beta) {
    return std::log(bm::pdf(bm::inverse_gamma_distribution<>(alpha, beta), y));
}

MLEC_DISTRIBUTION_TEST(inv_gamma, false, Domain::positive, "alpha:positive;beta:positive;") {
    return {{{0.5, 2, 1}, log_pdf_inv_gamma(0.5, 2, 1)},
            {{2, 0.5, 3}, log_pdf_inv_gamma(2, 0.5, 3)},  // alpha < 1
            {{0.01, 3, 0.05}, log_pdf_inv_gamma(0.01, 3, 0.05)},
            {{100, 50, 4000}, log_pdf_inv_gamma(100, 50, 4000)},
            {{1, 1, 1}, log_pdf_inv_gamma(1, 1, 1)},
            {{0.02, 200, 5}, log_pdf_inv_gamma(0.02, 200, 5)},  // large alpha
            {{50, 0.01, 1e-3}, log_pdf_inv_gamma(50, 0.01, 1e-3)},
            {{1e-3, 0.5, 1e-4}, log_pdf_inv_gamma(1e-3, 0.5, 1e-4)},
            {{0, 2, 1}, -inf, false},
            {{-1, 2, 1}, -inf, false},
            {{1, 0, 1}, -inf, false},
            {{1, 2, 0}, -inf, false},
            {{1, 2, -1}, -inf, false},
            {{inf, 2, 1}, -inf, false}};
}

// 1/Y ~ gamma: the points of gamma's test mirrored, both tails, alpha from
// 0.1 to 1000.
MLEC_CDF_TEST(inv_gamma) {
    auto point = [](double y, double alpha, double beta) {
        return big_cdf_point({y, alpha, beta}, bm::inverse_gamma_distribution<Big>(alpha, beta));
    };
    return {point(0.5, 2, 1),       point(2, 0.5, 3),       point(0.01, 3, 0.05),  point(100, 50, 4000),
            point(1, 1, 1),         point(0.02, 200, 5),    point(50, 0.01, 1e-3), point(1e-3, 0.5, 1e-4),
            point(2, 0.1, 1),       point(1e-3, 1000, 900), point(1, 1000, 1100),  point(1e-3, 3, 2),
            point(1e3, 30, 1),      point(0.1, 1000, 200),  point(2e-4, 2, 0.5),   cdf_below({0, 2, 1}),
            cdf_outside({1, 0, 1}), cdf_outside({1, 2, 0})};
}

}  // namespace

TEST_CASE("inv_gamma's mean") {
    const auto& d = dist("inv_gamma");
    for (const Row& a : std::vector<Row>{{3, 2}, {1.5, 0.1}, {200, 5e3}}) {
        INFO(show(a));
        CHECK(mean_at(d, a) == Approx(bm::mean(bm::inverse_gamma_distribution<>(a[0], a[1]))).epsilon(1e-14));
    }
    // alpha <= 1: no mean; +inf (predict writes NA)
    CHECK(mean_at(d, {1, 2}) == inf);
    CHECK(mean_at(d, {0.5, 2}) == inf);
}

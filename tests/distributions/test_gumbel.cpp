// gumbel: its points for the checks every distribution gets (test_all.cpp),
// and its own tests. Boost.Math's extreme_value_distribution is the Gumbel
// distribution of maxima, Stan's gumbel.
#include <boost/math/distributions/extreme_value.hpp>

#include "distributions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;

namespace {

double log_pdf_gumbel(double y, double mu, double beta) {
    return std::log(bm::pdf(bm::extreme_value_distribution<>(mu, beta), y));
}

MLEC_DISTRIBUTION_TEST(gumbel, false, Domain::real, "mu:a real number;beta:positive;") {
    return {{{0.3, 0, 1}, log_pdf_gumbel(0.3, 0, 1)},
            {{-2, 1, 0.5}, log_pdf_gumbel(-2, 1, 0.5)},  // below mu: exp(-z) = e^6
            {{12, 0, 1}, log_pdf_gumbel(12, 0, 1)},      // upper tail
            {{-5, 0, 1}, log_pdf_gumbel(-5, 0, 1)},
            {{100, 50, 20}, log_pdf_gumbel(100, 50, 20)},
            {{1e-9, 0, 1e-10}, log_pdf_gumbel(1e-9, 0, 1e-10), true, {1e-11, 1e-11, 1e-11}},
            {{-1e6, -1e6 + 3, 2}, log_pdf_gumbel(-1e6, -1e6 + 3, 2), true, {0.1, 0.1, 0.1}},
            // the pdf underflows: the analytic value
            {{-30, 0, 1}, 30 - std::exp(30.0), true, {0.01, 0.01, 0.01}},
            {{1e4, 0, 1}, -1e4},
            // exp(-z) overflows: the density is 0 to double precision
            {{-800, 0, 1}, -inf, false},
            {{0, 0, 0}, -inf, false},
            {{0, 0, -1}, -inf, false},
            {{qnan, 0, 1}, -inf, false},
            {{0, inf, 1}, -inf, false}};
}

MLEC_CDF_TEST(gumbel) {
    auto point = [](double y, double mu, double beta) {
        return big_cdf_point({y, mu, beta}, bm::extreme_value_distribution<Big>(mu, beta));
    };
    return {point(0.3, 0, 1), point(-2, 1, 0.5), point(20, 0, 1),    point(50, 0, 1),        point(-3, 0, 1),
            point(-6, 0, 1),  point(2, 0, 10),   point(1e-12, 0, 1), cdf_outside({0, 0, 0}), cdf_outside({0, 0, -1})};
}

}  // namespace

TEST_CASE("gumbel's mean") {
    const auto& d = dist("gumbel");
    for (const Row& a : std::vector<Row>{{0, 1}, {-3, 0.25}, {1e3, 40}}) {
        INFO(show(a));
        CHECK(mean_at(d, a) == Approx(bm::mean(bm::extreme_value_distribution<>(a[0], a[1]))).epsilon(1e-15));
    }
}

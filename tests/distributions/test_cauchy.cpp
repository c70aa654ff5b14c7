// cauchy: its points for the checks every distribution gets (test_all.cpp),
// and its own tests.
#include <boost/math/distributions/cauchy.hpp>

#include "distributions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;

namespace {

double log_pdf_cauchy(double y, double mu, double sigma) {
    return std::log(bm::pdf(bm::cauchy_distribution<>(mu, sigma), y));
}

MLEC_DISTRIBUTION_TEST(cauchy, false, Domain::real, "mu:a real number;sigma:positive;") {
    return {{{0.3, 0, 1}, log_pdf_cauchy(0.3, 0, 1)},
            {{-2, 1, 0.5}, log_pdf_cauchy(-2, 1, 0.5)},
            {{1e3, 0, 1}, log_pdf_cauchy(1e3, 0, 1)},
            {{5 + 2e-8, 5, 1e-8}, log_pdf_cauchy(5 + 2e-8, 5, 1e-8), true, {2e-9, 2e-9, 2e-9}},
            {{0, 0, 1}, log_pdf_cauchy(0, 0, 1)},
            // pdf underflows; log1p(z^2) = 2 log z + log1p(1/z^2)
            {{1e200, 0, 1}, -std::log(3.14159265358979323846) - 2 * std::log(1e200)},
            {{0, 0, 0}, -inf, false},
            {{0, 0, -1}, -inf, false},
            {{inf, 0, 1}, -inf, false}};
}

MLEC_CDF_TEST(cauchy) {
    auto point = [](double y, double mu, double sigma) {
        return big_cdf_point({y, mu, sigma}, bm::cauchy_distribution<Big>(mu, sigma));
    };
    CdfPoint far = point(-1e200, 0, 1);  // 1 + z^2 overflows
    far.fd = false;
    return {point(0.3, 0, 1),      point(-2, 1, 0.5),  point(-1, 0, 1),   point(1, 0, 1),   point(-0.999, 0, 1),
            point(1.001, 0, 1),    point(-1e10, 0, 1), point(1e10, 0, 1), point(-50, 3, 2), far,
            cdf_outside({0, 0, 0})};
}

}  // namespace

TEST_CASE("cauchy partials stay finite and exact in the tails") {
    // cauchy: d/dsigma = (z^2 - 1)/(sigma (1 + z^2)) -> 1/sigma
    const Evaluated c = mlec::test::eval_one(dist("cauchy").op, {1e200, 0, 1});
    CHECK(c.d1[2] == Approx(1.0).epsilon(1e-15));
    CHECK(c.d1[0] == Approx(-2e-200).epsilon(1e-14));
    for (double v : c.d2) CHECK(std::isfinite(v));
}

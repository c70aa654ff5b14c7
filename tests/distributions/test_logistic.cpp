// logistic: its points for the checks every distribution gets (test_all.cpp),
// and its own tests.
#include <boost/math/distributions/logistic.hpp>

#include "distributions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;

namespace {

double log_pdf_logistic(double y, double mu, double s) {
    return std::log(bm::pdf(bm::logistic_distribution<>(mu, s), y));
}

MLEC_DISTRIBUTION_TEST(logistic, false, Domain::real, "mu:a real number;s:positive;") {
    return {{{0.3, 0, 1}, log_pdf_logistic(0.3, 0, 1)},
            {{-2, 1, 0.5}, log_pdf_logistic(-2, 1, 0.5)},
            {{50, 0, 1}, log_pdf_logistic(50, 0, 1)},
            {{-40, 0, 1}, log_pdf_logistic(-40, 0, 1)},
            {{1e-6, 0, 1e-5}, log_pdf_logistic(1e-6, 0, 1e-5), true, {1e-6, 1e-6, 2e-6}},
            // pdf underflows: log p = -|z| - 2 log1p(e^-|z|) - log s
            {{-800, 0, 1}, -800, false},
            {{1e300, 0, 2}, -5e299, false},
            {{0, 0, 0}, -inf, false},
            {{0, 0, -1}, -inf, false},
            {{qnan, 0, 1}, -inf, false}};
}

MLEC_CDF_TEST(logistic) {
    auto point = [](double y, double mu, double s) {
        return big_cdf_point({y, mu, s}, bm::logistic_distribution<Big>(mu, s));
    };
    CdfPoint small_scale = point(1e-3, 0, 1e-4);
    small_scale.step = {1e-5, 1e-5, 2.5e-5};
    return {point(0.3, 0, 1), point(-2, 1, 0.5), point(800, 0, 1), point(-800, 0, 1),       point(40, 0, 1),
            point(-40, 0, 1), small_scale,       point(5, 5, 3),   cdf_outside({0, 0, -1}), cdf_outside({0, 0, 0})};
}

}  // namespace

TEST_CASE("logistic partials stay finite and exact in the tails") {
    // logistic: d/dy = -tanh(z/2), d2/dy2 = -2e/(1 + e)^2 with e = exp(-|z|)
    const double e = std::exp(-40.0);
    const Evaluated l = mlec::test::eval_one(dist("logistic").op, {40, 0, 1});
    CHECK(l.d1[0] == Approx(-(1 - e) / (1 + e)).epsilon(1e-15));
    CHECK(l.d2[0] == Approx(-2 * e / ((1 + e) * (1 + e))).epsilon(1e-14));
    const Evaluated far = mlec::test::eval_one(dist("logistic").op, {1e300, 0, 2});
    CHECK(far.d1[0] == -0.5);
    for (double v : far.d2) CHECK(std::isfinite(v));
}

// normal: its points for the checks every distribution gets (test_all.cpp).
#include <boost/math/distributions/normal.hpp>

#include "distributions/support.hpp"
#include "distributions/truncated_mean.hpp"

using namespace mlec::test;
using mlec::rt::Domain;

namespace {

double log_pdf_normal(double y, double mu, double sigma) {
    return std::log(bm::pdf(bm::normal_distribution<>(mu, sigma), y));
}

MLEC_DISTRIBUTION_TEST(normal, false, Domain::real, "mu:a real number;sigma:positive;") {
    const double log_sqrt_2pi = 0.5 * std::log(2 * 3.14159265358979323846);
    return {{{0.3, 0, 1}, log_pdf_normal(0.3, 0, 1)},
            {{-2, 1, 0.5}, log_pdf_normal(-2, 1, 0.5)},
            {{5 + 2e-8, 5, 1e-8}, log_pdf_normal(5 + 2e-8, 5, 1e-8), true, {2e-9, 2e-9, 2e-9}},
            {{3e8, 1e8, 1e8}, log_pdf_normal(3e8, 1e8, 1e8), true, {}, {1e-6, 1e-22}},
            {{40, 0, 1}, -800 - log_sqrt_2pi},  // pdf underflows
            {{0, 0, -1}, -inf, false},
            {{0, 0, 0}, -inf, false},
            {{inf, 0, 1}, -inf, false},
            {{0, qnan, 1}, -inf, false}};
}

// Far tails: normal_lccdf(40 | 0, 1) = -804.60844201375..., where 1 - Phi
// underflows; the values near 0 keep the digits of the other tail.
MLEC_CDF_TEST(normal) {
    auto point = [](double y, double mu, double sigma) {
        return big_cdf_point({y, mu, sigma}, bm::normal_distribution<Big>(mu, sigma));
    };
    // z = (y - mu)/sigma overflows: probability 1 on one side, 0 on the
    // other, and finite (zero) partials.
    CdfPoint z_overflows = point(1e300, -1e300, 1e-300);
    z_overflows.fd = false;
    CdfPoint z_overflows_below = point(-1e300, 1e300, 1e-300);
    z_overflows_below.fd = false;
    std::vector<CdfPoint> points{point(0.3, 0, 1),
                                 point(-2, 1, 0.5),
                                 point(1, 1, 2),
                                 point(40, 0, 1),
                                 point(-40, 0, 1),
                                 point(8.5, 0, 1),
                                 point(-8.5, 0, 1),
                                 point(-4.9, 0, 1),
                                 point(-5.1, 0, 1),
                                 point(3e8, 1e8, 1e8),
                                 point(-1e3, 0, 1),
                                 point(15, 2, 0.5),
                                 z_overflows,
                                 z_overflows_below,
                                 cdf_outside({0, 0, -1}),
                                 cdf_outside({0, 0, 0}),
                                 cdf_outside({inf, 0, 1}),
                                 cdf_outside({0, qnan, 1})};
    return points;
}

}  // namespace

// E[y | lo < y < hi] against quadrature, in both tails: lo 40 sigmas above
// mu, where 1 - Phi underflows, and an interval 11 sigmas below.
TEST_CASE("normal's truncated mean") {
    auto check = [](double mu, double sigma, Bounds b) {
        auto p = [&](const Big& y) { return exp(-(y - mu) * (y - mu) / (2 * sigma * sigma)); };
        check_truncated_mean("normal", {mu, sigma}, b, reference_continuous_mean(p, b));
    };
    check(0, 1, {0, inf});
    check(1, 2, {-1, 3});
    check(0.5, 1.3, {-inf, 0.2});
    check(0, 1, {40, inf});
    check(-3, 0.5, {-inf, -23});
    check(2, 0.5, {10, 10.5});
    check(0, 1, {-12, -11.5});
    check(1, 1, {-40, inf});
    CHECK(truncated_mean_at(dist("normal"), {0, 1}, {0, inf}).value ==
          Approx(std::sqrt(2 / 3.14159265358979323846)).epsilon(1e-15));
}

// lognormal: its points for the checks every distribution gets (test_all.cpp).
#include <boost/math/distributions/lognormal.hpp>

#include "distributions/support.hpp"
#include "distributions/truncated_mean.hpp"

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
            cdf_below({0, 0, 1}),
            cdf_below({-1, 0, 1}),
            cdf_outside({1, 0, 0})};
}

}  // namespace

TEST_CASE("lognormal's truncated mean") {
    auto check = [](double mu, double sigma, Bounds b) {
        auto p = [&](const Big& y) { return exp(-(log(y) - mu) * (log(y) - mu) / (2 * sigma * sigma)) / y; };
        const Bounds support{std::isfinite(b.lo) ? b.lo : 0.0, b.hi};
        check_truncated_mean("lognormal", {mu, sigma}, b, reference_continuous_mean(p, support));
    };
    check(0, 1, {1, inf});
    check(0.5, 0.8, {0.5, 3});
    check(0, 1, {-inf, 2});
    check(0, 0.5, {20, inf});
    check(-1, 0.3, {2, 2.5});
}

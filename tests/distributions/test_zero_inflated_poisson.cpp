// zero_inflated_poisson: its points for the checks every distribution gets
// (test_all.cpp), and its own tests. References: the mixture formula on
// Boost.Math's Poisson pmf, and in 50 digits where pi or lambda is extreme.
#include "distributions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;

namespace {

double log_zip(double y, double lambda, double pi) {
    const double f = bm::pdf(bm::poisson_distribution<>(lambda), y);
    return std::log(y == 0 ? pi + (1 - pi) * f : (1 - pi) * f);
}
double big_log_zip(double y, double lambda, double pi) {
    const Big L = lambda, P = pi, Y = y;
    const Big log_f = Y * log(L) - L - bm::lgamma(Y + 1);
    return static_cast<double>(y == 0 ? log(P + (1 - P) * exp(log_f)) : log(1 - P) + log_f);
}

MLEC_DISTRIBUTION_TEST(zero_inflated_poisson, true, Domain::count, "lambda:positive;pi:in [0, 1];") {
    return {{{0, 2.5, 0.3}, log_zip(0, 2.5, 0.3)},
            {{3, 2.5, 0.3}, log_zip(3, 2.5, 0.3)},
            {{0, 40, 0.01}, log_zip(0, 40, 0.01)},    // the zero is almost all structural
            {{0, 1e-3, 0.6}, log_zip(0, 1e-3, 0.6)},  // almost all from the count
            {{17, 12, 0.9}, log_zip(17, 12, 0.9)},
            {{0, 800, 0.2}, big_log_zip(0, 800, 0.2), true, {0, 10, 0.05}},  // e^-800 underflows
            // pi -> 0: differences in pi cannot resolve d/dpi (checked below)
            {{0, 3, 1e-12}, big_log_zip(0, 3, 1e-12), true, {0, 0.5, 0}},
            {{2, 3, 1 - 1e-9}, big_log_zip(2, 3, 1 - 1e-9), true, {0, 0.5, 1e-10}, {1e-5, 1e-10}},
            {{0, 3, 0}, log_pdf_poisson(0, 3), false},  // pi = 0: the Poisson
            {{4, 3, 0}, log_pdf_poisson(4, 3), false},
            {{0, 3, 1}, 0, false},  // pi = 1: a point mass at 0
            {{4, 3, 1}, -inf, false},
            {{1.5, 3, 0.2}, -inf, false},
            {{-1, 3, 0.2}, -inf, false},
            {{2, 0, 0.2}, -inf, false},
            {{2, 3, 1.2}, -inf, false},
            {{2, 3, -0.1}, -inf, false},
            {{0, qnan, 0.2}, -inf, false},
            {{0, 3, qnan}, -inf, false}};
}

// The distribution functions against Poisson(lambda)'s in 50 digits: the
// body, both far tails (P(Y > 40) ~ 1e-40 at lambda 2.5; P(Y <= 20) ~ 1e-7
// at lambda 50 below a tiny pi), and the edges pi = 0 and 1.
MLEC_CDF_TEST(zero_inflated_poisson) {
    auto point = [](double y, double lambda, double pi) {
        return zero_modified_cdf_point({y, lambda, pi}, bm::poisson_distribution<Big>(lambda), false);
    };
    CdfPoint tiny_pi = point(20, 50, 1e-12);
    tiny_pi.step = {0, 1, 0};
    CdfPoint no_zero = point(3, 2.5, 0);
    no_zero.fd = false;
    CdfPoint all_zero = point(3, 2.5, 1);
    all_zero.fd = false;
    return {point(0, 2.5, 0.3),
            point(3, 2.5, 0.3),
            point(10, 2.5, 0.3),
            point(40, 2.5, 0.3),
            point(0, 50, 0.2),
            point(70, 50, 0.05),
            point(2, 1e-3, 0.5),
            point(150, 100, 0.99),
            tiny_pi,
            no_zero,
            all_zero,
            cdf_outside({0.5, 2, 0.3}),
            cdf_below({-1, 2, 0.3}),
            cdf_outside({3, 0, 0.3}),
            cdf_outside({3, 2, 1.5})};
}

}  // namespace

TEST_CASE("zero_inflated_poisson's mean and edges") {
    const auto& d = dist("zero_inflated_poisson");
    CHECK(mean_at(d, {4, 0.25}) == Approx(3.0).epsilon(1e-15));
    CHECK(mean_at(d, {4, 1}) == 0);
    // pi = 1, y = 0: d/dpi = 1 - f(0), exact
    const Evaluated e = eval_one(d.op, {0, 3, 1});
    CHECK(e.d1[2] == Approx(-std::expm1(-3.0)).epsilon(1e-15));
    CHECK(e.d1[1] == 0);  // every zero is structural: lambda does not matter
    // pi -> 0, y = 0: d/dpi = (1 - f0)/(pi + (1 - pi) f0), f0 = e^-lambda
    const Evaluated small = eval_one(d.op, {0, 3, 1e-12});
    const double f0 = std::exp(-3.0);
    CHECK(small.d1[2] == Approx((1 - f0) / (1e-12 + (1 - 1e-12) * f0)).epsilon(1e-14));
    CHECK(small.d2[mlec::rt::pair_index(2, 2, 3)] == Approx(-small.d1[2] * small.d1[2]).epsilon(1e-14));
    CHECK(small.d2[mlec::rt::pair_index(1, 2, 3)] == Approx(f0 / (f0 * f0)).epsilon(1e-10));
}

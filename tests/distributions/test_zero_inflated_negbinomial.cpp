// zero_inflated_negbinomial: its points for the checks every distribution
// gets (test_all.cpp), and its own tests. References: the mixture formula on
// Boost.Math's negative binomial pmf (r = size, p = size/(size + mu)), and
// in 50 digits where pi is extreme.
#include <boost/math/distributions/negative_binomial.hpp>

#include "distributions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;

namespace {

double nb_pmf(double y, double mu, double size) {
    return bm::pdf(bm::negative_binomial_distribution<>(size, size / (size + mu)), y);
}
double log_zinb(double y, double mu, double size, double pi) {
    const double f = nb_pmf(y, mu, size);
    return std::log(y == 0 ? pi + (1 - pi) * f : (1 - pi) * f);
}
double big_log_zinb(double y, double mu, double size, double pi) {
    const Big Y = y, M = mu, S = size, P = pi;
    const Big log_f =
        bm::lgamma(Y + S) - bm::lgamma(S) - bm::lgamma(Y + 1) + S * log(S / (S + M)) + Y * log(M / (S + M));
    return static_cast<double>(y == 0 ? log(P + (1 - P) * exp(log_f)) : log(1 - P) + log_f);
}

MLEC_DISTRIBUTION_TEST(zero_inflated_negbinomial, true, Domain::count, "mu:positive;size:positive;pi:in [0, 1];") {
    return {{{0, 2.5, 3, 0.3}, log_zinb(0, 2.5, 3, 0.3)},
            {{3, 2.5, 3, 0.3}, log_zinb(3, 2.5, 3, 0.3)},
            {{0, 4, 0.5, 0.2}, log_zinb(0, 4, 0.5, 0.2)},  // size < 1
            {{12, 4, 0.5, 0.2}, log_zinb(12, 4, 0.5, 0.2)},
            {{0, 50, 20, 0.05}, log_zinb(0, 50, 20, 0.05)},
            {{0, 1e-3, 5, 0.7}, log_zinb(0, 1e-3, 5, 0.7)},
            {{40, 30, 200, 0.5}, log_zinb(40, 30, 200, 0.5)},
            // pi -> 0: differences in pi cannot resolve d/dpi (checked below)
            {{0, 3, 2, 1e-12}, big_log_zinb(0, 3, 2, 1e-12), true, {0, 0.5, 0.5, 0}},
            {{2, 3, 2, 1 - 1e-9}, big_log_zinb(2, 3, 2, 1 - 1e-9), true, {0, 0.5, 0.5, 1e-10}, {1e-5, 1e-10}},
            {{0, 3, 2, 0}, std::log(nb_pmf(0, 3, 2)), false},
            {{0, 3, 2, 1}, 0, false},
            {{4, 3, 2, 1}, -inf, false},
            {{1.5, 3, 2, 0.2}, -inf, false},
            {{-1, 3, 2, 0.2}, -inf, false},
            {{2, 0, 2, 0.2}, -inf, false},
            {{2, 3, 0, 0.2}, -inf, false},
            {{2, 3, 2, 1.2}, -inf, false},
            {{0, 3, qnan, 0.2}, -inf, false},
            {{0, 3, 2, qnan}, -inf, false}};
}

// The distribution functions against the negative binomial's in 50 digits,
// sizes from 0.05 to 1e5, both tails.
MLEC_CDF_TEST(zero_inflated_negbinomial) {
    auto point = [](double y, double mu, double size, double pi) {
        return zero_modified_cdf_point({y, mu, size, pi},
                                       bm::negative_binomial_distribution<Big>(size, Big(size) / (size + mu)), false);
    };
    CdfPoint tiny_pi = point(2, 30, 1000, 1e-12);
    tiny_pi.step = {0, 1, 10, 0};
    CdfPoint all_zero = point(3, 2.5, 1.5, 1);
    all_zero.fd = false;
    return {point(0, 2.5, 1.5, 0.3),
            point(3, 2.5, 1.5, 0.3),
            point(60, 3, 0.5, 0.2),
            point(0, 50, 0.1, 0.4),
            point(10, 1, 0.05, 0.3),
            point(200, 30, 1000, 0.1),
            point(5, 4, 1e5, 0.25),
            tiny_pi,
            all_zero,
            cdf_outside({0.5, 2, 1, 0.3}),
            cdf_outside({3, 2, 0, 0.3}),
            cdf_outside({3, 2, 1, -0.1})};
}

}  // namespace

TEST_CASE("zero_inflated_negbinomial's mean") {
    const auto& d = dist("zero_inflated_negbinomial");
    CHECK(mean_at(d, {4, 2, 0.25}) == Approx(3.0).epsilon(1e-15));
    CHECK(mean_at(d, {4, 2, 1}) == 0);
    // pi -> 0, y = 0: d/dpi = (1 - f0)/(pi + (1 - pi) f0), f0 = (size/(size + mu))^size
    const Evaluated e = eval_one(d.op, {0, 3, 2, 1e-12});
    const double f0 = 0.16;
    CHECK(e.d1[3] == Approx((1 - f0) / (1e-12 + (1 - 1e-12) * f0)).epsilon(1e-14));
    CHECK(e.d2[mlec::rt::pair_index(3, 3, 4)] == Approx(-e.d1[3] * e.d1[3]).epsilon(1e-14));
}

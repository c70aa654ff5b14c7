// hurdle_negbinomial: its points for the checks every distribution gets
// (test_all.cpp), and its own tests. References: the hurdle formula on
// Boost.Math's negative binomial pmf (r = size, p = size/(size + mu)), and
// in 50 digits where f(0) is near 1.
#include <boost/math/distributions/negative_binomial.hpp>

#include "distributions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;

namespace {

double log_hurdle_nb(double y, double mu, double size, double pi) {
    const bm::negative_binomial_distribution<> d(size, size / (size + mu));
    return y == 0 ? std::log(pi) : std::log((1 - pi) * bm::pdf(d, y) / (1 - bm::pdf(d, 0)));
}
double big_log_hurdle_nb(double y, double mu, double size, double pi) {
    const Big Y = y, M = mu, S = size, P = pi;
    if (y == 0) return static_cast<double>(log(P));
    const Big log_f =
        bm::lgamma(Y + S) - bm::lgamma(S) - bm::lgamma(Y + 1) + S * log(S / (S + M)) + Y * log(M / (S + M));
    const Big f0 = exp(S * log(S / (S + M)));
    return static_cast<double>(log(1 - P) + log_f - log(1 - f0));
}

MLEC_DISTRIBUTION_TEST(hurdle_negbinomial, true, Domain::count, "mu:positive;size:positive;pi:in [0, 1];") {
    return {{{0, 2.5, 3, 0.3}, log_hurdle_nb(0, 2.5, 3, 0.3)},
            {{3, 2.5, 3, 0.3}, log_hurdle_nb(3, 2.5, 3, 0.3)},
            {{1, 4, 0.5, 0.2}, log_hurdle_nb(1, 4, 0.5, 0.2)},  // size < 1
            {{12, 4, 0.5, 0.2}, log_hurdle_nb(12, 4, 0.5, 0.2)},
            {{60, 50, 20, 0.05}, log_hurdle_nb(60, 50, 20, 0.05)},
            {{40, 30, 200, 0.5}, log_hurdle_nb(40, 30, 200, 0.5)},
            {{1, 0.05, 2, 0.4}, log_hurdle_nb(1, 0.05, 2, 0.4)},
            // f(0) near 1: small mu, and a tiny size (the partials there are
            // checked to 1e-12 against 100-digit differences below; the
            // double finite differences of test_all reach less)
            {{1, 1e-5, 3, 0.4}, big_log_hurdle_nb(1, 1e-5, 3, 0.4), true, {0, 1e-6, 0.5, 0.1}, {2e-4, 1e-9}},
            {{7, 2, 1e-3, 0.4}, big_log_hurdle_nb(7, 2, 1e-3, 0.4), true, {0, 0.2, 1e-4, 0.1}, {1e-5, 1e-9}},
            {{0, 3, 2, 1}, 0, false},
            {{0, 3, 2, 0}, -inf, false},
            {{2, 3, 2, 1}, -inf, false},
            {{1.5, 3, 2, 0.2}, -inf, false},
            {{-1, 3, 2, 0.2}, -inf, false},
            {{2, 0, 2, 0.2}, -inf, false},
            {{2, 3, 0, 0.2}, -inf, false},
            {{2, 3, 2, 1.2}, -inf, false},
            {{2, 3, qnan, 0.2}, -inf, false},
            {{0, 3, 2, qnan}, -inf, false}};
}

// 100 digits: at y = 1, mu = 1e-8, size = 1e6 the second size partial is
// -1e-26 beside terms of 30, which 50 digits leave a few digits short of
// 1e-12 in five-point differences.
using Big100 = boost::multiprecision::cpp_bin_float_100;

// The zero-truncated count's log pmf in 100 digits, from its definition with
// lgamma(y + size) - lgamma(size) as the sum of log(size + j), j < y:
// log(f(y)/(1 - f(0))) plus log(1 - pi).
Big100 big_truncated(int y, const Big100& mu, const Big100& size) {
    Big100 lc = 0;
    for (int j = 0; j < y; ++j) lc += log((size + j) / (j + 1));
    const Big100 log_f = lc + size * log(size / (size + mu)) + y * log(mu / (size + mu));
    return log_f - log(1 - exp(size * log(size / (size + mu))));
}

// Five-point differences in 100 digits with steps of 1e-6 relative:
// truncation O(h^4) = 1e-24, rounding 1e-100/h^2 = 1e-88.
struct BigPartials {
    double value, mu, size, mumu, musize, sizesize;
};
BigPartials big_partials(int y, double mu, double size, double pi) {
    const Big100 m = mu, s = size;
    const Big100 hm = m / 1000000, hs = s / 1000000;
    auto f = [&](const Big100& a, const Big100& b) { return big_truncated(y, a, b); };
    auto d_mu = [&](const Big100& b) {
        return (-f(m + 2 * hm, b) + 8 * f(m + hm, b) - 8 * f(m - hm, b) + f(m - 2 * hm, b)) / (12 * hm);
    };
    const Big100 f0 = f(m, s);
    BigPartials p;
    p.value = static_cast<double>(f0 + log(1 - Big100(pi)));
    p.mu = static_cast<double>(d_mu(s));
    p.size =
        static_cast<double>((-f(m, s + 2 * hs) + 8 * f(m, s + hs) - 8 * f(m, s - hs) + f(m, s - 2 * hs)) / (12 * hs));
    p.mumu = static_cast<double>(
        (-f(m + 2 * hm, s) + 16 * f(m + hm, s) - 30 * f0 + 16 * f(m - hm, s) - f(m - 2 * hm, s)) / (12 * hm * hm));
    p.musize =
        static_cast<double>((-d_mu(s + 2 * hs) + 8 * d_mu(s + hs) - 8 * d_mu(s - hs) + d_mu(s - 2 * hs)) / (12 * hs));
    p.sizesize = static_cast<double>(
        (-f(m, s + 2 * hs) + 16 * f(m, s + hs) - 30 * f0 + 16 * f(m, s - hs) - f(m, s - 2 * hs)) / (12 * hs * hs));
    return p;
}

// The distribution functions against the negative binomial's in 50 digits:
// a large f(0) (size 0.05, where the truncated lower side is a difference
// of the count's lower side and its zero), large sizes, both tails.
MLEC_CDF_TEST(hurdle_negbinomial) {
    auto point = [](double y, double mu, double size, double pi) {
        return zero_modified_cdf_point({y, mu, size, pi},
                                       bm::negative_binomial_distribution<Big>(size, Big(size) / (size + mu)), true);
    };
    CdfPoint all_zero = point(3, 2.5, 1.5, 1);
    all_zero.fd = false;
    return {point(0, 2.5, 1.5, 0.3),       point(1, 2.5, 1.5, 0.3),
            point(5, 2.5, 1.5, 0.3),       point(1, 1, 0.05, 0.3),
            point(3, 1, 0.05, 0.1),        point(80, 3, 0.5, 0.2),
            point(1, 40, 50, 0.3),         point(200, 30, 1000, 0.1),
            point(2, 0.01, 3, 0.4),        all_zero,
            cdf_outside({0.5, 2, 1, 0.3}), cdf_outside({3, 2, 0, 0.3})};
}

}  // namespace

TEST_CASE("hurdle_negbinomial's partials keep their digits where f(0) is near 1 (100-digit references)") {
    // log(1 - f(0)) and its partials cancel against the count's as mu/size
    // -> 0 (1 - f(0) ~ mu): the partials must still be good to 1e-12
    // relative over mu = 1e-8 ... 1e3 and size = 1e-3 ... 1e6, at y = 1
    // (where the truncated pmf tends to 1 and its partials to O(1) or
    // O(mu)), y = 2 and y = 70 (past the sums kept for y <= 64).
    using mlec::rt::pair_index;
    const auto& d = dist("hurdle_negbinomial");
    for (int y : {1, 2, 70})
        for (double mu : {1e-8, 1e-6, 1e-4, 1e-2, 1.0, 1e1, 1e3})
            for (double size : {1e-3, 1e-1, 1.0, 1e1, 1e3, 1e6}) {
                const Evaluated e = eval_one(d.op, {static_cast<double>(y), mu, size, 0.3});
                const BigPartials b = big_partials(y, mu, size, 0.3);
                INFO("y = " << y << ", mu = " << mu << ", size = " << size);
                // Relative to the partial, or where it crosses 0 (y = mu)
                // to the size of its leading term.
                auto close = [](double got, double want, double scale) {
                    return std::abs(got - want) <= 1e-12 * std::max(std::abs(want), 1e-3 * scale);
                };
                const double mu_scale = (y + 1) / mu, size_scale = (y + 1) / (size + mu);
                CHECK(close(e.value, b.value, 1));
                CHECK(close(e.d1[1], b.mu, mu_scale));
                CHECK(close(e.d1[2], b.size, 0));
                CHECK(close(e.d2[pair_index(1, 1, 4)], b.mumu, mu_scale * mu_scale));
                CHECK(close(e.d2[pair_index(1, 2, 4)], b.musize, mu_scale * size_scale));
                CHECK(close(e.d2[pair_index(2, 2, 4)], b.sizesize, 0));
            }
}

TEST_CASE("hurdle_negbinomial's mean") {
    const auto& d = dist("hurdle_negbinomial");
    const double f0 = std::pow(2.0 / 6.0, 2.0);  // mu = 4, size = 2
    CHECK(mean_at(d, {4, 2, 0.25}) == Approx(0.75 * 4 / (1 - f0)).epsilon(1e-14));
    CHECK(mean_at(d, {4, 2, 1}) == 0);
}

// negbinomial: its points for the checks every distribution gets
// (test_all.cpp), and its own tests.
#include <boost/math/distributions/negative_binomial.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/special_functions/polygamma.hpp>
#include <boost/math/special_functions/trigamma.hpp>

#include "distributions/support.hpp"
#include "distributions/truncated_mean.hpp"

using namespace mlec::test;
using mlec::rt::Domain;

namespace {

double log_pdf_negbinomial(double y, double mu, double size) {
    // Boost's r = size successes with success probability size/(size + mu)
    return std::log(bm::pdf(bm::negative_binomial_distribution<>(size, size / (size + mu)), y));
}
Big big_log_negbinomial(double y, double mu, double size) {
    const Big Y = y, M = mu, S = size;
    return bm::lgamma(Y + S) - bm::lgamma(S) - bm::lgamma(Y + 1) + S * log(S / (S + M)) + Y * log(M / (S + M));
}
// d/dsize and d2/dsize2 of the negbinomial log pmf, term by term in 50 digits
std::pair<double, double> big_negbinomial_size_partials(double y, double mu, double size) {
    const Big Y = y, M = mu, S = size;
    const Big d1 = bm::digamma(Y + S) - bm::digamma(S) + log(S / (S + M)) + 1 - (Y + S) / (S + M);
    const Big d2 = bm::trigamma(Y + S) - bm::trigamma(S) + 1 / S - 2 / (S + M) + (Y + S) / ((S + M) * (S + M));
    return {static_cast<double>(d1), static_cast<double>(d2)};
}
// d3/dsize3, the derivative of d2 above, in 50 digits
double big_negbinomial_size_third(double y, double mu, double size) {
    const Big Y = y, M = mu, S = size;
    const Big d3 = bm::polygamma(2, Y + S) - bm::polygamma(2, S) - 1 / (S * S) + 3 / ((S + M) * (S + M)) -
                   2 * (Y + S) / ((S + M) * (S + M) * (S + M));
    return static_cast<double>(d3);
}

MLEC_DISTRIBUTION_TEST(negbinomial, true, Domain::count, "mu:positive;size:positive;") {
    return {{{0, 2.5, 3}, log_pdf_negbinomial(0, 2.5, 3)},
            {{3, 2.5, 3}, log_pdf_negbinomial(3, 2.5, 3)},
            {{10, 0.5, 0.1}, log_pdf_negbinomial(10, 0.5, 0.1)},  // size < 1
            {{12, 4, 0.5}, log_pdf_negbinomial(12, 4, 0.5)},      // size < 1, y >= 10
            {{2, 1e-3, 5}, log_pdf_negbinomial(2, 1e-3, 5)},      // tiny mu
            {{50, 40, 200}, log_pdf_negbinomial(50, 40, 200)},
            {{1000, 900, 50}, log_pdf_negbinomial(1000, 900, 50)},  // y past the cache
            {{5, 3, 1e-6}, log_pdf_negbinomial(5, 3, 1e-6), true, {}, {1e-6, 1e-9}},
            // huge size: the Poisson limit (50-digit reference; the
            // value is flat in size, so differences only in mu)
            {{7, 3, 1e10}, static_cast<double>(big_log_negbinomial(7, 3, 1e10)), true, {0, 0.5, 0}},
            {{0, 3, 1e10}, static_cast<double>(big_log_negbinomial(0, 3, 1e10)), true, {0, 0.5, 0}},
            {{7, 3, 1e6}, static_cast<double>(big_log_negbinomial(7, 3, 1e6)), true, {0, 0.5, 0}},
            {{2, 0, 1}, -inf, false},
            {{2, 1, 0}, -inf, false},
            {{2, -1, 1}, -inf, false},
            {{2.5, 1, 1}, -inf, false},
            {{-1, 1, 1}, -inf, false},
            {{2, qnan, 1}, -inf, false},
            {{2, 1, inf}, -inf, false}};
}

// P(Y <= y) = I_p(size, y + 1): sizes from 0.1 to 1000, the body and both
// tails (log P(Y <= 0) = -1000 log(1 + 2) at mu 2000, size 1000).
MLEC_CDF_TEST(negbinomial) {
    auto point = [](double y, double mu, double size) {
        return big_cdf_point({y, mu, size}, bm::negative_binomial_distribution<Big>(size, Big(size) / (size + mu)));
    };
    return {point(3, 2.5, 1.5),    point(0, 2.5, 1.5),       point(10, 1, 0.1),     point(0, 50, 0.1),
            point(200, 3, 0.5),    point(30, 30, 1000),      point(60, 30, 1000),   point(0, 2000, 1000),
            point(5, 1e3, 2),      point(4000, 1e3, 2),      point(1, 1e-3, 5),     point(100, 100, 10),
            point(7, 0.5, 1e3),    cdf_outside({0.5, 2, 1}), cdf_below({-1, 2, 1}), cdf_outside({3, 0, 1}),
            cdf_outside({3, 2, 0})};
}

}  // namespace

TEST_CASE("negbinomial near its Poisson limit") {
    // d/dsize, d2/dsize2 and d3/dsize3 are O(1/size^2), O(1/size^3),
    // O(1/size^4) there, differences of O(1/size) terms: against 50-digit
    // arithmetic. (The last three points: each way polygamma2_diff takes,
    // the recurrence, Boost's psi'' and the series.)
    for (const Row& x : std::vector<Row>{{7, 3, 1e6},
                                         {0, 3, 1e6},
                                         {7, 3, 1e10},
                                         {2, 5, 30},
                                         {40, 3, 12},
                                         {12, 4, 0.5},
                                         {3, 2.5, 3},
                                         {40, 3, 2.5},
                                         {1000, 800, 1e4}}) {
        const Evaluated e = mlec::test::eval_one(dist("negbinomial").op, x);
        const auto [d1, d2] = big_negbinomial_size_partials(x[0], x[1], x[2]);
        INFO(mlec::test::show(x));
        // At (1000, 800, 1e4) the log pmf, -25.7, is a sum of log-gamma
        // terms near 9e4, whose rounding is 4e-13 of it (a build without
        // FMA shows it); the other points keep 1e-14.
        const double value_tolerance = x[0] >= 1000 ? 1e-12 : 1e-14;
        CHECK(e.value == Approx(static_cast<double>(big_log_negbinomial(x[0], x[1], x[2]))).epsilon(value_tolerance));
        CHECK(e.d1[2] == Approx(d1).epsilon(x[2] > 1e8 ? 1e-5 : 1e-9));
        CHECK(e.d2[5] == Approx(d2).epsilon(x[2] > 1e8 ? 1e-5 : 1e-9));
        CHECK(e.d3[mlec::rt::triple_index(2, 2, 2, 3)] ==
              Approx(big_negbinomial_size_third(x[0], x[1], x[2])).epsilon(x[2] > 1e8 ? 1e-5 : 1e-9));
    }
    // the Poisson pmf in the limit; d/dmu -> y/mu - 1
    const Evaluated e = mlec::test::eval_one(dist("negbinomial").op, {7, 3, 1e12});
    CHECK(e.value == Approx(log_pdf_poisson(7, 3)).epsilon(1e-10));
    CHECK(e.d1[1] == Approx(7.0 / 3 - 1).epsilon(1e-10));
}

TEST_CASE("negbinomial's truncated mean") {
    auto check = [](double mu, double size, Bounds b) {
        auto p = [&](const Big& k) {
            using boost::math::lgamma;
            return exp(lgamma(k + size) - lgamma(k + 1) + k * log(Big(mu) / (mu + size)));
        };
        check_truncated_mean("negbinomial", {mu, size}, b, reference_count_mean(p, b));
    };
    check(3, 2, {1, inf});
    check(5, 0.7, {2, 10});
    check(4, 3, {-inf, 2});
    check(1, 1.5, {15, inf});
    check(200, 50, {1, inf});
}

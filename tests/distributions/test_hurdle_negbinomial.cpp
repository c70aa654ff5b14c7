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
            // f(0) near 1: small mu, and a tiny size
            // The mu partials of the truncated count are differences of
            // O(1/mu) and O(1/mu^2) terms here (zero_truncated), good to about
            // 1e-16 (size/mu)^2 relative: in eta = log(mu), where a log link
            // puts them, that is 1e-16 absolute.
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

}  // namespace

TEST_CASE("hurdle_negbinomial's mean") {
    const auto& d = dist("hurdle_negbinomial");
    const double f0 = std::pow(2.0 / 6.0, 2.0);  // mu = 4, size = 2
    CHECK(mean_at(d, {4, 2, 0.25}) == Approx(0.75 * 4 / (1 - f0)).epsilon(1e-14));
    CHECK(mean_at(d, {4, 2, 1}) == 0);
}

// hurdle_poisson: its points for the checks every distribution gets
// (test_all.cpp), and its own tests. References: the hurdle formula on
// Boost.Math's Poisson pmf, and in 50 digits where lambda is small.
#include "distributions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;

namespace {

double log_hurdle_poisson(double y, double lambda, double pi) {
    const bm::poisson_distribution<> d(lambda);
    return y == 0 ? std::log(pi) : std::log((1 - pi) * bm::pdf(d, y) / (1 - bm::pdf(d, 0)));
}
Big big_log_hurdle_poisson(double y, double lambda, double pi) {
    const Big L = lambda, P = pi, Y = y;
    if (y == 0) return log(P);
    return log(1 - P) + Y * log(L) - L - bm::lgamma(Y + 1) - log(1 - exp(-L));
}
// d/dlambda and d2/dlambda2 of the truncated count, in 50 digits:
// y/lambda - e^lambda/(e^lambda - 1) and -y/lambda^2 + e^lambda/(e^lambda - 1)^2.
std::pair<double, double> big_truncated_partials(double y, double lambda) {
    const Big L = lambda, Y = y;
    const Big e = exp(L);
    return {static_cast<double>(Y / L - e / (e - 1)), static_cast<double>(-Y / (L * L) + e / ((e - 1) * (e - 1)))};
}

MLEC_DISTRIBUTION_TEST(hurdle_poisson, true, Domain::count, "lambda:positive;pi:in [0, 1];") {
    return {{{0, 2.5, 0.3}, log_hurdle_poisson(0, 2.5, 0.3)},
            {{3, 2.5, 0.3}, log_hurdle_poisson(3, 2.5, 0.3)},
            {{1, 0.7, 0.6}, log_hurdle_poisson(1, 0.7, 0.6)},
            {{2, 0.3, 0.1}, log_hurdle_poisson(2, 0.3, 0.1)},  // the series branch
            {{30, 25, 0.05}, log_hurdle_poisson(30, 25, 0.05)},
            {{1, 1e-6, 0.4}, static_cast<double>(big_log_hurdle_poisson(1, 1e-6, 0.4)), true, {0, 1e-7, 0.1}},
            {{3, 1e-4, 0.4}, static_cast<double>(big_log_hurdle_poisson(3, 1e-4, 0.4)), true, {0, 1e-5, 0.1}},
            {{1, 1e-300, 0.4}, std::log(0.6), false},  // the truncated count is 1
            {{900, 800, 0.5}, static_cast<double>(big_log_hurdle_poisson(900, 800, 0.5)), true, {0, 20, 0.1}},
            {{0, 3, 1}, 0, false},
            {{0, 3, 0}, -inf, false},
            {{2, 3, 1}, -inf, false},
            {{2, 3, 0}, log_hurdle_poisson(2, 3, 0), false},
            {{1.5, 3, 0.2}, -inf, false},
            {{-1, 3, 0.2}, -inf, false},
            {{2, 0, 0.2}, -inf, false},
            {{2, 3, 1.2}, -inf, false},
            {{2, qnan, 0.2}, -inf, false},
            {{0, 3, qnan}, -inf, false}};
}

// The distribution functions against Poisson(lambda)'s in 50 digits: y = 0
// (pi alone), y = 1 far below the mean (the truncated count's lower side
// summed, not complemented), far upper tails, and lambda -> 0.
MLEC_CDF_TEST(hurdle_poisson) {
    auto point = [](double y, double lambda, double pi) {
        return zero_modified_cdf_point({y, lambda, pi}, bm::poisson_distribution<Big>(lambda), true);
    };
    CdfPoint all_zero = point(3, 2.5, 1);
    all_zero.fd = false;
    CdfPoint no_zero = point(3, 2.5, 0);
    no_zero.fd = false;
    return {point(0, 2.5, 0.3),
            point(1, 2.5, 0.3),
            point(4, 2.5, 0.3),
            point(30, 2.5, 0.3),
            point(1, 40, 0.3),
            point(15, 40, 0.05),
            point(1, 1e-3, 0.3),
            point(2, 1e-3, 0.3),
            point(3, 50, 0.9),
            point(60, 50, 0.2),
            all_zero,
            no_zero,
            cdf_outside({0.5, 2, 0.3}),
            cdf_outside({3, 0, 0.3}),
            cdf_outside({3, 2, 1.5})};
}

}  // namespace

TEST_CASE("hurdle_poisson's truncated count as lambda -> 0, and its mean") {
    const auto& d = dist("hurdle_poisson");
    // Both sides of the series' switch at lambda = 1/2, and small lambda,
    // where the terms of d/dlambda cancel.
    for (const Row& x : std::vector<Row>{{1, 1e-8, 0.3},
                                         {1, 0.01, 0.3},
                                         {2, 0.49, 0.3},
                                         {2, 0.51, 0.3},
                                         {5, 0.2, 0.3},
                                         {4, 3, 0.3},
                                         {50, 40, 0.3}}) {
        INFO(show(x));
        const Evaluated e = eval_one(d.op, x);
        const auto [d1, d2] = big_truncated_partials(x[0], x[1]);
        CHECK(e.value == Approx(static_cast<double>(big_log_hurdle_poisson(x[0], x[1], x[2]))).epsilon(1e-14));
        CHECK(e.d1[1] == Approx(d1).epsilon(1e-13));
        CHECK(e.d2[mlec::rt::pair_index(1, 1, 3)] == Approx(d2).epsilon(1e-12));
    }
    // E[y] = (1 - pi) lambda/(1 - e^-lambda)
    CHECK(mean_at(d, {2, 0.25}) == Approx(0.75 * 2 / (1 - std::exp(-2.0))).epsilon(1e-15));
    CHECK(mean_at(d, {1e-9, 0.5}) == Approx(0.5).epsilon(1e-8));
}

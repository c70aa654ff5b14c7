// beta_binomial: its points for the checks every distribution gets
// (test_all.cpp), and its own tests. Reference: the closed form
// C(n, y) B(y + a, n - y + b)/B(a, b) in 50-digit arithmetic, and the exact
// special cases a = b = 1 (uniform on 0..n) and a -> inf, b -> inf with
// a/(a + b) fixed (the binomial).
#include <boost/math/distributions/binomial.hpp>

#include "distributions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;

namespace {

double big_log_beta_binomial(double y, double n, double a, double b) {
    const Big Y = y, N = n, A = a, B = b;
    const Big log_choose = bm::lgamma(N + 1) - bm::lgamma(Y + 1) - bm::lgamma(N - Y + 1);
    const Big log_beta_ratio = bm::lgamma(Y + A) + bm::lgamma(N - Y + B) - bm::lgamma(N + A + B) - bm::lgamma(A) -
                               bm::lgamma(B) + bm::lgamma(A + B);
    return static_cast<double>(log_choose + log_beta_ratio);
}

MLEC_DISTRIBUTION_TEST(beta_binomial, true, Domain::count, "n:a non-negative integer;a:positive;b:positive;") {
    return {{{3, 10, 2, 3}, big_log_beta_binomial(3, 10, 2, 3)},
            {{0, 10, 2, 3}, big_log_beta_binomial(0, 10, 2, 3)},
            {{10, 10, 2, 3}, big_log_beta_binomial(10, 10, 2, 3)},
            {{4, 20, 0.3, 0.7}, big_log_beta_binomial(4, 20, 0.3, 0.7)},  // a, b < 1
            {{7, 12, 15, 4.5}, big_log_beta_binomial(7, 12, 15, 4.5)},    // a past lgamma_ratio's 10
            {{250, 1000, 40, 90}, big_log_beta_binomial(250, 1000, 40, 90)},
            {{3, 5e5, 1e-3, 2}, big_log_beta_binomial(3, 5e5, 1e-3, 2), true, {0, 0, 1e-4, 0.2}},
            // near the binomial limit: a, b large
            {{3, 10, 3e6, 7e6}, big_log_beta_binomial(3, 10, 3e6, 7e6), true, {0, 0, 3e5, 7e5}, {1e-5, 1e-12}},
            {{0, 0, 2, 3}, 0, false},
            {{3, 3, 1, 1}, -std::log(4.0), false},
            {{4, 3, 2, 3}, -inf, false},  // y > n
            {{2.5, 3, 2, 3}, -inf, false},
            {{-1, 3, 2, 3}, -inf, false},
            {{2, 3.5, 2, 3}, -inf, false},
            {{2, 3, 0, 3}, -inf, false},
            {{2, 3, 2, -1}, -inf, false},
            {{2, 3, qnan, 3}, -inf, false},
            {{2, 3, 2, inf}, -inf, false}};
}

// The distribution functions against the direct sum of the pmf in 50 digits:
// both far tails (a = 50, b = 1 puts P(Y <= 0) near 1e-90), a U-shaped pmf
// (a, b < 1), large shapes towards the binomial, and y = n (P(Y > n) = 0).
CdfPoint beta_binomial_cdf_point(double y, double n, double a, double b) {
    Big lower = 0;
    Big upper = 0;
    const Big N = n, A = a, B = b;
    for (double k = 0; k <= n; ++k) {
        const Big K = k;
        const Big p =
            exp(bm::lgamma(N + 1) - bm::lgamma(K + 1) - bm::lgamma(N - K + 1) + bm::lgamma(K + A) +
                bm::lgamma(N - K + B) - bm::lgamma(N + A + B) - bm::lgamma(A) - bm::lgamma(B) + bm::lgamma(A + B));
        (k <= y ? lower : upper) += p;
    }
    const auto log_of = [](const Big& v) { return v > 0 ? static_cast<double>(log(v)) : -inf; };
    return {{y, n, a, b}, log_of(lower), log_of(upper)};
}

MLEC_CDF_TEST(beta_binomial) {
    auto point = beta_binomial_cdf_point;
    return {point(3, 10, 2, 3),         point(0, 10, 2, 3),           point(9, 10, 2, 3),
            point(10, 10, 2, 3),        point(0, 200, 50, 1),         point(199, 200, 1, 50),
            point(5, 50, 0.1, 0.2),     point(45, 50, 0.1, 0.2),      point(30, 100, 1000, 1500),
            point(40, 100, 1e4, 1e4),   point(2, 5, 1e-3, 1e-3),      point(150, 400, 20, 30),
            point(12, 10, 2, 3),        cdf_outside({1.5, 10, 2, 3}), cdf_outside({3, 10, 0, 3}),
            cdf_outside({3, 10, 2, -1})};
}

}  // namespace

TEST_CASE("beta_binomial's closed forms, limit and mean") {
    const auto& d = dist("beta_binomial");
    // a = b = 1: uniform on 0..n
    for (double y : {0.0, 7.0, 20.0})
        CHECK(eval_one(d.op, {y, 20, 1, 1}).value == Approx(-std::log(21.0)).epsilon(1e-14));
    // a = b = 1 with large n: log C(n, y) ~ +5e5 and the beta ratio ~ -5e5
    // cancel to -13.8, which keeps ~1e-10 absolute (as binomial's value)
    CHECK(eval_one(d.op, {123456, 1e6, 1, 1}).value == Approx(-std::log1p(1e6)).epsilon(1e-10));
    // the binomial(n, a/(a + b)) limit, O(n^2/(a + b)) away
    const double p = 0.3;
    const double s = 1e12;
    CHECK(eval_one(d.op, {4, 10, p * s, (1 - p) * s}).value ==
          Approx(std::log(bm::pdf(bm::binomial_distribution<>(10, p), 4))).epsilon(1e-9));
    // y <= n is a limit of the table, for the data check
    REQUIRE(d.limits.size() == 1);
    CHECK(d.limits[0].arg == 0);
    CHECK(d.limits[0].upper);
    CHECK(mean_at(d, {10, 2, 3}) == Approx(4.0).epsilon(1e-15));
    // n is an integer: no partials
    const Evaluated e = eval_one(d.op, {3, 10, 2, 3});
    CHECK(e.d1[1] == 0);
    CHECK(e.d2[mlec::rt::pair_index(1, 2, 4)] == 0);
}

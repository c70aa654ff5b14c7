// binomial: its points for the checks every distribution gets (test_all.cpp),
// and its own tests.
#include <boost/math/distributions/binomial.hpp>

#include "distributions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;

namespace {

double log_pdf_binomial(double y, double n, double p) {
    return std::log(bm::pdf(bm::binomial_distribution<>(n, p), y));
}

MLEC_DISTRIBUTION_TEST(binomial, true, Domain::count, "n:a non-negative integer;p:in [0, 1];") {
    return {{{3, 10, 0.3}, log_pdf_binomial(3, 10, 0.3)},
            {{0, 10, 0.3}, log_pdf_binomial(0, 10, 0.3)},
            {{10, 10, 0.3}, log_pdf_binomial(10, 10, 0.3)},
            {{1500, 3000, 0.4}, log_pdf_binomial(1500, 3000, 0.4)},
            {{3, 2000, 1e-3}, log_pdf_binomial(3, 2000, 1e-3)},
            {{2000, 2000, 0.999}, log_pdf_binomial(2000, 2000, 0.999)},
            {{12, 1e6, 1e-5}, log_pdf_binomial(12, 1e6, 1e-5)},
            // log C(n, y) ~ +6.7e5 and y log p + (n-y) log(1-p) ~ -6.7e5
            // cancel to -7.1: the sum keeps ~1e-10 absolute, and
            // differences in p see the same rounding.
            {{400000, 1e6, 0.4}, log_pdf_binomial(400000, 1e6, 0.4), true, {}, {1e-6, 1e-8}, 1e-10},
            {{0, 0, 0.6}, 0},
            {{0, 5, 0}, 0, false},
            {{5, 5, 1}, 0, false},
            {{2, 5, 0}, -inf, false},
            {{2, 5, 1}, -inf, false},
            {{7, 5, 0.3}, -inf, false},    // y > n
            {{2, 5, 1.1}, -inf, false},    // p > 1
            {{2, 5.5, 0.3}, -inf, false},  // n not an integer
            {{-1, 5, 0.3}, -inf, false},
            {{2, 5, qnan}, -inf, false}};
}

// At p = 0 and 1 the partials in p come from the closed forms of the
// derivatives of the cdf (runtime/distributions/binomial.cpp); there the
// finite differences would leave [0, 1] (binomial_boundary_partials below).
MLEC_CDF_TEST(binomial) {
    auto point = [](double y, double n, double p) {
        return big_cdf_point({y, n, p}, bm::binomial_distribution<Big>(n, p));
    };
    return {point(3, 10, 0.3),
            point(0, 10, 0.3),
            point(10, 10, 0.3),
            point(9, 10, 0.3),
            point(0, 5, 0),
            point(0, 5, 1),
            point(4, 5, 1),
            point(0, 1000, 0.9),
            point(999, 1000, 1e-3),
            point(500, 1000, 0.5),
            point(2, 2000, 1e-3),
            point(0, 1, 0.4),
            cdf_above({11, 10, 0.3}),
            cdf_outside({0.5, 10, 0.3}),
            cdf_outside({3, 10.5, 0.3}),
            cdf_outside({3, 10, 1.5})};
}

}  // namespace

TEST_CASE("binomial at p on the boundary") {
    // binomial(0 | 5, 0) = 1: d/dp = -n/(1-p) = -5
    const Evaluated bin = mlec::test::eval_one(dist("binomial").op, {0, 5, 0});
    CHECK(bin.value == 0);
    CHECK(bin.d1[2] == -5);
    CHECK(bin.d2[5] == -5);
}

// bernoulli: its points for the checks every distribution gets
// (test_all.cpp), and its own tests.
#include "distributions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;

namespace {

MLEC_DISTRIBUTION_TEST(bernoulli, true, Domain::binary, "p:in [0, 1];") {
    const double almost_one = 1 - 1e-10;
    return {{{1, 0.3}, log_pdf_bernoulli(1, 0.3)},
            {{0, 0.3}, log_pdf_bernoulli(0, 0.3)},
            {{1, 1e-10}, log_pdf_bernoulli(1, 1e-10)},
            {{0, almost_one}, log_pdf_bernoulli(0, almost_one)},
            // log(1-p) is flat next to p = 0, where the steps must stay
            // below p: differences of it drown in rounding, so its
            // partials are checked a little further in.
            {{0, 1e-10}, log_pdf_bernoulli(0, 1e-10), false},
            {{1, almost_one}, log_pdf_bernoulli(1, almost_one), false},
            {{0, 1e-6}, log_pdf_bernoulli(0, 1e-6)},
            {{1, 1 - 1e-6}, log_pdf_bernoulli(1, 1 - 1e-6)},
            // p on the boundary with the outcome it makes certain
            {{0, 0}, log_pdf_bernoulli(0, 0), false},
            {{1, 1}, log_pdf_bernoulli(1, 1), false},
            // ... and with the impossible one
            {{1, 0}, -inf, false},
            {{0, 1}, -inf, false},
            // p out of [0, 1], NaN, outcome not 0/1
            {{1, 1.2}, -inf, false},
            {{0, -0.1}, -inf, false},
            {{1, qnan}, -inf, false},
            {{0.5, 0.5}, -inf, false},
            {{2, 0.5}, -inf, false}};
}

MLEC_CDF_TEST(bernoulli) {
    auto point = [](double y, double p) { return big_cdf_point({y, p}, bm::bernoulli_distribution<Big>(p)); };
    CdfPoint tiny_p = point(0, 1e-12);
    tiny_p.fd = false;  // differences at 1e-12 are noise
    return {point(0, 0.3),        point(1, 0.3), tiny_p,      point(0, 1e-4),          point(0, 1 - 1e-9),
            point(0, 0),          point(0, 1),   point(1, 1), cdf_outside({0.5, 0.3}), cdf_above({2, 0.3}),
            cdf_outside({0, 1.5})};
}

}  // namespace

TEST_CASE("bernoulli at p on the boundary") {
    // log p(0 | p) = log(1 - p): slope -1/(1-p), curvature -1/(1-p)^2, also at p = 0
    const Evaluated at0 = mlec::test::eval_one(dist("bernoulli").op, {0, 0});
    CHECK(at0.value == 0);
    CHECK(at0.d1[1] == -1);
    CHECK(at0.d2[2] == -1);
    const Evaluated at1 = mlec::test::eval_one(dist("bernoulli").op, {1, 1});
    CHECK(at1.value == 0);
    CHECK(at1.d1[1] == 1);
    CHECK(at1.d2[2] == -1);
}

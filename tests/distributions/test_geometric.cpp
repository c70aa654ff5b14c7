// geometric: its points for the checks every distribution gets
// (test_all.cpp), and its own tests.
#include <boost/math/distributions/geometric.hpp>

#include "distributions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;

namespace {

double log_pdf_geometric(double y, double p) { return std::log(bm::pdf(bm::geometric_distribution<>(p), y)); }

MLEC_DISTRIBUTION_TEST(geometric, true, Domain::count, "p:in [0, 1];") {
    return {{{0, 0.3}, log_pdf_geometric(0, 0.3)},
            {{4, 0.3}, log_pdf_geometric(4, 0.3)},
            {{10, 1e-6}, log_pdf_geometric(10, 1e-6)},
            {{3, 0.999}, log_pdf_geometric(3, 0.999)},
            {{1000, 0.5}, std::log(0.5) + 1000 * std::log(0.5)},  // pmf underflows
            {{0, 1}, 0, false},                                   // p = 1: y = 0 is certain
            {{3, 1}, -inf, false},
            {{2, 0}, -inf, false},
            {{2, 1.1}, -inf, false},
            {{1.5, 0.5}, -inf, false},
            {{-1, 0.5}, -inf, false}};
}

MLEC_CDF_TEST(geometric) {
    auto point = [](double y, double p) { return big_cdf_point({y, p}, bm::geometric_distribution<Big>(p)); };
    CdfPoint tiny_p = point(5, 1e-10);
    tiny_p.fd = false;  // differences at 1e-10 are noise
    return {point(0, 0.3),
            point(3, 0.3),
            point(1000, 0.1),  // P(Y > y) = 0.9^1001
            tiny_p,
            point(5, 1e-4),
            point(2, 0.999),
            {{0, 1}, 0.0, -inf, false},  // p = 1: y = 0 is certain
            {{2, 1}, 0.0, -inf, false},
            {{0, 0}, -inf, 0.0, false},  // p = 0: every y has probability 0
            cdf_outside({0.5, 0.3}),
            cdf_outside({1, 1.5})};
}

}  // namespace

TEST_CASE("geometric at its boundary") {
    // geometric(0 | 1) = 1: d/dp = 1/p = 1, d2 = -1
    const Evaluated g = mlec::test::eval_one(dist("geometric").op, {0, 1});
    CHECK(g.value == 0);
    CHECK(g.d1[1] == 1);
    CHECK(g.d2[2] == -1);
}

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

}  // namespace

TEST_CASE("geometric at its boundary") {
    // geometric(0 | 1) = 1: d/dp = 1/p = 1, d2 = -1
    const Evaluated g = mlec::test::eval_one(dist("geometric").op, {0, 1});
    CHECK(g.value == 0);
    CHECK(g.d1[1] == 1);
    CHECK(g.d2[2] == -1);
}

// exponential: its points for the checks every distribution gets
// (test_all.cpp).
#include <boost/math/distributions/exponential.hpp>

#include "distributions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;

namespace {

double log_pdf_exponential(double y, double rate) { return std::log(bm::pdf(bm::exponential_distribution<>(rate), y)); }

MLEC_DISTRIBUTION_TEST(exponential, false, Domain::nonnegative, "rate:positive;") {
    return {{{0, 2}, log_pdf_exponential(0, 2)},  // y on the boundary: no steps in y
            {{1.5, 0.3}, log_pdf_exponential(1.5, 0.3)},
            {{1e-3, 1e3}, log_pdf_exponential(1e-3, 1e3)},
            {{50, 0.01}, log_pdf_exponential(50, 0.01)},
            {{-1, 1}, -inf, false},
            {{1, 0}, -inf, false},
            {{1, -2}, -inf, false}};
}

}  // namespace

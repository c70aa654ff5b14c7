// poisson_log: its points for the checks every distribution gets
// (test_all.cpp).
#include "distributions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;

namespace {

MLEC_DISTRIBUTION_TEST(poisson_log, true, Domain::count, "eta:a real number;") {
    return {{{0, 0.5}, log_pdf_poisson(0, std::exp(0.5))},
            {{3, std::log(2.5)}, log_pdf_poisson(3, 2.5)},
            {{7, -3}, log_pdf_poisson(7, std::exp(-3.0))},
            {{2000, std::log(1900.0)}, log_pdf_poisson(2000, 1900)},
            // exp(eta) underflows or the pdf does: y eta - exp(eta) - lgamma(y+1)
            {{0, -800}, 0},
            {{4, -800}, -3200 - std::lgamma(5.0)},
            {{3, 40}, 120 - std::exp(40.0) - std::lgamma(4.0)},
            {{2, 800}, -inf, false},
            {{0, qnan}, -inf, false},
            {{1.5, 0}, -inf, false}};
}

}  // namespace

// poisson: its points for the checks every distribution gets (test_all.cpp).
#include "distributions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;

namespace {

MLEC_DISTRIBUTION_TEST(poisson, true, Domain::count, "lambda:positive;") {
    return {{{0, 2.5}, log_pdf_poisson(0, 2.5)},
            {{3, 2.5}, log_pdf_poisson(3, 2.5)},
            {{10, 0.01}, log_pdf_poisson(10, 0.01)},
            {{2000, 1900}, log_pdf_poisson(2000, 1900)},
            {{0, 1e-8}, log_pdf_poisson(0, 1e-8)},
            {{5, 1e6}, 5 * std::log(1e6) - 1e6 - std::lgamma(6.0)},  // pdf underflows
            {{5, 0}, -inf, false},
            {{5, -1}, -inf, false},
            {{2.5, 1}, -inf, false},
            {{-1, 1}, -inf, false},
            {{1, inf}, -inf, false}};
}

}  // namespace

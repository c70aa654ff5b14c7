// sum and the linear predictor's sum of products: its points for the checks
// every function gets (test_all.cpp).
#include "functions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;
using mlec::rt::OpDef;

namespace {

MLEC_FUNCTION_TEST(sum) {
    using namespace mlec::rt;
    const Domain real = Domain::real;
    const std::vector<Domain> reals(5, real);
    std::vector<FunctionCase> out;
    out.push_back(
        {find_function("sum"),
         reals,
         {{{2}, 2}, {{1, 2, 3}, 6}, {{1e10, -1e10, 1}, 1, true, {1e9, 1e9, 1}}, {{0.5, 0.25, 0.125, 0.0625}, 0.9375}},
         -1,
         true});
    // The interpreter's linear-predictor node (not callable by name): pairs
    // multiplied and summed; the partial in each input is its partner.
    out.push_back(
        {&mlec::rt::op_sum_of_products(),
         std::vector<Domain>(6, real),
         {{{2, 3}, 6}, {{1, 2, 3, 4}, 14}, {{0.5, -2, 3, 1e-3}, -1 + 3e-3}, {{1e3, 1, -1e3, 1, 0.25, 4}, 1}}});
    return out;
}

}  // namespace

// sqrt: its points for the checks every function gets (test_all.cpp).
#include "functions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;
using mlec::rt::OpDef;

namespace {

MLEC_FUNCTION_TEST(sqrt) {
    using namespace mlec::rt;
    const Domain pos = Domain::positive;
    std::vector<FunctionCase> out;
    out.push_back({find_function("sqrt"),
                   {pos},
                   {{{4}, 2}, {{1e-6}, 1e-3}, {{2.5e7}, 5000}, {{2}, std::sqrt(2.0)}, {{0}, 0, false}}});
    return out;
}

}  // namespace

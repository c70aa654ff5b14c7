// exp: its points for the checks every function gets (test_all.cpp).
#include "functions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;
using mlec::rt::OpDef;

namespace {

MLEC_FUNCTION_TEST(exp) {
    using namespace mlec::rt;
    const Domain real = Domain::real;
    std::vector<FunctionCase> out;
    out.push_back({find_function("exp"),
                   {real},
                   {{{0}, 1},
                    {{1.5}, std::exp(1.5)},
                    {{-3}, std::exp(-3.0)},
                    {{20}, std::exp(20.0)},
                    {{700}, std::exp(700.0), false},
                    {{-800}, 0, false}}});
    return out;
}

}  // namespace

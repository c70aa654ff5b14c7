// log: its points for the checks every function gets (test_all.cpp).
#include "functions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;
using mlec::rt::OpDef;

namespace {

MLEC_FUNCTION_TEST(log) {
    using namespace mlec::rt;
    const Domain pos = Domain::positive;
    std::vector<FunctionCase> out;
    out.push_back({find_function("log"),
                   {pos},
                   {{{1}, 0},
                    {{1e-3}, std::log(1e-3)},
                    {{1e5}, std::log(1e5)},
                    {{2.5}, std::log(2.5)},
                    {{0}, -inf, false},
                    {{-1}, qnan, false}}});
    return out;
}

}  // namespace

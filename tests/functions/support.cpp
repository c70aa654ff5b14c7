#include "functions/support.hpp"

#include <algorithm>

namespace mlec::test {
namespace {

// Function-local: the test files register from their own initializers.
std::vector<FunctionCasesFunction>& registry() {
    static std::vector<FunctionCasesFunction> all;
    return all;
}

}  // namespace

bool register_function_cases(FunctionCasesFunction cases) {
    registry().push_back(cases);
    return true;
}

const std::vector<FunctionCase>& registered_function_cases() {
    static const std::vector<FunctionCase> cases = [] {
        std::vector<FunctionCase> out;
        for (FunctionCasesFunction f : registry()) {
            std::vector<FunctionCase> more = f();
            out.insert(out.end(), more.begin(), more.end());
        }
        return out;
    }();
    return cases;
}

const FunctionCase* case_of(const rt::OpDef& op) {
    const std::vector<FunctionCase>& all = registered_function_cases();
    const auto it = std::find_if(all.begin(), all.end(), [&](const FunctionCase& c) { return c.op == &op; });
    return it == all.end() ? nullptr : &*it;
}

}  // namespace mlec::test

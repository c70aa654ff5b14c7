// lgamma(x) = log |Gamma(x)|.
#include "runtime/functions/detail.hpp"

#include "runtime/special_functions.hpp"

namespace mlec::rt::fn {
namespace {

// lgamma' = digamma, lgamma'' = trigamma (Boost.Math).
void eval_lgamma(OpCall& c) {
    eval_cached_unary(c, [](double x, bool d1, bool d2) {
        return std::array<double, 3>{special::lgamma(x), d1 ? special::digamma(x) : nan,
                                     d2 ? special::trigamma(x) : nan};
    });
}

constexpr OpDef lgamma_def{"lgamma", 1, &eval_lgamma, false};

}  // namespace
}  // namespace mlec::rt::fn

namespace mlec::rt {

const OpDef& op_lgamma() { return fn::lgamma_def; }

}  // namespace mlec::rt

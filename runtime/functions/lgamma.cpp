// lgamma(x) = log |Gamma(x)|.
#include "runtime/functions/detail.hpp"

#include <boost/math/special_functions/polygamma.hpp>

#include "runtime/special_functions.hpp"

namespace mlec::rt::fn {
namespace {

// lgamma' = digamma, lgamma'' = trigamma, lgamma''' = psi^(2) = polygamma(2, x)
// (Boost.Math). At the poles x = 0, -1, -2, ... psi^(2) changes sign: NaN.
void eval_lgamma(OpCall& c) {
    eval_cached_unary(c, [](double x, bool d1, bool d2, bool d3) {
        const bool pole = special::is_nonpositive_integer(x);
        return std::array<double, 4>{special::lgamma(x), d1 ? special::digamma(x) : nan,
                                     d2 ? special::trigamma(x) : nan,
                                     d3 && !pole ? boost::math::polygamma(2, x, special::Policy()) : nan};
    });
}

constexpr OpDef lgamma_def{.name = "lgamma", .arity = 1, .eval = &eval_lgamma, .third = true};

}  // namespace
}  // namespace mlec::rt::fn

namespace mlec::rt {

const OpDef& op_lgamma() { return fn::lgamma_def; }

}  // namespace mlec::rt

// digamma(x) = psi(x) = d/dx lgamma(x).
#include "runtime/functions/detail.hpp"

#include <boost/math/special_functions/polygamma.hpp>

#include "runtime/special_functions.hpp"

namespace mlec::rt::fn {
namespace {

// digamma' = trigamma, digamma'' = psi^(2) = polygamma(2, x),
// digamma''' = psi^(3) = polygamma(3, x) (Boost.Math).
// At the poles x = 0, -1, -2, ... psi jumps from +inf to -inf: value and
// partials NaN there (psi' is +inf on both sides but psi'' changes sign).
void eval_digamma(OpCall& c) {
    eval_cached_unary(c, [](double x, bool d1, bool d2, bool d3) {
        const bool pole = special::is_nonpositive_integer(x);
        return std::array<double, 4>{special::digamma(x), d1 && !pole ? special::trigamma(x) : nan,
                                     d2 && !pole ? boost::math::polygamma(2, x, special::Policy()) : nan,
                                     d3 && !pole ? boost::math::polygamma(3, x, special::Policy()) : nan};
    });
}

constexpr OpDef digamma_def{.name = "digamma", .arity = 1, .eval = &eval_digamma, .third = true};

}  // namespace
}  // namespace mlec::rt::fn

namespace mlec::rt {

const OpDef& op_digamma() { return fn::digamma_def; }

}  // namespace mlec::rt

// A parameter's bounds and the change of variables that lets the optimizer
// work on an unconstrained scale: the likelihood itself is unchanged (no
// Jacobian term in MLE), only the coordinates the optimizer moves in.
//
//   (lo, inf):  x = lo + exp(u)
//   (-inf, hi): x = hi - exp(u)
//   (lo, hi):   x = lo + (hi - lo) * sigmoid(u)
#pragma once

#include <cmath>
#include <limits>

namespace mlec::rt {

struct Bounds {
    double lower = -std::numeric_limits<double>::infinity();
    double upper = std::numeric_limits<double>::infinity();

    bool has_lower() const { return std::isfinite(lower); }
    bool has_upper() const { return std::isfinite(upper); }
    bool unbounded() const { return !has_lower() && !has_upper(); }
    bool contains(double x) const { return x > lower && x < upper; }

    // user scale <- unconstrained scale
    double to_user(double u) const;
    // unconstrained scale <- user scale (x strictly inside the bounds)
    double to_unconstrained(double x) const;
    // dx/du at u: the delta method's factor for standard errors
    double derivative(double u) const;
};

}  // namespace mlec::rt

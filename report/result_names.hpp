// The text of a fit result's typed values that only the reports show
// (the public ones, to_string and limit_text, are declared in mlec.hpp).
#pragma once

#include <string>

#include "mlec/mlec.hpp"

namespace mlec::report {

// "" (unbounded), "> 0", "< 5", "(0, 1)", or "simplex" for a simplex's
// weight; the ends to 6 significant digits.
std::string bounds_text(const ParameterBounds& bounds);

}  // namespace mlec::report

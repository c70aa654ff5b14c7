// Number formatting shared by the reports and messages: never "nan", never
// "-0", and a fixed number of significant digits for tables.
#pragma once

#include <string>

namespace mlec::report {

// Shortest text that reads back as the same double ("0.1", "2", "1e-300").
std::string format_exact(double x);
// `digits` significant digits, like R's print ("0.1234568", "-2.772589").
std::string format_digits(double x, int digits);
// For messages: up to 6 significant digits.
inline std::string format_short(double x) { return format_digits(x, 6); }

}  // namespace mlec::report

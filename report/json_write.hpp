// The two JSON primitives every report writes with: strings escaped per
// RFC 8259 (control characters as \u00XX), numbers that read back as the
// same double, and null for a value that does not exist (never NaN).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mlec::report {

std::string json_quote(std::string_view s);
std::string json_number(double x);
std::string json_number(const std::optional<double>& x);

}  // namespace mlec::report

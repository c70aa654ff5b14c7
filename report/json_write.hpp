// JSON strings, escaped per RFC 8259 (control characters as \u00XX).
// JSON numbers are report/number_format's json_number, with every other
// rule for numbers as text.
#pragma once

#include <string>
#include <string_view>

namespace mlec::report {

std::string json_quote(std::string_view s);

}  // namespace mlec::report

// The rules of report/number_format.hpp. Every double the library writes
// as text passes through here: std::to_chars for the shortest round trip,
// snprintf for a fixed number of digits.
#include "report/number_format.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace mlec::report {

namespace {

// What the rules for people show for a value that is not a finite number.
std::string special(double x) {
    if (std::isnan(x)) return "n/a";
    return x > 0 ? "inf" : "-inf";
}

std::string printf_double(const char* format, int precision, double x) {
    char buf[512];  // %.*f of 1e308 needs 310 characters
    std::snprintf(buf, sizeof buf, format, precision, x);
    return buf;
}

}  // namespace

std::string format_exact(double x) {
    if (!std::isfinite(x)) return special(x);
    if (x == 0) return "0";
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, x);
    return std::string(buf, r.ptr);
}

std::string format_digits(double x, int digits) {
    if (!std::isfinite(x)) return special(x);
    if (x == 0) return "0";
    return printf_double("%.*g", digits, x);
}

std::string json_number(double x) { return std::isfinite(x) ? format_exact(x) : "null"; }
std::string json_number(const std::optional<double>& x) { return x ? json_number(*x) : "null"; }

std::string csv_number(double x) { return std::isfinite(x) ? format_exact(x) : "NA"; }

std::string format_fixed(double x, int decimals) { return printf_double("%.*f", decimals, x); }
std::string format_scientific(double x, int decimals) { return printf_double("%.*e", decimals, x); }

}  // namespace mlec::report

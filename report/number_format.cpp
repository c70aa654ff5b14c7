#include "report/number_format.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace mlec::report {

namespace {

std::string special(double x) {
    if (std::isnan(x)) return "n/a";
    return x > 0 ? "inf" : "-inf";
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
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*g", digits, x);
    return buf;
}

}  // namespace mlec::report

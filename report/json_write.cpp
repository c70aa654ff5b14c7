#include "report/json_write.hpp"

#include <cmath>
#include <cstdio>

#include "report/number_format.hpp"

namespace mlec::report {

std::string json_quote(std::string_view s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    return out + "\"";
}

std::string json_number(double x) { return std::isfinite(x) ? format_exact(x) : "null"; }
std::string json_number(const std::optional<double>& x) { return x ? json_number(*x) : "null"; }

}  // namespace mlec::report

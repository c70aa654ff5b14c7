#include "data/decimal.hpp"

#include <algorithm>

namespace mlec::data {

bool overflows(const char* b, const char* e) {
    if (b < e && *b == '-') ++b;
    long magnitude = 0;
    bool nonzero = false;
    const char* p = b;
    for (; p < e && *p >= '0' && *p <= '9'; ++p) {
        nonzero = nonzero || *p != '0';
        if (nonzero) ++magnitude;
    }
    if (p < e && *p == '.') {
        for (++p; p < e && *p >= '0' && *p <= '9' && !nonzero; ++p) {
            if (*p == '0') --magnitude;
            else nonzero = true;
        }
        while (p < e && *p >= '0' && *p <= '9') ++p;
    }
    long exponent = 0;
    if (p < e && (*p == 'e' || *p == 'E')) {
        ++p;
        bool negative = false;
        if (p < e && (*p == '+' || *p == '-')) negative = *p++ == '-';
        for (; p < e && *p >= '0' && *p <= '9'; ++p) exponent = std::min(exponent * 10 + (*p - '0'), 1'000'000'000L);
        if (negative) exponent = -exponent;
    }
    return magnitude + exponent > 0;
}

}  // namespace mlec::data

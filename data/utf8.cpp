#include "data/utf8.hpp"

#include <cstddef>

namespace mlec::data {

int code_points(const char* begin, const char* end) {
    int n = 0;
    for (const char* p = begin; p < end; ++p)
        if ((static_cast<unsigned char>(*p) & 0xC0) != 0x80) ++n;
    return n;
}

int utf8_sequence(const char* p, const char* end) {
    const auto byte = [&](std::ptrdiff_t k) { return static_cast<unsigned char>(p[k]); };
    const unsigned char lead = byte(0);
    int length = 0;
    unsigned char low = 0x80, high = 0xBF;  // the allowed range of the second byte
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) low = 0xA0;
        if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) low = 0x90;
        if (lead == 0xF4) high = 0x8F;
    } else {
        return 0;
    }
    if (end - p < length || byte(1) < low || byte(1) > high) return 0;
    for (int k = 2; k < length; ++k)
        if ((byte(k) & 0xC0) != 0x80) return 0;
    return length;
}

std::string excerpt(const char* begin, const char* end, int limit) {
    constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    int n = 0;
    for (const char* p = begin; p < end; ++n) {
        if (n == limit) return out + "...";
        const auto c = static_cast<unsigned char>(*p);
        if (c >= 0x20 && c < 0x7F) {
            out += *p++;
        } else if (const int length = c >= 0x80 ? utf8_sequence(p, end) : 0; length > 0) {
            out.append(p, static_cast<std::size_t>(length));
            p += length;
        } else {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 0xF];
            ++p;
        }
    }
    return out;
}

}  // namespace mlec::data

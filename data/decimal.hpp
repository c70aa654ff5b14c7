// Decimal numbers in CSV cells, read exactly as strtod reads them (correctly
// rounded) but locale-free: a fast path for the short decimals that fill
// most files, and the exact rules (std::from_chars) for everything else.
// Inline in this header because the threaded load calls them for every
// cell of a loaded column.
#pragma once

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <system_error>

#include "data/csv_scan.hpp"

namespace mlec::data {

// Whether a decimal that std::from_chars found out of range overflowed (it
// is too large for a double) rather than underflowed to zero, decided by its
// order of magnitude m + exponent, where the digits give a value in
// [10^(m-1), 10^m). Locale-free, unlike strtod.
bool overflows(const char* b, const char* e);

enum class NumberStatus { ok, missing, not_a_number, not_finite };

// Powers of ten that doubles hold exactly (5^22 < 2^53).
inline constexpr double exact_powers_of_ten[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                                 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
inline constexpr std::uint64_t integer_powers_of_ten[] = {1,      10,      100,      1000,     10000,
                                                          100000, 1000000, 10000000, 100000000};

// Appends the run of decimal digits at p to m (m = m * 10^n + the digits),
// adds its length n to `count` and returns its end. Eight bytes at a time:
// x = word ^ '0'... holds each byte's digit value when it is a digit, and a
// byte is not a digit exactly when x >= 10, i.e. when (x & 0x7f) + 0x76 or x
// has its top bit set (no carry crosses bytes). The first n bytes, shifted
// to the top (zeros before them are leading zeros), combine pairwise into
// two-, four- and eight-digit numbers. m wraps once count exceeds 19; the
// caller then gives up on it.
inline const char* append_digits(const char* p, const char* end, std::uint64_t& m, int& count) {
    constexpr std::uint64_t ones = 0x0101010101010101ULL;
    constexpr std::uint64_t low7 = 0x7f7f7f7f7f7f7f7fULL;
    while (end - p >= 8) {
        std::uint64_t word;
        std::memcpy(&word, p, sizeof word);
        std::uint64_t x = word ^ (ones * '0');
        const std::uint64_t not_digit = (((x & low7) + ones * 0x76) | x) & (ones << 7);
        const int n = not_digit == 0 ? 8 : std::countr_zero(not_digit) / 8;  // little-endian: byte 0 first
        if (n == 0) return p;
        x <<= 8 * (8 - n);
        x = ((x * 10) + (x >> 8)) & 0x00FF00FF00FF00FFULL;
        x = ((x * 100) + (x >> 16)) & 0x0000FFFF0000FFFFULL;
        x = ((x * 10000) + (x >> 32)) & 0x00000000FFFFFFFFULL;
        m = m * integer_powers_of_ten[n] + x;
        count += n;
        p += n;
        if (n < 8 || count > 19) return p;
    }
    for (; p < end && static_cast<unsigned>(*p - '0') <= 9; ++p, ++count) m = m * 10 + static_cast<unsigned>(*p - '0');
    return p;
}

// Reads "-?digits[.digits][(e|E)[+-]digits]" at p when the value is m * 10^k
// with m <= 2^53 and |k| <= 22: then m and 10^|k| are exact doubles and one
// correctly rounded multiplication or division gives the correctly rounded
// value (Clinger, "How to read floating point numbers accurately", PLDI
// 1990), i.e. what strtod gives. Returns where the number ends, or nullptr
// when the text is anything else (more digits, a far exponent, no digits):
// std::from_chars decides those.
inline const char* parse_short_decimal(const char* p, const char* end, double& out) {
    const bool negative = p < end && *p == '-';
    if (negative) ++p;
    std::uint64_t m = 0;
    int count = 0;
    p = append_digits(p, end, m, count);
    int scale = 0;  // value = m * 10^(scale + exponent)
    if (p < end && *p == '.') {
        const int before = count;
        p = append_digits(p + 1, end, m, count);
        scale = before - count;
    }
    if (count == 0 || count > 19) return nullptr;
    if (p < end && (*p == 'e' || *p == 'E')) {
        ++p;
        const bool negative_exponent = p < end && *p == '-';
        if (p < end && (*p == '-' || *p == '+')) ++p;
        int exponent = 0;
        int exponent_digits = 0;
        for (; p < end && static_cast<unsigned>(*p - '0') <= 9; ++p) {
            if (++exponent_digits > 4) return nullptr;
            exponent = exponent * 10 + (*p - '0');
        }
        if (exponent_digits == 0) return nullptr;
        scale += negative_exponent ? -exponent : exponent;
    }
    double value = 0.0;
    if (m != 0) {
        if (m > (std::uint64_t{1} << 53) || scale < -22 || scale > 22) return nullptr;
        value = static_cast<double>(m);
        if (scale >= 0) value *= exact_powers_of_ten[scale];
        else value /= exact_powers_of_ten[-scale];
    }
    out = negative ? -value : value;
    return p;
}

// Parses one field as a double exactly as strtod would (std::from_chars
// rounds correctly), after trimming spaces and one pair of quotes; a leading
// '+' is accepted, hexadecimal is not. "NA" and empty fields are missing.
inline NumberStatus parse_number(Trimmed t, double& out) {
    const char* b = t.begin;
    const char* e = t.end;
    if (b == e) return NumberStatus::missing;
    if (*b == '"') {
        if (e - b < 2 || e[-1] != '"') return NumberStatus::not_a_number;
        b = skip_spaces(b + 1, e - 1);
        e = trim_back(b, e - 1);
        if (b == e) return NumberStatus::missing;
    }
    if (e - b == 2 && b[0] == 'N' && b[1] == 'A') return NumberStatus::missing;
    if (*b == '+' && e - b > 1 && b[1] != '-' && b[1] != '+') ++b;
    auto [ptr, ec] = std::from_chars(b, e, out);
    if (ptr != e) return NumberStatus::not_a_number;
    if (ec == std::errc::result_out_of_range) {
        if (overflows(b, e)) return NumberStatus::not_finite;
        out = *b == '-' ? -0.0 : 0.0;  // what strtod gives on total underflow
        return NumberStatus::ok;
    }
    if (ec != std::errc()) return NumberStatus::not_a_number;
    if (!std::isfinite(out)) return NumberStatus::not_finite;
    return NumberStatus::ok;
}

}  // namespace mlec::data

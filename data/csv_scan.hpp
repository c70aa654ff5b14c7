// Lines and fields of CSV text: the per-byte scanning that reading the
// header, loading numbers, coding categories and placing parts share. Inline
// in this header because the threaded load runs it on every byte of a file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace mlec::data {

inline bool is_space(char c) { return c == ' ' || c == '\t'; }

inline const char* skip_spaces(const char* p, const char* end) {
    while (p < end && is_space(*p)) ++p;
    return p;
}

inline const char* trim_back(const char* begin, const char* end) {
    while (end > begin && is_space(end[-1])) --end;
    return end;
}

// One line: [begin, end) is its text without "\n" or "\r\n"; `next` is where
// the following line starts (== the end of the input after the last line).
struct Line {
    const char* begin;
    const char* end;
    const char* next;
};

inline Line line_at(const char* p, const char* stop) {
    const auto* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(stop - p)));
    const char* end = nl != nullptr ? nl : stop;
    const char* next = nl != nullptr ? nl + 1 : stop;
    if (end > p && end[-1] == '\r') --end;
    return {p, end, next};
}

inline bool is_blank(const char* begin, const char* end) {
    for (const char* p = begin; p < end; ++p)
        if (!is_space(*p) && *p != '\r' && *p != '\n') return false;
    return true;
}

// The end of the field that starts at `f`: the ',' that closes it, or the end
// of the line. A field whose first non-space character is '"' is quoted
// (RFC 4180): commas inside do not split it and "" stands for one quote.
// Anything after the closing quote up to the comma stays part of the field
// (lenient, as spreadsheets write it). Fields cannot span lines: a quote
// still open at the end of the line sets `unclosed`.
inline const char* field_end(const char* f, const char* line_end, bool& unclosed) {
    const char* p = f;
    while (p < line_end && is_space(*p)) ++p;
    if (p < line_end && *p == '"') {
        ++p;
        for (;;) {
            const auto* q = static_cast<const char*>(std::memchr(p, '"', static_cast<std::size_t>(line_end - p)));
            if (q == nullptr) {
                unclosed = true;
                return line_end;
            }
            if (q + 1 < line_end && q[1] == '"') {
                p = q + 2;
                continue;
            }
            p = q + 1;
            break;
        }
    }
    // (the explicit guard also tells GCC's -Wstringop-overread that the
    // length below cannot be negative)
    if (p >= line_end) return line_end;
    const auto* comma = static_cast<const char*>(std::memchr(p, ',', static_cast<std::size_t>(line_end - p)));
    return comma != nullptr ? comma : line_end;
}

// A field's text without the spaces around it; an all-space field is empty
// and sits where the field starts (so a caret can point at it).
struct Trimmed {
    const char* begin;
    const char* end;
};

inline Trimmed trim(const char* f, const char* e) {
    const char* b = skip_spaces(f, e);
    if (b == e) return {f, f};
    return {b, trim_back(b, e)};
}

// A quoted field's text without its quotes, each "" read as one quote; any
// other text as it is.
inline std::string unquote(const char* b, const char* e) {
    if (e - b >= 2 && *b == '"' && e[-1] == '"') {
        std::string out;
        for (const char* p = b + 1; p < e - 1; ++p) {
            out += *p;
            if (*p == '"' && p + 1 < e - 1 && p[1] == '"') ++p;
        }
        return out;
    }
    return std::string(b, e);
}

// The number of '\n' bytes in [p, end), eight at a time: a byte of
// x = word ^ 0x0a0a... is zero exactly where the word holds '\n', and
// ((x & 0x7f..) + 0x7f..) | x has the top bit of a byte clear exactly when
// that byte is zero (no carry crosses bytes: 0x7f + 0x7f < 0x100). Several
// GB/s, so counting rows before parsing costs little.
inline std::size_t count_newlines(const char* p, const char* end) {
    constexpr std::uint64_t ones = 0x0101010101010101ULL;
    constexpr std::uint64_t low7 = 0x7f7f7f7f7f7f7f7fULL;
    std::size_t n = 0;
    for (; end - p >= 8; p += 8) {
        std::uint64_t word;
        std::memcpy(&word, p, sizeof word);
        const std::uint64_t x = word ^ (ones * '\n');
        const std::uint64_t zero_high = ~(((x & low7) + low7) | x) & (ones << 7);
        n += static_cast<std::size_t>(((zero_high >> 7) * ones) >> 56);
    }
    for (; p < end; ++p) n += *p == '\n' ? 1 : 0;
    return n;
}

// A cheap guess of the number of data rows, to size the columns once: the
// mean length of the first lines into the remaining bytes.
inline std::size_t estimate_rows(const char* p, const char* stop) {
    constexpr std::size_t sample = 64;
    std::size_t lines = 0;
    const char* q = p;
    while (q < stop && lines < sample) {
        q = line_at(q, stop).next;
        ++lines;
    }
    if (q >= stop || lines == 0) return lines;
    double mean = static_cast<double>(q - p) / static_cast<double>(lines);
    return static_cast<std::size_t>(static_cast<double>(stop - p) / mean * 1.05) + 16;
}

}  // namespace mlec::data

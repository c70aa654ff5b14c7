#include "data/csv.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <utility>

#include "data/mapped_file.hpp"

namespace mlec::data {

namespace {

constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

// How many characters of a bad field a message quotes: enough to recognise
// it, short enough to keep the message on one line.
constexpr int quoted_field_limit = 30;

bool is_space(char c) { return c == ' ' || c == '\t'; }

const char* skip_spaces(const char* p, const char* end) {
    while (p < end && is_space(*p)) ++p;
    return p;
}

const char* trim_back(const char* begin, const char* end) {
    while (end > begin && is_space(end[-1])) --end;
    return end;
}

// Columns are counted in code points: every byte that is not a UTF-8
// continuation byte (10xxxxxx) starts a character.
int code_points(const char* begin, const char* end) {
    int n = 0;
    for (const char* p = begin; p < end; ++p)
        if ((static_cast<unsigned char>(*p) & 0xC0) != 0x80) ++n;
    return n;
}

// The length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong
// forms, no surrogates, at most U+10FFFF), or 0 when there is none.
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

// The first `limit` characters of [begin, end), with "..." when cut. Bytes
// that would garble a terminal (control characters, bytes that are not
// UTF-8) are written as \xHH, so a message always says what the cell holds.
std::string excerpt(const char* begin, const char* end, int limit = quoted_field_limit) {
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

// One line: [begin, end) is its text without "\n" or "\r\n"; `next` is where
// the following line starts (== the end of the input after the last line).
struct Line {
    const char* begin;
    const char* end;
    const char* next;
};

Line line_at(const char* p, const char* stop) {
    const auto* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(stop - p)));
    const char* end = nl != nullptr ? nl : stop;
    const char* next = nl != nullptr ? nl + 1 : stop;
    if (end > p && end[-1] == '\r') --end;
    return {p, end, next};
}

bool is_blank(const char* begin, const char* end) {
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
            const auto* q =
                static_cast<const char*>(std::memchr(p, '"', static_cast<std::size_t>(line_end - p)));
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

Trimmed trim(const char* f, const char* e) {
    const char* b = skip_spaces(f, e);
    if (b == e) return {f, f};
    return {b, trim_back(b, e)};
}

std::string unquote(const char* b, const char* e) {
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

// Whether a decimal that std::from_chars found out of range overflowed (it
// is too large for a double) rather than underflowed to zero, decided by its
// order of magnitude m + exponent, where the digits give a value in
// [10^(m-1), 10^m). Locale-free, unlike strtod.
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
            if (*p == '0')
                --magnitude;
            else
                nonzero = true;
        }
        while (p < e && *p >= '0' && *p <= '9') ++p;
    }
    long exponent = 0;
    if (p < e && (*p == 'e' || *p == 'E')) {
        ++p;
        bool negative = false;
        if (p < e && (*p == '+' || *p == '-')) negative = *p++ == '-';
        for (; p < e && *p >= '0' && *p <= '9'; ++p)
            exponent = std::min(exponent * 10 + (*p - '0'), 1'000'000'000L);
        if (negative) exponent = -exponent;
    }
    return magnitude + exponent > 0;
}

enum class NumberStatus { ok, missing, not_a_number, not_finite };

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

std::string fields_phrase(std::size_t row, int fields, int header_size) {
    return "row " + std::to_string(row) + " has " + std::to_string(fields) +
           (fields == 1 ? " field" : " fields") + ", but the header has " + std::to_string(header_size);
}

// The number of '\n' bytes in [p, end), eight at a time: a byte of
// x = word ^ 0x0a0a... is zero exactly where the word holds '\n', and
// ((x & 0x7f..) + 0x7f..) | x has the top bit of a byte clear exactly when
// that byte is zero (no carry crosses bytes: 0x7f + 0x7f < 0x100). Several
// GB/s, so counting rows before parsing costs little.
std::size_t count_newlines(const char* p, const char* end) {
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

// Powers of ten that doubles hold exactly (5^22 < 2^53).
constexpr double exact_powers_of_ten[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                          1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
constexpr std::uint64_t integer_powers_of_ten[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

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
    for (; p < end && static_cast<unsigned>(*p - '0') <= 9; ++p, ++count)
        m = m * 10 + static_cast<unsigned>(*p - '0');
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
        if (scale >= 0)
            value *= exact_powers_of_ten[scale];
        else
            value /= exact_powers_of_ten[-scale];
    }
    out = negative ? -value : value;
    return p;
}

// Where the parsed fields of a row go, and what a row must look like.
struct RowLayout {
    int header_size;
    int needed;            // fields a row must have to reach every loaded column
    const int* slot_of;    // per header column: its output slot, or -1 when not loaded
    double* const* out;    // per slot: the column, one value per row
    bool missing_as_nan;
};

// The common row (unquoted fields, plain numbers in the loaded columns, the
// right number of fields): parses it into out[slot][row] and returns where
// the next line starts. Returns nullptr for anything else (quotes, missing
// or bad values, a wrong field count, a blank line); the caller then parses
// the line with the exact rules, which also word its error. `end` is the end
// of the block, which ends at a line start or at the end of the file, so a
// number cannot run past its line.
inline const char* parse_common_row(const char* p, const char* end, std::size_t row, const RowLayout& layout) {
    const char* f = p;
    for (int field = 0;; ++field) {
        if (field == layout.header_size) return nullptr;
        f = skip_spaces(f, end);
        if (f < end && *f == '"') return nullptr;
        if (const int slot = layout.slot_of[field]; slot >= 0) {
            const char* b = f;
            if (b < end && *b == '+') {
                if (b + 1 < end && (b[1] == '-' || b[1] == '+')) return nullptr;
                ++b;
            }
            double value;
            const char* e = parse_short_decimal(b, end, value);
            if (e == nullptr) {
                auto [ptr, ec] = std::from_chars(b, end, value);
                if (ec != std::errc() || !std::isfinite(value)) return nullptr;
                e = ptr;
            }
            layout.out[slot][row] = value;
            f = skip_spaces(e, end);
        } else {
            while (f < end && *f != ',' && *f != '\n') ++f;
            if (field == 0 && (f == end || *f == '\n') && is_blank(p, f)) return nullptr;
        }
        if (f == end) {
            if (field + 1 < layout.needed) return nullptr;
            return end;
        }
        if (*f == ',') {
            ++f;
            continue;
        }
        if (field + 1 < layout.needed) return nullptr;
        if (*f == '\n') return f + 1;
        if (*f == '\r' && f + 1 < end && f[1] == '\n') return f + 2;
        return nullptr;
    }
}

// Runs work() on `threads` threads, the calling one included. The work pulls
// its tasks from a shared counter, so a thread the system refuses to start
// only leaves its share to the others.
template <class Work>
void run_on_threads(int threads, const Work& work) {
    std::vector<std::thread> helpers;
    helpers.reserve(static_cast<std::size_t>(std::max(threads - 1, 0)));
    for (int t = 1; t < threads; ++t) {
        try {
            helpers.emplace_back([&work] { work(); });
        } catch (const std::system_error&) {
            break;
        }
    }
    work();
    for (auto& h : helpers) h.join();
}

// A cheap guess of the number of data rows, to size the columns once: the
// mean length of the first lines into the remaining bytes.
std::size_t estimate_rows(const char* p, const char* stop) {
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

}  // namespace

struct CsvFile::Impl {
    std::string name;
    MappedFile file;
    std::string text;
    const char* begin = nullptr;       // the first byte after any BOM
    const char* stop = nullptr;        // one past the last byte
    const char* data_begin = nullptr;  // the first data row (line 2)
    // The data lines read: [data_begin, stop) for a whole file, one part's
    // lines otherwise. part_end is a line start or stop.
    const char* part_begin = nullptr;
    const char* part_end = nullptr;
    bool is_part = false;  // one of several parts: an empty one is no error
    bool placed = true;
    std::size_t first_line = 2;    // the file line number of part_begin's line
    std::size_t first_row = 0;     // the whole file's row number of that line
    bool content_follows = false;  // a later part has a line that is not blank
    std::vector<std::string> header;
    std::map<std::string, int, std::less<>> index;
    // Written by every successful load (the same count each time): atomic so
    // that threads binding models to one shared file concurrently are safe.
    std::atomic<std::size_t> rows{0};

    Diagnostic unpositioned(std::string message, Category category = Category::data) const {
        Diagnostic d;
        d.category = category;
        d.file = name;
        d.message = std::move(message);
        return d;
    }

    // A diagnostic at [pos, pos_end) of `line`, the caret at least one wide.
    Diagnostic at(int line_number, const Line& line, const char* pos, const char* pos_end,
                  std::string message) const {
        Diagnostic d = unpositioned(std::move(message));
        d.line = line_number;
        d.column = 1 + code_points(line.begin, pos);
        d.caret_length = std::max(1, code_points(pos, pos_end));
        d.source_line.assign(line.begin, line.end);
        return d;
    }

    bool read_header(Diagnostics& diagnostics);
    // Sets [part_begin, part_end) to the lines of `part` (read_header done).
    void select_part(CsvPart part);
    // A usage error when a part of several is read before place_part.
    bool check_placed(Diagnostics& diagnostics) const;
    // The end of the lines that are rows: blank lines after the last line
    // that is not blank end the file (when no later part has content).
    const char* rows_end() const;
    int line_number(std::size_t local_line) const { return static_cast<int>(first_line + local_line); }
    // Parses data row `row` (0-based), the line `line`, by the exact rules;
    // returns its error, if any.
    std::optional<Diagnostic> parse_line(const Line& line, std::size_t row, const RowLayout& layout) const;
    // Parses the rows of [block, block_end), whole lines, the first being
    // row `row`; stops at the first error and returns it.
    std::optional<Diagnostic> parse_rows(const char* block, const char* block_end, std::size_t row,
                                         const RowLayout& layout) const;
};

bool CsvFile::Impl::read_header(Diagnostics& diagnostics) {
    if (begin == stop) {
        diagnostics.push_back(unpositioned("file is empty"));
        return false;
    }
    Line line = line_at(begin, stop);
    data_begin = line.next;
    if (is_blank(line.begin, line.end)) {
        diagnostics.push_back(
            at(1, line, line.begin, line.begin, "line 1 should hold the column names, but it is empty"));
        return false;
    }
    // A '\r' not followed by '\n' ends lines only in files from classic Mac
    // OS; read as one line they would give a header of odd names.
    if (const auto* cr = static_cast<const char*>(
            std::memchr(line.begin, '\r', static_cast<std::size_t>(line.end - line.begin)))) {
        // (the line is quoted up to the '\r': printed, it would move the
        // cursor back over what came before)
        diagnostics.push_back(at(1, Line{line.begin, cr, line.next}, cr, cr,
                                 "carriage return (\\r) inside the header line: lines must end with "
                                 "\\n or \\r\\n"));
        return false;
    }
    const char* f = line.begin;
    for (int column = 1;; ++column) {
        bool unclosed = false;
        const char* e = field_end(f, line.end, unclosed);
        Trimmed t = trim(f, e);
        if (unclosed) {
            diagnostics.push_back(at(1, line, t.begin, t.end,
                                     "the quoted name of column " + std::to_string(column) +
                                         " of the header is not closed on this line"));
            return false;
        }
        std::string name = unquote(t.begin, t.end);
        if (name.empty()) {
            diagnostics.push_back(at(1, line, t.begin, t.end,
                                     "column " + std::to_string(column) + " of the header has no name"));
            return false;
        }
        auto [it, inserted] = index.emplace(name, column - 1);
        if (!inserted) {
            diagnostics.push_back(at(1, line, t.begin, t.end,
                                     "column '" + excerpt(name.data(), name.data() + name.size()) +
                                         "' appears twice in the header (first as column " +
                                         std::to_string(it->second + 1) + ")"));
            return false;
        }
        header.push_back(std::move(name));
        if (e == line.end) break;
        f = e + 1;
    }
    return true;
}

CsvFile::CsvFile(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CsvFile::~CsvFile() = default;

namespace {

// A part that cannot exist is the caller's mistake, said before any reading.
// (count is kept below 2^32 so that the cut arithmetic cannot overflow.)
std::optional<std::string> bad_part(CsvPart part) {
    if (part.count == 0 || part.count > (std::size_t{1} << 32) || part.index >= part.count)
        return "part " + std::to_string(part.index) + " of " + std::to_string(part.count) + " does not exist";
    return std::nullopt;
}

}  // namespace

void CsvFile::Impl::select_part(CsvPart part) {
    // floor(bytes * k / count) without a 128-bit product: with bytes =
    // q * count + r it is q * k + floor(r * k / count), and r * k < count^2
    // fits in 64 bits for count <= 2^32.
    const auto bytes = static_cast<std::uint64_t>(stop - data_begin);
    const std::uint64_t q = bytes / part.count;
    const std::uint64_t r = bytes % part.count;
    auto start = [&](std::size_t k) -> const char* {
        if (k == part.count) return stop;
        const char* cut = data_begin + (q * k + r * k / part.count);
        return cut == data_begin ? cut : line_at(cut - 1, stop).next;
    };
    part_begin = start(part.index);
    part_end = start(part.index + 1);
    is_part = part.count > 1;
    placed = !is_part;
}

bool CsvFile::Impl::check_placed(Diagnostics& diagnostics) const {
    if (placed) return true;
    diagnostics.push_back(unpositioned("a part of the file was read before place_part", Category::usage));
    return false;
}

const char* CsvFile::Impl::rows_end() const {
    if (content_follows) return part_end;
    const char* end = part_end;
    while (end > part_begin && (is_space(end[-1]) || end[-1] == '\r' || end[-1] == '\n')) --end;
    return end > part_begin ? line_at(end - 1, part_end).next : part_begin;
}

std::unique_ptr<CsvFile> CsvFile::open(const std::string& path, const std::string& display_name,
                                       Diagnostics& diagnostics) {
    return open_part(path, display_name, CsvPart{}, diagnostics);
}

std::unique_ptr<CsvFile> CsvFile::from_text(std::string text, const std::string& display_name,
                                            Diagnostics& diagnostics) {
    return from_text_part(std::move(text), display_name, CsvPart{}, diagnostics);
}

std::unique_ptr<CsvFile> CsvFile::open_part(const std::string& path, const std::string& display_name, CsvPart part,
                                            Diagnostics& diagnostics) {
    auto impl = std::make_unique<Impl>();
    impl->name = display_name;
    if (auto error = bad_part(part)) {
        diagnostics.push_back(impl->unpositioned(std::move(*error), Category::usage));
        return nullptr;
    }
    std::string error;
    if (!impl->file.open(path, error)) {
        diagnostics.push_back(impl->unpositioned("cannot open file: " + error, Category::usage));
        return nullptr;
    }
    std::string_view bytes = impl->file.bytes();
    if (bytes.starts_with(utf8_bom)) bytes.remove_prefix(utf8_bom.size());
    impl->begin = bytes.data();
    impl->stop = bytes.data() + bytes.size();
    if (!impl->read_header(diagnostics)) return nullptr;
    impl->select_part(part);
    return std::unique_ptr<CsvFile>(new CsvFile(std::move(impl)));
}

std::unique_ptr<CsvFile> CsvFile::from_text_part(std::string text, const std::string& display_name, CsvPart part,
                                                 Diagnostics& diagnostics) {
    auto impl = std::make_unique<Impl>();
    impl->name = display_name;
    if (auto error = bad_part(part)) {
        diagnostics.push_back(impl->unpositioned(std::move(*error), Category::usage));
        return nullptr;
    }
    impl->text = std::move(text);
    // Pointers are taken only now that the string sits in its final place.
    std::string_view bytes = impl->text;
    if (bytes.starts_with(utf8_bom)) bytes.remove_prefix(utf8_bom.size());
    impl->begin = bytes.data();
    impl->stop = bytes.data() + bytes.size();
    if (!impl->read_header(diagnostics)) return nullptr;
    impl->select_part(part);
    return std::unique_ptr<CsvFile>(new CsvFile(std::move(impl)));
}

CsvFile::PartShape CsvFile::part_shape() const {
    const Impl& m = *impl_;
    PartShape shape;
    shape.lines = count_newlines(m.part_begin, m.part_end);
    if (m.part_end > m.part_begin && m.part_end[-1] != '\n') ++shape.lines;
    shape.has_content = !is_blank(m.part_begin, m.part_end);
    return shape;
}

void CsvFile::place_part(std::size_t first_line, std::size_t first_row, bool content_follows) {
    Impl& m = *impl_;
    m.first_line = first_line;
    m.first_row = first_row;
    m.content_follows = content_follows;
    m.placed = true;
}

const std::string& CsvFile::name() const { return impl_->name; }

const std::vector<std::string>& CsvFile::header() const { return impl_->header; }

std::optional<int> CsvFile::column_index(std::string_view name) const {
    auto it = impl_->index.find(name);
    if (it == impl_->index.end()) return std::nullopt;
    return it->second;
}

std::size_t CsvFile::rows() const { return impl_->rows.load(); }

std::optional<Diagnostic> CsvFile::Impl::parse_line(const Line& line, std::size_t row,
                                                    const RowLayout& layout) const {
    // Every line before the end of the data is a row (blank lines at the
    // end were cut off), so the line number follows from the row.
    const int line_number = this->line_number(row);
    const std::size_t row_number = first_row + row + 1;
    if (is_blank(line.begin, line.end))
        return at(line_number, line, line.begin, line.begin, "row " + std::to_string(row_number) + " is empty");
    auto column_phrase = [&](int field) {
        return "row " + std::to_string(row_number) + ", column '" + header[static_cast<std::size_t>(field)] + "': ";
    };
    const char* f = line.begin;
    int field = 0;
    for (;; ++field) {
        bool unclosed = false;
        const char* e = field_end(f, line.end, unclosed);
        if (field == layout.header_size) {
            // Count the rest only now, to say how many fields the row has.
            int total = field + 1;
            for (const char* g = e; g != line.end; ++total) g = field_end(g + 1, line.end, unclosed);
            Trimmed t = trim(f, e);
            return at(line_number, line, t.begin, t.end, fields_phrase(row_number, total, layout.header_size));
        }
        if (unclosed) {
            Trimmed t = trim(f, e);
            return at(line_number, line, t.begin, t.end,
                      column_phrase(field) + "the quoted field is not closed on this line");
        }
        if (const int slot = layout.slot_of[field]; slot >= 0) {
            double value = 0.0;
            Trimmed t = trim(f, e);
            NumberStatus status = parse_number(t, value);
            if (status == NumberStatus::missing && layout.missing_as_nan) {
                status = NumberStatus::ok;
                value = std::numeric_limits<double>::quiet_NaN();
            }
            if (status != NumberStatus::ok) {
                std::string message = column_phrase(field);
                if (status == NumberStatus::missing)
                    message += "missing value";
                else if (status == NumberStatus::not_finite)
                    message += "'" + excerpt(t.begin, t.end) + "' is not a finite number";
                else
                    message += "expected a number, found '" + excerpt(t.begin, t.end) + "'";
                return at(line_number, line, t.begin, t.end, std::move(message));
            }
            layout.out[slot][row] = value;
        }
        if (e == line.end) break;
        f = e + 1;
    }
    if (field + 1 < layout.needed)
        return at(line_number, line, line.end, line.end, fields_phrase(row_number, field + 1, layout.header_size));
    return std::nullopt;
}

std::optional<Diagnostic> CsvFile::Impl::parse_rows(const char* block, const char* block_end, std::size_t row,
                                                    const RowLayout& layout) const {
    for (const char* p = block; p < block_end; ++row) {
        const char* next = parse_common_row(p, block_end, row, layout);
        if (next == nullptr) [[unlikely]] {
            const Line line = line_at(p, stop);
            if (auto error = parse_line(line, row, layout)) return error;
            next = line.next;
        }
        p = next;
    }
    return std::nullopt;
}

std::optional<std::vector<std::vector<double>>> CsvFile::load(std::span<const int> which,
                                                              Diagnostics& diagnostics, bool missing_as_nan,
                                                              int threads, std::size_t spare_rows) const {
    Impl& m = *impl_;
    const int header_size = static_cast<int>(m.header.size());

    // Each distinct requested column is parsed once, into its slot.
    std::vector<int> slot_of(m.header.size(), -1);
    std::vector<int> columns;
    int needed = 0;
    for (int c : which) {
        if (c < 0 || c >= header_size) {
            diagnostics.push_back(m.unpositioned("column index " + std::to_string(c) +
                                                     " is out of range (the header has " +
                                                     std::to_string(header_size) + " columns)",
                                                 Category::usage));
            return std::nullopt;
        }
        if (slot_of[static_cast<std::size_t>(c)] < 0) {
            slot_of[static_cast<std::size_t>(c)] = static_cast<int>(columns.size());
            columns.push_back(c);
        }
        needed = std::max(needed, c + 1);
    }
    if (!m.check_placed(diagnostics)) return std::nullopt;

    // Blank lines after the last row are ignored; one before it is an error.
    // So the data end with the line holding the last character that is not
    // blank, and every line before that is a row.
    const char* const data_begin = m.part_begin;
    const char* const data_end = m.rows_end();

    if (threads <= 0) threads = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
    // Blocks of whole lines (fields never span lines), several per thread so
    // that a thread slowed by other work on the machine costs little. Too
    // small a block is not worth a thread.
    constexpr std::size_t min_block_bytes = 4096;
    constexpr int blocks_per_thread = 8;
    const auto bytes = static_cast<std::size_t>(data_end - data_begin);
    const std::size_t blocks =
        threads == 1 ? 1
                     : std::min(static_cast<std::size_t>(threads) * blocks_per_thread, bytes / min_block_bytes + 1);
    threads = static_cast<int>(std::min(static_cast<std::size_t>(threads), blocks));
    std::vector<const char*> bounds(blocks + 1, data_end);
    bounds[0] = data_begin;
    for (std::size_t b = 1; b < blocks; ++b) {
        const char* cut = std::max(bounds[b - 1], data_begin + bytes / blocks * b);
        bounds[b] = cut == data_begin ? cut : line_at(cut - 1, data_end).next;
    }

    // First pass: each block's row count gives the row its values start at,
    // so every block writes straight into the final columns.
    std::vector<std::size_t> first_row(blocks + 1, 0);
    {
        std::atomic<std::size_t> next_block{0};
        run_on_threads(threads, [&] {
            for (std::size_t b; (b = next_block.fetch_add(1)) < blocks;)
                first_row[b + 1] = count_newlines(bounds[b], bounds[b + 1]);
        });
    }
    if (data_end > data_begin && data_end[-1] != '\n') ++first_row[blocks];  // no final newline
    for (std::size_t b = 0; b < blocks; ++b) first_row[b + 1] += first_row[b];
    const std::size_t rows = first_row[blocks];
    if (rows == 0 && !m.is_part) {
        diagnostics.push_back(m.unpositioned("no data rows after the header"));
        return std::nullopt;
    }

    // Sized exactly (plus the spare room, reserved but not touched); the
    // columns are zero-filled on several threads because
    // the first write to fresh memory (page faults) is the slow one.
    std::vector<std::vector<double>> values(columns.size());
    {
        std::atomic<std::size_t> next_column{0};
        run_on_threads(std::min(threads, static_cast<int>(columns.size())), [&] {
            for (std::size_t c; (c = next_column.fetch_add(1)) < values.size();) {
                values[c].reserve(rows + spare_rows);
                values[c].resize(rows);
            }
        });
    }
    std::vector<double*> out;
    for (auto& v : values) out.push_back(v.data());
    const RowLayout layout{header_size, needed, slot_of.data(), out.data(), missing_as_nan};

    // Each block stops at its first error; the first failing block holds the
    // first error of the file, and blocks after it need not be parsed.
    std::vector<std::optional<Diagnostic>> errors(blocks);
    std::atomic<std::size_t> first_failed{blocks};
    {
        std::atomic<std::size_t> next_block{0};
        run_on_threads(threads, [&] {
            for (std::size_t b; (b = next_block.fetch_add(1)) < blocks;) {
                if (b > first_failed.load(std::memory_order_relaxed)) break;
                errors[b] = m.parse_rows(bounds[b], bounds[b + 1], first_row[b], layout);
                if (errors[b]) {
                    std::size_t seen = first_failed.load(std::memory_order_relaxed);
                    while (b < seen && !first_failed.compare_exchange_weak(seen, b, std::memory_order_relaxed)) {
                    }
                }
            }
        });
    }
    if (const std::size_t b = first_failed.load(); b < blocks) {
        diagnostics.push_back(std::move(*errors[b]));
        return std::nullopt;
    }
    m.rows = rows;

    // Requested order, duplicates included; each slot is moved out at its
    // last use and copied before that.
    std::vector<std::size_t> last_use(columns.size());
    for (std::size_t i = 0; i < which.size(); ++i)
        last_use[static_cast<std::size_t>(slot_of[static_cast<std::size_t>(which[i])])] = i;
    std::vector<std::vector<double>> result(which.size());
    for (std::size_t i = 0; i < which.size(); ++i) {
        auto slot = static_cast<std::size_t>(slot_of[static_cast<std::size_t>(which[i])]);
        if (last_use[slot] == i)
            result[i] = std::move(values[slot]);
        else {
            result[i].reserve(rows + spare_rows);
            result[i].assign(values[slot].begin(), values[slot].end());
        }
    }
    return result;
}

std::optional<CsvFile::CategoryTexts> CsvFile::load_category_texts(int column, Diagnostics& diagnostics,
                                                                  bool missing_as_nan) const {
    const Impl& m = *impl_;
    const int header_size = static_cast<int>(m.header.size());
    if (column < 0 || column >= header_size) {
        diagnostics.push_back(m.unpositioned("column index " + std::to_string(column) + " is out of range",
                                             Category::usage));
        return std::nullopt;
    }
    if (!m.check_placed(diagnostics)) return std::nullopt;
    // Distinct cells are found by views into the file; only they are copied.
    CategoryTexts out;
    out.codes.reserve(estimate_rows(m.part_begin, m.part_end));
    std::unordered_map<std::string_view, double> index;
    for (const char* p = m.part_begin; p < m.part_end;) {
        const Line line = line_at(p, m.part_end);
        const std::size_t local = out.codes.size();  // every line read so far was a row
        const int line_number = m.line_number(local);
        const std::size_t row_number = m.first_row + local + 1;
        if (is_blank(line.begin, line.end)) {
            if (!m.content_follows && is_blank(line.next, m.part_end)) break;
            diagnostics.push_back(m.at(line_number, line, line.begin, line.begin,
                                       "row " + std::to_string(row_number) + " is empty"));
            return std::nullopt;
        }
        const char* f = line.begin;
        bool found = false;
        for (int field = 0;; ++field) {
            bool unclosed = false;
            const char* e = field_end(f, line.end, unclosed);
            if (field == column) {
                Trimmed t = trim(f, e);
                if (t.end - t.begin >= 2 && *t.begin == '"' && t.end[-1] == '"') {
                    ++t.begin;
                    --t.end;
                }
                const std::string_view text(t.begin, static_cast<std::size_t>(t.end - t.begin));
                if (text.empty() || text == "NA") {
                    if (!missing_as_nan) {
                        diagnostics.push_back(m.at(line_number, line, t.begin, t.end,
                                                   "row " + std::to_string(row_number) + ", column '" +
                                                       m.header[static_cast<std::size_t>(column)] +
                                                       "': missing value"));
                        return std::nullopt;
                    }
                    out.codes.push_back(std::numeric_limits<double>::quiet_NaN());
                } else {
                    auto [it, inserted] = index.try_emplace(text, static_cast<double>(out.texts.size() + 1));
                    if (inserted) out.texts.emplace_back(text);
                    out.codes.push_back(it->second);
                }
                found = true;
                break;
            }
            if (e == line.end) break;
            f = e + 1;
        }
        if (!found) {
            diagnostics.push_back(m.at(line_number, line, line.end, line.end,
                                       "row " + std::to_string(row_number) + " has too few fields for column '" +
                                           m.header[static_cast<std::size_t>(column)] + "'"));
            return std::nullopt;
        }
        p = line.next;
    }
    if (out.codes.empty() && !m.is_part) {
        diagnostics.push_back(m.unpositioned("no data rows after the header"));
        return std::nullopt;
    }
    return out;
}

std::optional<CsvFile::Categories> CsvFile::load_categories(int column, Diagnostics& diagnostics,
                                                            bool missing_as_nan) const {
    auto texts = load_category_texts(column, diagnostics, missing_as_nan);
    if (!texts) return std::nullopt;
    return categories_of_part(merge_category_texts(std::span<const std::vector<std::string>>(&texts->texts, 1)), 0,
                              std::move(texts->codes));
}

CsvFile::Categories categories_of_part(MergedCategories merged, std::size_t part, std::vector<double> text_codes) {
    CsvFile::Categories out;
    out.levels = std::move(merged.levels);
    out.numeric = merged.numeric;
    out.codes = std::move(text_codes);
    const std::vector<double>& level_of_text = merged.level_of_text[part];
    for (double& code : out.codes)
        if (!std::isnan(code)) code = level_of_text[static_cast<std::size_t>(code) - 1];
    return out;
}

namespace {

// Whether a cell's text is a whole number a double holds exactly (|v| <=
// 2^53), read as std::from_chars reads it after an optional '+'.
bool whole_number(std::string_view text, double& value) {
    if (text.empty()) return false;
    const char* b = text.data();
    const char* e = text.data() + text.size();
    if (*b == '+') ++b;
    auto [ptr, ec] = std::from_chars(b, e, value);
    return ec == std::errc() && ptr == e && std::isfinite(value) && value == std::floor(value) &&
           std::abs(value) <= 9007199254740992.0;
}

}  // namespace

MergedCategories merge_category_texts(std::span<const std::vector<std::string>> texts_of_parts) {
    MergedCategories out;
    out.level_of_text.resize(texts_of_parts.size());
    std::vector<double> values;  // every part's texts' values, in file order
    out.numeric = true;
    for (const auto& texts : texts_of_parts) {
        for (const std::string& text : texts) {
            double v = 0;
            if (!whole_number(text, v)) {
                out.numeric = false;
                break;
            }
            values.push_back(v);
        }
        if (!out.numeric) break;
    }
    if (out.numeric) {
        // A stable sort keeps, of texts with one value (0 and -0), the first
        // in the file, so the level's name does not depend on the parts.
        std::vector<double> sorted = values;
        std::stable_sort(sorted.begin(), sorted.end());
        sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
        for (double v : sorted) {
            char buf[32];
            auto r = std::to_chars(buf, buf + sizeof buf, v);
            out.levels.emplace_back(buf, r.ptr);
        }
        auto next = values.begin();
        for (std::size_t part = 0; part < texts_of_parts.size(); ++part) {
            auto& levels = out.level_of_text[part];
            levels.reserve(texts_of_parts[part].size());
            for (std::size_t i = 0; i < texts_of_parts[part].size(); ++i, ++next)
                levels.push_back(
                    static_cast<double>(std::lower_bound(sorted.begin(), sorted.end(), *next) - sorted.begin() + 1));
        }
        return out;
    }
    std::unordered_map<std::string_view, double> index;
    for (std::size_t part = 0; part < texts_of_parts.size(); ++part) {
        auto& levels = out.level_of_text[part];
        levels.reserve(texts_of_parts[part].size());
        for (const std::string& text : texts_of_parts[part]) {
            auto [it, inserted] = index.try_emplace(text, static_cast<double>(out.levels.size() + 1));
            if (inserted) out.levels.push_back(text);
            levels.push_back(it->second);
        }
    }
    return out;
}

CsvFile::Categories whole_number_categories(std::span<const double> values) {
    CsvFile::Categories out;
    out.numeric = true;
    std::vector<double> sorted;
    for (double v : values)
        if (!std::isnan(v)) sorted.push_back(v);
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    for (double v : sorted) {
        char buf[32];
        auto r = std::to_chars(buf, buf + sizeof buf, v);
        out.levels.emplace_back(buf, r.ptr);
    }
    out.codes.reserve(values.size());
    for (double v : values)
        out.codes.push_back(std::isnan(v) ? v
                                          : static_cast<double>(std::lower_bound(sorted.begin(), sorted.end(), v) -
                                                                sorted.begin() + 1));
    return out;
}

Diagnostic CsvFile::field_error(std::size_t row, int column, std::string message) const {
    const Impl& m = *impl_;
    const char* p = m.part_begin;
    for (std::size_t r = 0; r < row && p < m.part_end; ++r) p = line_at(p, m.part_end).next;
    if (p >= m.part_end || column < 0 || column >= static_cast<int>(m.header.size()))
        return m.unpositioned(std::move(message));
    const Line line = line_at(p, m.part_end);
    const int line_number = m.line_number(row);
    const char* f = line.begin;
    for (int field = 0;; ++field) {
        bool unclosed = false;
        const char* e = field_end(f, line.end, unclosed);
        if (field == column) {
            Trimmed t = trim(f, e);
            return m.at(line_number, line, t.begin, t.end, std::move(message));
        }
        if (e == line.end) break;
        f = e + 1;
    }
    return m.at(line_number, line, line.end, line.end, std::move(message));
}

}  // namespace mlec::data

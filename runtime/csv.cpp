#include "runtime/csv.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "runtime/mapped_file.hpp"

namespace mlec::rt {

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

// The first `limit` characters of [begin, end), with "..." when cut.
std::string excerpt(const char* begin, const char* end, int limit = quoted_field_limit) {
    int n = 0;
    for (const char* p = begin; p < end; ++p) {
        if ((static_cast<unsigned char>(*p) & 0xC0) != 0x80 && n++ == limit)
            return std::string(begin, p) + "...";
    }
    return std::string(begin, end);
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
    std::vector<std::string> header;
    std::map<std::string, int, std::less<>> index;
    std::size_t rows = 0;

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
                                     "column '" + name + "' appears twice in the header (first as column " +
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

std::unique_ptr<CsvFile> CsvFile::open(const std::string& path, const std::string& display_name,
                                       Diagnostics& diagnostics) {
    auto impl = std::make_unique<Impl>();
    impl->name = display_name;
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
    return std::unique_ptr<CsvFile>(new CsvFile(std::move(impl)));
}

std::unique_ptr<CsvFile> CsvFile::from_text(std::string text, const std::string& display_name,
                                            Diagnostics& diagnostics) {
    auto impl = std::make_unique<Impl>();
    impl->name = display_name;
    impl->text = std::move(text);
    // Pointers are taken only now that the string sits in its final place.
    std::string_view bytes = impl->text;
    if (bytes.starts_with(utf8_bom)) bytes.remove_prefix(utf8_bom.size());
    impl->begin = bytes.data();
    impl->stop = bytes.data() + bytes.size();
    if (!impl->read_header(diagnostics)) return nullptr;
    return std::unique_ptr<CsvFile>(new CsvFile(std::move(impl)));
}

const std::string& CsvFile::name() const { return impl_->name; }

const std::vector<std::string>& CsvFile::header() const { return impl_->header; }

std::optional<int> CsvFile::column_index(std::string_view name) const {
    auto it = impl_->index.find(name);
    if (it == impl_->index.end()) return std::nullopt;
    return it->second;
}

std::size_t CsvFile::rows() const { return impl_->rows; }

std::optional<std::vector<std::vector<double>>> CsvFile::load(std::span<const int> which,
                                                              Diagnostics& diagnostics,
                                                              bool missing_as_nan) const {
    Impl& m = *impl_;
    const int header_size = static_cast<int>(m.header.size());

    // Each distinct requested column is parsed once, into its slot.
    std::vector<int> slot_of(m.header.size(), -1);
    std::vector<int> columns;
    int needed = 0;  // fields a row must have to reach every loaded column
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
    std::vector<std::vector<double>> values(columns.size());
    const std::size_t estimate = estimate_rows(m.data_begin, m.stop);
    for (auto& v : values) v.reserve(estimate);

    auto column_phrase = [&](std::size_t row, int field) {
        return "row " + std::to_string(row) + ", column '" + m.header[static_cast<std::size_t>(field)] + "': ";
    };

    std::size_t row = 0;
    int line_number = 2;
    for (const char* p = m.data_begin; p < m.stop; ++line_number) {
        const Line line = line_at(p, m.stop);
        const std::size_t row_number = row + 1;
        if (is_blank(line.begin, line.end)) {
            if (is_blank(line.next, m.stop)) break;  // only blank lines are left
            diagnostics.push_back(m.at(line_number, line, line.begin, line.begin,
                                       "row " + std::to_string(row_number) + " is empty"));
            return std::nullopt;
        }
        const char* f = line.begin;
        int field = 0;
        for (;; ++field) {
            bool unclosed = false;
            const char* e = field_end(f, line.end, unclosed);
            if (field == header_size) {
                // Count the rest only now, to say how many fields the row has.
                int total = field + 1;
                for (const char* g = e; g != line.end; ++total) g = field_end(g + 1, line.end, unclosed);
                Trimmed t = trim(f, e);
                diagnostics.push_back(
                    m.at(line_number, line, t.begin, t.end, fields_phrase(row_number, total, header_size)));
                return std::nullopt;
            }
            if (unclosed) {
                Trimmed t = trim(f, e);
                diagnostics.push_back(m.at(line_number, line, t.begin, t.end,
                                           column_phrase(row_number, field) +
                                               "the quoted field is not closed on this line"));
                return std::nullopt;
            }
            if (int slot = slot_of[static_cast<std::size_t>(field)]; slot >= 0) {
                double value = 0.0;
                Trimmed t = trim(f, e);
                NumberStatus status = parse_number(t, value);
                if (status == NumberStatus::missing && missing_as_nan) {
                    status = NumberStatus::ok;
                    value = std::numeric_limits<double>::quiet_NaN();
                }
                if (status != NumberStatus::ok) [[unlikely]] {
                    std::string message = column_phrase(row_number, field);
                    if (status == NumberStatus::missing)
                        message += "missing value";
                    else if (status == NumberStatus::not_finite)
                        message += "'" + excerpt(t.begin, t.end) + "' is not a finite number";
                    else
                        message += "expected a number, found '" + excerpt(t.begin, t.end) + "'";
                    diagnostics.push_back(m.at(line_number, line, t.begin, t.end, std::move(message)));
                    return std::nullopt;
                }
                values[static_cast<std::size_t>(slot)].push_back(value);
            }
            if (e == line.end) break;
            f = e + 1;
        }
        if (field + 1 < needed) {
            diagnostics.push_back(
                m.at(line_number, line, line.end, line.end, fields_phrase(row_number, field + 1, header_size)));
            return std::nullopt;
        }
        ++row;
        p = line.next;
    }
    if (row == 0) {
        diagnostics.push_back(m.unpositioned("no data rows after the header"));
        return std::nullopt;
    }
    m.rows = row;

    // A poor estimate (first lines much shorter than the rest) must not
    // leave columns holding several times the memory they need.
    for (auto& v : values)
        if (v.capacity() > v.size() + v.size() / 4 + 1024) v.shrink_to_fit();

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
        else
            result[i] = values[slot];
    }
    return result;
}

std::optional<CsvFile::Categories> CsvFile::load_categories(int column, Diagnostics& diagnostics,
                                                            bool missing_as_nan) const {
    const Impl& m = *impl_;
    const int header_size = static_cast<int>(m.header.size());
    if (column < 0 || column >= header_size) {
        diagnostics.push_back(m.unpositioned("column index " + std::to_string(column) + " is out of range",
                                             Category::usage));
        return std::nullopt;
    }
    // The cells' texts first (views into the file, no copies), then the
    // choice between numeric and text levels.
    std::vector<std::string_view> cells;
    cells.reserve(estimate_rows(m.data_begin, m.stop));
    int line_number = 2;
    for (const char* p = m.data_begin; p < m.stop; ++line_number) {
        const Line line = line_at(p, m.stop);
        const std::size_t row_number = cells.size() + 1;
        if (is_blank(line.begin, line.end)) {
            if (is_blank(line.next, m.stop)) break;
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
                if ((text.empty() || text == "NA") && !missing_as_nan) {
                    diagnostics.push_back(m.at(line_number, line, t.begin, t.end,
                                               "row " + std::to_string(row_number) + ", column '" +
                                                   m.header[static_cast<std::size_t>(column)] + "': missing value"));
                    return std::nullopt;
                }
                cells.push_back(text);
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
    if (cells.empty()) {
        diagnostics.push_back(m.unpositioned("no data rows after the header"));
        return std::nullopt;
    }
    Categories out;
    out.codes.reserve(cells.size());
    std::vector<double> numbers;
    numbers.reserve(cells.size());
    out.numeric = true;
    auto missing = [](std::string_view c) { return c.empty() || c == "NA"; };
    for (std::string_view c : cells) {
        if (missing(c)) {
            numbers.push_back(std::numeric_limits<double>::quiet_NaN());
            continue;
        }
        double v = 0;
        const char* b = c.data();
        if (*b == '+') ++b;
        auto [ptr, ec] = std::from_chars(b, c.data() + c.size(), v);
        if (ec != std::errc() || ptr != c.data() + c.size() || !std::isfinite(v) || v != std::floor(v) ||
            std::abs(v) > 9007199254740992.0) {
            out.numeric = false;
            break;
        }
        numbers.push_back(v);
    }
    if (out.numeric) {
        std::vector<double> sorted;
        for (double v : numbers)
            if (!std::isnan(v)) sorted.push_back(v);
        std::sort(sorted.begin(), sorted.end());
        sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
        for (double v : sorted) {
            char buf[32];
            auto r = std::to_chars(buf, buf + sizeof buf, v);
            out.levels.emplace_back(buf, r.ptr);
        }
        for (double v : numbers)
            out.codes.push_back(std::isnan(v) ? v
                                              : static_cast<double>(std::lower_bound(sorted.begin(), sorted.end(), v) -
                                                                    sorted.begin() + 1));
    } else {
        std::unordered_map<std::string_view, double> index;
        for (std::string_view c : cells) {
            if (missing(c)) {
                out.codes.push_back(std::numeric_limits<double>::quiet_NaN());
                continue;
            }
            auto [it, inserted] = index.try_emplace(c, static_cast<double>(out.levels.size() + 1));
            if (inserted) out.levels.emplace_back(c);
            out.codes.push_back(it->second);
        }
    }
    return out;
}

Diagnostic CsvFile::field_error(std::size_t row, int column, std::string message) const {
    const Impl& m = *impl_;
    const char* p = m.data_begin;
    int line_number = 2;
    for (std::size_t r = 0; r < row && p < m.stop; ++r, ++line_number) p = line_at(p, m.stop).next;
    if (p >= m.stop || column < 0 || column >= static_cast<int>(m.header.size()))
        return m.unpositioned(std::move(message));
    const Line line = line_at(p, m.stop);
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

}  // namespace mlec::rt

// CsvFile::load: the named columns of every data row parsed into doubles,
// in blocks of whole lines on several threads, each block straight into the
// final columns. A common row (plain numbers, no quotes) takes a fast path;
// anything else is parsed, and its error worded, by the exact rules.
#include <cmath>
#include <limits>
#include <system_error>
#include <thread>

#include "data/csv_impl.hpp"
#include "data/decimal.hpp"

namespace mlec::data {

struct RowLayout {
    int header_size;
    int needed;          // fields a row must have to reach every loaded column
    const int* slot_of;  // per header column: its output slot, or -1 when not loaded
    double* const* out;  // per slot: the column, one value per row
    bool missing_as_nan;
};

namespace {

// What a loaded cell is when it holds no number to use.
std::string bad_number_phrase(NumberStatus status, Trimmed t) {
    if (status == NumberStatus::missing) return "missing value";
    const std::string cell = excerpt(t.begin, t.end);
    if (status == NumberStatus::not_finite) return "'" + cell + "' is not a finite number";
    return "expected a number, found '" + cell + "'";
}

std::string fields_phrase(std::size_t row, int fields, int header_size) {
    return "row " + std::to_string(row) + " has " + std::to_string(fields) + (fields == 1 ? " field" : " fields") +
           ", but the header has " + std::to_string(header_size);
}

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

// Each distinct requested column is parsed once, into its slot.
struct Slots {
    std::vector<int> slot_of;  // per header column: its slot, or -1 when not loaded
    std::vector<int> columns;  // per slot: its header column
    int needed = 0;            // fields a row must have to reach every loaded column
};

// `which` holds valid column indices.
Slots slots_of(std::span<const int> which, std::size_t header_size) {
    Slots out;
    out.slot_of.assign(header_size, -1);
    for (int c : which) {
        if (out.slot_of[static_cast<std::size_t>(c)] < 0) {
            out.slot_of[static_cast<std::size_t>(c)] = static_cast<int>(out.columns.size());
            out.columns.push_back(c);
        }
        out.needed = std::max(out.needed, c + 1);
    }
    return out;
}

// The bounds of the blocks [bounds[b], bounds[b + 1]) of whole lines (fields
// never span lines) that the threads parse, several per thread so that a
// thread slowed by other work on the machine costs little. Too small a
// block is not worth a thread: `threads` is lowered to the number of blocks.
std::vector<const char*> block_bounds(const char* data_begin, const char* data_end, int& threads) {
    constexpr std::size_t min_block_bytes = 4096;
    constexpr int blocks_per_thread = 8;
    const auto bytes = static_cast<std::size_t>(data_end - data_begin);
    const std::size_t blocks =
        threads == 1 ? 1 : std::min(static_cast<std::size_t>(threads) * blocks_per_thread, bytes / min_block_bytes + 1);
    threads = static_cast<int>(std::min(static_cast<std::size_t>(threads), blocks));
    std::vector<const char*> bounds(blocks + 1, data_end);
    bounds[0] = data_begin;
    for (std::size_t b = 1; b < blocks; ++b) {
        const char* cut = std::max(bounds[b - 1], data_begin + bytes / blocks * b);
        bounds[b] = cut == data_begin ? cut : line_at(cut - 1, data_end).next;
    }
    return bounds;
}

// The row each block's values start at (a first pass that only counts
// lines), so that every block writes straight into the final columns; the
// last entry is the number of rows.
std::vector<std::size_t> first_rows(const std::vector<const char*>& bounds, int threads) {
    const std::size_t blocks = bounds.size() - 1;
    const char* const data_begin = bounds.front();
    const char* const data_end = bounds.back();
    std::vector<std::size_t> first_row(blocks + 1, 0);
    std::atomic<std::size_t> next_block{0};
    run_on_threads(threads, [&] {
        for (std::size_t b; (b = next_block.fetch_add(1)) < blocks;)
            first_row[b + 1] = count_newlines(bounds[b], bounds[b + 1]);
    });
    if (data_end > data_begin && data_end[-1] != '\n') ++first_row[blocks];  // no final newline
    for (std::size_t b = 0; b < blocks; ++b) first_row[b + 1] += first_row[b];
    return first_row;
}

// `count` columns sized exactly (plus the spare room, reserved but not
// touched), zero-filled on several threads because the first write to
// fresh memory (page faults) is the slow one.
std::vector<std::vector<double>> zeroed_columns(std::size_t count, std::size_t rows, std::size_t spare_rows,
                                                int threads) {
    std::vector<std::vector<double>> values(count);
    std::atomic<std::size_t> next_column{0};
    run_on_threads(std::min(threads, static_cast<int>(count)), [&] {
        for (std::size_t c; (c = next_column.fetch_add(1)) < values.size();) {
            values[c].reserve(rows + spare_rows);
            values[c].resize(rows);
        }
    });
    return values;
}

// The columns in the requested order, duplicates included; each slot is
// moved out at its last use and copied before that (a copy with room for
// `capacity` values).
std::vector<std::vector<double>> in_requested_order(std::span<const int> which, const std::vector<int>& slot_of,
                                                    std::vector<std::vector<double>> values, std::size_t capacity) {
    std::vector<std::size_t> last_use(values.size());
    for (std::size_t i = 0; i < which.size(); ++i)
        last_use[static_cast<std::size_t>(slot_of[static_cast<std::size_t>(which[i])])] = i;
    std::vector<std::vector<double>> result(which.size());
    for (std::size_t i = 0; i < which.size(); ++i) {
        auto slot = static_cast<std::size_t>(slot_of[static_cast<std::size_t>(which[i])]);
        if (last_use[slot] == i) result[i] = std::move(values[slot]);
        else {
            result[i].reserve(capacity);
            result[i].assign(values[slot].begin(), values[slot].end());
        }
    }
    return result;
}

}  // namespace

std::optional<Diagnostic> CsvFile::Impl::parse_line(const Line& line, std::size_t row, const RowLayout& layout) const {
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
                return at(line_number, line, t.begin, t.end, column_phrase(field) + bad_number_phrase(status, t));
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

std::optional<Diagnostic> CsvFile::Impl::parse_blocks(const std::vector<const char*>& bounds,
                                                      const std::vector<std::size_t>& first_row,
                                                      const RowLayout& layout, int threads) const {
    // Each block stops at its first error; the first failing block holds the
    // first error of the file, and blocks after it need not be parsed.
    const std::size_t blocks = bounds.size() - 1;
    std::vector<std::optional<Diagnostic>> errors(blocks);
    std::atomic<std::size_t> first_failed{blocks};
    std::atomic<std::size_t> next_block{0};
    run_on_threads(threads, [&] {
        for (std::size_t b; (b = next_block.fetch_add(1)) < blocks;) {
            if (b > first_failed.load(std::memory_order_relaxed)) break;
            errors[b] = parse_rows(bounds[b], bounds[b + 1], first_row[b], layout);
            if (errors[b]) {
                std::size_t seen = first_failed.load(std::memory_order_relaxed);
                while (b < seen && !first_failed.compare_exchange_weak(seen, b, std::memory_order_relaxed)) {
                }
            }
        }
    });
    if (const std::size_t b = first_failed.load(); b < blocks) return std::move(errors[b]);
    return std::nullopt;
}

std::optional<std::vector<std::vector<double>>> CsvFile::load(std::span<const int> which, Diagnostics& diagnostics,
                                                              bool missing_as_nan, int threads,
                                                              std::size_t spare_rows) const {
    Impl& m = *impl_;
    const int header_size = static_cast<int>(m.header.size());
    for (int c : which) {
        if (c < 0 || c >= header_size) {
            diagnostics.push_back(m.unpositioned("column index " + std::to_string(c) +
                                                     " is out of range (the header has " + std::to_string(header_size) +
                                                     " columns)",
                                                 Category::usage));
            return std::nullopt;
        }
    }
    const Slots slots = slots_of(which, m.header.size());
    if (!m.check_placed(diagnostics)) return std::nullopt;

    // Blank lines after the last row are ignored; one before it is an error.
    // So the data end with the line holding the last character that is not
    // blank, and every line before that is a row.
    const char* const data_begin = m.part_begin;
    const char* const data_end = m.rows_end();

    if (threads <= 0) threads = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
    const std::vector<const char*> bounds = block_bounds(data_begin, data_end, threads);
    const std::vector<std::size_t> first_row = first_rows(bounds, threads);
    const std::size_t rows = first_row.back();
    if (rows == 0 && !m.is_part) {
        diagnostics.push_back(m.unpositioned("no data rows after the header"));
        return std::nullopt;
    }

    std::vector<std::vector<double>> values = zeroed_columns(slots.columns.size(), rows, spare_rows, threads);
    std::vector<double*> out;
    for (auto& v : values) out.push_back(v.data());
    const RowLayout layout{header_size, slots.needed, slots.slot_of.data(), out.data(), missing_as_nan};
    if (auto error = m.parse_blocks(bounds, first_row, layout, threads)) {
        diagnostics.push_back(std::move(*error));
        return std::nullopt;
    }
    m.rows = rows;
    return in_requested_order(which, slots.slot_of, std::move(values), rows + spare_rows);
}

}  // namespace mlec::data

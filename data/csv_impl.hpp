// The CSV reader's state, shared by the files that implement CsvFile: csv.cpp
// (opening, the header, field positions), csv_parts.cpp (parts of a file),
// csv_load.cpp (the threaded load) and categories.cpp (category coding).
#pragma once

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "data/csv.hpp"
#include "data/csv_scan.hpp"
#include "data/mapped_file.hpp"
#include "data/utf8.hpp"

namespace mlec::data {

// Where the parsed fields of a row go, and what a row must look like
// (csv_load.cpp).
struct RowLayout;

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
    Diagnostic at(int line_number, const Line& line, const char* pos, const char* pos_end, std::string message) const {
        Diagnostic d = unpositioned(std::move(message));
        d.line = line_number;
        d.column = 1 + code_points(line.begin, pos);
        d.caret_length = std::max(1, code_points(pos, pos_end));
        d.source_line.assign(line.begin, line.end);
        return d;
    }

    // The file line number of the part's line `local_line` (0-based).
    int line_number(std::size_t local_line) const { return static_cast<int>(first_line + local_line); }

    // csv.cpp
    bool read_header(Diagnostics& diagnostics);

    // csv_parts.cpp
    // The usage error for a part that cannot exist, if `part` is one.
    static std::optional<std::string> bad_part(CsvPart part);
    // Sets [part_begin, part_end) to the lines of `part` (read_header done).
    void select_part(CsvPart part);
    // A usage error when a part of several is read before place_part.
    bool check_placed(Diagnostics& diagnostics) const;
    // The end of the lines that are rows: blank lines after the last line
    // that is not blank end the file (when no later part has content).
    const char* rows_end() const;

    // csv_load.cpp
    // Parses data row `row` (0-based), the line `line`, by the exact rules;
    // returns its error, if any.
    std::optional<Diagnostic> parse_line(const Line& line, std::size_t row, const RowLayout& layout) const;
    // Parses the rows of [block, block_end), whole lines, the first being
    // row `row`; stops at the first error and returns it.
    std::optional<Diagnostic> parse_rows(const char* block, const char* block_end, std::size_t row,
                                         const RowLayout& layout) const;
    // Parses the blocks between bounds[b] and bounds[b + 1], block b's first
    // row being first_row[b], on `threads` threads; returns the file's first
    // error, if any.
    std::optional<Diagnostic> parse_blocks(const std::vector<const char*>& bounds,
                                           const std::vector<std::size_t>& first_row, const RowLayout& layout,
                                           int threads) const;
};

}  // namespace mlec::data

// The CSV reader: a header row of column names, then one row per
// observation, fields separated by ',', lines ended by "\n" or "\r\n".
//
// Reading is two-step because a model needs only some columns and the others
// may hold anything (text, blanks): `open` maps the file and reads the
// header; `load` parses just the named columns into doubles in one pass.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mlec/diagnostic.hpp"

namespace mlec::rt {

class CsvFile {
public:
    // Maps `path` (it stays mapped while the CsvFile lives) and reads the
    // header. Errors: the file cannot be opened, it is empty, or a header
    // name is empty. `display_name` is the name diagnostics use.
    static std::unique_ptr<CsvFile> open(const std::string& path, const std::string& display_name,
                                         Diagnostics& diagnostics);
    // The same over text already in memory (tests, embedding).
    static std::unique_ptr<CsvFile> from_text(std::string text, const std::string& display_name,
                                              Diagnostics& diagnostics);
    ~CsvFile();

    const std::string& name() const;
    const std::vector<std::string>& header() const;
    std::optional<int> column_index(std::string_view name) const;

    // Parses the columns `which` (indices into header()) of every data row.
    // On success returns one vector per requested column, each with one value
    // per row. A field that is not a number is a data error naming the file,
    // line, column and row ("row 3, column 'y': expected a number, found
    // 'abc'"); so is a row with too few fields. Numbers are parsed exactly as
    // strtod would (std::from_chars). Blank lines at the end are ignored.
    // With missing_as_nan, an empty cell or NA is read as NaN (the caller
    // drops those rows) instead of being an error.
    //
    // `threads` parse blocks of whole lines in parallel (0: all cores),
    // straight into the returned columns. The values do not depend on the
    // count, and neither does the error: it is the first one in file order,
    // with the same text and position a single thread reports.
    std::optional<std::vector<std::vector<double>>> load(std::span<const int> which, Diagnostics& diagnostics,
                                                         bool missing_as_nan = false, int threads = 1) const;

    // A column read as categories (a group index, a categorical outcome):
    // when every cell is an integer the levels are its distinct values in
    // ascending order, otherwise the distinct texts in order of first
    // appearance. codes[row] is the row's level number, 1-based.
    struct Categories {
        std::vector<std::string> levels;
        std::vector<double> codes;
        bool numeric = false;
    };
    // With missing_as_nan a missing cell gets the code NaN. Single-threaded:
    // one column of short cells, then a sort or a hash of the distinct ones,
    // costs little next to `load`.
    std::optional<Categories> load_categories(int column, Diagnostics& diagnostics,
                                              bool missing_as_nan = false) const;

    // Number of data rows (valid after a successful load).
    std::size_t rows() const;

    // A data error pointing at the field of data row `row` (0-based) in
    // column `column` (index into header()), with the line quoted and a caret
    // under the field. Used by later stages for value checks (a bernoulli
    // outcome that is not 0/1). Slow (re-scans the file): errors only.
    Diagnostic field_error(std::size_t row, int column, std::string message) const;

private:
    struct Impl;
    explicit CsvFile(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// Group levels of whole numbers (NaN: missing, code NaN): the distinct
// values in ascending order, each named by its shortest text; codes[row] is
// the row's level number, 1-based. Shared by the CSV reader and columns
// given in memory.
CsvFile::Categories whole_number_categories(std::span<const double> values);

}  // namespace mlec::rt

// The data a Problem binds to, behind one interface: a CSV file (mapped,
// columns parsed when a model asks for them: runtime/csv) or columns already
// in memory (Data::from_columns: viewed where they lie, never copied).
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "mlec/diagnostic.hpp"
#include "runtime/csv.hpp"

namespace mlec::api {

class Table {
public:
    virtual ~Table() = default;

    // How diagnostics name the table (the file's name, or the caller's).
    virtual const std::string& name() const = 0;
    virtual const std::vector<std::string>& header() const = 0;

    // The columns `which` (indices into header()) as numbers, one view per
    // requested column, each of rows() values. A view points into the table
    // itself (columns in memory) or into `storage` (a parsed CSV), which
    // must outlive it. A missing value (empty cell, NA, or NaN in memory) is
    // an error unless missing_as_nan; a non-finite number always is. Parsed
    // columns have room for `spare_rows` more values (rows a distributed
    // fit appends: api/distributed).
    virtual std::optional<std::vector<std::span<const double>>> load(std::span<const int> which,
                                                                     Diagnostics& diagnostics, bool missing_as_nan,
                                                                     int threads,
                                                                     std::vector<std::vector<double>>& storage,
                                                                     std::size_t spare_rows = 0) const = 0;

    // A column read as group levels (CsvFile::load_categories' rules).
    virtual std::optional<rt::CsvFile::Categories> load_categories(int column, Diagnostics& diagnostics,
                                                                   bool missing_as_nan) const = 0;

    // The same column as distinct texts in order of first appearance, for
    // ranks that hold parts of the rows to agree on the levels
    // (rt::merge_category_texts gives load_categories' levels).
    virtual std::optional<rt::CsvFile::CategoryTexts> load_category_texts(int column, Diagnostics& diagnostics,
                                                                          bool missing_as_nan) const = 0;

    // The row number of this table's first row among all ranks' rows (a
    // part of a file read by several ranks), for messages; 0 otherwise.
    virtual std::size_t first_row() const { return 0; }

    // Number of rows (for a CSV: valid after a successful load).
    virtual std::size_t rows() const = 0;

    // An error about one cell (row 0-based, column an index into header()):
    // positioned in the file for a CSV, by row and column name in memory.
    virtual Diagnostic field_error(std::size_t row, int column, std::string message) const = 0;
};

// `first_row`: where a part of a file starts among all ranks' rows.
std::unique_ptr<Table> csv_table(std::unique_ptr<rt::CsvFile> csv, std::size_t first_row = 0);

// `columns[k]` holds the rows of column `names[k]`; the caller has checked
// that names are distinct and non-empty and that every column has `rows`
// values (Data::from_columns).
std::unique_ptr<Table> memory_table(std::string name, std::vector<std::string> names,
                                    std::vector<std::span<const double>> columns, std::size_t rows);

}  // namespace mlec::api

// The data a Problem binds to, behind one interface: a CSV file (mapped,
// columns parsed when a model asks for them: data/csv) or columns already
// in memory (Data::from_columns: viewed where they lie, never copied).
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "data/csv.hpp"
#include "mlec/diagnostic.hpp"

namespace mlec::data {

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
    // fit appends: problem/distributed).
    virtual std::optional<std::vector<std::span<const double>>> load(std::span<const int> which,
                                                                     Diagnostics& diagnostics, bool missing_as_nan,
                                                                     int threads,
                                                                     std::vector<std::vector<double>>& storage,
                                                                     std::size_t spare_rows = 0) const = 0;

    // A column read as group levels (CsvFile::load_categories' rules).
    virtual std::optional<data::CsvFile::Categories> load_categories(int column, Diagnostics& diagnostics,
                                                                     bool missing_as_nan) const = 0;

    // The same column as distinct texts in order of first appearance, for
    // ranks that hold parts of the rows to agree on the levels
    // (data::merge_category_texts gives load_categories' levels).
    virtual std::optional<data::CsvFile::CategoryTexts> load_category_texts(int column, Diagnostics& diagnostics,
                                                                            bool missing_as_nan) const = 0;

    // The row number of this table's first row among all ranks' rows (a
    // part of a file read by several ranks), for messages; 0 otherwise.
    virtual std::size_t first_row() const { return 0; }

    // Number of rows (for a CSV: valid after a successful load).
    virtual std::size_t rows() const = 0;

    // How a message names row `row` (0-based): "row N" with N =
    // first_row() + row + 1, the row's number in its file; a table of
    // several files names the file as well, "row N of FILE", N counted
    // within FILE. Every data error says which row, and its position (or
    // this text) says which file.
    virtual std::string row_text(std::size_t row) const;
    // The same where nothing else names the file (a message positioned in
    // the model): "row N of NAME", or row_text when that names the file.
    virtual std::string row_text_with_name(std::size_t row) const;

    // An error about one cell (row 0-based, column an index into header()):
    // positioned in the file for a CSV, by row and column name in memory.
    virtual Diagnostic field_error(std::size_t row, int column, std::string message) const = 0;
};

// `first_row`: where a part of a file starts among all ranks' rows.
std::unique_ptr<Table> csv_table(std::unique_ptr<data::CsvFile> csv, std::size_t first_row = 0);

// The rows of several tables one after another: the shards of one data set
// (Data::from_csv_files, Cluster::load_csv_shards), each file read whole.
// Every part has `header` (the caller has checked); there may be no part (a
// rank given no file). `name` names the whole (shards_name). With
// `name_files` rows are named in their own file ("row N of FILE"); without
// (a single file), as that file names them. load, load_categories and
// load_category_texts follow the single-file rules over all the rows, and
// their first error is the first in file order.
std::unique_ptr<Table> concat_table(std::string name, std::vector<std::string> header,
                                    std::vector<std::unique_ptr<Table>> parts, bool name_files);

// How reports and diagnostics name the data of the files `paths` (not
// empty): the path of one file, "a.csv, b.csv, c.csv" for up to three,
// "a.csv, ..., z.csv (12 files)" for more.
std::string shards_name(std::span<const std::string> paths);

// The error for shard `path` whose header is `header` where the first file
// `first_name` has `first_header`: a data error at line 1 of `path`, the
// line quoted (read again: errors only) and the caret under the first
// name that differs. nullopt when the headers are the same.
std::optional<Diagnostic> header_mismatch(const std::string& path, const std::vector<std::string>& header,
                                          const std::string& first_name, const std::vector<std::string>& first_header);

// `columns[k]` holds the rows of column `names[k]`; the caller has checked
// that names are distinct and non-empty and that every column has `rows`
// values (Data::from_columns). A column with `labels[k]` not empty holds
// codes 1..K into them (NaN missing), checked by the caller: group levels
// named by the labels, in their order.
std::unique_ptr<Table> memory_table(std::string name, std::vector<std::string> names,
                                    std::vector<std::span<const double>> columns, std::size_t rows,
                                    std::vector<std::vector<std::string>> labels = {});

}  // namespace mlec::data

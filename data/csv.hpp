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

namespace mlec::data {

// One process's share of a file's data lines (a distributed fit): part
// `index` of `count`, a byte range of the data split at line boundaries.
struct CsvPart {
    std::size_t index = 0;
    std::size_t count = 1;
};

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

    // Part `part` of the data lines: every part maps (or holds) the whole
    // text and reads the header, but parses only its lines. With cut_k =
    // data_begin + floor(bytes * k / count), part k starts at the first line
    // that begins at or after cut_k and ends where part k + 1 starts, so the
    // parts tile the data; a part may hold no line. A part with count > 1
    // must be placed (place_part) before it is read; then load,
    // load_categories, load_category_texts and field_error take and give row
    // indices local to the part, while every diagnostic names the whole
    // file's rows and lines. Errors: those of `open`, and a part that does
    // not exist (count 0, index >= count).
    static std::unique_ptr<CsvFile> open_part(const std::string& path, const std::string& display_name, CsvPart part,
                                              Diagnostics& diagnostics);
    static std::unique_ptr<CsvFile> from_text_part(std::string text, const std::string& display_name, CsvPart part,
                                                   Diagnostics& diagnostics);
    ~CsvFile();

    // What a process learns of its part alone, before it knows the others'.
    struct PartShape {
        std::size_t lines = 0;     // a last line without '\n' counts
        bool has_content = false;  // some line is not blank
    };
    PartShape part_shape() const;
    // Where the part lies in the file, from all parts' shapes: first_line is
    // the file line number of its first line (the header is line 1, so part
    // 0 starts at 2), first_row the 0-based row number of its first line,
    // content_follows whether a later part has a line that is not blank (then
    // this part's trailing blank lines are empty rows, errors; otherwise they
    // end the file and are ignored).
    void place_part(std::size_t first_line, std::size_t first_row, bool content_follows);

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
    //
    // Every column has room for `spare_rows` more values (reserved, not
    // filled), so a caller can append rows without a reallocation. A part
    // (count > 1) without rows is no error: its columns are empty.
    std::optional<std::vector<std::vector<double>>> load(std::span<const int> which, Diagnostics& diagnostics,
                                                         bool missing_as_nan = false, int threads = 1,
                                                         std::size_t spare_rows = 0) const;

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
    std::optional<Categories> load_categories(int column, Diagnostics& diagnostics, bool missing_as_nan = false) const;

    // A column's cells as distinct texts (spaces and one pair of quotes
    // dropped) in order of first appearance, with each row's 1-based index
    // into them; a missing cell (empty, NA) gets NaN with missing_as_nan and
    // is load_categories' error otherwise. Parts merge theirs with
    // merge_category_texts into the levels of the whole file.
    struct CategoryTexts {
        std::vector<std::string> texts;
        std::vector<double> codes;
    };
    std::optional<CategoryTexts> load_category_texts(int column, Diagnostics& diagnostics,
                                                     bool missing_as_nan = false) const;

    // Number of data rows (valid after a successful load), of the part for
    // a part.
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

// The levels load_categories gives for the whole file, from every part's
// distinct texts (load_category_texts) in file order: numeric (the whole
// numbers ascending, each named by std::to_chars of its value) when every
// text of every part is a whole number, otherwise the texts in order of
// first appearance across the parts; level_of_text[part][i] is the level
// number (1-based) of text i of that part.
struct MergedCategories {
    std::vector<std::string> levels;
    bool numeric = false;
    std::vector<std::vector<double>> level_of_text;
};
MergedCategories merge_category_texts(std::span<const std::vector<std::string>> texts_of_parts);

// Part `part`'s rows (codes into its own texts, NaN for missing) as
// categories of the merged levels.
CsvFile::Categories categories_of_part(MergedCategories merged, std::size_t part, std::vector<double> text_codes);

}  // namespace mlec::data

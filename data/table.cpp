#include "data/table.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <unordered_map>

namespace mlec::data {

namespace {

class CsvTable final : public Table {
public:
    CsvTable(std::unique_ptr<data::CsvFile> csv, std::size_t first_row) : csv_(std::move(csv)), first_row_(first_row) {}

    const std::string& name() const override { return csv_->name(); }
    const std::vector<std::string>& header() const override { return csv_->header(); }
    std::size_t rows() const override { return csv_->rows(); }

    std::optional<std::vector<std::span<const double>>> load(std::span<const int> which, Diagnostics& diagnostics,
                                                             bool missing_as_nan, int threads,
                                                             std::vector<std::vector<double>>& storage,
                                                             std::size_t spare_rows) const override {
        auto parsed = csv_->load(which, diagnostics, missing_as_nan, threads, spare_rows);
        if (!parsed) return std::nullopt;
        std::vector<std::span<const double>> views;
        for (auto& column : *parsed) {
            storage.push_back(std::move(column));  // moving keeps the buffer, so the view stays valid
            views.emplace_back(storage.back());
        }
        return views;
    }

    std::optional<data::CsvFile::Categories> load_categories(int column, Diagnostics& diagnostics,
                                                             bool missing_as_nan) const override {
        return csv_->load_categories(column, diagnostics, missing_as_nan);
    }

    std::optional<data::CsvFile::CategoryTexts> load_category_texts(int column, Diagnostics& diagnostics,
                                                                    bool missing_as_nan) const override {
        return csv_->load_category_texts(column, diagnostics, missing_as_nan);
    }

    std::size_t first_row() const override { return first_row_; }

    Diagnostic field_error(std::size_t row, int column, std::string message) const override {
        return csv_->field_error(row, column, std::move(message));
    }

private:
    std::unique_ptr<data::CsvFile> csv_;
    std::size_t first_row_;
};

class MemoryTable final : public Table {
public:
    MemoryTable(std::string name, std::vector<std::string> names, std::vector<std::span<const double>> columns,
                std::size_t rows, std::vector<std::vector<std::string>> labels)
        : name_(std::move(name)), names_(std::move(names)), columns_(std::move(columns)), rows_(rows),
          labels_(std::move(labels)) {
        labels_.resize(names_.size());
    }

    const std::string& name() const override { return name_; }
    const std::vector<std::string>& header() const override { return names_; }
    std::size_t rows() const override { return rows_; }

    std::optional<std::vector<std::span<const double>>> load(std::span<const int> which, Diagnostics& diagnostics,
                                                             bool missing_as_nan, int /*threads*/,
                                                             std::vector<std::vector<double>>& /*storage*/,
                                                             std::size_t /*spare_rows*/) const override {
        std::vector<std::span<const double>> views;
        for (int c : which) {
            if (c < 0 || c >= static_cast<int>(columns_.size())) {
                diagnostics.push_back(
                    unpositioned("column index " + std::to_string(c) + " is out of range", Category::usage));
                return std::nullopt;
            }
            const std::span<const double> column = columns_[static_cast<std::size_t>(c)];
            if (const auto row = first_label(c)) {
                diagnostics.push_back(
                    field_error(*row, c, cell(*row, c) + "expected a number, found '" + label(c, column[*row]) + "'"));
                return std::nullopt;
            }
            if (auto bad = first_bad(column, missing_as_nan)) {
                const double v = column[*bad];
                diagnostics.push_back(field_error(
                    *bad, c,
                    cell(*bad, c) + (std::isnan(v)
                                         ? std::string("missing value (NaN)")
                                         : std::string(v > 0 ? "'inf'" : "'-inf'") + " is not a finite number")));
                return std::nullopt;
            }
            views.push_back(column);
        }
        return views;
    }

    // Whole numbers give numeric levels in ascending order, as an integer
    // CSV column does; anything else gives levels named by the shortest
    // text of each value, in order of first appearance.
    std::optional<data::CsvFile::Categories> load_categories(int column, Diagnostics& diagnostics,
                                                             bool missing_as_nan) const override {
        const std::span<const double> x = columns_[static_cast<std::size_t>(column)];
        data::CsvFile::Categories out;
        if (!labels_[static_cast<std::size_t>(column)].empty()) {
            // (codes into the labels, checked by Data::from_columns)
            if (!missing_as_nan)
                for (std::size_t r = 0; r < x.size(); ++r)
                    if (std::isnan(x[r])) {
                        diagnostics.push_back(field_error(r, column, cell(r, column) + "missing value"));
                        return std::nullopt;
                    }
            out.levels = labels_[static_cast<std::size_t>(column)];
            out.codes.assign(x.begin(), x.end());
            return out;
        }
        out.numeric = true;
        for (std::size_t r = 0; r < x.size(); ++r) {
            const double v = x[r];
            if (std::isnan(v)) {
                if (missing_as_nan) continue;
                diagnostics.push_back(field_error(r, column, cell(r, column) + "missing value (NaN)"));
                return std::nullopt;
            }
            if (!std::isfinite(v)) {
                diagnostics.push_back(
                    field_error(r, column, cell(r, column) + "'" + text(v) + "' is not a finite number"));
                return std::nullopt;
            }
            if (v != std::floor(v) || std::abs(v) > 9007199254740992.0) out.numeric = false;
        }
        if (out.numeric) return data::whole_number_categories(x);
        out.codes.reserve(x.size());
        std::unordered_map<double, double> index;
        for (double v : x) {
            if (std::isnan(v)) {
                out.codes.push_back(v);
                continue;
            }
            auto [it, inserted] = index.try_emplace(v, static_cast<double>(out.levels.size() + 1));
            if (inserted) out.levels.push_back(text(v));
            out.codes.push_back(it->second);
        }
        return out;
    }

    // The values' shortest texts: whole numbers read back as whole numbers,
    // so merged parts give load_categories' levels.
    std::optional<data::CsvFile::CategoryTexts> load_category_texts(int column, Diagnostics& diagnostics,
                                                                    bool missing_as_nan) const override {
        const std::span<const double> x = columns_[static_cast<std::size_t>(column)];
        data::CsvFile::CategoryTexts out;
        if (!labels_[static_cast<std::size_t>(column)].empty()) {
            auto categories = load_categories(column, diagnostics, missing_as_nan);
            if (!categories) return std::nullopt;
            out.texts = std::move(categories->levels);
            out.codes = std::move(categories->codes);
            return out;
        }
        out.codes.reserve(x.size());
        std::unordered_map<double, double> index;
        for (std::size_t r = 0; r < x.size(); ++r) {
            const double v = x[r];
            if (std::isnan(v) && missing_as_nan) {
                out.codes.push_back(v);
                continue;
            }
            if (!std::isfinite(v)) {
                std::string what = cell(r, column);
                if (std::isnan(v)) {
                    what += "missing value (NaN)";
                } else {
                    what += '\'';
                    what += text(v);
                    what += "' is not a finite number";
                }
                diagnostics.push_back(field_error(r, column, std::move(what)));
                return std::nullopt;
            }
            auto [it, inserted] = index.try_emplace(v, static_cast<double>(out.texts.size() + 1));
            if (inserted) out.texts.push_back(text(v));
            out.codes.push_back(it->second);
        }
        return out;
    }

    Diagnostic field_error(std::size_t, int, std::string message) const override {
        return unpositioned(std::move(message), Category::data);
    }

private:
    Diagnostic unpositioned(std::string message, Category category) const {
        return Diagnostic::error(category, name_, std::move(message));
    }

    // The row of a labelled column (codes into labels_, not numbers) that a
    // CSV column of its texts would fail at when read as numbers: the first
    // whose label is not a number, else the first; none for a column of
    // numbers.
    std::optional<std::size_t> first_label(int column) const {
        if (labels_[static_cast<std::size_t>(column)].empty()) return std::nullopt;
        const std::span<const double> x = columns_[static_cast<std::size_t>(column)];
        std::optional<std::size_t> first;
        for (std::size_t r = 0; r < x.size(); ++r) {
            if (std::isnan(x[r])) continue;
            if (!first) first = r;
            const std::string text = label(column, x[r]);
            double value = 0;
            const auto parsed = std::from_chars(text.data(), text.data() + text.size(), value);
            if (parsed.ec != std::errc() || parsed.ptr != text.data() + text.size()) return r;
        }
        return first;
    }
    std::string label(int column, double code) const {
        return labels_[static_cast<std::size_t>(column)][static_cast<std::size_t>(code) - 1];
    }

    std::string cell(std::size_t row, int column) const {
        return "row " + std::to_string(row + 1) + ", column '" + names_[static_cast<std::size_t>(column)] + "': ";
    }

    static std::string text(double v) {
        char buffer[32];
        const auto r = std::to_chars(buffer, buffer + sizeof buffer, v);
        return std::string(buffer, r.ptr);
    }

    // The first row that is not a finite number (NaN allowed when missing
    // values are). A counting pass first, which the compiler vectorizes;
    // the row itself is looked for only when there is one.
    static std::optional<std::size_t> first_bad(std::span<const double> x, bool nan_allowed) {
        constexpr double inf = std::numeric_limits<double>::infinity();
        std::size_t bad = 0;
        for (double v : x) bad += ((v > -inf) & (v < inf)) | (nan_allowed & (v != v)) ? 0 : 1;
        if (bad == 0) return std::nullopt;
        for (std::size_t r = 0; r < x.size(); ++r) {
            const double v = x[r];
            if (!std::isfinite(v) && !(nan_allowed && std::isnan(v))) return r;
        }
        return std::nullopt;
    }

    std::string name_;
    std::vector<std::string> names_;
    std::vector<std::span<const double>> columns_;
    std::size_t rows_;
    // Per column: its group levels' names when its values are codes 1..K
    // into them (Data::from_columns with labels), else empty.
    std::vector<std::vector<std::string>> labels_;
};

// Shards, each read whole, one after another. The parts' row counts are
// learnt from every successful read of all the rows (load,
// load_category_texts: the same counts each time), atomically, so that
// threads binding models to the same Data concurrently are safe.
class ConcatTable final : public Table {
public:
    ConcatTable(std::string name, std::vector<std::string> header, std::vector<std::unique_ptr<Table>> parts,
                bool name_files)
        : name_(std::move(name)), header_(std::move(header)), parts_(std::move(parts)), name_files_(name_files),
          part_rows_(parts_.size()) {}

    const std::string& name() const override { return name_; }
    const std::vector<std::string>& header() const override { return header_; }

    std::size_t rows() const override {
        std::size_t n = 0;
        for (const auto& r : part_rows_) n += r.load();
        return n;
    }

    // Each part's columns are parsed into a buffer of its own, then copied
    // into one column of all the rows (with the room asked for), the part's
    // buffer freed as soon as it is copied: at most twice the columns'
    // size at once.
    std::optional<std::vector<std::span<const double>>> load(std::span<const int> which, Diagnostics& diagnostics,
                                                             bool missing_as_nan, int threads,
                                                             std::vector<std::vector<double>>& storage,
                                                             std::size_t spare_rows) const override {
        std::vector<std::vector<std::vector<double>>> part_storage(parts_.size());
        std::vector<std::vector<std::span<const double>>> part_views(parts_.size());
        std::size_t total = 0;
        for (std::size_t k = 0; k < parts_.size(); ++k) {
            auto views = parts_[k]->load(which, diagnostics, missing_as_nan, threads, part_storage[k]);
            if (!views) return std::nullopt;  // the first error in file order: later parts are not read
            part_views[k] = std::move(*views);
            part_rows_[k].store(parts_[k]->rows());
            total += parts_[k]->rows();
        }
        std::vector<std::vector<double>> columns(which.size());
        for (auto& column : columns) column.reserve(total + spare_rows);
        for (std::size_t k = 0; k < parts_.size(); ++k) {
            for (std::size_t c = 0; c < columns.size(); ++c)
                columns[c].insert(columns[c].end(), part_views[k][c].begin(), part_views[k][c].end());
            part_views[k].clear();
            std::vector<std::vector<double>>().swap(part_storage[k]);
        }
        std::vector<std::span<const double>> views;
        for (auto& column : columns) {
            storage.push_back(std::move(column));  // moving keeps the buffer, so the view stays valid
            views.emplace_back(storage.back());
        }
        return views;
    }

    // The whole column's texts, then the single-file rule over them.
    std::optional<data::CsvFile::Categories> load_categories(int column, Diagnostics& diagnostics,
                                                             bool missing_as_nan) const override {
        auto texts = load_category_texts(column, diagnostics, missing_as_nan);
        if (!texts) return std::nullopt;
        return data::categories_of_part(
            data::merge_category_texts(std::span<const std::vector<std::string>>(&texts->texts, 1)), 0,
            std::move(texts->codes));
    }

    // The parts' distinct texts in order of first appearance over all the
    // rows, as one file holding them would give.
    std::optional<data::CsvFile::CategoryTexts> load_category_texts(int column, Diagnostics& diagnostics,
                                                                    bool missing_as_nan) const override {
        data::CsvFile::CategoryTexts out;
        std::unordered_map<std::string, double> index;
        for (std::size_t k = 0; k < parts_.size(); ++k) {
            auto part = parts_[k]->load_category_texts(column, diagnostics, missing_as_nan);
            if (!part) return std::nullopt;
            part_rows_[k].store(part->codes.size());
            std::vector<double> code_of_text;
            code_of_text.reserve(part->texts.size());
            for (std::string& text : part->texts) {
                auto [it, inserted] = index.try_emplace(text, static_cast<double>(out.texts.size() + 1));
                if (inserted) out.texts.push_back(std::move(text));
                code_of_text.push_back(it->second);
            }
            out.codes.reserve(out.codes.size() + part->codes.size());
            for (double code : part->codes)
                out.codes.push_back(std::isnan(code) ? code : code_of_text[static_cast<std::size_t>(code) - 1]);
        }
        return out;
    }

    std::string row_text(std::size_t row) const override {
        if (!name_files_) return Table::row_text(row);
        const auto [part, local] = locate(row);
        if (part == parts_.size()) return Table::row_text(row);
        return parts_[part]->row_text(local) + " of " + parts_[part]->name();
    }

    std::string row_text_with_name(std::size_t row) const override {
        return name_files_ ? row_text(row) : Table::row_text_with_name(row);
    }

    Diagnostic field_error(std::size_t row, int column, std::string message) const override {
        const auto [part, local] = locate(row);
        if (part == parts_.size()) return Diagnostic::error(Category::data, name_, std::move(message));
        return parts_[part]->field_error(local, column, std::move(message));
    }

private:
    // The part holding row `row` and the row's index in it; parts_.size()
    // when no part does (the rows were never read).
    std::pair<std::size_t, std::size_t> locate(std::size_t row) const {
        for (std::size_t k = 0; k < parts_.size(); ++k) {
            const std::size_t n = part_rows_[k].load();
            if (row < n) return {k, row};
            row -= n;
        }
        return {parts_.size(), row};
    }

    std::string name_;
    std::vector<std::string> header_;
    std::vector<std::unique_ptr<Table>> parts_;
    bool name_files_;
    mutable std::vector<std::atomic<std::size_t>> part_rows_;
};

int code_points(std::string_view s) {
    int n = 0;
    for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U ? 1 : 0;
    return n;
}

}  // namespace

std::string Table::row_text(std::size_t row) const { return "row " + std::to_string(first_row() + row + 1); }

std::string Table::row_text_with_name(std::size_t row) const { return row_text(row) + " of " + name(); }

std::unique_ptr<Table> concat_table(std::string name, std::vector<std::string> header,
                                    std::vector<std::unique_ptr<Table>> parts, bool name_files) {
    return std::make_unique<ConcatTable>(std::move(name), std::move(header), std::move(parts), name_files);
}

std::string shards_name(std::span<const std::string> paths) {
    if (paths.empty()) return std::string();
    if (paths.size() > 3)
        return paths.front() + ", ..., " + paths.back() + " (" + std::to_string(paths.size()) + " files)";
    std::string out = paths.front();
    for (std::size_t k = 1; k < paths.size(); ++k) out += ", " + paths[k];
    return out;
}

std::optional<Diagnostic> header_mismatch(const std::string& path, const std::vector<std::string>& header,
                                          const std::string& first_name, const std::vector<std::string>& first_header) {
    const std::size_t common = std::min(header.size(), first_header.size());
    std::size_t k = 0;
    while (k < common && header[k] == first_header[k]) ++k;
    if (k == common && header.size() == first_header.size()) return std::nullopt;
    std::string message = "the header differs from that of " + first_name + " (";
    if (k < common)
        message += "column " + std::to_string(k + 1) + " is '" + header[k] + "' here, '" + first_header[k] + "' there)";
    else message += std::to_string(header.size()) + " columns here, " + std::to_string(first_header.size()) + " there)";

    // The header line as the reader saw it: no byte order mark, no "\r".
    std::string line;
    std::ifstream in(path, std::ios::binary);
    std::getline(in, line);
    if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    // Field k (commas inside quotes separate nothing), trimmed of blanks;
    // past the end of the line when there is no field k.
    std::size_t begin = line.size(), end = line.size();
    std::size_t field = 0, start = 0;
    bool quoted = false;
    for (std::size_t i = 0; i <= line.size(); ++i) {
        if (i < line.size() && line[i] == '"') quoted = !quoted;
        if (i < line.size() && (quoted || line[i] != ',')) continue;
        if (field++ == k) {
            begin = start;
            end = i;
            while (begin < end && (line[begin] == ' ' || line[begin] == '\t')) ++begin;
            while (end > begin && (line[end - 1] == ' ' || line[end - 1] == '\t')) --end;
            break;
        }
        start = i + 1;
    }
    const std::string_view text(line);
    return Diagnostic{.severity = Severity::error,
                      .category = Category::data,
                      .file = path,
                      .line = 1,
                      .column = 1 + code_points(text.substr(0, begin)),
                      .message = std::move(message),
                      .source_line = line,
                      .caret_length = std::max(1, code_points(text.substr(begin, end - begin)))};
}

std::unique_ptr<Table> csv_table(std::unique_ptr<data::CsvFile> csv, std::size_t first_row) {
    return std::make_unique<CsvTable>(std::move(csv), first_row);
}

std::unique_ptr<Table> memory_table(std::string name, std::vector<std::string> names,
                                    std::vector<std::span<const double>> columns, std::size_t rows,
                                    std::vector<std::vector<std::string>> labels) {
    return std::make_unique<MemoryTable>(std::move(name), std::move(names), std::move(columns), rows,
                                         std::move(labels));
}

}  // namespace mlec::data

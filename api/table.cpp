#include "api/table.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <unordered_map>

namespace mlec::api {

namespace {

class CsvTable final : public Table {
public:
    CsvTable(std::unique_ptr<rt::CsvFile> csv, std::size_t first_row) : csv_(std::move(csv)), first_row_(first_row) {}

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

    std::optional<rt::CsvFile::Categories> load_categories(int column, Diagnostics& diagnostics,
                                                           bool missing_as_nan) const override {
        return csv_->load_categories(column, diagnostics, missing_as_nan);
    }

    std::optional<rt::CsvFile::CategoryTexts> load_category_texts(int column, Diagnostics& diagnostics,
                                                                  bool missing_as_nan) const override {
        return csv_->load_category_texts(column, diagnostics, missing_as_nan);
    }

    std::size_t first_row() const override { return first_row_; }

    Diagnostic field_error(std::size_t row, int column, std::string message) const override {
        return csv_->field_error(row, column, std::move(message));
    }

private:
    std::unique_ptr<rt::CsvFile> csv_;
    std::size_t first_row_;
};

class MemoryTable final : public Table {
public:
    MemoryTable(std::string name, std::vector<std::string> names, std::vector<std::span<const double>> columns,
                std::size_t rows)
        : name_(std::move(name)), names_(std::move(names)), columns_(std::move(columns)), rows_(rows) {}

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
                diagnostics.push_back(unpositioned("column index " + std::to_string(c) + " is out of range",
                                                   Category::usage));
                return std::nullopt;
            }
            const std::span<const double> column = columns_[static_cast<std::size_t>(c)];
            if (auto bad = first_bad(column, missing_as_nan)) {
                const double v = column[*bad];
                diagnostics.push_back(field_error(
                    *bad, c,
                    cell(*bad, c) + (std::isnan(v) ? std::string("missing value (NaN)")
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
    std::optional<rt::CsvFile::Categories> load_categories(int column, Diagnostics& diagnostics,
                                                           bool missing_as_nan) const override {
        const std::span<const double> x = columns_[static_cast<std::size_t>(column)];
        rt::CsvFile::Categories out;
        out.numeric = true;
        for (std::size_t r = 0; r < x.size(); ++r) {
            const double v = x[r];
            if (std::isnan(v)) {
                if (missing_as_nan) continue;
                diagnostics.push_back(field_error(r, column, cell(r, column) + "missing value (NaN)"));
                return std::nullopt;
            }
            if (!std::isfinite(v)) {
                diagnostics.push_back(field_error(r, column, cell(r, column) + "'" + text(v) +
                                                                 "' is not a finite number"));
                return std::nullopt;
            }
            if (v != std::floor(v) || std::abs(v) > 9007199254740992.0) out.numeric = false;
        }
        if (out.numeric) return rt::whole_number_categories(x);
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
    std::optional<rt::CsvFile::CategoryTexts> load_category_texts(int column, Diagnostics& diagnostics,
                                                                  bool missing_as_nan) const override {
        const std::span<const double> x = columns_[static_cast<std::size_t>(column)];
        rt::CsvFile::CategoryTexts out;
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
        return Diagnostic{Severity::error, category, name_, 0, 0, std::move(message), "", 1};
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
};

}  // namespace

std::unique_ptr<Table> csv_table(std::unique_ptr<rt::CsvFile> csv, std::size_t first_row) {
    return std::make_unique<CsvTable>(std::move(csv), first_row);
}

std::unique_ptr<Table> memory_table(std::string name, std::vector<std::string> names,
                                    std::vector<std::span<const double>> columns, std::size_t rows) {
    return std::make_unique<MemoryTable>(std::move(name), std::move(names), std::move(columns), rows);
}

}  // namespace mlec::api

// Data: a CSV file (or several, one after another) whose columns are parsed
// when a model asks for them, or columns already in memory, used where they
// lie.
#include <charconv>
#include <cmath>
#include <set>

#include "problem/impl.hpp"

namespace mlec {

Data::Data(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Data::Data(Data&&) noexcept = default;
Data& Data::operator=(Data&&) noexcept = default;
Data::~Data() = default;

std::optional<Data> Data::from_csv_file(const std::string& path, Diagnostics& diagnostics) {
    auto csv = data::CsvFile::open(path, path, diagnostics);
    if (!csv) return std::nullopt;
    auto impl = std::make_unique<Impl>();
    impl->table = data::csv_table(std::move(csv));
    return Data(std::move(impl));
}

std::optional<Data> Data::from_csv_files(const std::vector<std::string>& paths, Diagnostics& diagnostics) {
    if (paths.empty()) {
        diagnostics.push_back(Diagnostic::error(Category::usage, "", "no data files"));
        return std::nullopt;
    }
    if (paths.size() == 1) return from_csv_file(paths[0], diagnostics);
    // In order, so that the error is the first in file order (the one a
    // distributed read reports too: Cluster::load_csv_shards).
    std::vector<std::unique_ptr<data::Table>> parts;
    for (const std::string& path : paths) {
        auto csv = data::CsvFile::open(path, path, diagnostics);
        if (!csv) return std::nullopt;
        if (!parts.empty()) {
            if (auto error = data::header_mismatch(path, csv->header(), paths[0], parts[0]->header())) {
                diagnostics.push_back(std::move(*error));
                return std::nullopt;
            }
        }
        parts.push_back(data::csv_table(std::move(csv)));
    }
    std::vector<std::string> header = parts[0]->header();
    auto impl = std::make_unique<Impl>();
    impl->table = data::concat_table(data::shards_name(paths), std::move(header), std::move(parts), true);
    return Data(std::move(impl));
}

std::optional<Data> Data::from_csv_text(std::string text, std::string name, Diagnostics& diagnostics) {
    auto csv = data::CsvFile::from_text(std::move(text), name, diagnostics);
    if (!csv) return std::nullopt;
    auto impl = std::make_unique<Impl>();
    impl->table = data::csv_table(std::move(csv));
    return Data(std::move(impl));
}

std::optional<Data> Data::from_columns(std::vector<std::string> names, std::vector<std::span<const double>> columns,
                                       std::string name, Diagnostics& diagnostics) {
    return from_columns(std::move(names), std::move(columns), {}, std::move(name), diagnostics);
}

std::optional<Data> Data::from_columns(std::vector<std::string> names, std::vector<std::span<const double>> columns,
                                       std::vector<std::vector<std::string>> labels, std::string name,
                                       Diagnostics& diagnostics) {
    auto error = [&](std::string message) {
        diagnostics.push_back(Diagnostic::error(Category::data, name, std::move(message)));
        return std::nullopt;
    };
    if (names.size() != columns.size())
        return error(std::to_string(names.size()) + " column names for " + std::to_string(columns.size()) + " columns");
    if (columns.empty()) return error("no columns");
    std::set<std::string> seen;
    for (std::size_t k = 0; k < names.size(); ++k) {
        if (names[k].empty()) return error("column " + std::to_string(k + 1) + " has no name");
        if (!seen.insert(names[k]).second) return error("column '" + names[k] + "' appears twice");
        if (columns[k].size() != columns[0].size())
            return error("column '" + names[k] + "' has " + std::to_string(columns[k].size()) + " rows, but '" +
                         names[0] + "' has " + std::to_string(columns[0].size()));
    }
    if (columns[0].empty()) return error("no data rows");
    if (!labels.empty() && labels.size() != names.size())
        return error(std::to_string(labels.size()) + " label lists for " + std::to_string(names.size()) + " columns");
    for (std::size_t k = 0; k < labels.size(); ++k) {
        if (labels[k].empty()) continue;
        const auto count = static_cast<double>(labels[k].size());
        for (std::size_t r = 0; r < columns[k].size(); ++r) {
            const double code = columns[k][r];
            if (!std::isnan(code) && !(code >= 1 && code <= count && code == std::floor(code))) {
                char text[32];
                const auto written = std::to_chars(text, text + sizeof text, code);
                return error("row " + std::to_string(r + 1) + ", column '" + names[k] + "': code " +
                             std::string(text, written.ptr) + " is not one of its " + std::to_string(labels[k].size()) +
                             " labels' numbers 1.." + std::to_string(labels[k].size()));
            }
        }
    }
    const std::size_t rows = columns[0].size();
    auto impl = std::make_unique<Impl>();
    impl->table = data::memory_table(std::move(name), std::move(names), std::move(columns), rows, std::move(labels));
    return Data(std::move(impl));
}

const std::vector<std::string>& Data::column_names() const { return impl_->table->header(); }

}  // namespace mlec

// Columns read as categories (a group index, a categorical outcome): the
// distinct texts of a column, their levels (whole numbers ascending, or
// texts in order of first appearance), merged across the parts of a file.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string_view>
#include <system_error>
#include <unordered_map>

#include "data/csv_impl.hpp"

namespace mlec::data {

std::optional<CsvFile::CategoryTexts> CsvFile::load_category_texts(int column, Diagnostics& diagnostics,
                                                                   bool missing_as_nan) const {
    const Impl& m = *impl_;
    const int header_size = static_cast<int>(m.header.size());
    if (column < 0 || column >= header_size) {
        diagnostics.push_back(
            m.unpositioned("column index " + std::to_string(column) + " is out of range", Category::usage));
        return std::nullopt;
    }
    if (!m.check_placed(diagnostics)) return std::nullopt;
    // Distinct cells are found by views into the file; only they are copied.
    CategoryTexts out;
    out.codes.reserve(estimate_rows(m.part_begin, m.part_end));
    std::unordered_map<std::string_view, double> index;
    for (const char* p = m.part_begin; p < m.part_end;) {
        const Line line = line_at(p, m.part_end);
        const std::size_t local = out.codes.size();  // every line read so far was a row
        const int line_number = m.line_number(local);
        const std::size_t row_number = m.first_row + local + 1;
        if (is_blank(line.begin, line.end)) {
            if (!m.content_follows && is_blank(line.next, m.part_end)) break;
            diagnostics.push_back(
                m.at(line_number, line, line.begin, line.begin, "row " + std::to_string(row_number) + " is empty"));
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
                if (text.empty() || text == "NA") {
                    if (!missing_as_nan) {
                        diagnostics.push_back(m.at(line_number, line, t.begin, t.end,
                                                   "row " + std::to_string(row_number) + ", column '" +
                                                       m.header[static_cast<std::size_t>(column)] +
                                                       "': missing value"));
                        return std::nullopt;
                    }
                    out.codes.push_back(std::numeric_limits<double>::quiet_NaN());
                } else {
                    auto [it, inserted] = index.try_emplace(text, static_cast<double>(out.texts.size() + 1));
                    if (inserted) out.texts.emplace_back(text);
                    out.codes.push_back(it->second);
                }
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
    if (out.codes.empty() && !m.is_part) {
        diagnostics.push_back(m.unpositioned("no data rows after the header"));
        return std::nullopt;
    }
    return out;
}

std::optional<CsvFile::Categories> CsvFile::load_categories(int column, Diagnostics& diagnostics,
                                                            bool missing_as_nan) const {
    auto texts = load_category_texts(column, diagnostics, missing_as_nan);
    if (!texts) return std::nullopt;
    return categories_of_part(merge_category_texts(std::span<const std::vector<std::string>>(&texts->texts, 1)), 0,
                              std::move(texts->codes));
}

CsvFile::Categories categories_of_part(MergedCategories merged, std::size_t part, std::vector<double> text_codes) {
    CsvFile::Categories out;
    out.levels = std::move(merged.levels);
    out.numeric = merged.numeric;
    out.codes = std::move(text_codes);
    const std::vector<double>& level_of_text = merged.level_of_text[part];
    for (double& code : out.codes)
        if (!std::isnan(code)) code = level_of_text[static_cast<std::size_t>(code) - 1];
    return out;
}

namespace {

// Whether a cell's text is a whole number a double holds exactly (|v| <=
// 2^53), read as std::from_chars reads it after an optional '+'.
bool whole_number(std::string_view text, double& value) {
    if (text.empty()) return false;
    const char* b = text.data();
    const char* e = text.data() + text.size();
    if (*b == '+') ++b;
    auto [ptr, ec] = std::from_chars(b, e, value);
    return ec == std::errc() && ptr == e && std::isfinite(value) && value == std::floor(value) &&
           std::abs(value) <= 9007199254740992.0;
}

}  // namespace

MergedCategories merge_category_texts(std::span<const std::vector<std::string>> texts_of_parts) {
    MergedCategories out;
    out.level_of_text.resize(texts_of_parts.size());
    std::vector<double> values;  // every part's texts' values, in file order
    out.numeric = true;
    for (const auto& texts : texts_of_parts) {
        for (const std::string& text : texts) {
            double v = 0;
            if (!whole_number(text, v)) {
                out.numeric = false;
                break;
            }
            values.push_back(v);
        }
        if (!out.numeric) break;
    }
    if (out.numeric) {
        // A stable sort keeps, of texts with one value (0 and -0), the first
        // in the file, so the level's name does not depend on the parts.
        std::vector<double> sorted = values;
        std::stable_sort(sorted.begin(), sorted.end());
        sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
        for (double v : sorted) {
            char buf[32];
            auto r = std::to_chars(buf, buf + sizeof buf, v);
            out.levels.emplace_back(buf, r.ptr);
        }
        auto next = values.begin();
        for (std::size_t part = 0; part < texts_of_parts.size(); ++part) {
            auto& levels = out.level_of_text[part];
            levels.reserve(texts_of_parts[part].size());
            for (std::size_t i = 0; i < texts_of_parts[part].size(); ++i, ++next)
                levels.push_back(
                    static_cast<double>(std::lower_bound(sorted.begin(), sorted.end(), *next) - sorted.begin() + 1));
        }
        return out;
    }
    std::unordered_map<std::string_view, double> index;
    for (std::size_t part = 0; part < texts_of_parts.size(); ++part) {
        auto& levels = out.level_of_text[part];
        levels.reserve(texts_of_parts[part].size());
        for (const std::string& text : texts_of_parts[part]) {
            auto [it, inserted] = index.try_emplace(text, static_cast<double>(out.levels.size() + 1));
            if (inserted) out.levels.push_back(text);
            levels.push_back(it->second);
        }
    }
    return out;
}

CsvFile::Categories whole_number_categories(std::span<const double> values) {
    CsvFile::Categories out;
    out.numeric = true;
    std::vector<double> sorted;
    for (double v : values)
        if (!std::isnan(v)) sorted.push_back(v);
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    for (double v : sorted) {
        char buf[32];
        auto r = std::to_chars(buf, buf + sizeof buf, v);
        out.levels.emplace_back(buf, r.ptr);
    }
    out.codes.reserve(values.size());
    for (double v : values)
        out.codes.push_back(std::isnan(v) ? v
                                          : static_cast<double>(std::lower_bound(sorted.begin(), sorted.end(), v) -
                                                                sorted.begin() + 1));
    return out;
}

}  // namespace mlec::data

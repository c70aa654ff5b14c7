#include "problem/group_terms.hpp"

#include <cmath>
#include <cstring>
#include <sstream>

#include "problem/distributed.hpp"
#include "report/number_format.hpp"

namespace mlec::problem {
namespace {

// The level index (0-based) of a level number, or -1 (a missing value).
long level_of(double code, std::size_t levels) {
    if (!(code >= 1 && code <= static_cast<double>(levels))) return -1;
    return static_cast<long>(code) - 1;
}

// Whether each level has rows on a rank before this one.
std::vector<char> on_earlier_ranks(rt::Collective* cluster, std::span<const double> codes, std::size_t levels) {
    std::vector<char> earlier(levels, 0);
    if (!cluster) return earlier;
    const auto ranks = static_cast<std::size_t>(cluster->size());
    const auto rank = static_cast<std::size_t>(cluster->rank());
    std::vector<std::int64_t> present(levels * ranks, 0);
    for (double code : codes)
        if (const long l = level_of(code, levels); l >= 0) present[static_cast<std::size_t>(l) * ranks + rank] = 1;
    cluster->sum(present);
    for (std::size_t l = 0; l < levels; ++l)
        for (std::size_t r = 0; r < rank; ++r) earlier[l] = earlier[l] || present[l * ranks + r] != 0;
    return earlier;
}

void fill_multiplier(Problem::Impl& p, const interp::GroupTerm& g, rt::Collective* cluster) {
    const std::span<const double> codes = p.columns[static_cast<std::size_t>(g.level_column)];
    const std::size_t levels = p.model.columns[static_cast<std::size_t>(g.level_column)].level_names.size();
    std::vector<char> counted = on_earlier_ranks(cluster, codes, levels);
    std::vector<double> out(p.rows, 0.0);
    for (std::size_t r = 0; r < p.rows; ++r) {
        const long l = level_of(codes[r], levels);
        out[r] = l >= 0 && !counted[static_cast<std::size_t>(l)] ? 1.0 : 0.0;
        if (l >= 0) counted[static_cast<std::size_t>(l)] = 1;
    }
    // (moving a vector into storage keeps the buffer the view sees)
    p.storage.push_back(std::move(out));
    p.columns[static_cast<std::size_t>(g.multiplier_column)] = p.storage.back();
}

// A value as the data file says it: a level's name for a categorical column.
std::string value_text(const interp::ColumnInfo& c, double v) {
    if (c.categorical && v >= 1 && v <= static_cast<double>(c.level_names.size()))
        return c.level_names[static_cast<std::size_t>(v) - 1];
    return report::format_short(v);
}

bool same(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

struct Varies {
    std::size_t row = 0;  // this rank's row
    std::string message;
};

// The first of this rank's rows where `column` differs from its value on
// the first row of the row's level: that row's own rank's first row, or
// (distributed) the first row of all ranks, whose value and row text the
// ranks share.
std::optional<Varies> first_varying_row(const Problem::Impl& p, const data::Table& csv, const interp::GroupTerm& g,
                                        int column, rt::Collective* cluster) {
    const std::span<const double> codes = p.columns[static_cast<std::size_t>(g.level_column)];
    const std::span<const double> values = p.columns[static_cast<std::size_t>(column)];
    const interp::ColumnInfo& groups = p.model.columns[static_cast<std::size_t>(g.level_column)];
    const interp::ColumnInfo& info = p.model.columns[static_cast<std::size_t>(column)];
    const std::size_t levels = groups.level_names.size();
    auto table_row = [&](std::size_t r) { return p.original_row.empty() ? r : p.original_row[r]; };
    // The first value of each level and where it is, as "value bits \t row text".
    std::vector<std::optional<std::pair<double, std::string>>> first(levels);
    for (std::size_t r = 0; r < p.rows; ++r) {
        const long l = level_of(codes[r], levels);
        if (l >= 0 && !first[static_cast<std::size_t>(l)])
            first[static_cast<std::size_t>(l)] = std::make_pair(values[r], csv.row_text(table_row(r)));
    }
    if (cluster) {
        std::ostringstream mine;
        for (std::size_t l = 0; l < levels; ++l) {
            if (!first[l]) continue;
            std::uint64_t bits = 0;
            std::memcpy(&bits, &first[l]->first, sizeof bits);
            mine << l << '\t' << bits << '\t' << first[l]->second << '\n';
        }
        std::vector<char> taken(levels, 0);
        for (const std::string& part : cluster->all_gather(mine.str())) {
            std::istringstream lines(part);
            std::string line;
            while (std::getline(lines, line)) {
                std::istringstream fields(line);
                std::size_t l = 0;
                std::uint64_t bits = 0;
                fields >> l >> bits;
                fields.get();
                std::string text;
                std::getline(fields, text);
                if (l >= levels || taken[l]) continue;
                taken[l] = 1;
                double v = 0;
                std::memcpy(&v, &bits, sizeof v);
                first[l] = std::make_pair(v, text);
            }
        }
    }
    for (std::size_t r = 0; r < p.rows; ++r) {
        const long l = level_of(codes[r], levels);
        if (l < 0) continue;
        const auto& [v, where] = *first[static_cast<std::size_t>(l)];
        if (same(values[r], v)) continue;
        const std::string level = groups.level_names[static_cast<std::size_t>(l)];
        std::string message = "'" + info.name + "' varies within level " + level + " of '" + g.column + "' (" +
                              value_text(info, values[r]) + " here, " + value_text(info, v) + " in " + where +
                              "), but '" + p.model.terms[g.term].text + "' is added once per level of '" + g.column +
                              "', so what it uses must be the same on every row of a level";
        return Varies{r, std::move(message)};
    }
    return std::nullopt;
}

}  // namespace

bool bind_group_terms(Problem::Impl& p, const data::Table& csv, rt::Collective* cluster, Diagnostics& diagnostics) {
    if (p.model.group_terms.empty()) return true;
    const std::size_t rows = cluster ? count_rows(*cluster, p.rows).total_rows : p.rows;
    for (const interp::GroupTerm& g : p.model.group_terms) {
        // A column with a level per row (an id of rows, a continuous
        // measurement) groups nothing: the term would count once per row.
        const std::size_t levels = p.model.columns[static_cast<std::size_t>(g.level_column)].level_names.size();
        if (rows > 1 && levels == rows) {
            diagnostics.push_back(p.source_model->source.diagnostic(
                g.span,
                "'" + g.column + "' has a different value in every row (" + std::to_string(rows) + " levels in " +
                    std::to_string(rows) +
                    " rows), so it groups nothing and the term would be added once per row; 'per' takes a grouping "
                    "column, such as a subject's or a site's",
                Category::model));
            return false;
        }
        if (g.multiplier_column >= 0) fill_multiplier(p, g, cluster);
    }
    for (const interp::GroupTerm& g : p.model.group_terms) {
        for (int column : g.data_columns) {
            Diagnostics local;
            if (auto bad = first_varying_row(p, csv, g, column, cluster)) {
                const interp::ColumnInfo& info = p.model.columns[static_cast<std::size_t>(column)];
                const std::size_t row = p.original_row.empty() ? bad->row : p.original_row[bad->row];
                local.push_back(csv.field_error(row, info.csv_index,
                                                csv.row_text(row) + ", column '" + info.name + "': " + bad->message));
            }
            if (!agree(cluster, local.empty(), local, diagnostics)) return false;
        }
    }
    return true;
}

}  // namespace mlec::problem

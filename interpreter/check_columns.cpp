// The data's columns as the model uses them (checker.hpp): which it may
// use, and the graph's data columns, numbers or level numbers.
#include "interpreter/checker.hpp"

namespace mlec::interp::check {

void Columns::fail(Span span, std::string message) const {
    throw CheckError{source_.diagnostic(span, std::move(message))};
}

void Columns::list(const ast::Data& d) {
    if (!data_list_) data_list_.emplace();
    for (const ast::DataName& n : d.names) {
        if (!header_index(n.name)) fail(n.span, "column '" + n.name + "' listed in 'data' is not in " + data_name_);
        data_list_->insert(n.name);
    }
}

void Columns::require_listed(const std::string& name, Span span) const {
    if (data_list_ && !data_list_->count(name))
        fail(span, "'" + name + "' is a column of " + data_name_ + " but is not listed in 'data'");
}

std::optional<int> Columns::header_index(const std::string& name) const {
    for (std::size_t i = 0; i < header_.size(); ++i)
        if (header_[i] == name) return static_cast<int>(i);
    return std::nullopt;
}

std::optional<int> Columns::usable_column(const std::string& name) const {
    auto col = header_index(name);
    if (col && data_list_ && !data_list_->count(name)) return std::nullopt;
    return col;
}

int Columns::numeric_column(const std::string& name, int csv_index, Span span) {
    const auto key = std::make_pair(name, false);
    if (auto it = column_index_.find(key); it != column_index_.end()) return out_.graph.add_data(it->second);
    const int k = static_cast<int>(out_.columns.size());
    out_.columns.push_back(ColumnInfo{name, csv_index, span, false, {}, {}});
    column_index_[key] = k;
    return out_.graph.add_data(k);
}

const Levels& Columns::levels_of(int csv_index, Span span) {
    if (auto it = levels_cache_.find(csv_index); it != levels_cache_.end()) return it->second;
    if (!levels_) fail(span, "this use of a column as categories needs the data's levels");
    Diagnostics ds;
    auto lv = levels_(csv_index, ds);
    if (!lv) throw CheckError{ds.empty() ? source_.diagnostic(span, "cannot read the column's levels") : ds.front()};
    return levels_cache_[csv_index] = std::move(*lv);
}

const Levels* Columns::levels_if_any(int csv_index) {
    if (auto it = levels_cache_.find(csv_index); it != levels_cache_.end()) return &it->second;
    if (!levels_) return nullptr;
    Diagnostics ignored;
    auto lv = levels_(csv_index, ignored);
    return lv ? &(levels_cache_[csv_index] = std::move(*lv)) : nullptr;
}

int Columns::categorical_column(const std::string& name, int csv_index, Span span) {
    const auto key = std::make_pair(name, true);
    if (auto it = column_index_.find(key); it != column_index_.end()) return out_.graph.add_data(it->second);
    const Levels& lv = levels_of(csv_index, span);
    const int k = static_cast<int>(out_.columns.size());
    out_.columns.push_back(ColumnInfo{name, csv_index, span, true, lv.codes, lv.names});
    column_index_[key] = k;
    return out_.graph.add_data(k);
}

int Columns::lag_column(const std::string& name, const ColumnInfo::Lag& lag, Span span) {
    const auto key = std::make_pair(name, false);
    if (auto it = column_index_.find(key); it != column_index_.end()) return out_.graph.add_data(it->second);
    const int k = static_cast<int>(out_.columns.size());
    ColumnInfo info{name, -1, span, false, {}, {}};
    info.lag = lag;
    out_.columns.push_back(std::move(info));
    column_index_[key] = k;
    return out_.graph.add_data(k);
}

// The multiplier of a group-level term on g: 1 on the first row of each
// level of g, 0 elsewhere. Its values depend on which rows are kept and on
// the ranks' rows, so binding fills them in (problem/group_terms); here
// they are zeros, one per row.
int Columns::first_of_level_column(const std::string& name, int csv_index, int level_column, Span span) {
    if (auto it = first_of_level_index_.find(csv_index); it != first_of_level_index_.end())
        return out_.graph.add_data(it->second);
    const Levels& lv = levels_of(csv_index, span);
    const int k = static_cast<int>(out_.columns.size());
    ColumnInfo info{name, csv_index, span, true, std::vector<double>(lv.codes.size(), 0.0), {}};
    info.first_of_level = true;
    info.level_column = level_column;
    out_.columns.push_back(std::move(info));
    first_of_level_index_[csv_index] = k;
    return out_.graph.add_data(k);
}

}  // namespace mlec::interp::check

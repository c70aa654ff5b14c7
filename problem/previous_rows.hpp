// The columns of previous rows (docs/language.md, "Previous rows"):
// lag(x, k, g) and lag_exists(x, k, g) computed from the rows in the
// file's order, and the check that no row uses a lag it does not have.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "data/table.hpp"
#include "problem/distributed.hpp"
#include "problem/impl.hpp"
#include "runtime/collective.hpp"

namespace mlec::problem {

// Whether the model uses lag(...) or lag_exists(...).
bool has_previous_rows(const interp::CheckedModel& model);

// Fills the graph columns of lag(...) and lag_exists(...) (ColumnInfo::lag)
// from their source and group columns, which must be loaded: `columns[k]`
// of such a column becomes a view into a vector appended to `storage`.
// Row r's lag(x, k, g) is x of the k-th earlier row of r's level of g (of
// the k-th earlier row when there is no g), NaN when there are fewer than
// k such rows; lag_exists is 1 where there are k, else 0. With a cluster,
// `columns` are this rank's rows as read (before any row moves), and the
// earlier ranks' rows count as earlier rows: each rank sends the last k
// values of each group, so every rank gets the values one machine gets.
void fill_previous_rows(const std::vector<interp::ColumnInfo>& info, std::vector<std::span<const double>>& columns,
                        std::vector<std::vector<double>>& storage, std::size_t rows, rt::Collective* cluster = nullptr);

// What earlier rows leave to a lag: per group (its level number; 0 when
// the lag has no grouping column), the last (at most k) values of x. For
// drawing a lagged outcome row after row (inference/simulate), also
// across ranks, as bytes.
using History = std::map<long, std::vector<double>>;
long group_of(std::span<const double> group, std::size_t row);  // -1: a missing level (no group)
void remember(std::vector<double>& before, double x, std::size_t k);
std::string encode(const History& h);
History decode(const std::string& bytes);

// Before the evaluator is made: records the rows without a lag
// (Problem::Impl::lag_missing) and puts 0 in their place.
void set_aside_missing_lags(Problem::Impl& p);

// The first-row rule: the error for the first row whose log-likelihood
// uses a lag without a value (fewer than k earlier rows, or a missing
// value there), at the lag in the model; nothing when every row that uses
// a lag has it. A row uses a lag unless it is inside a branch of ifelse
// that the row does not take, by a condition on data alone (as the data
// checks of DataCheck::guards). With a lag in a def's body, the notes of
// the calls it came through follow the error.
Diagnostics unguarded_lag(const Problem::Impl& p, const Model::Impl& model, const data::Table& csv);

// The same over the rows of all ranks of a distributed fit, after
// align_rows (`read`: the rows each rank read): false after every rank has
// added the error that one machine reports.
bool unguarded_lag_of_all(const Problem::Impl& p, const Model::Impl& model, const data::Table& csv,
                          rt::Collective& cluster, const RowCounts& read, Diagnostics& diagnostics);

}  // namespace mlec::problem

// A weighted fit's rows as the observations they stand for: with frequency
// weights (the `weight` statement) a row of weight 3 is three identical
// observations, so simulate and the parametric bootstrap draw three
// independent outcomes for it, as they would for three rows. A weight that
// is not a whole number stands for no set of rows, and cannot be redrawn.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "problem/impl.hpp"

namespace mlec {

struct WeightedRows {
    std::vector<std::size_t> row_of;  // for each observation, in order, its row (this rank's)
    int weight_column = -1;           // the graph data column when the weight is a bare column, else -1
};

// nullopt, and why, when a weight is not a whole number. Without a
// `weight` statement, row_of is empty: every row stands for itself.
std::optional<WeightedRows> weighted_rows(const Problem::Impl& p, std::string& why);

// `columns` (one per graph data column, this rank's rows, as
// Problem::Impl::columns) with each row repeated as `row_of` says.
std::vector<std::vector<double>> repeat_rows(const std::vector<std::span<const double>>& columns,
                                             const std::vector<std::size_t>& row_of);

}  // namespace mlec

#include "inference/weighted_rows.hpp"

#include <cmath>

#include "report/number_format.hpp"

namespace mlec {

std::optional<WeightedRows> weighted_rows(const Problem::Impl& p, std::string& why) {
    WeightedRows out;
    const int node = p.model.graph.weight();
    if (node < 0) return out;
    const rt::Node& weight = p.model.graph.node(node);
    if (weight.kind == rt::NodeKind::data) out.weight_column = weight.column;
    const Eigen::VectorXd theta = Eigen::VectorXd::Zero(p.model.graph.parameter_count());
    const std::vector<double> w = p.evaluator().node_values(theta, node);
    for (std::size_t r = 0; r < p.rows; ++r) {
        if (w[r] != std::floor(w[r])) {
            const std::size_t row = p.original_row.empty() ? r : p.original_row[r];
            why = "the weight of row " + std::to_string(p.first_row + row + 1) + " is " + report::format_short(w[r]) +
                  ", not a whole number: it stands for no number of observations to draw";
            return std::nullopt;
        }
        out.row_of.insert(out.row_of.end(), static_cast<std::size_t>(w[r]), r);
    }
    return out;
}

std::vector<std::vector<double>> repeat_rows(const std::vector<std::span<const double>>& columns,
                                             const std::vector<std::size_t>& row_of) {
    std::vector<std::vector<double>> out(columns.size());
    for (std::size_t c = 0; c < columns.size(); ++c) {
        out[c].reserve(row_of.size());
        for (std::size_t r : row_of) out[c].push_back(columns[c][r]);
    }
    return out;
}

}  // namespace mlec

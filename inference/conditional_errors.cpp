#include "inference/conditional_errors.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "runtime/laplace.hpp"

namespace mlec::inference {

namespace {

// Entries of H^-1 at the modes: on H's pattern from the selected inverse,
// off it (two levels of crossed effects that never met in the data) by a
// solve for the column, kept for the next entry of that column.
class InverseEntries {
public:
    InverseEntries(const rt::Laplace& laplace, const rt::EffectPattern& pattern)
        : laplace_(laplace), pattern_(pattern), on_pattern_(laplace.inverse_on_pattern()) {}

    double operator()(int a, int b) {
        const int row = std::max(a, b), col = std::min(a, b);
        const auto begin = pattern_.row.begin() + pattern_.col_start[static_cast<std::size_t>(col)];
        const auto end = pattern_.row.begin() + pattern_.col_start[static_cast<std::size_t>(col) + 1];
        const auto it = std::lower_bound(begin, end, row);
        if (it != end && *it == row) return on_pattern_[static_cast<std::size_t>(it - pattern_.row.begin())];
        auto column = columns_.find(col);
        if (column == columns_.end()) column = columns_.emplace(col, laplace_.inverse_columns({col})).first;
        return column->second(row, 0);
    }

private:
    const rt::Laplace& laplace_;
    const rt::EffectPattern& pattern_;
    std::vector<double> on_pattern_;
    std::map<int, Eigen::MatrixXd> columns_;
};

}  // namespace

std::optional<std::vector<std::vector<double>>> conditional_standard_errors(
    const Problem::Impl& p, const FitResult& fit, const rt::Graph& graph,
    const std::vector<std::span<const double>>& columns, std::size_t rows, const std::vector<int>& nodes) {
    rt::Laplace* laplace = p.workspace.laplace.get();
    if (laplace == nullptr || fit.theta.size() != p.model.graph.parameter_count()) return std::nullopt;
    // The inner problem at the estimate: its factor, modes and H_z,theta.
    if (!std::isfinite(laplace->value(fit.theta))) return std::nullopt;
    const Eigen::MatrixXd dz = -laplace->solve(laplace->cross());  // d z_hat / d theta
    InverseEntries inverse(*laplace, p.evaluator().effect_pattern());
    const Eigen::MatrixXd& covariance = fit.theta_covariance;

    rt::Evaluator joint(graph, columns, rows, rt::default_block_rows, p.threads, {},
                        rt::Coordinates::parameters_and_effects);
    joint.set_effects(laplace->modes());
    std::vector<std::vector<double>> out;
    for (const int node : nodes) {
        Eigen::MatrixXd in_theta, in_effects;
        joint.node_jacobians(fit.theta, node, in_theta, in_effects);
        const std::vector<int>& effects = graph.node(node).effects;
        std::vector<double> se(rows, std::numeric_limits<double>::quiet_NaN());
        std::vector<int> z(effects.size());
        for (std::size_t r = 0; r < rows; ++r) {
            const auto row = static_cast<Eigen::Index>(r);
            Eigen::VectorXd g = in_theta.row(row).transpose();
            bool seen = true;
            for (std::size_t k = 0; k < effects.size(); ++k) {
                z[k] = joint.z_index(effects[k], r);
                seen = seen && z[k] >= 0;
                if (seen) g += in_effects(row, static_cast<Eigen::Index>(k)) * dz.row(z[k]).transpose();
            }
            if (!seen) continue;
            double variance = g.dot(covariance * g);
            for (std::size_t k = 0; k < effects.size(); ++k)
                for (std::size_t l = 0; l < effects.size(); ++l)
                    variance += in_effects(row, static_cast<Eigen::Index>(k)) *
                                in_effects(row, static_cast<Eigen::Index>(l)) * inverse(z[k], z[l]);
            se[r] = std::isnan(variance) ? variance : std::sqrt(std::max(0.0, variance));
        }
        out.push_back(std::move(se));
    }
    return out;
}

}  // namespace mlec::inference

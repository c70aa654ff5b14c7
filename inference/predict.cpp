// predict_csv: the fitted model evaluated on new rows, with delta-method
// standard errors from the exact per-row gradient of each prediction.
#include <cmath>
#include <limits>
#include <map>
#include <sstream>

#include "problem/distributed.hpp"
#include "problem/impl.hpp"
#include "report/number_format.hpp"

namespace mlec {

std::optional<std::string> predict_csv(const Problem& problem, const FitResult& fit, const Data& newdata,
                                       Diagnostics& diagnostics) {
    const Problem::Impl& p = problem.impl();
    const data::Table& csv = *newdata.impl().table;
    auto refuse = [&](Category category, std::string message) {
        diagnostics.push_back(Diagnostic::error(category, csv.name(), std::move(message)));
        return std::nullopt;
    };
    if (!fit.converged || fit.theta_covariance.size() == 0)
        return refuse(Category::fit, "the fit did not converge or has no covariance: there is nothing to predict from");
    if (!p.source_model) return refuse(Category::usage, "the model of this fit is not available");

    // The new data's header, plus the fitted model's columns it lacks (the
    // outcomes): those are filled with NaN and never read by a prediction.
    std::vector<std::string> header = csv.header();
    std::map<std::string, std::vector<std::string>> fitted_levels;
    for (const interp::ColumnInfo& c : p.model.columns) {
        if (c.categorical) fitted_levels[c.name] = c.level_names;
        if (std::find(header.begin(), header.end(), c.name) == header.end()) header.push_back(c.name);
    }
    const int real_columns = static_cast<int>(csv.header().size());
    std::size_t rows = 0;
    // Distributed new data: each rank predicts its own rows; a step that
    // fails on any rank fails on all, with the first error in file order.
    rt::Collective* cluster = newdata.impl().collective.get();
    const interp::LevelsSource local_levels = [&](int column, Diagnostics& ds) -> std::optional<interp::Levels> {
        const std::string& name = header[static_cast<std::size_t>(column)];
        const auto& known = fitted_levels[name];
        interp::Levels out;
        out.names = known;
        if (column >= real_columns) {
            out.codes.assign(csv.rows() ? csv.rows() : 1, std::numeric_limits<double>::quiet_NaN());
            return out;
        }
        auto categories = csv.load_categories(column, ds, false);
        if (!categories) return std::nullopt;
        for (std::size_t r = 0; r < categories->codes.size(); ++r) {
            const std::string& level = categories->levels[static_cast<std::size_t>(categories->codes[r]) - 1];
            auto it = std::find(known.begin(), known.end(), level);
            if (it == known.end()) {
                ds.push_back(csv.field_error(r, column,
                                             csv.row_text(r) + ", column '" + name + "': level '" + level +
                                                 "' was not in the data the model was fitted to"));
                return std::nullopt;
            }
            out.codes.push_back(static_cast<double>(it - known.begin() + 1));
        }
        return out;
    };
    const interp::LevelsSource levels = [&](int column, Diagnostics& ds) -> std::optional<interp::Levels> {
        Diagnostics local;
        auto out = local_levels(column, local);
        if (!problem::agree(cluster, out.has_value(), local, ds)) return std::nullopt;
        return out;
    };
    const Model::Impl& m = *p.source_model;
    interp::CheckResult checked = interp::check_model(m.source, m.ast, header, csv.name(), levels);
    if (!checked.model) {
        diagnostics.insert(diagnostics.end(), checked.diagnostics.begin(), checked.diagnostics.end());
        return std::nullopt;
    }
    interp::CheckedModel& model = *checked.model;
    if (model.parameters.size() != p.model.parameters.size())
        return refuse(Category::data, "the new data give the model " + std::to_string(model.parameters.size()) +
                                          " parameters, the fit has " + std::to_string(p.model.parameters.size()));

    std::vector<int> which;
    for (const interp::ColumnInfo& c : model.columns)
        if (!c.categorical && c.csv_index < real_columns) which.push_back(c.csv_index);
    std::vector<std::vector<double>> storage;
    Diagnostics local;
    auto numeric = csv.load(which, local, false, p.threads, storage, cluster ? rt::default_block_rows : 0);
    if (!problem::agree(cluster, numeric.has_value(), local, diagnostics)) return std::nullopt;
    // (each rank's part may be empty; the file may not)
    if (cluster && problem::count_rows(*cluster, csv.rows()).total_rows == 0)
        return refuse(Category::data, "no data rows after the header");
    rows = csv.rows();
    // Parsed columns are used where the table put them; group codes and the
    // outcomes the new data lack (NaN, never read) join `storage` (moving a
    // vector in keeps its buffer, so the views stay valid).
    std::vector<std::span<const double>> spans;
    std::size_t next = 0;
    for (interp::ColumnInfo& c : model.columns) {
        if (!c.categorical && c.csv_index < real_columns) {
            spans.push_back((*numeric)[next++]);
            continue;
        }
        std::vector<double> owned = c.categorical ? std::move(c.codes) : std::vector<double>{};
        owned.resize(rows, std::numeric_limits<double>::quiet_NaN());
        storage.push_back(std::move(owned));
        spans.emplace_back(storage.back());
    }
    // Distributed: rows at block boundaries, as for the fit, so that each
    // prediction is computed to the same bits as on one machine.
    std::size_t first_row = 0, total_rows = rows;
    if (cluster)
        total_rows = problem::align_rows(*cluster, spans, storage, rows, rt::default_block_rows, first_row).total_rows;
    rt::Evaluator evaluator(model.graph, spans, rows, rt::default_block_rows, p.threads,
                            rt::RowShare{cluster, first_row, total_rows});

    struct Output {
        std::string name;
        int node;
    };
    std::vector<Output> outputs;
    for (std::size_t t = 0; t < model.terms.size(); ++t) {
        const interp::TermInfo& term = model.terms[t];
        std::string outcome = "term" + std::to_string(t + 1);
        if (!term.input_nodes.empty()) {
            const rt::Node& y = model.graph.node(term.input_nodes.front());
            if (y.kind == rt::NodeKind::data) outcome = model.columns[static_cast<std::size_t>(y.column)].name;
        }
        if (term.expected_node >= 0) outputs.push_back({outcome + "_expected", term.expected_node});
        if (term.linear_predictor_node >= 0)
            outputs.push_back({outcome + "_linear_predictor", term.linear_predictor_node});
    }
    if (outputs.empty())
        return refuse(Category::model, "the model has no sampling statement with an expected value to predict");

    std::vector<std::vector<double>> value(outputs.size()), se(outputs.size());
    for (std::size_t k = 0; k < outputs.size(); ++k) {
        std::vector<double> v = evaluator.node_values(fit.theta, outputs[k].node);
        if (v.size() == 1) v.assign(rows, v[0]);
        value[k] = std::move(v);
        const Eigen::MatrixXd J = evaluator.node_jacobian(fit.theta, outputs[k].node);
        // se^2 = j' S j row by row, each row the same loops in the same
        // order: a matrix product over all rows would treat a row by its
        // place in the product's panels, and a row predicted on another
        // rank of a distributed run would differ in the last bit.
        const Eigen::MatrixXd Jt = J.transpose();
        const Eigen::MatrixXd& S = fit.theta_covariance;
        const Eigen::Index dim = Jt.rows();
        se[k].resize(rows);
        for (std::size_t r = 0; r < rows; ++r) {
            const double* j = Jt.col(static_cast<Eigen::Index>(r)).data();
            double s2 = 0;
            for (Eigen::Index a = 0; a < dim; ++a) {
                double t = 0;
                for (Eigen::Index b = 0; b < dim; ++b) t += S(b, a) * j[b];
                s2 += j[a] * t;
            }
            se[k][r] = std::sqrt(std::max(0.0, s2));
        }
    }
    std::ostringstream out;
    if (!cluster || cluster->rank() == 0) {  // the ranks' rows are printed one after another
        out << "row";
        for (const Output& o : outputs) out << "," << o.name << "," << o.name << "_se";
        out << "\n";
    }
    for (std::size_t r = 0; r < rows; ++r) {
        out << first_row + r + 1;
        for (std::size_t k = 0; k < outputs.size(); ++k) {
            const double v = value[k][r];
            out << "," << report::csv_number(v) << "," << report::csv_number(se[k][r]);
        }
        out << "\n";
    }
    return out.str();
}

}  // namespace mlec

// predict_csv: the fitted model evaluated on new rows, with delta-method
// standard errors from the exact per-row gradient of each prediction.
#include <cmath>
#include <limits>
#include <map>
#include <sstream>

#include "inference/conditional_errors.hpp"
#include "inference/simulate.hpp"
#include "interpreter/profiled_groups.hpp"
#include "problem/distributed.hpp"
#include "problem/impl.hpp"
#include "problem/previous_rows.hpp"
#include "report/number_format.hpp"

namespace mlec {

namespace {

// The header the model is checked against: the new data's own columns,
// then the fitted model's columns they lack (the outcomes), which are
// filled with NaN; a prediction that reads one is refused (predict_csv).
struct NewHeader {
    std::vector<std::string> names;
    int real_columns = 0;                                           // the new data's own: names[0, real_columns)
    std::map<std::string, std::vector<std::string>> fitted_levels;  // of the fit's categorical columns
};

NewHeader new_header(const interp::CheckedModel& fitted, const data::Table& csv) {
    NewHeader h;
    h.names = csv.header();
    for (const interp::ColumnInfo& c : fitted.columns) {
        if (c.lag) continue;  // computed from the new rows
        if (c.categorical) h.fitted_levels[c.name] = c.level_names;
        if (std::find(h.names.begin(), h.names.end(), c.name) == h.names.end()) h.names.push_back(c.name);
    }
    h.real_columns = static_cast<int>(csv.header().size());
    return h;
}

// A group or categorical column of the new data, numbered as the fitted
// data's levels are: a level the fit did not see is an error.
std::optional<interp::Levels> fitted_levels_of(const NewHeader& header, const data::Table& csv, int column,
                                               Diagnostics& ds) {
    const std::string& name = header.names[static_cast<std::size_t>(column)];
    static const std::vector<std::string> none;
    const auto fitted = header.fitted_levels.find(name);
    const std::vector<std::string>& known = fitted == header.fitted_levels.end() ? none : fitted->second;
    interp::Levels out;
    out.names = known;
    if (column >= header.real_columns) {
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
}

// The fitted model's text checked against the new data's header.
std::optional<interp::CheckedModel> check_on(const Problem::Impl& p, const data::Table& csv, const NewHeader& header,
                                             rt::Collective* cluster, Diagnostics& diagnostics) {
    const interp::LevelsSource levels = [&](int column, Diagnostics& ds) -> std::optional<interp::Levels> {
        Diagnostics local;
        auto out = fitted_levels_of(header, csv, column, local);
        if (!problem::agree(cluster, out.has_value(), local, ds)) return std::nullopt;
        return out;
    };
    const Model::Impl& m = *p.source_model;
    interp::CheckResult checked = interp::check_model(m.source, m.ast, header.names, csv.name(), levels);
    if (!checked.model) diagnostics.insert(diagnostics.end(), checked.diagnostics.begin(), checked.diagnostics.end());
    return std::move(checked.model);
}

// The new rows as the evaluator reads them. Parsed columns are used where
// the table put them; group codes and the outcomes the new data lack (NaN,
// never read) join `storage` (moving a vector in keeps its buffer, so the
// views stay valid).
struct NewRows {
    std::vector<std::vector<double>> storage;
    std::vector<std::span<const double>> spans;
    std::size_t rows = 0;        // this rank's
    std::size_t first_row = 0;   // this rank's first among all ranks' rows
    std::size_t total_rows = 0;  // all ranks'
};

std::optional<NewRows> load_rows(const Problem::Impl& p, const data::Table& csv, interp::CheckedModel& model,
                                 int real_columns, rt::Collective* cluster, Diagnostics& diagnostics) {
    std::optional<NewRows> out(std::in_place);
    NewRows& n = *out;
    std::vector<int> which;
    for (const interp::ColumnInfo& c : model.columns)
        if (!c.categorical && !c.lag && c.csv_index < real_columns) which.push_back(c.csv_index);
    Diagnostics local;
    auto numeric = csv.load(which, local, false, p.threads, n.storage, cluster ? rt::default_block_rows : 0);
    if (!problem::agree(cluster, numeric.has_value(), local, diagnostics)) return std::nullopt;
    // (each rank's part may be empty; the file may not)
    if (cluster && problem::count_rows(*cluster, csv.rows()).total_rows == 0) {
        diagnostics.push_back(Diagnostic::error(Category::data, csv.name(), "no data rows after the header"));
        return std::nullopt;
    }
    n.rows = csv.rows();
    std::size_t next = 0;
    for (interp::ColumnInfo& c : model.columns) {
        if (!c.categorical && !c.lag && c.csv_index < real_columns) {
            n.spans.push_back((*numeric)[next++]);
            continue;
        }
        std::vector<double> owned = c.categorical ? std::move(c.codes) : std::vector<double>{};
        owned.resize(n.rows, std::numeric_limits<double>::quiet_NaN());
        n.storage.push_back(std::move(owned));
        n.spans.emplace_back(n.storage.back());
    }
    // One step ahead: a lag reads the new rows' own earlier rows (NaN,
    // and so a NaN prediction, where there are none).
    problem::fill_previous_rows(model.columns, n.spans, n.storage, n.rows, cluster);
    // Distributed: rows at block boundaries, as for the fit, so that each
    // prediction is computed to the same bits as on one machine.
    n.total_rows = n.rows;
    if (cluster)
        n.total_rows =
            problem::align_rows(*cluster, n.spans, n.storage, n.rows, rt::default_block_rows, n.first_row).total_rows;
    return out;
}

// The distributions that have a truncated mean, as "normal, lognormal and
// poisson", from the table.
std::string with_truncated_mean() {
    std::vector<std::string_view> names;
    for (const rt::DistributionDef* d : rt::all_distributions())
        if (d->truncated_mean) names.push_back(d->name);
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i)
        out.append(i == 0 ? "" : i + 1 == names.size() ? " and " : ", ").append(names[i]);
    return out;
}

// A column that `node` reads and the new data lack (filled with NaN), or
// nullptr; nullptr also for node -1.
const interp::ColumnInfo* column_not_given(const interp::CheckedModel& model, int node, int real_columns) {
    if (node < 0) return nullptr;
    std::vector<int> stack = {node};
    std::vector<bool> seen(model.graph.nodes().size(), false);
    while (!stack.empty()) {
        const int id = stack.back();
        stack.pop_back();
        if (seen[static_cast<std::size_t>(id)]) continue;
        seen[static_cast<std::size_t>(id)] = true;
        const rt::Node& n = model.graph.node(id);
        if (n.kind == rt::NodeKind::data && n.column >= 0) {
            const interp::ColumnInfo& c = model.columns[static_cast<std::size_t>(n.column)];
            if (!c.lag && c.csv_index >= real_columns) return &c;
        }
        stack.insert(stack.end(), n.inputs.begin(), n.inputs.end());
    }
    return nullptr;
}

// A column of the output: a prediction and the node that computes it.
struct Output {
    std::string name;
    int node;
};

// Per sampling statement, the expected outcome and the linear predictor,
// where its distribution has them.
std::vector<Output> outputs_of(const interp::CheckedModel& model) {
    std::vector<Output> outputs;
    for (std::size_t t = 0; t < model.terms.size(); ++t) {
        const interp::TermInfo& term = model.terms[t];
        std::string outcome = "term" + std::to_string(t + 1);
        if (!term.input_nodes.empty()) {
            const rt::Node& y = model.graph.node(term.input_nodes.front());
            if (y.kind == rt::NodeKind::data) outcome = model.columns[static_cast<std::size_t>(y.column)].name;
        }
        // A vector outcome: each entry's expected count given the row's
        // total (multinomial's N p_k), named after its column.
        for (std::size_t k = 0; k < term.expected_entries.size(); ++k) {
            const rt::Node& entry = model.graph.node(term.outcome_entries[k]);
            const std::string name = entry.kind == rt::NodeKind::data
                                         ? model.columns[static_cast<std::size_t>(entry.column)].name
                                         : outcome + "_" + std::to_string(k + 1);
            outputs.push_back({name + "_expected", term.expected_entries[k]});
        }
        if (term.expected_node >= 0) outputs.push_back({outcome + "_expected", term.expected_node});
        if (term.linear_predictor_node >= 0)
            outputs.push_back({outcome + "_linear_predictor", term.linear_predictor_node});
    }
    return outputs;
}

// The delta-method standard error of each row's prediction, whose gradient
// in theta is row r of J: se^2 = j' S j row by row, each row the same loops
// in the same order. (A matrix product over all rows would treat a row by
// its place in the product's panels, and a row predicted on another rank
// of a distributed run would differ in the last bit.)
std::vector<double> standard_errors(const Eigen::MatrixXd& J, const Eigen::MatrixXd& S, std::size_t rows) {
    const Eigen::MatrixXd Jt = J.transpose();
    const Eigen::Index dim = Jt.rows();
    std::vector<double> se(rows);
    for (std::size_t r = 0; r < rows; ++r) {
        const double* j = Jt.col(static_cast<Eigen::Index>(r)).data();
        double s2 = 0;
        for (Eigen::Index a = 0; a < dim; ++a) {
            double t = 0;
            for (Eigen::Index b = 0; b < dim; ++b) t += S(b, a) * j[b];
            s2 += j[a] * t;
        }
        // (NaN stays NaN: the gradient of a mean that does not exist, such
        // as pareto's for alpha <= 1, whose value is +inf.)
        se[r] = std::isnan(s2) ? s2 : std::sqrt(std::max(0.0, s2));
    }
    return se;
}

// The CSV: a header (when `header`), then one line per row, numbered from
// first_row + 1, with each output's value and standard error.
std::string predictions_csv(const std::vector<Output>& outputs, const std::vector<std::vector<double>>& value,
                            const std::vector<std::vector<double>>& se, std::size_t rows, std::size_t first_row,
                            bool header) {
    std::ostringstream out;
    if (header) {
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

}  // namespace

std::optional<std::string> predict_csv(const Problem& problem, const FitResult& fit, const Data& newdata,
                                       Diagnostics& diagnostics, const PredictOptions& options) {
    const Problem::Impl& p = problem.impl();
    const data::Table& csv = *newdata.impl().table;
    auto refuse = [&](Category category, std::string message) {
        diagnostics.push_back(Diagnostic::error(category, csv.name(), std::move(message)));
        return std::nullopt;
    };
    if (!fit.converged || fit.theta_covariance.size() == 0)
        return refuse(Category::fit, "the fit did not converge or has no covariance: there is nothing to predict from");
    if (!p.source_model) return refuse(Category::usage, "the model of this fit is not available");
    const bool profiled = !p.model.integrated.empty() && p.model.integrated.front().profiled;
    if (!p.model.integrated.empty() && !profiled)
        return refuse(Category::usage,
                      "cannot predict from a REML fit: its fixed effects are integrated out (fit by "
                      "maximum likelihood to predict)");
    // Random effects: the fitted modes, or 0 at the population level;
    // profiled group parameters: their estimates, the modes, either way.
    const bool effects = !p.model.graph.effects().empty();
    const bool conditional = effects && !options.population;
    if (effects && (conditional || profiled) && fit.effect_modes.size() != p.model.graph.effect_size())
        return refuse(Category::fit, "the fit has no conditional modes of its random effects to predict with");

    // Distributed new data: each rank predicts its own rows; a step that
    // fails on any rank fails on all, with the first error in file order.
    rt::Collective* cluster = newdata.impl().collective.get();
    const NewHeader header = new_header(p.model, csv);
    std::optional<interp::CheckedModel> checked = check_on(p, csv, header, cluster, diagnostics);
    if (!checked) return std::nullopt;
    interp::CheckedModel& model = *checked;
    if (profiled) interp::profile_group_parameters(model);
    if (model.parameters.size() != p.model.parameters.size())
        return refuse(Category::data, "the new data give the model " + std::to_string(model.parameters.size()) +
                                          " parameters, the fit has " + std::to_string(p.model.parameters.size()));
    const std::optional<NewRows> rows = load_rows(p, csv, model, header.real_columns, cluster, diagnostics);
    if (!rows) return std::nullopt;
    rt::Evaluator evaluator(model.graph, rows->spans, rows->rows, rt::default_block_rows, p.threads,
                            rt::RowShare{cluster, rows->first_row, rows->total_rows});

    // A truncated outcome's mean is the truncated distribution's, which
    // some distributions build (DistributionDef::truncated_mean); from the
    // others' untruncated mean the prediction would be wrong, so there is
    // none. Its bounds must be in the new data, not NaN-filled.
    for (const interp::TermInfo& term : model.terms) {
        if (term.truncation.empty()) continue;
        const std::string from = std::string("cannot predict from '").append(term.text).append("': ");
        if (term.expected_node < 0)
            return refuse(Category::model, std::string(from)
                                               .append("its outcome is truncated (")
                                               .append(term.truncation)
                                               .append("), and the mean of a truncated ")
                                               .append(term.distribution->name)
                                               .append(" is not available (the untruncated mean would be wrong); ")
                                               .append("predict has it for truncated ")
                                               .append(with_truncated_mean()));
        for (int bound : {term.truncation_lower, term.truncation_upper}) {
            if (const interp::ColumnInfo* column = column_not_given(model, bound, header.real_columns))
                return refuse(Category::data, std::string(from)
                                                  .append("its truncation bounds (")
                                                  .append(term.truncation)
                                                  .append(") read column '")
                                                  .append(column->name)
                                                  .append("', which the new data do not have"));
        }
    }
    // A vector outcome's expected entries are N p_k, N the row's total:
    // without the outcome's columns there is no N to scale by.
    for (const interp::TermInfo& term : model.terms) {
        for (int entry : term.outcome_entries) {
            const rt::Node& n = model.graph.node(entry);
            if (n.kind == rt::NodeKind::data && n.column >= 0 &&
                model.columns[static_cast<std::size_t>(n.column)].csv_index >= header.real_columns)
                return refuse(Category::data,
                              "cannot predict from '" + term.text + "': its expected counts are " +
                                  "the row's total times each probability, and the new data have " + "no column '" +
                                  model.columns[static_cast<std::size_t>(n.column)].name + "' to total");
        }
    }
    const std::vector<Output> outputs = outputs_of(model);
    if (outputs.empty())
        return refuse(Category::model, "the model has no sampling statement with an expected value to predict");
    // A prediction that reads a column the new data lack would be NaN on
    // every row: the data's mistake, said by name.
    for (const Output& o : outputs)
        if (const interp::ColumnInfo* column = column_not_given(model, o.node, header.real_columns))
            return refuse(Category::data, "cannot predict " + o.name + ": it reads column '" + column->name +
                                              "', which the new data do not have");
    // (the new data's levels are numbered as the fitted data's, so the
    // graphs' effects and z line up)
    if (profiled) evaluator.set_effects(profiled_at_modes(p, fit.effect_modes, !conditional));
    else if (conditional) evaluator.set_effects(fit.effect_modes);
    std::vector<int> nodes;
    for (const Output& o : outputs) nodes.push_back(o.node);
    // Conditional on the effects: their conditional variance joins the
    // parameters' (inference/conditional_errors.hpp); on one machine. For
    // group parameters profiled out (never with random effects, nor
    // distributed) the same formula is the delta method with the full
    // inverse Hessian, H_uu^-1 + W S^-1 W' (W = du_hat/dtheta).
    std::optional<std::vector<std::vector<double>>> conditional_se;
    if ((conditional || profiled) && !cluster)
        conditional_se = inference::conditional_standard_errors(p, fit, model.graph, rows->spans, rows->rows, nodes);
    if ((conditional || profiled) && !conditional_se) {
        Diagnostic& note = diagnostics.emplace_back(Diagnostic::error(
            Category::model, csv.name(),
            cluster ? "the standard errors of predictions conditional on the random effects are not yet available "
                      "for new data spread over several processes: NA; predict --population gives the population "
                      "level (every effect 0) with standard errors"
                    : "the fit's inner problem could not be solved again at its estimate, so the predictions "
                      "conditional on the random effects have no standard errors: NA"));
        note.severity = Severity::warning;
    }
    std::vector<std::vector<double>> value(outputs.size()), se(outputs.size());
    for (std::size_t k = 0; k < outputs.size(); ++k) {
        std::vector<double> v = evaluator.node_values(fit.theta, outputs[k].node);
        if (v.size() == 1) v.assign(rows->rows, v[0]);
        value[k] = std::move(v);
        if (conditional_se) se[k] = std::move((*conditional_se)[k]);
        else if (conditional || profiled)
            se[k] = std::vector<double>(rows->rows, std::numeric_limits<double>::quiet_NaN());
        else
            se[k] =
                standard_errors(evaluator.node_jacobian(fit.theta, outputs[k].node), fit.theta_covariance, rows->rows);
    }
    // (the ranks' rows are printed one after another)
    return predictions_csv(outputs, value, se, rows->rows, rows->first_row, !cluster || cluster->rank() == 0);
}

}  // namespace mlec

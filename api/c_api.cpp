// The C API (include/mlec/mlec.h): thin handles over the C++ API. Every
// entry point is noexcept and catches everything, because an exception that
// unwinds into a C caller's frames is undefined behaviour.
#include "mlec/mlec.h"

#include <cmath>
#include <exception>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "mlec/diagnostic.hpp"
#include "mlec/mlec.hpp"

struct mlec_error {
    int code = MLEC_ERROR_INTERNAL;
    std::string message;  // mlec::format(diagnostics)
    mlec::Diagnostics diagnostics;
};

// Handles share what they were made from, so a problem keeps its model
// (Problem keeps a pointer to it) and its data (in-memory columns are viewed,
// not copied) alive whatever order the caller frees them in.
struct mlec_model {
    std::shared_ptr<const mlec::Model> model;
};

struct mlec_data {
    std::shared_ptr<const mlec::Data> data;
};

struct mlec_problem {
    std::shared_ptr<const mlec::Model> model;
    std::shared_ptr<const mlec::Data> data;
    mlec::Problem problem;
    std::vector<std::string> names;
    std::string warnings;
};

// Everything a C caller may read is computed once here, so the accessors
// only read (and may run on several threads at once).
struct mlec_fit {
    mlec::FitResult result;
    std::string status;
    std::vector<std::string> diagnostic_kinds;  // to_string of each diagnostic's kind
    std::string json;
    std::string text;
    std::vector<const mlec::ParameterEstimate*> table;  // parameters, then derived
};

namespace {

constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();

// When even the error cannot be allocated: a static error that
// mlec_error_free knows not to delete.
mlec_error out_of_memory_error{MLEC_ERROR_INTERNAL, "mlec: error: out of memory\n", {}};

// The mlec command's exit code for the first error: MLEC_ERROR_* and the
// command's codes are one table (mlec/exit_codes.h).
int code_for(const mlec::Diagnostics& ds) { return mlec::exit_code(ds); }

void report(mlec_error** err, int code, mlec::Diagnostics ds) noexcept {
    if (!err) return;
    try {
        auto e = std::make_unique<mlec_error>();
        e->code = code;
        e->message = mlec::format(ds);
        e->diagnostics = std::move(ds);
        *err = e.release();
    } catch (...) {
        *err = &out_of_memory_error;
    }
}

void report(mlec_error** err, mlec::Diagnostics ds) noexcept {
    int code = MLEC_ERROR_USAGE;
    try {
        // A constructor that failed without saying why still fails loudly.
        if (!mlec::has_error(ds))
            ds.push_back(mlec::Diagnostic::error(mlec::Category::usage, "mlec", "failed without a diagnostic"));
        code = code_for(ds);
    } catch (...) {
        if (err) *err = &out_of_memory_error;
        return;
    }
    report(err, code, std::move(ds));
}

// A caller's mistake, named after the function it was made in.
void report_usage(mlec_error** err, const char* function, const char* message) noexcept {
    try {
        report(err, MLEC_ERROR_USAGE, {mlec::Diagnostic::error(mlec::Category::usage, function, message)});
    } catch (...) {
        if (err) *err = &out_of_memory_error;
    }
}

void report_internal(mlec_error** err, const char* what) noexcept {
    try {
        report(err, MLEC_ERROR_INTERNAL,
               {mlec::Diagnostic::error(mlec::Category::usage, "mlec", std::string("internal error: ") + what)});
    } catch (...) {
        if (err) *err = &out_of_memory_error;
    }
}

// Runs `body` (which returns a new handle or nullptr), turning every
// exception into an error.
template <class Body>
auto guarded(mlec_error** err, Body&& body) noexcept -> decltype(body()) {
    if (err) *err = nullptr;
    try {
        return body();
    } catch (const std::bad_alloc&) {
        if (err) *err = &out_of_memory_error;
    } catch (const std::exception& e) {
        report_internal(err, e.what());
    } catch (...) {
        report_internal(err, "unknown exception");
    }
    return nullptr;
}

Eigen::VectorXd vector_of(const double* values, int n) { return Eigen::Map<const Eigen::VectorXd>(values, n); }

void copy_out(const Eigen::VectorXd& v, double* out) { Eigen::Map<Eigen::VectorXd>(out, v.size()) = v; }

const mlec::Diagnostic* diagnostic_at(const mlec_error* err, size_t i) {
    return err && i < err->diagnostics.size() ? &err->diagnostics[i] : nullptr;
}

mlec_data* data_handle(std::optional<mlec::Data> data, mlec::Diagnostics& ds, mlec_error** err) {
    if (!data) {
        report(err, std::move(ds));
        return nullptr;
    }
    return new mlec_data{std::make_shared<const mlec::Data>(std::move(*data))};
}

const mlec::ParameterEstimate* estimate_at(const mlec_fit* fit, size_t i) {
    return fit && i < fit->table.size() ? fit->table[i] : nullptr;
}

double value_or_nan(const std::optional<double>& value) { return value ? *value : not_a_number; }

}  // namespace

extern "C" {

// ---- Errors ----

int mlec_error_code(const mlec_error* err) { return err ? err->code : MLEC_OK; }

const char* mlec_error_message(const mlec_error* err) { return err ? err->message.c_str() : ""; }

size_t mlec_error_diagnostic_count(const mlec_error* err) { return err ? err->diagnostics.size() : 0; }

const char* mlec_error_diagnostic_message(const mlec_error* err, size_t i) {
    const auto* d = diagnostic_at(err, i);
    return d ? d->message.c_str() : nullptr;
}

const char* mlec_error_diagnostic_file(const mlec_error* err, size_t i) {
    const auto* d = diagnostic_at(err, i);
    return d ? d->file.c_str() : nullptr;
}

int mlec_error_diagnostic_line(const mlec_error* err, size_t i) {
    const auto* d = diagnostic_at(err, i);
    return d ? d->line : 0;
}

int mlec_error_diagnostic_column(const mlec_error* err, size_t i) {
    const auto* d = diagnostic_at(err, i);
    return d ? d->column : 0;
}

void mlec_error_free(mlec_error* err) {
    if (err != &out_of_memory_error) delete err;
}

// ---- Models ----

mlec_model* mlec_model_from_text(const char* text, const char* name, mlec_error** err) {
    return guarded(err, [&]() -> mlec_model* {
        if (!text) {
            report_usage(err, "mlec_model_from_text", "the model text is NULL");
            return nullptr;
        }
        mlec::Diagnostics ds;
        auto model = mlec::Model::from_text(text, name ? name : "<model>", ds);
        if (!model) {
            report(err, std::move(ds));
            return nullptr;
        }
        return new mlec_model{std::make_shared<const mlec::Model>(std::move(*model))};
    });
}

mlec_model* mlec_model_from_file(const char* path, mlec_error** err) {
    return guarded(err, [&]() -> mlec_model* {
        if (!path) {
            report_usage(err, "mlec_model_from_file", "the path is NULL");
            return nullptr;
        }
        mlec::Diagnostics ds;
        auto model = mlec::Model::from_file(path, ds);
        if (!model) {
            report(err, std::move(ds));
            return nullptr;
        }
        return new mlec_model{std::make_shared<const mlec::Model>(std::move(*model))};
    });
}

void mlec_model_free(mlec_model* model) { delete model; }

// ---- Data ----

mlec_data* mlec_data_from_csv_file(const char* path, mlec_error** err) {
    return guarded(err, [&]() -> mlec_data* {
        if (!path) {
            report_usage(err, "mlec_data_from_csv_file", "the path is NULL");
            return nullptr;
        }
        mlec::Diagnostics ds;
        return data_handle(mlec::Data::from_csv_file(path, ds), ds, err);
    });
}

mlec_data* mlec_data_from_csv_text(const char* text, const char* name, mlec_error** err) {
    return guarded(err, [&]() -> mlec_data* {
        if (!text) {
            report_usage(err, "mlec_data_from_csv_text", "the CSV text is NULL");
            return nullptr;
        }
        mlec::Diagnostics ds;
        return data_handle(mlec::Data::from_csv_text(text, name ? name : "<data>", ds), ds, err);
    });
}

namespace {

// The columns of mlec_data_from_columns / _from_labelled_columns, checked:
// false (with the usage error reported) for a NULL where a column, a name
// or a label must be.
bool columns_of(const char* function, const char* const* names, const double* const* columns,
                const char* const* const* labels, const size_t* n_labels, size_t n_columns, size_t n_rows,
                std::vector<std::string>& column_names, std::vector<std::span<const double>>& spans,
                std::vector<std::vector<std::string>>& column_labels, mlec_error** err) {
    const auto fail = [&](const std::string& why) {
        report_usage(err, function, why.c_str());
        return false;
    };
    if (n_columns > 0 && !names) return fail("the column names are NULL");
    if (n_columns > 0 && !columns) return fail("the columns are NULL");
    if (labels && !n_labels) return fail("the label counts are NULL");
    for (size_t k = 0; k < n_columns; ++k) {
        if (!names[k]) return fail("the name of column " + std::to_string(k + 1) + " is NULL");
        if (!columns[k] && n_rows > 0) return fail("column '" + std::string(names[k]) + "' is NULL");
        column_names.emplace_back(names[k]);
        spans.emplace_back(columns[k], n_rows);
        column_labels.emplace_back();
        if (!labels || !labels[k]) continue;
        for (size_t j = 0; j < n_labels[k]; ++j) {
            if (!labels[k][j]) return fail("label " + std::to_string(j + 1) + " of column '" + names[k] + "' is NULL");
            column_labels.back().emplace_back(labels[k][j]);
        }
    }
    return true;
}

}  // namespace

mlec_data* mlec_data_from_columns(const char* const* names, const double* const* columns, size_t n_columns,
                                  size_t n_rows, const char* name, mlec_error** err) {
    return guarded(err, [&]() -> mlec_data* {
        std::vector<std::string> column_names;
        std::vector<std::span<const double>> spans;
        std::vector<std::vector<std::string>> labels;
        if (!columns_of("mlec_data_from_columns", names, columns, nullptr, nullptr, n_columns, n_rows, column_names,
                        spans, labels, err))
            return nullptr;
        mlec::Diagnostics ds;
        return data_handle(
            mlec::Data::from_columns(std::move(column_names), std::move(spans), name ? name : "<columns>", ds), ds,
            err);
    });
}

mlec_data* mlec_data_from_labelled_columns(const char* const* names, const double* const* columns,
                                           const char* const* const* labels, const size_t* n_labels, size_t n_columns,
                                           size_t n_rows, const char* name, mlec_error** err) {
    return guarded(err, [&]() -> mlec_data* {
        std::vector<std::string> column_names;
        std::vector<std::span<const double>> spans;
        std::vector<std::vector<std::string>> column_labels;
        if (!columns_of("mlec_data_from_labelled_columns", names, columns, labels, n_labels, n_columns, n_rows,
                        column_names, spans, column_labels, err))
            return nullptr;
        mlec::Diagnostics ds;
        return data_handle(mlec::Data::from_columns(std::move(column_names), std::move(spans), std::move(column_labels),
                                                    name ? name : "<columns>", ds),
                           ds, err);
    });
}

size_t mlec_data_column_count(const mlec_data* data) { return data ? data->data->column_names().size() : 0; }

const char* mlec_data_column_name(const mlec_data* data, size_t i) {
    if (!data || i >= data->data->column_names().size()) return nullptr;
    return data->data->column_names()[i].c_str();
}

void mlec_data_free(mlec_data* data) { delete data; }

// ---- Problems ----

mlec_bind_options mlec_bind_options_default(void) {
    const mlec::BindOptions defaults;
    mlec_bind_options o;
    o.drop_missing = defaults.drop_missing ? 1 : 0;
    o.threads = defaults.threads;
    o.agq_nodes = defaults.agq_nodes;
    o.reml = defaults.reml ? 1 : 0;
    return o;
}

mlec_problem* mlec_bind(const mlec_model* model, const mlec_data* data, const mlec_bind_options* options,
                        mlec_error** err) {
    return guarded(err, [&]() -> mlec_problem* {
        if (!model || !data) {
            report_usage(err, "mlec_bind", model ? "the data are NULL" : "the model is NULL");
            return nullptr;
        }
        mlec::BindOptions bind_options;
        if (options) {
            if (options->threads < 0) {
                report_usage(err, "mlec_bind", "threads must be 0 (all cores) or more");
                return nullptr;
            }
            bind_options.drop_missing = options->drop_missing != 0;
            bind_options.threads = options->threads;
            // (0, what a zeroed struct holds, is the Laplace approximation too)
            bind_options.agq_nodes = options->agq_nodes == 0 ? 1 : options->agq_nodes;
            bind_options.reml = options->reml != 0;
        }
        mlec::Diagnostics ds;
        auto problem = mlec::Problem::bind(*model->model, *data->data, ds, bind_options);
        if (!problem) {
            report(err, std::move(ds));
            return nullptr;
        }
        std::unique_ptr<mlec_problem> handle(new mlec_problem{model->model, data->data, std::move(*problem), {}, {}});
        handle->names = handle->problem.parameter_names();
        handle->warnings = mlec::format(handle->problem.warnings());
        return handle.release();
    });
}

void mlec_problem_free(mlec_problem* problem) { delete problem; }

int mlec_problem_dimension(const mlec_problem* problem) { return problem ? problem->problem.dimension() : 0; }

const char* mlec_problem_parameter_name(const mlec_problem* problem, int i) {
    if (!problem || i < 0 || static_cast<size_t>(i) >= problem->names.size()) return nullptr;
    return problem->names[static_cast<size_t>(i)].c_str();
}

size_t mlec_problem_observations(const mlec_problem* problem) { return problem ? problem->problem.observations() : 0; }

size_t mlec_problem_rows_dropped(const mlec_problem* problem) { return problem ? problem->problem.rows_dropped() : 0; }

const char* mlec_problem_warnings(const mlec_problem* problem) { return problem ? problem->warnings.c_str() : ""; }

int mlec_start(const mlec_problem* problem, double* theta) {
    if (!problem || !theta) return MLEC_ERROR_USAGE;
    try {
        copy_out(problem->problem.start(), theta);
        return MLEC_OK;
    } catch (...) {
        return MLEC_ERROR_INTERNAL;
    }
}

int mlec_to_user_scale(const mlec_problem* problem, const double* theta, double* user) {
    if (!problem || !theta || !user) return MLEC_ERROR_USAGE;
    try {
        copy_out(problem->problem.to_user_scale(vector_of(theta, problem->problem.dimension())), user);
        return MLEC_OK;
    } catch (...) {
        return MLEC_ERROR_INTERNAL;
    }
}

double mlec_nll(const mlec_problem* problem, const double* theta) {
    if (!problem || !theta) return not_a_number;
    try {
        return problem->problem.nll(vector_of(theta, problem->problem.dimension()));
    } catch (...) {
        return not_a_number;
    }
}

double mlec_nll_gradient(const mlec_problem* problem, const double* theta, double* gradient) {
    if (!problem || !theta || !gradient) return not_a_number;
    try {
        Eigen::VectorXd g;
        const double value = problem->problem.nll_gradient(vector_of(theta, problem->problem.dimension()), g);
        copy_out(g, gradient);
        return value;
    } catch (...) {
        return not_a_number;
    }
}

double mlec_nll_gradient_hessian(const mlec_problem* problem, const double* theta, double* gradient, double* hessian) {
    if (!problem || !theta || !gradient || !hessian) return not_a_number;
    try {
        const int d = problem->problem.dimension();
        Eigen::VectorXd g;
        Eigen::MatrixXd h;
        const double value = problem->problem.nll_gradient_hessian(vector_of(theta, d), g, h);
        copy_out(g, gradient);
        // Eigen's default storage is column-major, the layout promised.
        Eigen::Map<Eigen::MatrixXd>(hessian, d, d) = h;
        return value;
    } catch (...) {
        return not_a_number;
    }
}

// ---- Fitting ----

mlec_fit_options mlec_fit_options_default(void) {
    const mlec::FitOptions defaults;
    mlec_fit_options o;
    o.method = MLEC_METHOD_AUTO;
    o.max_iterations = defaults.max_iterations;
    o.tolerance = defaults.tolerance;
    o.confidence = defaults.confidence;
    o.ci_profile = defaults.ci == mlec::CiMethod::profile ? 1 : 0;
    o.bootstrap = defaults.bootstrap;
    o.starts = defaults.starts;
    o.seed = defaults.seed;
    o.check_gradient = defaults.check_gradient ? 1 : 0;
    o.on_iteration = nullptr;
    o.user = nullptr;
    o.n_fixed = 0;
    o.fixed_names = nullptr;
    o.fixed_values = nullptr;
    o.n_start = 0;
    o.start_names = nullptr;
    o.start_values = nullptr;
    return o;
}

mlec_fit* mlec_fit_run(const mlec_problem* problem, const mlec_fit_options* options, mlec_error** err) {
    return guarded(err, [&]() -> mlec_fit* {
        const char* const function = "mlec_fit_run";
        if (!problem) {
            report_usage(err, function, "the problem is NULL");
            return nullptr;
        }
        mlec::FitOptions fit_options;
        if (options) {
            switch (options->method) {
                case MLEC_METHOD_AUTO: fit_options.method = mlec::Method::automatic; break;
                case MLEC_METHOD_NEWTON: fit_options.method = mlec::Method::newton; break;
                case MLEC_METHOD_LBFGS: fit_options.method = mlec::Method::lbfgs; break;
                default:
                    report_usage(err, function, "method must be MLEC_METHOD_AUTO, _NEWTON or _LBFGS");
                    return nullptr;
            }
            fit_options.max_iterations = options->max_iterations;
            fit_options.tolerance = options->tolerance;
            fit_options.confidence = options->confidence;
            fit_options.ci = options->ci_profile ? mlec::CiMethod::profile : mlec::CiMethod::wald;
            fit_options.bootstrap = options->bootstrap;
            fit_options.starts = options->starts;
            fit_options.seed = options->seed;
            fit_options.check_gradient = options->check_gradient != 0;
            if ((options->n_fixed > 0 && (!options->fixed_names || !options->fixed_values)) ||
                (options->n_start > 0 && (!options->start_names || !options->start_values))) {
                report_usage(err, function, "n_fixed or n_start is not 0, but its names or values are NULL");
                return nullptr;
            }
            for (size_t i = 0; i < options->n_fixed; ++i)
                fit_options.fixed.push_back(mlec::ParameterValue{options->fixed_names[i] ? options->fixed_names[i] : "",
                                                                 options->fixed_values[i]});
            for (size_t i = 0; i < options->n_start; ++i)
                fit_options.start.push_back(mlec::ParameterValue{options->start_names[i] ? options->start_names[i] : "",
                                                                 options->start_values[i]});
            if (auto* callback = options->on_iteration) {
                void* user = options->user;
                fit_options.on_iteration = [callback, user](const mlec::IterationInfo& info) {
                    return callback(user, info.iteration, info.nll, info.gradient_norm) != 0;
                };
            }
        }
        std::string why;
        if (!fit_options.is_valid(&why)) {
            const std::string message = "invalid fit options: " + why;
            report_usage(err, function, message.c_str());
            return nullptr;
        }
        mlec::Diagnostics mistakes;
        if (!mlec::check_parameter_values(problem->problem, fit_options, mistakes)) {
            report(err, std::move(mistakes));
            return nullptr;
        }
        auto fit = std::make_unique<mlec_fit>();
        fit->result = mlec::fit(problem->problem, fit_options);
        fit->status = std::string(mlec::to_string(fit->result.status));
        for (const auto& d : fit->result.diagnostics) fit->diagnostic_kinds.emplace_back(mlec::to_string(d.kind));
        fit->json = mlec::json_report(fit->result);
        fit->text = mlec::text_report(fit->result);
        for (const auto& p : fit->result.parameters) fit->table.push_back(&p);
        for (const auto& p : fit->result.derived) fit->table.push_back(&p);
        return fit.release();
    });
}

void mlec_fit_free(mlec_fit* fit) { delete fit; }

const char* mlec_fit_status(const mlec_fit* fit) { return fit ? fit->status.c_str() : ""; }

int mlec_fit_converged(const mlec_fit* fit) { return fit && fit->result.converged ? 1 : 0; }

int mlec_fit_exit_code(const mlec_fit* fit) {
    if (!fit) return MLEC_ERROR_USAGE;
    return mlec::exit_code(fit->result);
}

const char* mlec_fit_message(const mlec_fit* fit) { return fit ? fit->result.message.c_str() : ""; }

double mlec_fit_log_likelihood(const mlec_fit* fit) { return fit ? fit->result.log_likelihood : not_a_number; }

double mlec_fit_aic(const mlec_fit* fit) { return fit ? fit->result.aic : not_a_number; }

double mlec_fit_bic(const mlec_fit* fit) { return fit ? fit->result.bic : not_a_number; }

size_t mlec_fit_observations(const mlec_fit* fit) { return fit ? fit->result.n_obs : 0; }
double mlec_fit_weighted_observations(const mlec_fit* fit) { return fit ? fit->result.n_weighted : 0; }

int mlec_fit_iterations(const mlec_fit* fit) { return fit ? fit->result.iterations : 0; }

int mlec_fit_n_params(const mlec_fit* fit) { return fit ? fit->result.n_params : 0; }

size_t mlec_fit_parameter_count(const mlec_fit* fit) { return fit ? fit->result.parameters.size() : 0; }

size_t mlec_fit_derived_count(const mlec_fit* fit) { return fit ? fit->result.derived.size() : 0; }

const char* mlec_fit_name(const mlec_fit* fit, size_t i) {
    const auto* e = estimate_at(fit, i);
    return e ? e->name.c_str() : nullptr;
}

// A diverging parameter has no estimate (mlec_fit_last_value is where the
// optimizer stopped).
double mlec_fit_estimate(const mlec_fit* fit, size_t i) {
    const auto* e = estimate_at(fit, i);
    return e && !e->diverging ? e->estimate : not_a_number;
}

double mlec_fit_last_value(const mlec_fit* fit, size_t i) {
    const auto* e = estimate_at(fit, i);
    return e && e->diverging ? e->last_value : not_a_number;
}

int mlec_fit_conditional_on_limit(const mlec_fit* fit, size_t i) {
    const auto* e = estimate_at(fit, i);
    return e && e->conditional_on_limit ? 1 : 0;
}

int mlec_fit_at_zero(const mlec_fit* fit, size_t i) {
    const auto* e = estimate_at(fit, i);
    return e && e->at_zero ? 1 : 0;
}

int mlec_fit_integrated(const mlec_fit* fit, size_t i) {
    const auto* e = estimate_at(fit, i);
    return e && e->integrated ? 1 : 0;
}

int mlec_fit_reml(const mlec_fit* fit) { return fit && fit->result.reml ? 1 : 0; }
int mlec_fit_at_boundary(const mlec_fit* fit, size_t i) {
    const auto* e = estimate_at(fit, i);
    return e && e->at_boundary ? 1 : 0;
}

int mlec_fit_not_identified(const mlec_fit* fit, size_t i) {
    const auto* e = estimate_at(fit, i);
    return e && e->not_identified ? 1 : 0;
}

int mlec_fit_fixed(const mlec_fit* fit, size_t i) {
    const auto* e = estimate_at(fit, i);
    return e && e->fixed ? 1 : 0;
}

double mlec_fit_std_error(const mlec_fit* fit, size_t i) {
    const auto* e = estimate_at(fit, i);
    return e ? value_or_nan(e->std_error) : not_a_number;
}

double mlec_fit_ci_lower(const mlec_fit* fit, size_t i) {
    const auto* e = estimate_at(fit, i);
    return e ? value_or_nan(e->ci_lower) : not_a_number;
}

double mlec_fit_ci_upper(const mlec_fit* fit, size_t i) {
    const auto* e = estimate_at(fit, i);
    return e ? value_or_nan(e->ci_upper) : not_a_number;
}

const double* mlec_fit_covariance(const mlec_fit* fit) {
    if (!fit) return nullptr;
    const Eigen::MatrixXd& c = fit->result.covariance;
    const auto k = static_cast<Eigen::Index>(fit->result.parameters.size());
    if (k == 0 || c.rows() != k || c.cols() != k) return nullptr;
    return c.data();
}

size_t mlec_fit_diagnostic_count(const mlec_fit* fit) { return fit ? fit->result.diagnostics.size() : 0; }

const char* mlec_fit_diagnostic_kind(const mlec_fit* fit, size_t i) {
    if (!fit || i >= fit->result.diagnostics.size()) return nullptr;
    return fit->diagnostic_kinds[i].c_str();
}

const char* mlec_fit_diagnostic_message(const mlec_fit* fit, size_t i) {
    if (!fit || i >= fit->result.diagnostics.size()) return nullptr;
    return fit->result.diagnostics[i].message.c_str();
}

size_t mlec_fit_warning_count(const mlec_fit* fit) { return fit ? fit->result.warnings.size() : 0; }

const char* mlec_fit_warning(const mlec_fit* fit, size_t i) {
    if (!fit || i >= fit->result.warnings.size()) return nullptr;
    return fit->result.warnings[i].c_str();
}

namespace {

const mlec::RandomEffectModes* effect_at(const mlec_fit* fit, size_t e) {
    return fit && e < fit->result.random_effects.size() ? &fit->result.random_effects[e] : nullptr;
}

const mlec::RandomEffectLevel* level_at(const mlec_fit* fit, size_t e, size_t k) {
    const auto* effect = effect_at(fit, e);
    return effect && k < effect->levels.size() ? &effect->levels[k] : nullptr;
}

}  // namespace

size_t mlec_fit_random_effect_count(const mlec_fit* fit) { return fit ? fit->result.random_effects.size() : 0; }

const char* mlec_fit_random_effect_name(const mlec_fit* fit, size_t e) {
    const auto* effect = effect_at(fit, e);
    return effect ? effect->name.c_str() : nullptr;
}

const char* mlec_fit_random_effect_column(const mlec_fit* fit, size_t e) {
    const auto* effect = effect_at(fit, e);
    return effect ? effect->column.c_str() : nullptr;
}

size_t mlec_fit_random_effect_levels(const mlec_fit* fit, size_t e) {
    const auto* effect = effect_at(fit, e);
    return effect ? effect->levels.size() : 0;
}

const char* mlec_fit_random_effect_level(const mlec_fit* fit, size_t e, size_t k) {
    const auto* level = level_at(fit, e, k);
    return level ? level->level.c_str() : nullptr;
}

double mlec_fit_random_effect_mode(const mlec_fit* fit, size_t e, size_t k) {
    const auto* level = level_at(fit, e, k);
    return level ? level->mode : std::numeric_limits<double>::quiet_NaN();
}

double mlec_fit_random_effect_std_error(const mlec_fit* fit, size_t e, size_t k) {
    const auto* level = level_at(fit, e, k);
    return level ? level->std_error : std::numeric_limits<double>::quiet_NaN();
}

const char* mlec_fit_json(const mlec_fit* fit) { return fit ? fit->json.c_str() : ""; }

const char* mlec_fit_text(const mlec_fit* fit) { return fit ? fit->text.c_str() : ""; }

}  // extern "C"

// The R package's native part: a thin client of mlec's public C++ API, like
// the CLI and the Python module. R objects cross with Rcpp alone (not
// RcppEigen: its bundled Eigen 3.3 is not the Eigen 3.4 the library was
// compiled with, and one program must not hold two). Nothing here calls R's
// error functions, which would jump over C++ destructors: an expected
// failure comes back as list(error_class, message, ...), which
// R/conditions.R turns into a condition.
#include <Rcpp.h>

#include <cmath>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "mlec/diagnostic.hpp"
#include "mlec/mlec.hpp"

namespace {

// A model bound to data, behind an R external pointer. Data::from_columns
// does not copy: the R vectors it reads are the pointer's protected value,
// so they live as long as this does. Members are destroyed in reverse
// order: the Problem before the Model and Data it points into.
struct Session {
    std::optional<mlec::Model> model;
    std::optional<mlec::Data> data;
    std::optional<mlec::Problem> problem;
};

using SessionPtr = Rcpp::XPtr<Session>;
using ResultPtr = Rcpp::XPtr<mlec::FitResult>;

// Diagnostics as the command prints them, without the final newline (an R
// condition's message conventionally has none).
std::string message_of(const mlec::Diagnostics& diagnostics) {
    std::string text = mlec::format(diagnostics);
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
}

// The error list for a failed stage: the class follows the category of the
// first error, as the CLI's exit code does; a file that cannot be opened
// (usage) belongs to the stage that opened it.
Rcpp::List error_list(const mlec::Diagnostics& diagnostics, const char* stage_class) {
    std::string error_class = stage_class;
    Rcpp::IntegerVector line, column;
    for (const mlec::Diagnostic& d : diagnostics) {
        if (d.severity != mlec::Severity::error) continue;
        if (d.category == mlec::Category::model) error_class = "mlec_model_error";
        if (d.category == mlec::Category::data) error_class = "mlec_data_error";
        line.push_back(d.line);
        column.push_back(d.column);
        break;
    }
    return Rcpp::List::create(Rcpp::Named("error_class") = error_class,
                              Rcpp::Named("message") = message_of(diagnostics), Rcpp::Named("line") = line,
                              Rcpp::Named("column") = column);
}

Rcpp::List usage_error(const std::string& message) {
    return Rcpp::List::create(Rcpp::Named("error_class") = "mlec_usage_error", Rcpp::Named("message") = message);
}

// Columns from R: `columns` double vectors (read in place), `labels` per
// column a character vector of levels (the column then holds codes 1..K)
// or NULL.
std::optional<mlec::Data> data_of_columns(const Rcpp::List& columns, const Rcpp::List& labels,
                                          mlec::Diagnostics& diagnostics) {
    std::vector<std::string> names;
    std::vector<std::span<const double>> spans;
    std::vector<std::vector<std::string>> levels;
    const Rcpp::CharacterVector column_names(Rf_getAttrib(columns, R_NamesSymbol));
    for (R_xlen_t k = 0; k < columns.size(); ++k) {
        const SEXP column = columns[k];
        names.emplace_back(column_names[k]);
        spans.emplace_back(REAL(column), static_cast<std::size_t>(Rf_xlength(column)));
        levels.emplace_back();
        if (!Rf_isNull(labels[k])) levels.back() = Rcpp::as<std::vector<std::string>>(labels[k]);
    }
    return mlec::Data::from_columns(std::move(names), std::move(spans), std::move(levels), "<data>", diagnostics);
}

std::optional<mlec::Data> data_of(const Rcpp::List& spec, mlec::Diagnostics& diagnostics) {
    if (Rf_isNull(spec["path"])) return data_of_columns(spec["columns"], spec["labels"], diagnostics);
    return mlec::Data::from_csv_file(Rcpp::as<std::string>(spec["path"]), diagnostics);
}

mlec::BindOptions bind_options(const Rcpp::List& o) {
    mlec::BindOptions options;
    options.drop_missing = Rcpp::as<bool>(o["drop_missing"]);
    options.threads = Rcpp::as<int>(o["threads"]);
    options.reml = Rcpp::as<bool>(o["reml"]);
    options.agq_nodes = Rcpp::as<int>(o["agq"]);
    return options;
}

// A named numeric vector as parameter values (fix=, start=).
std::vector<mlec::ParameterValue> parameter_values(const Rcpp::NumericVector& values) {
    std::vector<mlec::ParameterValue> out;
    if (values.size() == 0) return out;
    const Rcpp::CharacterVector names(Rf_getAttrib(values, R_NamesSymbol));
    for (R_xlen_t k = 0; k < values.size(); ++k) out.push_back(mlec::ParameterValue{std::string(names[k]), values[k]});
    return out;
}

std::optional<mlec::Method> method_of(const std::string& name) {
    for (const mlec::Method m : {mlec::Method::automatic, mlec::Method::newton, mlec::Method::lbfgs})
        if (mlec::to_string(m) == name) return m;
    return std::nullopt;
}

mlec::FitOptions fit_options(const Rcpp::List& o) {
    mlec::FitOptions options;
    options.method = method_of(Rcpp::as<std::string>(o["method"])).value_or(mlec::Method::automatic);
    options.ci = Rcpp::as<std::string>(o["ci"]) == "profile" ? mlec::CiMethod::profile : mlec::CiMethod::wald;
    options.max_iterations = Rcpp::as<int>(o["max_iterations"]);
    options.tolerance = Rcpp::as<double>(o["tolerance"]);
    options.confidence = Rcpp::as<double>(o["level"]);
    options.starts = Rcpp::as<int>(o["starts"]);
    options.seed = static_cast<std::uint64_t>(Rcpp::as<double>(o["seed"]));
    options.bootstrap = Rcpp::as<int>(o["bootstrap"]);
    options.check_gradient = Rcpp::as<bool>(o["check_gradient"]);
    options.fixed = parameter_values(o["fix"]);
    options.start = parameter_values(o["start"]);
    return options;
}

double or_na(const std::optional<double>& value) { return value.value_or(NA_REAL); }
double na_if_nan(double value) { return std::isnan(value) ? NA_REAL : value; }

// The estimates as columns of a data frame (R/mlec.R's new_fit makes it one).
Rcpp::List estimate_table(const std::vector<mlec::ParameterEstimate>& estimates) {
    const auto n = static_cast<R_xlen_t>(estimates.size());
    Rcpp::CharacterVector name(n), diverges_to(n);
    Rcpp::NumericVector estimate(n), std_error(n), z(n), p_value(n), lower(n), upper(n), boot_lower(n), boot_upper(n),
        boot_se(n);
    Rcpp::LogicalVector fixed(n), at_boundary(n), diverging(n), conditional(n), not_identified(n), integrated(n),
        lower_open(n), upper_open(n);
    for (R_xlen_t i = 0; i < n; ++i) {
        const mlec::ParameterEstimate& e = estimates[static_cast<std::size_t>(i)];
        name[i] = e.name;
        estimate[i] = e.diverging ? NA_REAL : na_if_nan(e.estimate);
        std_error[i] = or_na(e.std_error);
        z[i] = or_na(e.z);
        p_value[i] = or_na(e.p_value);
        lower[i] = or_na(e.ci_lower);
        upper[i] = or_na(e.ci_upper);
        boot_lower[i] = or_na(e.boot_lower);
        boot_upper[i] = or_na(e.boot_upper);
        boot_se[i] = or_na(e.boot_se);
        fixed[i] = e.fixed;
        at_boundary[i] = e.at_boundary;
        diverging[i] = e.diverging;
        diverges_to[i] = mlec::limit_text(e.diverges_to);
        conditional[i] = e.conditional_on_limit;
        not_identified[i] = e.not_identified;
        integrated[i] = e.integrated;
        lower_open[i] = e.ci_lower_open;
        upper_open[i] = e.ci_upper_open;
    }
    return Rcpp::List::create(
        Rcpp::Named("name") = name, Rcpp::Named("estimate") = estimate, Rcpp::Named("std_error") = std_error,
        Rcpp::Named("z") = z, Rcpp::Named("p_value") = p_value, Rcpp::Named("ci_lower") = lower,
        Rcpp::Named("ci_upper") = upper, Rcpp::Named("fixed") = fixed, Rcpp::Named("at_boundary") = at_boundary,
        Rcpp::Named("diverging") = diverging, Rcpp::Named("diverges_to") = diverges_to,
        Rcpp::Named("conditional_on_limit") = conditional, Rcpp::Named("not_identified") = not_identified,
        Rcpp::Named("integrated") = integrated, Rcpp::Named("ci_lower_open") = lower_open,
        Rcpp::Named("ci_upper_open") = upper_open, Rcpp::Named("boot_lower") = boot_lower,
        Rcpp::Named("boot_upper") = boot_upper, Rcpp::Named("boot_se") = boot_se);
}

// Each profile (value, 2 (NLL - NLL at the estimate)) as a two-column
// matrix, named by its parameter or reported quantity.
Rcpp::List profiles(const mlec::FitResult& r) {
    Rcpp::List out;
    for (const auto* estimates : {&r.parameters, &r.derived})
        for (const mlec::ParameterEstimate& e : *estimates) {
            if (e.profile.empty()) continue;
            Rcpp::NumericMatrix points(static_cast<int>(e.profile.size()), 2);
            for (std::size_t i = 0; i < e.profile.size(); ++i) {
                points(static_cast<int>(i), 0) = e.profile[i].first;
                points(static_cast<int>(i), 1) = e.profile[i].second;
            }
            Rcpp::colnames(points) = Rcpp::CharacterVector::create("value", "deviance");
            out[e.name] = points;
        }
    return out;
}

Rcpp::List diagnostics_list(const mlec::FitResult& r) {
    Rcpp::List out;
    for (const mlec::FitDiagnostic& d : r.diagnostics)
        out.push_back(Rcpp::List::create(Rcpp::Named("kind") = std::string(mlec::to_string(d.kind)),
                                         Rcpp::Named("message") = d.message, Rcpp::Named("parameters") = d.parameters,
                                         Rcpp::Named("columns") = d.columns));
    return out;
}

Rcpp::List trace_table(const mlec::FitResult& r) {
    Rcpp::IntegerVector iteration;
    Rcpp::NumericVector nll, gradient_norm, step;
    for (const mlec::IterationInfo& it : r.trace) {
        iteration.push_back(it.iteration);
        nll.push_back(it.nll);
        gradient_norm.push_back(it.gradient_norm);
        step.push_back(it.step);
    }
    return Rcpp::List::create(Rcpp::Named("iteration") = iteration, Rcpp::Named("nll") = nll,
                              Rcpp::Named("gradient_norm") = gradient_norm, Rcpp::Named("step") = step);
}

Rcpp::List random_effects(const mlec::FitResult& r) {
    Rcpp::List out;
    for (const mlec::RandomEffectModes& effect : r.random_effects) {
        Rcpp::CharacterVector level;
        Rcpp::NumericVector mode, std_error;
        for (const mlec::RandomEffectLevel& l : effect.levels) {
            level.push_back(l.level);
            mode.push_back(l.mode);
            std_error.push_back(l.std_error);
        }
        out[effect.name] = Rcpp::List::create(Rcpp::Named("column") = effect.column, Rcpp::Named("level") = level,
                                              Rcpp::Named("mode") = mode, Rcpp::Named("std_error") = std_error);
    }
    return out;
}

// (both column-major)
Rcpp::NumericMatrix covariance(const mlec::FitResult& r) {
    const auto n = static_cast<int>(r.covariance.rows());
    return Rcpp::NumericMatrix(n, n, r.covariance.data());
}

// The numbers of the fit as R values; everything with a name in the
// FitResult keeps it (docs/json.md describes them).
Rcpp::List result_list(const mlec::FitResult& r) {
    const std::optional<mlec::Method>& method = r.method;
    Rcpp::List out = Rcpp::List::create(
        Rcpp::Named("status") = std::string(mlec::to_string(r.status)), Rcpp::Named("converged") = r.converged,
        Rcpp::Named("message") = r.message, Rcpp::Named("exit_code") = mlec::exit_code(r),
        Rcpp::Named("log_likelihood") = r.log_likelihood, Rcpp::Named("aic") = na_if_nan(r.aic),
        Rcpp::Named("bic") = na_if_nan(r.bic), Rcpp::Named("n_obs") = static_cast<double>(r.n_obs),
        Rcpp::Named("n_weighted") = r.n_weighted, Rcpp::Named("rows_dropped") = static_cast<double>(r.rows_dropped),
        Rcpp::Named("n_params") = r.n_params, Rcpp::Named("iterations") = r.iterations,
        Rcpp::Named("method") = method ? std::string(mlec::to_string(*method)) : std::string(),
        Rcpp::Named("newton_decrement") = r.newton_decrement, Rcpp::Named("gradient_norm") = r.gradient_norm,
        Rcpp::Named("hessian_condition") = or_na(r.hessian_condition), Rcpp::Named("level") = r.confidence,
        Rcpp::Named("ci") = std::string(mlec::to_string(r.ci_method)));
    out["reml"] = r.reml;
    out["bootstrap_replicates"] = r.bootstrap_replicates;
    out["bootstrap_failed"] = r.bootstrap_failed;
    out["parameters"] = estimate_table(r.parameters);
    out["derived"] = estimate_table(r.derived);
    out["covariance"] = covariance(r);
    out["profiles"] = profiles(r);
    out["diagnostics"] = diagnostics_list(r);
    out["warnings"] = r.warnings;
    out["notes"] = r.notes;
    out["trace"] = trace_table(r);
    out["random_effects"] = random_effects(r);
    out["model_name"] = r.model_name;
    out["data_name"] = r.data_name;
    return out;
}

// The fit's pointer, or throws for a pointer whose object is gone (an
// object saved and loaded in a new R session).
template <class T>
T& object_of(SEXP pointer) {
    Rcpp::XPtr<T> p(pointer);
    if (p.get() == nullptr) throw std::runtime_error("this mlec fit was saved in another R session: fit it again");
    return *p;
}

}  // namespace

// Binds a model (text or path) to data (list(path) or list(columns,
// labels)): list(session, info: outcomes and columns) or an error list.
// (Binding's warnings reach R with the fit's, FitResult::warnings.)
extern "C" SEXP mlec_bind(SEXP model_spec, SEXP data_spec, SEXP options) {
    BEGIN_RCPP
    const Rcpp::List model_list(model_spec), data_list(data_spec);
    auto session = std::make_unique<Session>();
    mlec::Diagnostics diagnostics;
    // The CLI's order (data, model, binding), so the first error is its.
    session->data = data_of(data_list, diagnostics);
    if (!session->data) return error_list(diagnostics, "mlec_data_error");
    const std::string model = Rcpp::as<std::string>(model_list["value"]);
    session->model = Rcpp::as<bool>(model_list["is_text"]) ? mlec::Model::from_text(model, "<model>", diagnostics)
                                                           : mlec::Model::from_file(model, diagnostics);
    if (!session->model) return error_list(diagnostics, "mlec_model_error");
    session->problem = mlec::Problem::bind(*session->model, *session->data, diagnostics, bind_options(options));
    if (!session->problem) return error_list(diagnostics, "mlec_model_error");
    const Rcpp::List result = Rcpp::List::create(Rcpp::Named("outcomes") = session->problem->outcomes(),
                                                 Rcpp::Named("columns") = session->problem->data_columns());
    const SEXP keep = Rf_isNull(data_list["path"]) ? SEXP(data_list["columns"]) : R_NilValue;
    return Rcpp::List::create(Rcpp::Named("session") = SessionPtr(session.release(), true, R_NilValue, keep),
                              Rcpp::Named("info") = result);
    END_RCPP
}

// Fits a bound model: list(result (pointer), values, json, report) or an
// error list for options the model cannot take.
extern "C" SEXP mlec_fit(SEXP session_pointer, SEXP options) {
    BEGIN_RCPP
    const Session& session = object_of<Session>(session_pointer);
    mlec::FitOptions fit_opts = fit_options(Rcpp::List(options));
    if (std::string why; !fit_opts.is_valid(&why)) return usage_error(why);
    if (mlec::Diagnostics mistakes; !mlec::check_parameter_values(*session.problem, fit_opts, mistakes))
        return usage_error(message_of(mistakes));
    auto result = std::make_unique<mlec::FitResult>(mlec::fit(*session.problem, fit_opts));
    Rcpp::List values = result_list(*result);
    const std::string json = mlec::json_report(*result), report = mlec::text_report(*result);
    return Rcpp::List::create(Rcpp::Named("result") = ResultPtr(result.release(), true), Rcpp::Named("values") = values,
                              Rcpp::Named("json") = json, Rcpp::Named("report") = report);
    END_RCPP
}

// Predictions as the CLI's CSV text, or an error list. `data_spec` NULL:
// on the data the model was fitted to.
extern "C" SEXP mlec_predict(SEXP session_pointer, SEXP result_pointer, SEXP data_spec, SEXP population) {
    BEGIN_RCPP
    const Session& session = object_of<Session>(session_pointer);
    const mlec::FitResult& result = object_of<mlec::FitResult>(result_pointer);
    mlec::Diagnostics diagnostics;
    std::optional<mlec::Data> newdata;
    if (!Rf_isNull(data_spec)) {
        newdata = data_of(Rcpp::List(data_spec), diagnostics);
        if (!newdata) return error_list(diagnostics, "mlec_data_error");
    }
    const mlec::Data& rows = newdata ? *newdata : *session.data;
    const auto csv = mlec::predict_csv(*session.problem, result, rows, diagnostics,
                                       mlec::PredictOptions{Rcpp::as<bool>(population)});
    if (!csv) return error_list(diagnostics, "mlec_model_error");
    Rcpp::CharacterVector warnings;
    for (const mlec::Diagnostic& d : diagnostics) warnings.push_back(d.message);
    return Rcpp::List::create(Rcpp::Named("csv") = *csv, Rcpp::Named("warnings") = warnings);
    END_RCPP
}

// One simulated data set as the CLI's CSV text, or an error list.
extern "C" SEXP mlec_simulate(SEXP session_pointer, SEXP result_pointer, SEXP seed, SEXP fitted_effects) {
    BEGIN_RCPP
    const Session& session = object_of<Session>(session_pointer);
    const mlec::FitResult& result = object_of<mlec::FitResult>(result_pointer);
    mlec::Diagnostics diagnostics;
    const auto csv = mlec::simulate_csv(*session.problem, result, static_cast<std::uint64_t>(Rcpp::as<double>(seed)),
                                        diagnostics, mlec::SimulateOptions{Rcpp::as<bool>(fitted_effects)});
    if (!csv) return error_list(diagnostics, "mlec_model_error");
    return Rcpp::List::create(Rcpp::Named("csv") = *csv);
    END_RCPP
}

// Fits compared as mlec compare, each named by `model_names` (the R
// arguments, distinct): list(rows, tests, warnings, report, json) or an
// error list.
extern "C" SEXP mlec_compare(SEXP result_pointers, SEXP outcome_lists, SEXP model_names) {
    BEGIN_RCPP
    const Rcpp::List pointers(result_pointers), outcome_list(outcome_lists);
    const Rcpp::CharacterVector names(model_names);
    std::vector<mlec::FitResult> results;
    std::vector<std::vector<std::string>> outcomes;
    for (R_xlen_t k = 0; k < pointers.size(); ++k) {
        results.push_back(object_of<mlec::FitResult>(pointers[k]));
        results.back().model_name = names[k];
        outcomes.push_back(Rcpp::as<std::vector<std::string>>(outcome_list[k]));
    }
    mlec::Diagnostics diagnostics;
    const auto comparison = mlec::compare(results, outcomes, diagnostics);
    if (!comparison) return error_list(diagnostics, "mlec_model_error");
    Rcpp::CharacterVector model;
    Rcpp::IntegerVector n_params;
    Rcpp::NumericVector log_likelihood, aic, bic, weight;
    for (const auto& row : comparison->rows) {
        model.push_back(row.model);
        n_params.push_back(row.n_params);
        log_likelihood.push_back(na_if_nan(row.log_likelihood));
        aic.push_back(na_if_nan(row.aic));
        bic.push_back(na_if_nan(row.bic));
        weight.push_back(na_if_nan(row.akaike_weight));
    }
    Rcpp::CharacterVector smaller, larger;
    Rcpp::NumericVector statistic, p_value, p_boundary;
    Rcpp::IntegerVector df;
    for (const auto& t : comparison->tests) {
        smaller.push_back(t.smaller);
        larger.push_back(t.larger);
        statistic.push_back(t.statistic);
        df.push_back(t.df);
        p_value.push_back(t.p_value);
        p_boundary.push_back(or_na(t.p_value_boundary));
    }
    return Rcpp::List::create(
        Rcpp::Named("rows") =
            Rcpp::List::create(Rcpp::Named("model") = model, Rcpp::Named("n_params") = n_params,
                               Rcpp::Named("log_likelihood") = log_likelihood, Rcpp::Named("aic") = aic,
                               Rcpp::Named("bic") = bic, Rcpp::Named("akaike_weight") = weight),
        Rcpp::Named("tests") = Rcpp::List::create(
            Rcpp::Named("smaller") = smaller, Rcpp::Named("larger") = larger, Rcpp::Named("statistic") = statistic,
            Rcpp::Named("df") = df, Rcpp::Named("p_value") = p_value, Rcpp::Named("p_value_boundary") = p_boundary),
        Rcpp::Named("warnings") = comparison->warnings, Rcpp::Named("report") = mlec::text_report(*comparison),
        Rcpp::Named("json") = mlec::json_report(*comparison));
    END_RCPP
}

// The SVG pictures of a fit (mlec --plot): a named character vector.
extern "C" SEXP mlec_plots(SEXP result_pointer) {
    BEGIN_RCPP
    Rcpp::CharacterVector out;
    for (const auto& [name, svg] : mlec::plot_files(object_of<mlec::FitResult>(result_pointer))) out[name] = svg;
    return out;
    END_RCPP
}

// The exact gradient against finite differences at theta (the optimizer's
// scale): list(max_abs_error, max_rel_error, parameter).
extern "C" SEXP mlec_check_gradient(SEXP session_pointer, SEXP theta) {
    BEGIN_RCPP
    const Session& session = object_of<Session>(session_pointer);
    const Rcpp::NumericVector t(theta);
    if (t.size() != session.problem->dimension())
        return usage_error("theta has " + std::to_string(t.size()) + " values; the problem has " +
                           std::to_string(session.problem->dimension()) + " parameters");
    const Eigen::VectorXd point = Eigen::Map<const Eigen::VectorXd>(t.begin(), t.size());
    const mlec::GradientCheck check = mlec::check_gradient(*session.problem, point, "given point");
    return Rcpp::List::create(Rcpp::Named("max_abs_error") = check.max_abs_error,
                              Rcpp::Named("max_rel_error") = check.max_rel_error,
                              Rcpp::Named("parameter") = check.parameter);
    END_RCPP
}

// The unconstrained start and the estimate's theta.
extern "C" SEXP mlec_thetas(SEXP session_pointer, SEXP result_pointer) {
    BEGIN_RCPP
    const Session& session = object_of<Session>(session_pointer);
    const Eigen::VectorXd start = session.problem->start();
    Rcpp::NumericVector start_values(start.data(), start.data() + start.size());
    Rcpp::NumericVector estimate;
    if (!Rf_isNull(result_pointer)) {
        const Eigen::VectorXd& theta = object_of<mlec::FitResult>(result_pointer).theta;
        estimate = Rcpp::NumericVector(theta.data(), theta.data() + theta.size());
    }
    return Rcpp::List::create(Rcpp::Named("start") = start_values, Rcpp::Named("estimate") = estimate);
    END_RCPP
}

// R's registration table holds every routine as DL_FUNC; void (*)() is
// the one function type a cast to and from is defined to keep intact.
template <class Function>
DL_FUNC routine(Function* function) {
    return reinterpret_cast<DL_FUNC>(reinterpret_cast<void (*)()>(function));
}

extern "C" void R_init_mlec(DllInfo* dll) {
    static const R_CallMethodDef methods[] = {{"mlec_bind", routine(&mlec_bind), 3},
                                              {"mlec_fit", routine(&mlec_fit), 2},
                                              {"mlec_predict", routine(&mlec_predict), 4},
                                              {"mlec_simulate", routine(&mlec_simulate), 4},
                                              {"mlec_compare", routine(&mlec_compare), 3},
                                              {"mlec_plots", routine(&mlec_plots), 1},
                                              {"mlec_check_gradient", routine(&mlec_check_gradient), 2},
                                              {"mlec_thetas", routine(&mlec_thetas), 2},
                                              {nullptr, nullptr, 0}};
    R_registerRoutines(dll, nullptr, methods, nullptr, nullptr);
    R_useDynamicSymbols(dll, FALSE);
}

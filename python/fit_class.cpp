// The Python class mlec.Fit (and the Summary and Plot objects it returns):
// a fit's result as attributes, statsmodels' names, the notebook views, and
// what can be done after the fit (profile, bootstrap, predict, simulate).
#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "python/errors.hpp"
#include "python/fit.hpp"
#include "python/html.hpp"
#include "python/registrations.hpp"
#include "python/values.hpp"

namespace mlec::python {

namespace {

// A dict of parameter name -> value(p), in the parameters' order (a dict
// keeps its insertion order).
template <class Value>
py::dict by_parameter(const mlec::FitResult& r, const Value& value) {
    py::dict d;
    for (const mlec::ParameterEstimate& p : r.parameters) d[py::str(p.name)] = value(p);
    return d;
}

// The report as an object that prints as the CLI's table (a bare
// fit.summary() in a notebook or the REPL shows the table, not a string).
struct Summary {
    std::string text;
};

// An SVG picture of a fit (Fit.plots()): shown inline by notebooks
// (_repr_svg_), or saved.
struct Plot {
    std::string name;
    std::string svg;
};

// The fit's numbers, by parameter and for the whole fit (docs/python.md, "mlec.Fit").
void add_results(py::class_<Fit>& fit) {
    fit.def_property_readonly("names",
                              [](const Fit& f) {
                                  py::list names;
                                  for (const auto& p : f.result.parameters) names.append(p.name);
                                  return names;
                              })
        .def_property_readonly("estimates",
                               [](const Fit& f) {  // insertion-ordered: the parameters' order
                                   return by_parameter(f.result,
                                                       [](const mlec::ParameterEstimate& p) { return estimate_of(p); });
                               })
        .def_property_readonly("fixed",
                               [](const Fit& f) {
                                   py::dict d;  // the parameters held by fixed=, with their values
                                   for (const auto& p : f.result.parameters)
                                       if (p.fixed) d[py::str(p.name)] = p.estimate;
                                   return d;
                               })
        .def_property_readonly("n_params", [](const Fit& f) { return f.result.n_params; })
        .def_property_readonly(
            "conditional_on_limit",
            [](const Fit& f) {
                return by_parameter(f.result, [](const mlec::ParameterEstimate& p) { return p.conditional_on_limit; });
            })
        .def_property_readonly("random_effects",
                               [](const Fit& f) {
                                   py::dict d;  // u -> [{"level", "mode", "std_error"}, ...] (docs/json.md)
                                   for (const auto& e : f.result.random_effects) {
                                       py::list levels;
                                       for (const auto& level : e.levels) {
                                           py::dict item;
                                           item["level"] = level.level;
                                           item["mode"] = level.mode;
                                           item["std_error"] = level.std_error;
                                           levels.append(item);
                                       }
                                       d[py::str(e.name)] = levels;
                                   }
                                   return d;
                               })
        .def_property_readonly("reml", [](const Fit& f) { return f.result.reml; })
        .def_property_readonly("integrated",
                               [](const Fit& f) {  // REML's fixed effects, integrated out
                                   return by_parameter(f.result,
                                                       [](const mlec::ParameterEstimate& p) { return p.integrated; });
                               })
        .def_property_readonly("at_zero",
                               [](const Fit& f) {  // a random effect's SD estimated at 0 (singular_fit)
                                   return by_parameter(f.result,
                                                       [](const mlec::ParameterEstimate& p) { return p.at_zero; });
                               })
        .def_property_readonly("at_boundary",
                               [](const Fit& f) {  // an SD at 0 or a correlation at +-1 (singular_fit)
                                   return by_parameter(f.result,
                                                       [](const mlec::ParameterEstimate& p) { return p.at_boundary; });
                               })
        .def_property_readonly("not_identified",
                               [](const Fit& f) {  // a correlation of an effect whose SD is 0 (singular_fit)
                                   return by_parameter(
                                       f.result, [](const mlec::ParameterEstimate& p) { return p.not_identified; });
                               })
        .def_property_readonly("diverging",
                               [](const Fit& f) {
                                   py::dict d;
                                   for (const auto& p : f.result.parameters) {
                                       if (!p.diverging) continue;
                                       py::dict item;
                                       item["diverges_to"] = mlec::limit_text(p.diverges_to);
                                       item["last_value"] = p.last_value;
                                       d[py::str(p.name)] = item;
                                   }
                                   return d;
                               })
        .def_property_readonly("std_errors",
                               [](const Fit& f) {
                                   return by_parameter(f.result, [](const mlec::ParameterEstimate& p) {
                                       return optional_float(p.std_error);
                                   });
                               })
        .def_property_readonly("p_values",
                               [](const Fit& f) {
                                   return by_parameter(f.result, [](const mlec::ParameterEstimate& p) {
                                       return optional_float(p.p_value);
                                   });
                               })
        .def_property_readonly("ci",
                               [](const Fit& f) {
                                   return by_parameter(f.result, [](const mlec::ParameterEstimate& p) {
                                       return py::make_tuple(optional_float(p.ci_lower), optional_float(p.ci_upper));
                                   });
                               })
        .def_property_readonly("covariance",
                               [](const Fit& f) -> py::object {
                                   if (f.result.covariance.size() == 0) return py::none();
                                   return py::cast(f.result.covariance);
                               })
        .def_property_readonly("derived",
                               [](const Fit& f) {
                                   py::dict d;
                                   for (const auto& e : f.result.derived) d[py::str(e.name)] = estimate_dict(e);
                                   return d;
                               })
        .def_property_readonly("diagnostics",
                               [](const Fit& f) {
                                   py::list out;
                                   for (const auto& d : f.result.diagnostics) {
                                       py::dict item;
                                       item["kind"] = std::string(mlec::to_string(d.kind));
                                       item["message"] = d.message;
                                       item["parameters"] = to_list(d.parameters);
                                       item["columns"] = to_list(d.columns);
                                       out.append(item);
                                   }
                                   return out;
                               })
        .def_property_readonly("log_likelihood", [](const Fit& f) { return f.result.log_likelihood; })
        .def_property_readonly("aic", [](const Fit& f) { return float_or_none(f.result.aic); })
        .def_property_readonly("bic", [](const Fit& f) { return float_or_none(f.result.bic); })
        .def_property_readonly("converged", [](const Fit& f) { return f.result.converged; })
        .def_property_readonly("status", [](const Fit& f) { return std::string(mlec::to_string(f.result.status)); })
        .def_property_readonly("exit_code", [](const Fit& f) { return mlec::exit_code(f.result); })
        .def_property_readonly("message", [](const Fit& f) { return f.result.message; })
        .def_property_readonly("iterations", [](const Fit& f) { return f.result.iterations; })
        .def_property_readonly(
            "method",
            [](const Fit& f) { return f.result.method ? std::string(mlec::to_string(*f.result.method)) : ""; })
        .def_property_readonly("n_obs", [](const Fit& f) { return f.result.n_obs; })
        .def_property_readonly("n_weighted", [](const Fit& f) { return f.result.n_weighted; })
        .def_property_readonly("weight", [](const Fit& f) { return f.result.weight; })
        .def_property_readonly("rows_dropped", [](const Fit& f) { return f.result.rows_dropped; })
        .def_property_readonly("warnings", [](const Fit& f) { return to_list(f.result.warnings); })
        .def_property_readonly("notes", [](const Fit& f) { return to_list(f.result.notes); });
}

// statsmodels' names (pandas objects where pandas is installed) and the
// notebook's and the REPL's views.
void add_statsmodels_names(py::class_<Fit>& fit) {
    fit.def_property_readonly("params",
                              [](const Fit& f) {
                                  return per_parameter(f.result, [](const mlec::ParameterEstimate& p) {
                                      return p.diverging ? std::nullopt : std::optional<double>(p.estimate);
                                  });
                              })
        .def_property_readonly(
            "bse", [](const Fit& f) { return per_parameter(f.result, [](const auto& p) { return p.std_error; }); })
        .def_property_readonly(
            "pvalues", [](const Fit& f) { return per_parameter(f.result, [](const auto& p) { return p.p_value; }); })
        .def_property_readonly("tvalues",
                               [](const Fit& f) { return per_parameter(f.result, [](const auto& p) { return p.z; }); })
        .def_property_readonly("llf", [](const Fit& f) { return f.result.log_likelihood; })
        .def_property_readonly("nobs", [](const Fit& f) { return f.result.n_obs; })
        .def(
            "conf_int",
            [](const Fit& f, const py::object& alpha, const py::object& method) -> py::object {
                const double level = alpha.is_none() ? f.result.confidence : 1 - alpha.cast<double>();
                const mlec::CiMethod ci = method.is_none() ? f.result.ci_method : parse_ci(method.cast<std::string>());
                if (ci != f.result.ci_method || std::abs(level - f.result.confidence) > 1e-12) {
                    const Fit again = refit(f, ci, level, std::nullopt);
                    return py::cast(again).attr("conf_int")();
                }
                const std::size_t k = f.result.parameters.size();
                py::array_t<double> out({static_cast<py::ssize_t>(k), py::ssize_t{2}});
                auto view = out.mutable_unchecked<2>();
                for (std::size_t i = 0; i < k; ++i) {
                    const auto& p = f.result.parameters[i];
                    view(static_cast<py::ssize_t>(i), 0) = p.ci_lower.value_or(std::nan(""));
                    view(static_cast<py::ssize_t>(i), 1) = p.ci_upper.value_or(std::nan(""));
                }
                if (auto pd = pandas()) return pd->attr("DataFrame")(out, py::arg("index") = names_of(f.result));
                return out;
            },
            py::arg("alpha") = py::none(), py::arg("method") = py::none(),
            "Intervals, one row per parameter: [lower, upper]; a pandas DataFrame with columns 0 and 1 as "
            "statsmodels' when pandas is installed, else a (k, 2) array. By default the fit's (ci= at "
            "confidence=); another alpha (1 - confidence) or method ('wald', 'profile') fits the model again "
            "for them, from the same start (so with the same estimate).")
        .def(
            "cov_params",
            [](const Fit& f) -> py::object {
                if (f.result.covariance.size() == 0) return py::none();
                py::object matrix = py::cast(f.result.covariance);
                if (auto pd = pandas())
                    return pd->attr("DataFrame")(matrix, py::arg("index") = names_of(f.result),
                                                 py::arg("columns") = names_of(f.result));
                return matrix;
            },
            "The covariance of the estimates (user scale; None when unavailable): a pandas DataFrame labelled "
            "by parameter when pandas is installed, else an array.")
        .def(
            "_repr_html_", [](const Fit& f) { return fit_html(f.result); }, "The fit as an HTML table, for notebooks.")
        .def(
            "summary", [](const Fit& f) { return Summary{mlec::text_report(f.result)}; },
            "The CLI's text report, as an object that prints as the table.");
}

// Profiles, the bootstrap and the pictures, asked for after the fit.
void add_after_the_fit(py::class_<Fit>& fit) {
    fit.def(
           "profile", [](const Fit& f) { return refit(f, mlec::CiMethod::profile, std::nullopt, std::nullopt); },
           "The fit again with profile-likelihood intervals (as ci='profile'), from the same start: its "
           "conf_int(), ci and profiles are the profile's, and plots() draws each profile.")
        .def(
            "bootstrap",
            [](const Fit& f, int replicates) {
                if (replicates < 1) throw py::value_error("replicates must be at least 1");
                return refit(f, std::nullopt, std::nullopt, replicates);
            },
            py::arg("replicates"),
            "The fit again with a parametric bootstrap of this many refits (as bootstrap=), from the same start "
            "and seed: see bootstrap_intervals.")
        .def_property_readonly("ci_method",
                               [](const Fit& f) { return std::string(mlec::to_string(f.result.ci_method)); })
        .def_property_readonly("confidence", [](const Fit& f) { return f.result.confidence; })
        .def_property_readonly(
            "profiles",
            [](const Fit& f) {
                py::dict d;  // (ci='profile') name -> {value, deviance} arrays
                for (const auto* estimates : {&f.result.parameters, &f.result.derived})
                    for (const auto& e : *estimates) {
                        if (e.profile.empty()) continue;
                        std::vector<double> value, deviance;
                        for (const auto& [x, y] : e.profile) {
                            value.push_back(x);
                            deviance.push_back(y);
                        }
                        py::dict curve;
                        curve["value"] = py::array_t<double>(static_cast<py::ssize_t>(value.size()), value.data());
                        curve["deviance"] =
                            py::array_t<double>(static_cast<py::ssize_t>(deviance.size()), deviance.data());
                        d[py::str(e.name)] = curve;
                    }
                return d;
            })
        .def_property_readonly("bootstrap_intervals",
                               [](const Fit& f) {
                                   py::dict d;  // (bootstrap=) name -> {lower, upper, std_error}
                                   for (const auto& p : f.result.parameters) {
                                       if (!p.boot_lower && !p.boot_upper && !p.boot_se) continue;
                                       py::dict item;
                                       item["lower"] = optional_float(p.boot_lower);
                                       item["upper"] = optional_float(p.boot_upper);
                                       item["std_error"] = optional_float(p.boot_se);
                                       d[py::str(p.name)] = item;
                                   }
                                   return d;
                               })
        .def_property_readonly("bootstrap_replicates", [](const Fit& f) { return f.result.bootstrap_replicates; })
        .def_property_readonly("bootstrap_failed", [](const Fit& f) { return f.result.bootstrap_failed; })
        .def(
            "plots",
            [](const Fit& f) {
                py::dict d;
                for (auto& [name, svg] : mlec::plot_files(f.result)) d[py::str(name)] = Plot{name, std::move(svg)};
                return d;
            },
            "The SVG pictures mlec --plot writes, by file name: convergence.svg, gradient.svg and, after a profile, "
            "one per "
            "profile; each an mlec.Plot, which a notebook shows inline.");
}

// The reports, predictions and simulations, as the CLI's.
void add_reports_and_predictions(py::class_<Fit>& fit) {
    fit.def(
           "json", [](const Fit& f) { return mlec::json_report(f.result); }, "The report as JSON (docs/json.md).")
        .def(
            "report", [](const Fit& f) { return mlec::text_report(f.result); }, "The report as a text table.")
        .def(
            "predict",
            [](const Fit& f, const py::object& newdata, bool population) {
                const auto rows = new_data(newdata);
                mlec::Diagnostics diagnostics;
                std::optional<std::string> csv;
                {
                    py::gil_scoped_release release;
                    const std::lock_guard lock(f.bound->busy);
                    csv = mlec::predict_csv(*f.bound->problem, f.result, *rows->data, diagnostics,
                                            mlec::PredictOptions{population});
                }
                return csv_or_throw(csv, diagnostics);
            },
            py::arg("newdata"), py::kw_only(), py::arg("population") = false,
            "Predictions on new rows (a CSV path or a dict of columns, without the outcomes), as mlec predict: "
            "a dict of column -> array with the row number and, per outcome, its expected value (and linear "
            "predictor) with delta-method standard errors. population=True sets every random effect to 0 "
            "(lme4's re.form = NA); else predictions are conditional on the fitted levels' modes.")
        .def(
            "simulate",
            [](const Fit& f, long long seed, bool fitted_effects) {
                if (seed < 0) throw py::value_error("seed must not be negative");
                mlec::Diagnostics diagnostics;
                std::optional<std::string> csv;
                {
                    py::gil_scoped_release release;
                    const std::lock_guard lock(f.bound->busy);
                    csv = mlec::simulate_csv(*f.bound->problem, f.result, static_cast<std::uint64_t>(seed), diagnostics,
                                             mlec::SimulateOptions{fitted_effects});
                }
                return csv_or_throw(csv, diagnostics);
            },
            py::kw_only(), py::arg("seed") = 1, py::arg("fitted_effects") = false,
            "New outcomes drawn from the fit, as mlec simulate: a dict of the model's columns, the outcomes "
            "replaced by draws at the estimate. fitted_effects=True draws given the fitted levels' modes "
            "(lme4's use.u = TRUE).")
        .def("__repr__", [](const Fit& f) {
            return "<mlec.Fit " + std::string(mlec::to_string(f.result.status)) + ", " +
                   std::to_string(f.result.parameters.size()) + " parameters, log-likelihood " +
                   std::string(py::str(py::float_(f.result.log_likelihood))) + ">";
        });
}

}  // namespace

void register_fit(py::module_& m) {
    py::class_<Summary>(m, "Summary", "A fit's text report (Fit.summary()); prints as the CLI's table.")
        .def("__str__", [](const Summary& s) { return s.text; })
        .def("__repr__", [](const Summary& s) { return s.text; })
        .def("as_text", [](const Summary& s) { return s.text; });

    py::class_<Plot>(m, "Plot", "An SVG picture of a fit (Fit.plots()); a notebook shows it inline.")
        .def_readonly("name", &Plot::name)
        .def_readonly("svg", &Plot::svg)
        .def("_repr_svg_", [](const Plot& p) { return p.svg; })
        .def(
            "save",
            [](const Plot& p, const py::object& path) {
                const py::object file =
                    py::module_::import("builtins").attr("open")(path, "w", py::arg("encoding") = "utf-8");
                file.attr("write")(p.svg);
                file.attr("close")();
            },
            py::arg("path"), "Write the SVG to a file.")
        .def("__repr__", [](const Plot& p) { return "<mlec.Plot " + p.name + ">"; });

    py::class_<Fit> fit(m, "Fit", "The result of mlec.fit.");
    add_results(fit);
    add_statsmodels_names(fit);
    add_after_the_fit(fit);
    add_reports_and_predictions(fit);
}

}  // namespace mlec::python

// The Python class mlec.Comparison and mlec.compare: several fits compared,
// as mlec compare.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <vector>

#include "python/errors.hpp"
#include "python/fit.hpp"
#include "python/registrations.hpp"
#include "python/values.hpp"

namespace mlec::python {

void register_comparison(py::module_& m) {
    py::class_<mlec::ModelComparison>(m, "Comparison", "The result of mlec.compare.")
        .def_readonly("n_obs", &mlec::ModelComparison::n_obs)
        .def_property_readonly("rows",
                               [](const mlec::ModelComparison& c) {
                                   py::list rows;
                                   for (const auto& r : c.rows) {
                                       py::dict d;
                                       d["model"] = r.model;
                                       d["n_params"] = r.n_params;
                                       d["log_likelihood"] = float_or_none(r.log_likelihood);
                                       d["aic"] = float_or_none(r.aic);
                                       d["aicc"] = float_or_none(r.aicc);
                                       d["bic"] = float_or_none(r.bic);
                                       d["delta_aic"] = float_or_none(r.delta_aic);
                                       d["akaike_weight"] = float_or_none(r.akaike_weight);
                                       d["converged"] = r.converged;
                                       d["status"] = r.status;
                                       rows.append(d);
                                   }
                                   return rows;
                               })
        .def_property_readonly("tests",
                               [](const mlec::ModelComparison& c) {
                                   py::list tests;
                                   for (const auto& t : c.tests) {
                                       py::dict d;
                                       d["smaller"] = t.smaller;
                                       d["larger"] = t.larger;
                                       d["statistic"] = t.statistic;
                                       d["df"] = t.df;
                                       d["p_value"] = t.p_value;
                                       d["p_value_boundary"] = optional_float(t.p_value_boundary);
                                       d["nesting"] = t.nesting;
                                       d["boundary"] = t.boundary;
                                       tests.append(d);
                                   }
                                   return tests;
                               })
        .def_readonly("warnings", &mlec::ModelComparison::warnings)
        .def(
            "report", [](const mlec::ModelComparison& c) { return mlec::text_report(c); },
            "The comparison as a text table, as mlec compare prints it.")
        .def(
            "json", [](const mlec::ModelComparison& c) { return mlec::json_report(c); },
            "The comparison as JSON, as mlec compare --format json.");

    m.def(
        "compare",
        [](const std::vector<const Fit*>& fits, const std::optional<std::vector<std::string>>& names) {
            if (names && names->size() != fits.size())
                throw py::value_error("names has " + std::to_string(names->size()) + " entries for " +
                                      std::to_string(fits.size()) + " fits");
            std::vector<mlec::FitResult> results;
            std::vector<std::vector<std::string>> outcomes;
            for (const Fit* f : fits) {
                if (!f) throw py::type_error("compare takes mlec.Fit objects");
                results.push_back(f->result);
                if (names) results.back().model_name = (*names)[results.size() - 1];
                outcomes.push_back(f->bound->problem->outcomes());
            }
            mlec::Diagnostics diagnostics;
            std::optional<mlec::ModelComparison> comparison = mlec::compare(results, outcomes, diagnostics);
            if (!comparison) throw_diagnostics(diagnostics, Stage::model);
            return *comparison;
        },
        py::arg("fits"), py::arg("names") = py::none(),
        "Several fits of models to the same data compared, as mlec compare: AIC, AICc, BIC, Akaike weights "
        "and likelihood-ratio tests of nested models. names= labels the fits (default: their model files, "
        "'<model>' for model text). Returns an mlec.Comparison.");
}

}  // namespace mlec::python

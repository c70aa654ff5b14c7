// The Python module `mlec`: a thin client of the public C++ API, like the
// CLI. Expected failures come back from the library as Diagnostics; here they
// become ModelError / DataError (subclasses of ValueError) carrying the same
// text the CLI prints, so a user can paste it into an issue unchanged. One
// file per concept: bound (arguments into a Problem), fit (options and the
// fit), fit_class (mlec.Fit), comparison, problem, values, html, errors.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "python/bound.hpp"
#include "python/errors.hpp"
#include "python/fit.hpp"
#include "python/registrations.hpp"

namespace py = pybind11;
using namespace mlec::python;

PYBIND11_MODULE(mlec, m) {
    m.doc() = "Maximum likelihood estimation from a model file and data, with exact derivatives.";

    const py::object value_error = py::reinterpret_borrow<py::object>(PyExc_ValueError);
    py::register_exception<ModelError>(m, "ModelError", value_error);
    py::register_exception<DataError>(m, "DataError", value_error);

    register_fit(m);

    m.def(
        "fit",
        [](const py::object& model, const py::object& data, const std::string& method, int max_iterations,
           double tolerance, double confidence, const std::string& ci, int starts, long long seed, int threads,
           const std::string& na, const py::object& on_iteration, const py::object& fixed, const py::object& start,
           bool reml, int agq, int bootstrap) {
            const mlec::FitOptions options = fit_options(method, max_iterations, tolerance, confidence, ci, starts,
                                                         seed, on_iteration, fixed, start, bootstrap);
            const auto bound = bind(model, data, bind_options(na, threads, reml, agq));
            return run_fit(bound, options, on_iteration);
        },
        py::arg("model"), py::arg("data"), py::kw_only(), py::arg("method") = "auto", py::arg("max_iterations") = 3000,
        py::arg("tolerance") = 1e-8, py::arg("confidence") = 0.95, py::arg("ci") = "wald", py::arg("starts") = 1,
        py::arg("seed") = 1, py::arg("threads") = 0, py::arg("na") = "error", py::arg("on_iteration") = py::none(),
        py::arg("fixed") = py::none(), py::arg("start") = py::none(), py::arg("reml") = false, py::arg("agq") = 1,
        py::arg("bootstrap") = 0,
        "Fit a model (text, or a path to a .mle file) to data (a CSV path, or a dict of column name -> 1-D "
        "array) by maximum likelihood (reml=True: REML for a normal model, as lmer's REML = TRUE). fixed= holds "
        "parameters at values (a dict of name -> value on the "
        "parameter's own scale), start= gives start values; as bbmle's fixed= and start=. agq=K integrates "
        "random effects by adaptive Gauss-Hermite quadrature with K nodes per level (1: the Laplace "
        "approximation), as lme4's nAGQ. bootstrap=B adds B parametric bootstrap refits (percentile intervals, "
        "Fit.bootstrap_intervals). Returns an mlec.Fit.");

    register_comparison(m);
    register_problem(m);
}

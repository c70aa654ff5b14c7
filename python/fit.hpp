// Fitting from Python: the options of mlec.fit checked, the fit run without
// the GIL (with the iteration callback and Ctrl-C), and a fit repeated with
// other interval settings.
#pragma once

#include <pybind11/pybind11.h>

#include <memory>
#include <optional>
#include <string>

#include "mlec/mlec.hpp"
#include "python/bound.hpp"

namespace mlec::python {

namespace py = pybind11;

// A fit's result, and the bound problem it came from (predict, simulate and
// compare need it); the Python properties are built on access.
struct Fit {
    mlec::FitResult result;
    std::shared_ptr<Bound> bound;
    mlec::FitOptions options;  // as given, without callbacks: a refit repeats the fit
};

mlec::CiMethod parse_ci(const std::string& ci);

// All options checked before any file is read, so a typo fails at once
// (the names of fixed= and start= are checked against the model in
// run_fit).
mlec::FitOptions fit_options(const std::string& method, int max_iterations, double tolerance, double confidence,
                             const std::string& ci, int starts, long long seed, const py::object& on_iteration,
                             const py::object& fixed, const py::object& start, int bootstrap);

// Fits the bound problem; a fixed= or start= that does not fit the model
// raises ValueError with the library's message.
Fit run_fit(const std::shared_ptr<Bound>& shared, mlec::FitOptions options, const py::object& on_iteration);

// The same model and data fitted again with other interval settings (a
// profile or bootstrap after the fit, another level): the same start and
// path, so the same estimate unless the profile finds a higher maximum
// (then the refit reports it, as the CLI would have, and a RuntimeWarning
// says that the fit was not the maximum; as it does for another status).
Fit refit(const Fit& f, const std::optional<mlec::CiMethod>& ci, const std::optional<double>& confidence,
          const std::optional<int>& bootstrap);

}  // namespace mlec::python

// A model bound to data from Python arguments: the model (text or a path),
// the data (a CSV path, or a mapping of columns: NumPy arrays, lists, texts,
// a pandas DataFrame), the options of binding.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "mlec/mlec.hpp"

namespace mlec::python {

namespace py = pybind11;

// Everything a Problem needs, kept at one address for its whole life:
// Problem::bind keeps a pointer to the Model, and Data::from_columns does not
// copy the columns, so none of these may move once bound. Members are
// destroyed in reverse order: the Problem before what it points into.
struct Bound {
    // The columns the library reads: contiguous float64 arrays in place (a
    // reference kept here, so they outlive the Problem; a Bound is only
    // destroyed with the GIL held, by the Python objects that own it), the
    // rest converted into buffers the module owns.
    std::vector<py::array_t<double>> arrays;
    std::vector<std::vector<double>> columns;
    std::optional<mlec::Model> model;
    std::optional<mlec::Data> data;
    std::optional<mlec::Problem> problem;
    // A Problem keeps evaluation buffers: one evaluation or fit at a time.
    // Taken only after the GIL is released, never the other way round, so
    // a fit's callback can always take the GIL back.
    std::mutex busy;
};

// (agq: BindOptions::agq_nodes, whose range binding checks and names)
mlec::BindOptions bind_options(const std::string& na, int threads, bool reml, int agq);

// Loads in the CLI's order (data, then model, then binding), so the first
// error reported is the one the CLI would report.
std::shared_ptr<Bound> bind(const py::object& model, const py::object& data, const mlec::BindOptions& options);

// New data for predict: a CSV path or a dict of columns, as fit's data.
std::shared_ptr<Bound> new_data(const py::object& data);

}  // namespace mlec::python

// Library values as Python values: numbers that may not exist (None),
// estimates, per-parameter pandas Series (or dicts without pandas), and the
// CSVs predict and simulate write, as dicts of columns.
#pragma once

#include <pybind11/pybind11.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "mlec/mlec.hpp"

namespace mlec::python {

namespace py = pybind11;

py::object optional_float(const std::optional<double>& value);

// A number that does not exist (NaN: an AIC without a maximum) is None.
py::object float_or_none(double value);

// A diverging parameter has no estimate: None, never where the optimizer
// stopped (that is in Fit.diverging).
py::object estimate_of(const mlec::ParameterEstimate& e);
py::dict estimate_dict(const mlec::ParameterEstimate& e);
py::object to_list(const std::vector<std::string>& strings);

// A CSV the library wrote (predict, simulate) as a dict of column name ->
// column: a float64 NumPy array where every cell is a number or NA (NaN),
// else a list of the cells' texts (group labels). The library quotes no
// cell it writes.
py::dict columns_of_csv(const std::string& csv);

// pandas where it can be imported: the statsmodels-like attributes then
// return its objects, else dicts and NumPy arrays.
std::optional<py::module_> pandas();
std::vector<std::string> names_of(const mlec::FitResult& r);

// A value per parameter (NaN where there is none) as a pandas Series
// indexed by name, or a dict.
py::object per_parameter(const mlec::FitResult& r,
                         const std::function<std::optional<double>(const mlec::ParameterEstimate&)>& value);

// A CSV from the library, or the exception its diagnostics call for (a
// fit that cannot be predicted from or simulated is the model's matter).
py::dict csv_or_throw(const std::optional<std::string>& csv, const mlec::Diagnostics& diagnostics);

}  // namespace mlec::python

// The module's classes and functions, each file registering its own on the
// module (python/module.cpp calls them).
#pragma once

#include <pybind11/pybind11.h>

namespace mlec::python {

void register_fit(pybind11::module_& m);         // mlec.Fit, mlec.Summary, mlec.Plot (fit_class.cpp)
void register_comparison(pybind11::module_& m);  // mlec.Comparison, mlec.compare (comparison.cpp)
void register_problem(pybind11::module_& m);     // mlec.Problem (problem.cpp)

}  // namespace mlec::python

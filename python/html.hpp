// A fit as an HTML table, for notebooks (Fit._repr_html_).
#pragma once

#include <string>

#include "mlec/mlec.hpp"

namespace mlec::python {

// A notebook's view of a fit: the parameters' table (the text report's
// columns) and the fit's summary line.
std::string fit_html(const mlec::FitResult& r);

}  // namespace mlec::python

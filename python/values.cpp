// Library values as Python values (python/values.hpp).
#include "python/values.hpp"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cmath>
#include <cstdlib>

#include "python/errors.hpp"

namespace mlec::python {

py::object optional_float(const std::optional<double>& value) {
    return value ? py::object(py::float_(*value)) : py::object(py::none());
}

py::object float_or_none(double value) {
    return std::isnan(value) ? py::object(py::none()) : py::object(py::float_(value));
}

py::object estimate_of(const mlec::ParameterEstimate& e) {
    return e.diverging ? py::object(py::none()) : float_or_none(e.estimate);
}

py::dict estimate_dict(const mlec::ParameterEstimate& e) {
    py::dict d;
    d["estimate"] = estimate_of(e);
    d["std_error"] = optional_float(e.std_error);
    d["z"] = optional_float(e.z);
    d["p_value"] = optional_float(e.p_value);
    d["ci_lower"] = optional_float(e.ci_lower);
    d["ci_upper"] = optional_float(e.ci_upper);
    d["conditional_on_limit"] = e.conditional_on_limit;
    return d;
}

py::object to_list(const std::vector<std::string>& strings) { return py::cast(strings); }

py::dict columns_of_csv(const std::string& csv) {
    std::vector<std::vector<std::string>> cells;
    std::vector<std::string> names;
    std::size_t line_start = 0;
    while (line_start < csv.size()) {
        std::size_t line_end = csv.find('\n', line_start);
        if (line_end == std::string::npos) line_end = csv.size();
        std::vector<std::string> row;
        std::size_t cell_start = line_start;
        for (;;) {
            const std::size_t comma = csv.find(',', cell_start);
            const std::size_t cell_end = comma == std::string::npos || comma > line_end ? line_end : comma;
            row.push_back(csv.substr(cell_start, cell_end - cell_start));
            if (cell_end == line_end) break;
            cell_start = cell_end + 1;
        }
        if (names.empty()) {
            names = std::move(row);
            cells.resize(names.size());
        } else {
            for (std::size_t c = 0; c < names.size() && c < row.size(); ++c) cells[c].push_back(std::move(row[c]));
        }
        line_start = line_end + 1;
    }
    py::dict out;
    for (std::size_t c = 0; c < names.size(); ++c) {
        std::vector<double> numbers;
        for (const std::string& cell : cells[c]) {
            if (cell == "NA") {
                numbers.push_back(std::nan(""));
                continue;
            }
            char* end = nullptr;
            const double x = std::strtod(cell.c_str(), &end);
            if (cell.empty() || end != cell.c_str() + cell.size()) break;
            numbers.push_back(x);
        }
        if (numbers.size() == cells[c].size())
            out[py::str(names[c])] = py::array_t<double>(static_cast<py::ssize_t>(numbers.size()), numbers.data());
        else out[py::str(names[c])] = py::cast(cells[c]);
    }
    return out;
}

std::optional<py::module_> pandas() {
    try {
        return py::module_::import("pandas");
    } catch (py::error_already_set& e) {
        if (!e.matches(PyExc_ImportError)) throw;
        return std::nullopt;
    }
}

std::vector<std::string> names_of(const mlec::FitResult& r) {
    std::vector<std::string> names;
    for (const auto& p : r.parameters) names.push_back(p.name);
    return names;
}

py::object per_parameter(const mlec::FitResult& r,
                         const std::function<std::optional<double>(const mlec::ParameterEstimate&)>& value) {
    std::vector<double> values;
    for (const auto& p : r.parameters) values.push_back(value(p).value_or(std::nan("")));
    if (auto pd = pandas())
        return pd->attr("Series")(values, py::arg("index") = names_of(r), py::arg("dtype") = "float64");
    py::dict d;
    for (std::size_t i = 0; i < values.size(); ++i) d[py::str(r.parameters[i].name)] = values[i];
    return d;
}

py::dict csv_or_throw(const std::optional<std::string>& csv, const mlec::Diagnostics& diagnostics) {
    if (!csv) throw_diagnostics(diagnostics, Stage::model);
    return columns_of_csv(*csv);
}

}  // namespace mlec::python

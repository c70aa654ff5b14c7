// The Python module `mlec`: a thin client of the public C++ API, like the
// CLI. Expected failures come back from the library as Diagnostics; here they
// become ModelError / DataError (subclasses of ValueError) carrying the same
// text the CLI prints, so a user can paste it into an issue unchanged.
#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "mlec/diagnostic.hpp"
#include "mlec/mlec.hpp"

namespace py = pybind11;

namespace {

// Translated to mlec.ModelError / mlec.DataError by pybind11 (registered in
// the module body below).
class ModelError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};
class DataError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

// mlec::format ends every diagnostic with a newline; a Python exception's
// message conventionally does not.
std::string message_of(const mlec::Diagnostics& diagnostics) {
    std::string text = mlec::format(diagnostics);
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
}

// The exception for failed loading or binding: the category of the first
// error decides, as it decides the CLI's exit code; a file that cannot be
// opened (Category::usage) belongs to the stage that tried to open it.
enum class Stage { model, data };

[[noreturn]] void throw_diagnostics(const mlec::Diagnostics& diagnostics, Stage stage) {
    for (const mlec::Diagnostic& d : diagnostics) {
        if (d.severity != mlec::Severity::error) continue;
        if (d.category == mlec::Category::model) throw ModelError(message_of(diagnostics));
        if (d.category == mlec::Category::data) throw DataError(message_of(diagnostics));
        break;
    }
    if (stage == Stage::model) throw ModelError(message_of(diagnostics));
    throw DataError(message_of(diagnostics));
}

// A model argument is text when it could not be a file name: the model
// language needs `~` (or `target +=`, on its own line) and file names almost
// never hold a newline. Everything else, and any os.PathLike, is a path.
struct ModelSource {
    bool is_text = false;
    std::string value;
};

ModelSource model_source(const py::object& model) {
    if (py::isinstance<py::str>(model)) {
        std::string s = model.cast<std::string>();
        const bool text = s.find('\n') != std::string::npos || s.find('~') != std::string::npos;
        return {text, std::move(s)};
    }
    if (py::hasattr(model, "__fspath__"))
        return {false, py::module_::import("os").attr("fspath")(model).cast<std::string>()};
    throw py::type_error("model must be model text or a path to a .mle file, not " +
                         std::string(py::str(py::type::of(model).attr("__name__"))));
}

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

// A column of labels, as group levels: a pandas Categorical (or a Series
// of one), its categories in their order; or text (str elements, None or
// NaN missing) that is not all numbers, its distinct texts in order of
// first appearance, as a CSV column of them. Its codes 1..K (NaN missing)
// go to `codes`; nullopt for any other column. Asked only of a column that
// NumPy cannot convert to float64 (but a Categorical, asked first).
std::optional<std::vector<std::string>> labels_of(const py::object& column, std::vector<double>& codes) {
    const py::object dtype = py::getattr(column, "dtype", py::none());
    if (!dtype.is_none() && std::string(py::str(dtype)) == "category") {
        const py::object categorical = py::hasattr(column, "cat") ? column.attr("cat") : column;
        std::vector<std::string> labels;
        for (const py::handle c : categorical.attr("categories")) labels.emplace_back(py::str(c));
        for (const py::handle c : categorical.attr("codes")) {
            const long code = c.cast<long>();
            codes.push_back(code < 0 ? std::nan("") : static_cast<double>(code + 1));
        }
        return labels;
    }
    const py::array array = py::module_::import("numpy").attr("asarray")(column);
    const char kind = array.dtype().kind();
    if (kind != 'U' && kind != 'O') return std::nullopt;
    if (array.ndim() != 1) return std::nullopt;  // (the float64 path says what is wrong)
    const py::list cells = array.attr("tolist")();
    std::vector<std::string> labels;
    std::unordered_map<std::string, double> index;
    for (const py::handle cell : cells) {
        const bool missing = cell.is_none() || (py::isinstance<py::float_>(cell) && std::isnan(cell.cast<double>()));
        if (missing) {
            codes.push_back(std::nan(""));
            continue;
        }
        if (!py::isinstance<py::str>(cell)) {
            codes.clear();
            return std::nullopt;  // (numbers as objects: the float64 path)
        }
        const auto [it, inserted] = index.try_emplace(cell.cast<std::string>(), static_cast<double>(labels.size() + 1));
        if (inserted) labels.push_back(it->first);
        codes.push_back(it->second);
    }
    return labels;
}

// A dict, a pandas DataFrame or any mapping with .items() of column name ->
// 1-D array-like: numbers, or labels (labels_of) as group levels.
void load_columns(Bound& bound, const py::object& mapping, mlec::Diagnostics& diagnostics) {
    const py::module_ numpy = py::module_::import("numpy");
    std::vector<std::string> names;
    std::vector<std::span<const double>> spans;
    std::vector<std::vector<std::string>> labels;
    for (const py::handle item : mapping.attr("items")()) {
        const py::tuple pair = py::reinterpret_borrow<py::object>(item).cast<py::tuple>();
        if (!py::isinstance<py::str>(pair[0]))
            throw py::type_error("data column names must be strings, not " +
                                 std::string(py::str(py::type::of(pair[0]).attr("__name__"))));
        const std::string name = pair[0].cast<std::string>();
        std::vector<double> codes;
        const auto take_labels = [&](std::vector<std::string> levels) {
            bound.columns.push_back(std::move(codes));
            spans.emplace_back(bound.columns.back().data(), bound.columns.back().size());
            labels.push_back(std::move(levels));
            names.push_back(name);
        };
        const py::object dtype = py::getattr(pair[1], "dtype", py::none());
        if (!dtype.is_none() && std::string(py::str(dtype)) == "category") {
            take_labels(*labels_of(pair[1], codes));
            continue;
        }
        py::array_t<double> array;
        try {
            // np.asarray: float64 arrays pass through, int64 / bool / lists
            // and texts of numbers are converted; other texts are labels.
            array = numpy.attr("asarray")(pair[1], py::arg("dtype") = "float64").cast<py::array_t<double>>();
        } catch (py::error_already_set& e) {
            if (!e.matches(PyExc_ValueError) && !e.matches(PyExc_TypeError)) throw;
            if (auto levels = labels_of(pair[1], codes)) {
                take_labels(std::move(*levels));
                continue;
            }
            throw DataError("column '" + name + "': cannot convert to float64 numbers: " + e.what());
        }
        labels.emplace_back();
        if (array.ndim() != 1)
            throw DataError("column '" + name + "': expected a 1-D array, got " + std::to_string(array.ndim()) +
                            " dimensions");
        // Data::from_columns checks the lengths and names and says which differ.
        const auto n = static_cast<std::size_t>(array.shape(0));
        names.push_back(name);
        if (array.strides(0) == static_cast<py::ssize_t>(sizeof(double)) || n <= 1) {
            spans.emplace_back(array.data(), n);  // read in place
            bound.arrays.push_back(array);
            continue;
        }
        const auto view = array.unchecked<1>();  // strided: copied element by element
        std::vector<double> column(n);
        for (std::size_t i = 0; i < n; ++i) column[i] = view(static_cast<py::ssize_t>(i));
        bound.columns.push_back(std::move(column));
        spans.emplace_back(bound.columns.back().data(), n);
    }
    bound.data = mlec::Data::from_columns(std::move(names), std::move(spans), std::move(labels), "<data>", diagnostics);
}

// (agq: BindOptions::agq_nodes, whose range binding checks and names)
mlec::BindOptions bind_options(const std::string& na, int threads, bool reml, int agq) {
    if (na != "error" && na != "drop") throw py::value_error("na must be 'error' or 'drop', not '" + na + "'");
    if (threads < 0) throw py::value_error("threads must be 0 (all cores) or a positive number");
    mlec::BindOptions options;
    options.drop_missing = na == "drop";
    options.threads = threads;
    options.reml = reml;
    options.agq_nodes = agq;
    return options;
}

// `data` (a CSV path, or a mapping of columns) into bound.data; `what`
// names the argument in a TypeError.
void load_data(Bound& bound, const py::object& data, const std::string& what, mlec::Diagnostics& diagnostics) {
    if (py::isinstance<py::str>(data) || py::hasattr(data, "__fspath__")) {
        const std::string path = py::module_::import("os").attr("fspath")(data).cast<std::string>();
        bound.data = mlec::Data::from_csv_file(path, diagnostics);
    } else if (py::hasattr(data, "items")) {
        load_columns(bound, data, diagnostics);
    } else {
        throw py::type_error(what + " must be a CSV path or a dict of column name -> 1-D array, not " +
                             std::string(py::str(py::type::of(data).attr("__name__"))));
    }
    if (!bound.data) throw_diagnostics(diagnostics, Stage::data);
}

// Loads in the CLI's order (data, then model, then binding), so the first
// error reported is the one the CLI would report.
std::shared_ptr<Bound> bind(const py::object& model, const py::object& data, const mlec::BindOptions& options) {
    auto bound = std::make_shared<Bound>();
    mlec::Diagnostics diagnostics;
    load_data(*bound, data, "data", diagnostics);

    const ModelSource source = model_source(model);
    bound->model = source.is_text ? mlec::Model::from_text(source.value, "<model>", diagnostics)
                                  : mlec::Model::from_file(source.value, diagnostics);
    if (!bound->model) throw_diagnostics(diagnostics, Stage::model);

    bound->problem = mlec::Problem::bind(*bound->model, *bound->data, diagnostics, options);
    if (!bound->problem) throw_diagnostics(diagnostics, Stage::model);
    return bound;
}

// A fit's result, and the bound problem it came from (predict, simulate and
// compare need it); the Python properties are built on access.
struct Fit {
    mlec::FitResult result;
    std::shared_ptr<Bound> bound;
    mlec::FitOptions options;  // as given, without callbacks: a refit repeats the fit
};

py::object optional_float(const std::optional<double>& value) {
    return value ? py::object(py::float_(*value)) : py::object(py::none());
}

// A number that does not exist (NaN: an AIC without a maximum) is None.
py::object float_or_none(double value) {
    return std::isnan(value) ? py::object(py::none()) : py::object(py::float_(value));
}

// A diverging parameter has no estimate: None, never where the optimizer
// stopped (that is in Fit.diverging).
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

mlec::Method parse_method(const std::string& method) {
    if (method == "auto") return mlec::Method::automatic;
    if (method == "newton") return mlec::Method::newton;
    if (method == "lbfgs") return mlec::Method::lbfgs;
    throw py::value_error("method must be 'auto', 'newton' or 'lbfgs', not '" + method + "'");
}

mlec::CiMethod parse_ci(const std::string& ci) {
    if (ci == "wald") return mlec::CiMethod::wald;
    if (ci == "profile") return mlec::CiMethod::profile;
    throw py::value_error("ci must be 'wald' or 'profile', not '" + ci + "'");
}

// fixed= and start=: None, or a dict of parameter name -> number.
std::vector<mlec::ParameterValue> parameter_values(const py::object& values, const char* what) {
    std::vector<mlec::ParameterValue> out;
    if (values.is_none()) return out;
    if (!py::isinstance<py::dict>(values))
        throw py::type_error(std::string(what) + " must be a dict of parameter name -> value, or None");
    for (const auto& [name, value] : py::reinterpret_borrow<py::dict>(values)) {
        if (!py::isinstance<py::str>(name)) throw py::type_error(std::string(what) + ": names must be strings");
        out.push_back(mlec::ParameterValue{py::cast<std::string>(name), py::cast<double>(value)});
    }
    return out;
}

// All options checked before any file is read, so a typo fails at once
// (the names of fixed= and start= are checked against the model in
// run_fit).
mlec::FitOptions fit_options(const std::string& method, int max_iterations, double tolerance, double confidence,
                             const std::string& ci, int starts, long long seed, const py::object& on_iteration,
                             const py::object& fixed, const py::object& start, int bootstrap) {
    mlec::FitOptions options;
    options.bootstrap = bootstrap;
    options.fixed = parameter_values(fixed, "fixed");
    options.start = parameter_values(start, "start");
    options.method = parse_method(method);
    options.ci = parse_ci(ci);
    options.max_iterations = max_iterations;
    options.tolerance = tolerance;
    options.confidence = confidence;
    options.starts = starts;
    if (seed < 0) throw py::value_error("seed must not be negative");
    options.seed = static_cast<std::uint64_t>(seed);
    if (std::string why; !options.is_valid(&why)) throw py::value_error(why);
    if (!on_iteration.is_none() && !PyCallable_Check(on_iteration.ptr()))
        throw py::type_error("on_iteration must be callable or None");
    return options;
}

Fit run_fit(const std::shared_ptr<Bound>& shared, mlec::FitOptions options, const py::object& on_iteration) {
    Bound& bound = *shared;
    Fit f;
    f.options = options;
    f.options.on_iteration = nullptr;
    // A fixed= or start= that does not fit the model is the caller's mistake.
    if (mlec::Diagnostics mistakes; !mlec::check_parameter_values(*bound.problem, options, mistakes))
        throw py::value_error(message_of(mistakes));
    // The fit runs without the GIL; each iteration takes it back to call the
    // user's callback and to notice Ctrl-C. A Python exception cancels the
    // fit and is raised again once the fit has returned.
    std::exception_ptr pending;
    options.on_iteration = [&](const mlec::IterationInfo& it) -> bool {
        if (pending) return false;  // later starts or refits: stay cancelled
        py::gil_scoped_acquire gil;
        try {
            if (PyErr_CheckSignals() != 0) throw py::error_already_set();
            if (on_iteration.is_none()) return true;
            py::dict info;
            info["iteration"] = it.iteration;
            info["nll"] = it.nll;
            info["gradient_norm"] = it.gradient_norm;
            info["step"] = it.step;
            const py::object answer = on_iteration(info);
            return answer.is_none() || py::bool_(answer);
        } catch (...) {
            pending = std::current_exception();
            return false;
        }
    };
    f.bound = shared;
    {
        py::gil_scoped_release release;
        const std::lock_guard lock(bound.busy);
        f.result = mlec::fit(*bound.problem, options);
    }
    if (pending) std::rethrow_exception(pending);
    return f;
}

// A CSV the library wrote (predict, simulate) as a dict of column name ->
// column: a float64 NumPy array where every cell is a number or NA (NaN),
// else a list of the cells' texts (group labels). The library quotes no
// cell it writes.
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

// pandas where it can be imported: the statsmodels-like attributes then
// return its objects, else dicts and NumPy arrays.
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

// A value per parameter (NaN where there is none) as a pandas Series
// indexed by name, or a dict.
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

// Text for HTML: the five characters that could end an element or an
// attribute, escaped.
std::string html_escaped(const std::string& text) {
    std::string out;
    for (const char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

// A cell: the number to 7 significant digits, or empty where there is
// none.
std::string html_number(const std::optional<double>& value) {
    if (!value || std::isnan(*value)) return "";
    char text[32];
    std::snprintf(text, sizeof text, "%.7g", *value);
    return text;
}

// A notebook's view of a fit: the parameters' table (the text report's
// columns) and the fit's summary line.
std::string fit_html(const mlec::FitResult& r) {
    std::string out = "<div class=\"mlec-fit\"><p><b>" + html_escaped(r.model_name) + "</b> fitted to <b>" +
                      html_escaped(r.data_name) + "</b>: " + html_escaped(std::string(mlec::to_string(r.status))) +
                      ", log-likelihood " + html_number(r.log_likelihood) + ", " + std::to_string(r.n_obs) +
                      " observations</p><table><thead><tr><th>parameter</th><th>estimate</th><th>std. error</th>"
                      "<th>z</th><th>p-value</th><th>lower</th><th>upper</th></tr></thead><tbody>";
    for (const auto& p : r.parameters) {
        out += "<tr><th>" + html_escaped(p.name) + "</th>";
        for (const std::optional<double>& v : {p.diverging ? std::nullopt : std::optional<double>(p.estimate),
                                               p.std_error, p.z, p.p_value, p.ci_lower, p.ci_upper})
            out += "<td>" + html_number(v) + "</td>";
        out += "</tr>";
    }
    out += "</tbody></table><p>" + html_escaped(r.message) + "</p></div>";
    return out;
}

// The report as an object that prints as the CLI's table (a bare
// fit.summary() in a notebook or the REPL shows the table, not a string).
struct Summary {
    std::string text;
};

// New data for predict: a CSV path or a dict of columns, as fit's data.
std::shared_ptr<Bound> new_data(const py::object& data) {
    auto bound = std::make_shared<Bound>();
    mlec::Diagnostics diagnostics;
    load_data(*bound, data, "newdata", diagnostics);
    return bound;
}

// A CSV from the library, or the exception its diagnostics call for (a
// fit that cannot be predicted from or simulated is the model's matter).
py::dict csv_or_throw(const std::optional<std::string>& csv, const mlec::Diagnostics& diagnostics) {
    if (!csv) throw_diagnostics(diagnostics, Stage::model);
    return columns_of_csv(*csv);
}

// The same model and data fitted again with other interval settings (a
// profile or bootstrap after the fit, another level): the same start and
// path, so the same estimate unless the profile finds a higher maximum
// (then the refit reports it, as the CLI would have).
Fit refit(const Fit& f, const std::optional<mlec::CiMethod>& ci, const std::optional<double>& confidence,
          const std::optional<int>& bootstrap) {
    mlec::FitOptions options = f.options;
    if (ci) options.ci = *ci;
    if (confidence) options.confidence = *confidence;
    if (bootstrap) options.bootstrap = *bootstrap;
    if (std::string why; !options.is_valid(&why)) throw py::value_error(why);
    return run_fit(f.bound, options, py::none());
}

// An SVG picture of a fit (Fit.plots()): shown inline by notebooks
// (_repr_svg_), or saved.
struct Plot {
    std::string name;
    std::string svg;
};

// The Python-facing Problem: the bound model for users with their own
// optimizer.
struct PyProblem {
    std::shared_ptr<Bound> bound;

    const mlec::Problem& problem() const { return *bound->problem; }
    Eigen::VectorXd checked(const Eigen::VectorXd& theta) const {
        if (theta.size() != problem().dimension())
            throw py::value_error("theta has " + std::to_string(theta.size()) + " values; the problem has " +
                                  std::to_string(problem().dimension()) + " parameters");
        return theta;
    }
};

}  // namespace

PYBIND11_MODULE(mlec, m) {
    m.doc() = "Maximum likelihood estimation from a model file and data, with exact derivatives.";

    const py::object value_error = py::reinterpret_borrow<py::object>(PyExc_ValueError);
    py::register_exception<ModelError>(m, "ModelError", value_error);
    py::register_exception<DataError>(m, "DataError", value_error);

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

    py::class_<Fit>(m, "Fit", "The result of mlec.fit.")
        .def_property_readonly("names",
                               [](const Fit& f) {
                                   py::list names;
                                   for (const auto& p : f.result.parameters) names.append(p.name);
                                   return names;
                               })
        .def_property_readonly("estimates",
                               [](const Fit& f) {
                                   py::dict d;  // insertion-ordered: the parameters' order
                                   for (const auto& p : f.result.parameters) d[py::str(p.name)] = estimate_of(p);
                                   return d;
                               })
        .def_property_readonly("fixed",
                               [](const Fit& f) {
                                   py::dict d;  // the parameters held by fixed=, with their values
                                   for (const auto& p : f.result.parameters)
                                       if (p.fixed) d[py::str(p.name)] = p.estimate;
                                   return d;
                               })
        .def_property_readonly("n_params", [](const Fit& f) { return f.result.n_params; })
        .def_property_readonly("conditional_on_limit",
                               [](const Fit& f) {
                                   py::dict d;
                                   for (const auto& p : f.result.parameters)
                                       d[py::str(p.name)] = p.conditional_on_limit;
                                   return d;
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
                               [](const Fit& f) {
                                   py::dict d;  // REML's fixed effects, integrated out
                                   for (const auto& p : f.result.parameters) d[py::str(p.name)] = p.integrated;
                                   return d;
                               })
        .def_property_readonly("at_zero",
                               [](const Fit& f) {
                                   py::dict d;  // a random effect's SD estimated at 0 (singular_fit)
                                   for (const auto& p : f.result.parameters) d[py::str(p.name)] = p.at_zero;
                                   return d;
                               })
        .def_property_readonly("at_boundary",
                               [](const Fit& f) {
                                   py::dict d;  // an SD at 0 or a correlation at +-1 (singular_fit)
                                   for (const auto& p : f.result.parameters) d[py::str(p.name)] = p.at_boundary;
                                   return d;
                               })
        .def_property_readonly("not_identified",
                               [](const Fit& f) {
                                   py::dict d;  // a correlation of an effect whose SD is 0 (singular_fit)
                                   for (const auto& p : f.result.parameters) d[py::str(p.name)] = p.not_identified;
                                   return d;
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
                                   py::dict d;
                                   for (const auto& p : f.result.parameters)
                                       d[py::str(p.name)] = optional_float(p.std_error);
                                   return d;
                               })
        .def_property_readonly("p_values",
                               [](const Fit& f) {
                                   py::dict d;
                                   for (const auto& p : f.result.parameters)
                                       d[py::str(p.name)] = optional_float(p.p_value);
                                   return d;
                               })
        .def_property_readonly("ci",
                               [](const Fit& f) {
                                   py::dict d;
                                   for (const auto& p : f.result.parameters)
                                       d[py::str(p.name)] =
                                           py::make_tuple(optional_float(p.ci_lower), optional_float(p.ci_upper));
                                   return d;
                               })
        // statsmodels' names (pandas objects where pandas is installed)
        .def_property_readonly("params",
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
            "profile; each an mlec.Plot, which a notebook shows inline.")
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
            "The CLI's text report, as an object that prints as the table.")
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
        .def_property_readonly("notes", [](const Fit& f) { return to_list(f.result.notes); })
        .def(
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

    py::class_<PyProblem>(m, "Problem", "A model bound to data: the negative log-likelihood and its derivatives.")
        .def(py::init([](const py::object& model, const py::object& data, const std::string& na, int threads, bool reml,
                         int agq) { return PyProblem{bind(model, data, bind_options(na, threads, reml, agq))}; }),
             py::arg("model"), py::arg("data"), py::kw_only(), py::arg("na") = "error", py::arg("threads") = 0,
             py::arg("reml") = false, py::arg("agq") = 1)
        .def_property_readonly("names", [](const PyProblem& p) { return p.problem().parameter_names(); })
        .def_property_readonly("dimension", [](const PyProblem& p) { return p.problem().dimension(); })
        .def_property_readonly("observations", [](const PyProblem& p) { return p.problem().observations(); })
        .def(
            "start", [](const PyProblem& p) { return p.problem().start(); },
            "The start values on the optimizer's (unconstrained) scale.")
        .def("to_user_scale", [](const PyProblem& p,
                                 const Eigen::VectorXd& theta) { return p.problem().to_user_scale(p.checked(theta)); })
        .def("nll",
             [](const PyProblem& p, const Eigen::VectorXd& theta) {
                 const Eigen::VectorXd t = p.checked(theta);
                 py::gil_scoped_release release;
                 const std::lock_guard lock(p.bound->busy);
                 return p.problem().nll(t);
             })
        .def("nll_gradient",
             [](const PyProblem& p, const Eigen::VectorXd& theta) {
                 const Eigen::VectorXd t = p.checked(theta);
                 Eigen::VectorXd gradient;
                 double value = 0;
                 {
                     py::gil_scoped_release release;
                     const std::lock_guard lock(p.bound->busy);
                     value = p.problem().nll_gradient(t, gradient);
                 }
                 return py::make_tuple(value, gradient);
             })
        .def("nll_gradient_hessian",
             [](const PyProblem& p, const Eigen::VectorXd& theta) {
                 const Eigen::VectorXd t = p.checked(theta);
                 Eigen::VectorXd gradient;
                 Eigen::MatrixXd hessian;
                 double value = 0;
                 {
                     py::gil_scoped_release release;
                     const std::lock_guard lock(p.bound->busy);
                     value = p.problem().nll_gradient_hessian(t, gradient, hessian);
                 }
                 return py::make_tuple(value, gradient, hessian);
             })
        .def(
            "check_gradient",
            [](const PyProblem& p, const Eigen::VectorXd& theta) {
                const Eigen::VectorXd t = p.checked(theta);
                mlec::GradientCheck check;
                {
                    py::gil_scoped_release release;
                    const std::lock_guard lock(p.bound->busy);
                    check = mlec::check_gradient(p.problem(), t, "given point");
                }
                py::dict d;
                d["max_abs_error"] = check.max_abs_error;
                d["max_rel_error"] = check.max_rel_error;
                d["parameter"] = check.parameter;
                return d;
            },
            py::arg("theta"),
            "The exact gradient at theta (the optimizer's scale) against Richardson-extrapolated central "
            "differences, as --check-gradient: {max_abs_error, max_rel_error, parameter}.")
        .def(
            "fit",
            [](const PyProblem& p, const std::string& method, int max_iterations, double tolerance, double confidence,
               const std::string& ci, int starts, long long seed, const py::object& on_iteration,
               const py::object& fixed, const py::object& start, int bootstrap) {
                return run_fit(p.bound,
                               fit_options(method, max_iterations, tolerance, confidence, ci, starts, seed,
                                           on_iteration, fixed, start, bootstrap),
                               on_iteration);
            },
            py::kw_only(), py::arg("method") = "auto", py::arg("max_iterations") = 3000, py::arg("tolerance") = 1e-8,
            py::arg("confidence") = 0.95, py::arg("ci") = "wald", py::arg("starts") = 1, py::arg("seed") = 1,
            py::arg("on_iteration") = py::none(), py::arg("fixed") = py::none(), py::arg("start") = py::none(),
            py::arg("bootstrap") = 0, "Fit this problem; the same options as mlec.fit.");
}

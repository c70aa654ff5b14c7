// Python arguments into a bound Problem (python/bound.hpp).
#include "python/bound.hpp"

#include <cmath>
#include <span>
#include <unordered_map>
#include <utility>

#include "python/errors.hpp"

namespace mlec::python {

namespace {

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

}  // namespace

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

std::shared_ptr<Bound> new_data(const py::object& data) {
    auto bound = std::make_shared<Bound>();
    mlec::Diagnostics diagnostics;
    load_data(*bound, data, "newdata", diagnostics);
    return bound;
}

}  // namespace mlec::python

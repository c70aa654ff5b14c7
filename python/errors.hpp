// The module's exceptions: loading or binding failures become ModelError /
// DataError (subclasses of ValueError) carrying the text the CLI prints.
#pragma once

#include <stdexcept>
#include <string>

#include "mlec/diagnostic.hpp"

namespace mlec::python {

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
std::string message_of(const mlec::Diagnostics& diagnostics);

// The exception for failed loading or binding: the category of the first
// error decides, as it decides the CLI's exit code; a file that cannot be
// opened (Category::usage) belongs to the stage that tried to open it.
enum class Stage { model, data };

[[noreturn]] void throw_diagnostics(const mlec::Diagnostics& diagnostics, Stage stage);

}  // namespace mlec::python

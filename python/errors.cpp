// Diagnostics into the module's exceptions.
#include "python/errors.hpp"

namespace mlec::python {

std::string message_of(const mlec::Diagnostics& diagnostics) {
    std::string text = mlec::format(diagnostics);
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
}

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

}  // namespace mlec::python

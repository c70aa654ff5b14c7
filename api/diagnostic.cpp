#include "mlec/diagnostic.hpp"

#include <algorithm>

namespace mlec {

namespace {

const char* severity_word(Severity severity) {
    switch (severity) {
        case Severity::error: return "error";
        case Severity::warning: return "warning";
        case Severity::note: return "note";
    }
    return "error";
}

// The blank prefix that puts the caret under `column`: one space per
// character of the source line before it, but tabs copied as tabs so the
// caret lines up whatever the terminal's tab width is.
std::string caret_indent(const std::string& line, int column) {
    std::string indent;
    int characters = 0;
    for (std::size_t i = 0; i < line.size() && characters < column - 1; ++i) {
        const auto byte = static_cast<unsigned char>(line[i]);
        if ((byte & 0xC0U) == 0x80U) {
            continue;  // a UTF-8 continuation byte: same character
        }
        indent += line[i] == '\t' ? '\t' : ' ';
        ++characters;
    }
    // A caret just past the end of the line (e.g. "expected ')'").
    indent.append(static_cast<std::size_t>(std::max(0, column - 1 - characters)), ' ');
    return indent;
}

}  // namespace

std::string format(const Diagnostic& d) {
    std::string out = d.file;
    if (d.line > 0) {
        out += ':' + std::to_string(d.line) + ':' + std::to_string(std::max(d.column, 1));
    }
    out += ": ";
    out += severity_word(d.severity);
    out += ": ";
    out += d.message;
    out += '\n';
    if (d.line > 0 && !d.source_line.empty()) {
        out += "    " + d.source_line + '\n';
        out += "    " + caret_indent(d.source_line, std::max(d.column, 1));
        out.append(static_cast<std::size_t>(std::max(d.caret_length, 1)), '^');
        out += '\n';
    }
    return out;
}

std::string format(const Diagnostics& ds) {
    std::string out;
    for (const Diagnostic& d : ds) {
        out += format(d);
    }
    return out;
}

bool has_error(const Diagnostics& ds) {
    return std::any_of(ds.begin(), ds.end(),
                       [](const Diagnostic& d) { return d.severity == Severity::error; });
}

}  // namespace mlec

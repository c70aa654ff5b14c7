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

// A line longer than this many characters is shown as a window around the
// caret, `window_context` characters on each side, its cut ends marked
// "...": a 100 MB CSV row or a 1 MB identifier must not turn into a message
// of the same size. Shorter lines are shown whole.
constexpr int max_shown_characters = 1000;
constexpr int window_context = 100;

struct ShownLine {
    std::string text;
    int column = 1;
    int caret_length = 1;
};

bool starts_character(char c) { return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U; }

// The byte where character `k` (0-based) of `line` begins; its size past the end.
std::size_t byte_of_character(const std::string& line, int k) {
    int seen = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
        if (starts_character(line[i]) && seen++ == k) return i;
    }
    return line.size();
}

ShownLine shown_line(const Diagnostic& d) {
    const int column = std::max(d.column, 1);
    const int caret_length = std::max(d.caret_length, 1);
    const auto characters =
        static_cast<int>(std::count_if(d.source_line.begin(), d.source_line.end(), starts_character));
    if (characters <= max_shown_characters) return {d.source_line, column, caret_length};
    const int first = std::clamp(column - 1 - window_context, 0, characters);
    const int last = static_cast<int>(std::clamp<long long>(column - 1LL + window_context, first, characters));
    const std::size_t begin = byte_of_character(d.source_line, first);
    const std::size_t end = byte_of_character(d.source_line, last);
    ShownLine shown;
    if (first > 0) shown.text = "...";
    shown.text += d.source_line.substr(begin, end - begin);
    if (last < characters) shown.text += "...";
    shown.column = column - first + (first > 0 ? 3 : 0);
    // The caret stops where the window does.
    shown.caret_length = std::clamp(last - (column - 1), 1, caret_length);
    return shown;
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
        const ShownLine shown = shown_line(d);
        out += "    " + shown.text + '\n';
        out += "    " + caret_indent(shown.text, shown.column);
        out.append(static_cast<std::size_t>(shown.caret_length), '^');
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
    return std::any_of(ds.begin(), ds.end(), [](const Diagnostic& d) { return d.severity == Severity::error; });
}

}  // namespace mlec

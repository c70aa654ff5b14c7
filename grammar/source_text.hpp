// A source file held in memory, with the line index needed to turn byte
// offsets into line:column positions and to quote the line in a diagnostic.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mlec/diagnostic.hpp"

namespace mlec {

// Byte offsets [begin, end) into a source text.
struct Span {
    std::uint32_t begin = 0;
    std::uint32_t end = 0;
};

struct LineColumn {
    int line = 1;    // 1-based
    int column = 1;  // 1-based, counted in UTF-8 code points
};

class SourceText {
public:
    SourceText() = default;
    SourceText(std::string name, std::string text);

    const std::string& name() const { return name_; }
    const std::string& text() const { return text_; }

    LineColumn locate(std::uint32_t offset) const;
    // The line's text without its line terminator ("\n" or "\r\n").
    std::string_view line_text(int line) const;

    // A diagnostic positioned at `span` (caret under the span's characters).
    Diagnostic diagnostic(Span span, std::string message, Category category = Category::model,
                          Severity severity = Severity::error) const;

private:
    std::string name_;
    std::string text_;
    std::vector<std::uint32_t> line_starts_;
};

}  // namespace mlec

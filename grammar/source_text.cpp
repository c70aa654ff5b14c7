#include "grammar/source_text.hpp"

#include <algorithm>

namespace mlec {

namespace {

// UTF-8 continuation bytes are 10xxxxxx; every other byte starts a code point,
// so counting non-continuation bytes counts characters.
bool is_continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U; }

int count_code_points(std::string_view text) {
    return static_cast<int>(std::count_if(text.begin(), text.end(), [](char c) { return !is_continuation_byte(c); }));
}

}  // namespace

SourceText::SourceText(std::string name, std::string text) : name_(std::move(name)), text_(std::move(text)) {
    // A UTF-8 byte order mark is not part of line 1: columns count from
    // after it, as an editor shows them, and the quoted line leaves it out.
    line_starts_.push_back(text_.starts_with("\xEF\xBB\xBF") ? 3 : 0);
    for (std::size_t i = 0; i < text_.size(); ++i) {
        if (text_[i] == '\n') {
            line_starts_.push_back(static_cast<std::uint32_t>(i + 1));
        }
    }
}

LineColumn SourceText::locate(std::uint32_t offset) const {
    offset = std::clamp<std::uint32_t>(offset, line_starts_.front(), static_cast<std::uint32_t>(text_.size()));
    // The last line start not after `offset`.
    const auto next = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
    const auto line_index = static_cast<std::size_t>(next - line_starts_.begin()) - 1;
    const std::uint32_t start = line_starts_[line_index];
    LineColumn position;
    position.line = static_cast<int>(line_index) + 1;
    position.column = 1 + count_code_points(std::string_view(text_).substr(start, offset - start));
    return position;
}

std::string_view SourceText::line_text(int line) const {
    if (line < 1 || static_cast<std::size_t>(line) > line_starts_.size()) {
        return {};
    }
    const std::size_t begin = line_starts_[static_cast<std::size_t>(line) - 1];
    std::size_t end = static_cast<std::size_t>(line) < line_starts_.size()
                          ? line_starts_[static_cast<std::size_t>(line)] - 1  // at the '\n'
                          : text_.size();
    if (end > begin && text_[end - 1] == '\r') {
        --end;
    }
    return std::string_view(text_).substr(begin, end - begin);
}

Diagnostic SourceText::diagnostic(Span span, std::string message, Category category, Severity severity) const {
    const LineColumn position = locate(span.begin);
    Diagnostic d;
    d.severity = severity;
    d.category = category;
    d.file = name_;
    d.line = position.line;
    d.column = position.column;
    d.message = std::move(message);
    d.source_line = std::string(line_text(position.line));
    // Underline the span's characters on its first line only.
    const std::size_t line_begin = line_starts_[static_cast<std::size_t>(position.line) - 1];
    const std::size_t line_end = line_begin + d.source_line.size();
    const std::size_t begin = std::min<std::size_t>(span.begin, line_end);
    const std::size_t end = std::clamp<std::size_t>(span.end, begin, line_end);
    d.caret_length = std::max(1, count_code_points(std::string_view(text_).substr(begin, end - begin)));
    return d;
}

}  // namespace mlec

// The CSV reader (data/csv.hpp): opening a file or text, its header, the
// accessors, and the position of a field for later stages' errors. Parts of
// a file are csv_parts.cpp, the threaded load csv_load.cpp, categories
// categories.cpp.
#include "data/csv.hpp"

#include <cstring>
#include <string_view>

#include "data/csv_impl.hpp"

namespace mlec::data {

bool CsvFile::Impl::read_header(Diagnostics& diagnostics) {
    if (begin == stop) {
        diagnostics.push_back(unpositioned("file is empty"));
        return false;
    }
    Line line = line_at(begin, stop);
    data_begin = line.next;
    if (is_blank(line.begin, line.end)) {
        diagnostics.push_back(
            at(1, line, line.begin, line.begin, "line 1 should hold the column names, but it is empty"));
        return false;
    }
    // A '\r' not followed by '\n' ends lines only in files from classic Mac
    // OS; read as one line they would give a header of odd names.
    if (const auto* cr =
            static_cast<const char*>(std::memchr(line.begin, '\r', static_cast<std::size_t>(line.end - line.begin)))) {
        // (the line is quoted up to the '\r': printed, it would move the
        // cursor back over what came before)
        diagnostics.push_back(at(1, Line{line.begin, cr, line.next}, cr, cr,
                                 "carriage return (\\r) inside the header line: lines must end with "
                                 "\\n or \\r\\n"));
        return false;
    }
    const char* f = line.begin;
    for (int column = 1;; ++column) {
        bool unclosed = false;
        const char* e = field_end(f, line.end, unclosed);
        Trimmed t = trim(f, e);
        if (unclosed) {
            diagnostics.push_back(at(
                1, line, t.begin, t.end,
                "the quoted name of column " + std::to_string(column) + " of the header is not closed on this line"));
            return false;
        }
        std::string name = unquote(t.begin, t.end);
        if (name.empty()) {
            diagnostics.push_back(
                at(1, line, t.begin, t.end, "column " + std::to_string(column) + " of the header has no name"));
            return false;
        }
        auto [it, inserted] = index.emplace(name, column - 1);
        if (!inserted) {
            diagnostics.push_back(at(1, line, t.begin, t.end,
                                     "column '" + excerpt(name.data(), name.data() + name.size()) +
                                         "' appears twice in the header (first as column " +
                                         std::to_string(it->second + 1) + ")"));
            return false;
        }
        header.push_back(std::move(name));
        if (e == line.end) break;
        f = e + 1;
    }
    return true;
}

CsvFile::CsvFile(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CsvFile::~CsvFile() = default;

std::unique_ptr<CsvFile> CsvFile::open(const std::string& path, const std::string& display_name,
                                       Diagnostics& diagnostics) {
    return open_part(path, display_name, CsvPart{}, diagnostics);
}

std::unique_ptr<CsvFile> CsvFile::from_text(std::string text, const std::string& display_name,
                                            Diagnostics& diagnostics) {
    return from_text_part(std::move(text), display_name, CsvPart{}, diagnostics);
}

std::unique_ptr<CsvFile> CsvFile::open_part(const std::string& path, const std::string& display_name, CsvPart part,
                                            Diagnostics& diagnostics) {
    auto impl = std::make_unique<Impl>();
    impl->name = display_name;
    if (auto error = Impl::bad_part(part)) {
        diagnostics.push_back(impl->unpositioned(std::move(*error), Category::usage));
        return nullptr;
    }
    std::string error;
    if (!impl->file.open(path, error)) {
        diagnostics.push_back(impl->unpositioned("cannot open file: " + error, Category::usage));
        return nullptr;
    }
    std::string_view bytes = impl->file.bytes();
    if (bytes.starts_with(utf8_bom)) bytes.remove_prefix(utf8_bom.size());
    impl->begin = bytes.data();
    impl->stop = bytes.data() + bytes.size();
    if (!impl->read_header(diagnostics)) return nullptr;
    impl->select_part(part);
    return std::unique_ptr<CsvFile>(new CsvFile(std::move(impl)));
}

std::unique_ptr<CsvFile> CsvFile::from_text_part(std::string text, const std::string& display_name, CsvPart part,
                                                 Diagnostics& diagnostics) {
    auto impl = std::make_unique<Impl>();
    impl->name = display_name;
    if (auto error = Impl::bad_part(part)) {
        diagnostics.push_back(impl->unpositioned(std::move(*error), Category::usage));
        return nullptr;
    }
    impl->text = std::move(text);
    // Pointers are taken only now that the string sits in its final place.
    std::string_view bytes = impl->text;
    if (bytes.starts_with(utf8_bom)) bytes.remove_prefix(utf8_bom.size());
    impl->begin = bytes.data();
    impl->stop = bytes.data() + bytes.size();
    if (!impl->read_header(diagnostics)) return nullptr;
    impl->select_part(part);
    return std::unique_ptr<CsvFile>(new CsvFile(std::move(impl)));
}

const std::string& CsvFile::name() const { return impl_->name; }

const std::vector<std::string>& CsvFile::header() const { return impl_->header; }

std::optional<int> CsvFile::column_index(std::string_view name) const {
    auto it = impl_->index.find(name);
    if (it == impl_->index.end()) return std::nullopt;
    return it->second;
}

std::size_t CsvFile::rows() const { return impl_->rows.load(); }

Diagnostic CsvFile::field_error(std::size_t row, int column, std::string message) const {
    const Impl& m = *impl_;
    const char* p = m.part_begin;
    for (std::size_t r = 0; r < row && p < m.part_end; ++r) p = line_at(p, m.part_end).next;
    if (p >= m.part_end || column < 0 || column >= static_cast<int>(m.header.size()))
        return m.unpositioned(std::move(message));
    const Line line = line_at(p, m.part_end);
    const int line_number = m.line_number(row);
    const char* f = line.begin;
    for (int field = 0;; ++field) {
        bool unclosed = false;
        const char* e = field_end(f, line.end, unclosed);
        if (field == column) {
            Trimmed t = trim(f, e);
            return m.at(line_number, line, t.begin, t.end, std::move(message));
        }
        if (e == line.end) break;
        f = e + 1;
    }
    return m.at(line_number, line, line.end, line.end, std::move(message));
}

}  // namespace mlec::data

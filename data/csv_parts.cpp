// Parts of a CSV file for a distributed read (CsvFile::open_part): where
// each part's lines lie, what a part knows of itself alone, and where it is
// placed in the whole file once every part's shape is known.
#include <cstdint>

#include "data/csv_impl.hpp"

namespace mlec::data {

// A part that cannot exist is the caller's mistake, said before any reading.
// (count is kept below 2^32 so that the cut arithmetic cannot overflow.)
std::optional<std::string> CsvFile::Impl::bad_part(CsvPart part) {
    if (part.count == 0 || part.count > (std::size_t{1} << 32) || part.index >= part.count)
        return "part " + std::to_string(part.index) + " of " + std::to_string(part.count) + " does not exist";
    return std::nullopt;
}

void CsvFile::Impl::select_part(CsvPart part) {
    // floor(bytes * k / count) without a 128-bit product: with bytes =
    // q * count + r it is q * k + floor(r * k / count), and r * k < count^2
    // fits in 64 bits for count <= 2^32.
    const auto bytes = static_cast<std::uint64_t>(stop - data_begin);
    const std::uint64_t q = bytes / part.count;
    const std::uint64_t r = bytes % part.count;
    auto start = [&](std::size_t k) -> const char* {
        if (k == part.count) return stop;
        const char* cut = data_begin + (q * k + r * k / part.count);
        return cut == data_begin ? cut : line_at(cut - 1, stop).next;
    };
    part_begin = start(part.index);
    part_end = start(part.index + 1);
    is_part = part.count > 1;
    placed = !is_part;
}

bool CsvFile::Impl::check_placed(Diagnostics& diagnostics) const {
    if (placed) return true;
    diagnostics.push_back(unpositioned("a part of the file was read before place_part", Category::usage));
    return false;
}

const char* CsvFile::Impl::rows_end() const {
    if (content_follows) return part_end;
    const char* end = part_end;
    while (end > part_begin && (is_space(end[-1]) || end[-1] == '\r' || end[-1] == '\n')) --end;
    return end > part_begin ? line_at(end - 1, part_end).next : part_begin;
}

CsvFile::PartShape CsvFile::part_shape() const {
    const Impl& m = *impl_;
    PartShape shape;
    shape.lines = count_newlines(m.part_begin, m.part_end);
    if (m.part_end > m.part_begin && m.part_end[-1] != '\n') ++shape.lines;
    shape.has_content = !is_blank(m.part_begin, m.part_end);
    return shape;
}

void CsvFile::place_part(std::size_t first_line, std::size_t first_row, bool content_follows) {
    Impl& m = *impl_;
    m.first_line = first_line;
    m.first_row = first_row;
    m.content_follows = content_follows;
    m.placed = true;
}

}  // namespace mlec::data

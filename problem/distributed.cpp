#include "problem/distributed.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace mlec::problem {

namespace {

// Length-prefixed fields: what one rank writes, another reads back.
class Writer {
public:
    void u64(std::uint64_t v) { out_.append(reinterpret_cast<const char*>(&v), sizeof v); }
    void str(std::string_view s) {
        u64(s.size());
        out_.append(s);
    }
    std::string take() { return std::move(out_); }

private:
    std::string out_;
};

class Reader {
public:
    explicit Reader(std::string_view in) : in_(in) {}
    bool done() const { return in_.empty(); }
    std::uint64_t u64() {
        std::uint64_t v = 0;
        if (in_.size() < sizeof v) return 0;
        std::memcpy(&v, in_.data(), sizeof v);
        in_.remove_prefix(sizeof v);
        return v;
    }
    std::string str() {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(u64(), in_.size()));
        std::string s(in_.substr(0, n));
        in_.remove_prefix(n);
        return s;
    }

private:
    std::string_view in_;
};

}  // namespace

std::string encode_strings(const std::vector<std::string>& v) {
    Writer w;
    for (const std::string& s : v) w.str(s);
    return w.take();
}

std::vector<std::string> decode_strings(std::string_view bytes) {
    Reader r(bytes);
    std::vector<std::string> out;
    while (!r.done()) out.push_back(r.str());
    return out;
}

std::string encode(const Diagnostics& ds) {
    Writer w;
    for (const Diagnostic& d : ds) {
        w.u64(static_cast<std::uint64_t>(d.severity));
        w.u64(static_cast<std::uint64_t>(d.category));
        w.str(d.file);
        w.u64(static_cast<std::uint64_t>(static_cast<std::int64_t>(d.line)));
        w.u64(static_cast<std::uint64_t>(static_cast<std::int64_t>(d.column)));
        w.str(d.message);
        w.str(d.source_line);
        w.u64(static_cast<std::uint64_t>(static_cast<std::int64_t>(d.caret_length)));
    }
    return w.take();
}

Diagnostics decode(std::string_view bytes) {
    Reader r(bytes);
    Diagnostics out;
    while (!r.done()) {
        Diagnostic d;
        d.severity = static_cast<Severity>(r.u64());
        d.category = static_cast<Category>(r.u64());
        d.file = r.str();
        d.line = static_cast<int>(static_cast<std::int64_t>(r.u64()));
        d.column = static_cast<int>(static_cast<std::int64_t>(r.u64()));
        d.message = r.str();
        d.source_line = r.str();
        d.caret_length = static_cast<int>(static_cast<std::int64_t>(r.u64()));
        out.push_back(std::move(d));
    }
    return out;
}

std::optional<Diagnostics> first_failure(rt::Collective& c, const Diagnostics* mine) {
    // A failed rank sends "1" and its diagnostics, a rank that did not "0".
    // (appended, not "1" + encode(...): GCC 12 warns falsely of an
    // overlapping memcpy in that operator+)
    std::string message(1, mine ? '1' : '0');
    if (mine) message += encode(*mine);
    const std::vector<std::string> all = c.all_gather(message);
    for (const std::string& bytes : all)
        if (!bytes.empty() && bytes[0] == '1') return decode(std::string_view(bytes).substr(1));
    return std::nullopt;
}

bool agree(rt::Collective* c, bool ok, const Diagnostics& local, Diagnostics& diagnostics) {
    if (!c) {
        diagnostics.insert(diagnostics.end(), local.begin(), local.end());
        return ok;
    }
    if (auto failure = first_failure(*c, ok ? nullptr : &local)) {
        diagnostics.insert(diagnostics.end(), failure->begin(), failure->end());
        return false;
    }
    return true;
}

std::optional<interp::Levels> agree_levels(rt::Collective& c, const data::Table& table, int column, bool missing_as_nan,
                                           Diagnostics& diagnostics) {
    Diagnostics local;
    auto texts = table.load_category_texts(column, local, missing_as_nan);
    if (!agree(&c, texts.has_value(), local, diagnostics)) return std::nullopt;
    std::vector<std::vector<std::string>> parts;
    bool any_rows = false;
    for (const std::string& bytes : c.all_gather(encode_strings(texts->texts))) parts.push_back(decode_strings(bytes));
    for (std::uint64_t n : rt::all_gather_u64(c, texts->codes.size())) any_rows = any_rows || n > 0;
    if (!any_rows) {
        diagnostics.push_back(Diagnostic::error(Category::data, table.name(), "no data rows after the header"));
        return std::nullopt;
    }
    data::CsvFile::Categories mine = data::categories_of_part(
        data::merge_category_texts(parts), static_cast<std::size_t>(c.rank()), std::move(texts->codes));
    // Each level's rows over all ranks, for what depends on the whole
    // column (an ordinal model's start values): the same on every rank.
    std::vector<std::int64_t> counts(mine.levels.size(), 0);
    for (const double code : mine.codes)
        if (code >= 1 && code <= static_cast<double>(counts.size())) ++counts[static_cast<std::size_t>(code) - 1];
    c.sum(counts);
    return interp::Levels{std::move(mine.levels), std::move(mine.codes), mine.numeric, std::move(counts)};
}

std::size_t place_part(rt::Collective& c, data::CsvFile& part) {
    const data::CsvFile::PartShape shape = part.part_shape();
    const std::vector<std::uint64_t> lines = rt::all_gather_u64(c, shape.lines);
    const std::vector<std::uint64_t> content = rt::all_gather_u64(c, shape.has_content ? 1 : 0);
    std::size_t before = 0;
    bool content_follows = false;
    for (std::size_t r = 0; r < lines.size(); ++r) {
        if (static_cast<int>(r) < c.rank()) before += lines[r];
        if (static_cast<int>(r) > c.rank() && content[r]) content_follows = true;
    }
    part.place_part(2 + before, before, content_follows);  // the header is line 1
    return before;
}

RowCounts count_rows(rt::Collective& c, std::size_t rows) {
    RowCounts out;
    const std::vector<std::uint64_t> all = rt::all_gather_u64(c, rows);
    for (std::size_t r = 0; r < all.size(); ++r) {
        if (static_cast<int>(r) < c.rank()) out.first_row += all[r];
        out.total_rows += all[r];
        out.rows_of_rank.push_back(all[r]);
    }
    return out;
}

RowCounts align_rows(rt::Collective& c, std::vector<std::span<const double>>& columns,
                     std::vector<std::vector<double>>& storage, std::size_t& local_rows, std::size_t block_rows,
                     std::size_t& aligned_first_row) {
    const RowCounts counts = count_rows(c, local_rows);
    const std::size_t ranks = counts.rows_of_rank.size();
    const std::size_t n = counts.total_rows;
    // The evaluator's blocks: as many rows as a single machine would put in
    // one (fewer when all the data are fewer).
    const std::size_t block = std::max<std::size_t>(1, std::min(block_rows, std::max<std::size_t>(n, 1)));
    // Rank j holds rows [start[j], start[j + 1]) now and will hold
    // [target[j], target[j + 1]): its first row rounded up to a block.
    std::vector<std::size_t> start(ranks + 1, 0), target(ranks + 1, n);
    for (std::size_t j = 0; j < ranks; ++j) start[j + 1] = start[j] + counts.rows_of_rank[j];
    target[0] = 0;
    for (std::size_t j = 1; j < ranks; ++j) target[j] = std::min(n, (start[j] + block - 1) / block * block);

    const auto me = static_cast<std::size_t>(c.rank());
    const std::size_t begin = start[me], end = start[me + 1];
    // Rows go only to earlier ranks (targets are rounded up), as column-major
    // doubles.
    std::vector<std::string> send(ranks);
    for (std::size_t j = 0; j < ranks; ++j) {
        const std::size_t lo = std::max(begin, target[j]), hi = std::min(end, target[j + 1]);
        if (j == me || lo >= hi) continue;
        for (std::span<const double> column : columns)
            send[j].append(reinterpret_cast<const char*>(column.data() + (lo - begin)), (hi - lo) * sizeof(double));
    }
    const std::vector<std::string> received = c.all_to_all(send);
    struct Tail {
        std::string_view bytes;
        std::size_t rows;
    };
    std::vector<Tail> tails;
    std::size_t tail_rows = 0;
    for (std::size_t j = me + 1; j < ranks; ++j) {
        const std::size_t lo = std::max(start[j], target[me]), hi = std::min(start[j + 1], target[me + 1]);
        if (lo >= hi) continue;
        tails.push_back({received[j], hi - lo});
        tail_rows += hi - lo;
    }

    const std::size_t keep_lo = std::min(std::max(begin, target[me]), end);
    const std::size_t keep_hi = std::max(keep_lo, std::min(end, target[me + 1]));
    const std::size_t rows = keep_hi - keep_lo + tail_rows;
    for (std::size_t k = 0; k < columns.size(); ++k) {
        const std::span<const double> old = columns[k];
        // The column's own buffer if it has one (a parsed column, group
        // codes): the kept rows stay where they are and the rows received
        // are appended (into reserved room: no copy). A view of the
        // caller's memory is copied.
        std::vector<double>* own = nullptr;
        for (std::vector<double>& v : storage)
            if (v.data() == old.data() && v.size() == old.size()) own = &v;
        if (!own || (tail_rows > 0 && keep_hi != end)) {
            storage.emplace_back(old.begin(), old.end());
            own = &storage.back();
        }
        for (const Tail& t : tails) {  // column k of each, rank after rank
            const char* from = t.bytes.data() + k * t.rows * sizeof(double);
            const std::size_t before = own->size();
            own->resize(before + t.rows);
            std::memcpy(own->data() + before, from, t.rows * sizeof(double));
        }
        columns[k] = std::span<const double>(own->data() + (keep_lo - begin), rows);
    }
    local_rows = rows;
    aligned_first_row = target[me];
    return counts;
}

}  // namespace mlec::problem

// Reading a CSV file in parts (one per process of a distributed fit): every
// part parses only its own lines, and the parts together give exactly what
// the whole-file reader gives — the same doubles bit for bit, the same row
// count, the same group levels and codes, and, for a malformed file, the
// first error of the lowest failing part is the whole file's single
// diagnostic (same file, line, column, caret, message and quoted line).
// The test plays the lead: it opens every part, places each from the
// prefix sums of the parts' shapes, and joins what they read.
#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "data/csv.hpp"

namespace {

using mlec::Diagnostic;
using mlec::Diagnostics;
using mlec::data::CsvFile;
using mlec::data::CsvPart;
using mlec::data::merge_category_texts;

const std::vector<std::size_t> part_counts{1, 2, 3, 4, 7};

bool same_bits(double a, double b) {
    return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b) || (std::isnan(a) && std::isnan(b));
}

void check_same(const Diagnostic& a, const Diagnostic& b) {
    CHECK(a.message == b.message);
    CHECK(a.file == b.file);
    CHECK(a.line == b.line);
    CHECK(a.column == b.column);
    CHECK(a.caret_length == b.caret_length);
    CHECK(a.source_line == b.source_line);
    CHECK(a.category == b.category);
    CHECK(a.severity == b.severity);
}

// Every part of `count`, placed as the lead places them: part k's first line
// follows the lines of parts 0..k-1 (the header is line 1), and content
// follows it when a later part has a line that is not blank.
std::vector<std::unique_ptr<CsvFile>> open_parts(const std::string& text, std::size_t count) {
    std::vector<std::unique_ptr<CsvFile>> parts;
    std::vector<CsvFile::PartShape> shapes;
    for (std::size_t k = 0; k < count; ++k) {
        Diagnostics ds;
        parts.push_back(CsvFile::from_text_part(text, "data.csv", CsvPart{k, count}, ds));
        REQUIRE(parts.back());
        REQUIRE(ds.empty());
        shapes.push_back(parts.back()->part_shape());
    }
    std::size_t lines_before = 0;
    for (std::size_t k = 0; k < count; ++k) {
        bool content_follows = false;
        for (std::size_t j = k + 1; j < count; ++j) content_follows = content_follows || shapes[j].has_content;
        parts[k]->place_part(2 + lines_before, lines_before, content_follows);
        lines_before += shapes[k].lines;
    }
    return parts;
}

// The data lines of `text` after the header, counted independently of the
// reader: every '\n' ends one, and a last line without one counts too.
std::size_t data_lines(const std::string& text) {
    const std::size_t header_end = text.find('\n');
    if (header_end == std::string::npos) return 0;
    std::size_t n = 0;
    for (std::size_t i = header_end + 1; i < text.size(); ++i) n += text[i] == '\n' ? 1 : 0;
    if (text.size() > header_end + 1 && text.back() != '\n') ++n;
    return n;
}

// Data line `index` (0-based) of `text` without its line end.
std::string data_line(const std::string& text, std::size_t index) {
    std::size_t begin = text.find('\n') + 1;
    for (std::size_t i = 0; i < index; ++i) begin = text.find('\n', begin) + 1;
    std::size_t end = std::min(text.find('\n', begin), text.size());
    if (end > begin && text[end - 1] == '\r') --end;
    return text.substr(begin, end - begin);
}

struct Outcome {
    std::optional<std::vector<std::vector<double>>> columns;
    std::optional<Diagnostic> error;
    std::size_t rows = 0;
};

Outcome whole_load(const std::string& text, const std::vector<int>& which, bool missing_as_nan) {
    Diagnostics ds;
    auto csv = CsvFile::from_text(text, "data.csv", ds);
    REQUIRE(csv);
    Outcome out;
    out.columns = csv->load(which, ds, missing_as_nan, 1);
    if (!out.columns) {
        REQUIRE(ds.size() == 1);
        out.error = ds.front();
    } else {
        REQUIRE(ds.empty());
        out.rows = csv->rows();
    }
    return out;
}

// The parts' columns joined in part order, or the error of the lowest part
// that has one. Each column must have room for `spare` more values.
Outcome parts_load(const std::vector<std::unique_ptr<CsvFile>>& parts, const std::vector<int>& which,
                   bool missing_as_nan, int threads, std::size_t spare) {
    Outcome out;
    out.columns.emplace(which.size());
    for (const auto& part : parts) {
        Diagnostics ds;
        auto columns = part->load(which, ds, missing_as_nan, threads, spare);
        if (!columns) {
            REQUIRE(ds.size() == 1);
            if (!out.error) out.error = ds.front();
            continue;
        }
        REQUIRE(ds.empty());
        REQUIRE(columns->size() == which.size());
        for (std::size_t c = 0; c < which.size(); ++c) {
            const auto& column = (*columns)[c];
            CHECK(column.size() == part->rows());
            CHECK(column.capacity() >= column.size() + spare);
            (*out.columns)[c].insert((*out.columns)[c].end(), column.begin(), column.end());
        }
        out.rows += part->rows();
    }
    if (out.error) out.columns.reset();
    return out;
}

// Parts and whole file agree: the same columns and rows, or the same error.
// "no data rows after the header" is the lead's to raise when no part has a
// row: then every part reads nothing and none has content.
void check_load(const std::string& text, const std::vector<int>& which, bool missing_as_nan, std::size_t count,
                int threads = 1, std::size_t spare = 0) {
    INFO("parts " << count << ", threads " << threads);
    const Outcome whole = whole_load(text, which, missing_as_nan);
    const auto parts = open_parts(text, count);
    std::size_t lines = 0;
    bool content = false;
    for (const auto& part : parts) {
        lines += part->part_shape().lines;
        content = content || part->part_shape().has_content;
    }
    CHECK(lines == data_lines(text));
    const Outcome joined = parts_load(parts, which, missing_as_nan, threads, spare);
    if (whole.error && whole.error->message == "no data rows after the header" && count > 1) {
        REQUIRE(joined.columns);
        CHECK(joined.rows == 0);
        CHECK_FALSE(content);
        for (const auto& column : *joined.columns) CHECK(column.empty());
        return;
    }
    if (whole.error) {
        INFO("whole-file error: " << whole.error->message);
        REQUIRE(joined.error);
        check_same(*joined.error, *whole.error);
        return;
    }
    INFO((joined.error ? "parts' error: " + joined.error->message : std::string()));
    REQUIRE(joined.columns);
    CHECK(joined.rows == whole.rows);
    REQUIRE(joined.columns->size() == whole.columns->size());
    for (std::size_t c = 0; c < which.size(); ++c) {
        const auto& a = (*joined.columns)[c];
        const auto& b = (*whole.columns)[c];
        REQUIRE(a.size() == b.size());
        std::size_t mismatches = 0;
        for (std::size_t r = 0; r < a.size(); ++r) mismatches += same_bits(a[r], b[r]) ? 0 : 1;
        INFO("column " << c);
        CHECK(mismatches == 0);
    }
}

// Group levels: the parts' distinct texts merged give the whole file's
// levels, and each part's codes mapped through its level_of_text give the
// whole file's codes; or the parts' first error is the whole file's.
void check_categories(const std::string& text, int column, bool missing_as_nan, std::size_t count) {
    INFO("parts " << count << ", column " << column);
    Diagnostics whole_ds;
    auto whole_csv = CsvFile::from_text(text, "data.csv", whole_ds);
    REQUIRE(whole_csv);
    const auto whole = whole_csv->load_categories(column, whole_ds, missing_as_nan);

    const auto parts = open_parts(text, count);
    std::vector<std::vector<std::string>> texts;
    std::vector<std::vector<double>> codes;
    std::optional<Diagnostic> error;
    for (const auto& part : parts) {
        Diagnostics ds;
        auto got = part->load_category_texts(column, ds, missing_as_nan);
        if (!got) {
            REQUIRE(ds.size() == 1);
            if (!error) error = ds.front();
            continue;
        }
        REQUIRE(ds.empty());
        for (double code : got->codes)
            if (!std::isnan(code)) REQUIRE((code >= 1 && code <= static_cast<double>(got->texts.size())));
        texts.push_back(std::move(got->texts));
        codes.push_back(std::move(got->codes));
    }
    if (!whole) {
        REQUIRE(whole_ds.size() == 1);
        if (whole_ds.front().message == "no data rows after the header" && count > 1) {
            CHECK_FALSE(error);
            for (const auto& c : codes) CHECK(c.empty());
            return;
        }
        REQUIRE(error);
        check_same(*error, whole_ds.front());
        return;
    }
    INFO((error ? "parts' error: " + error->message : std::string()));
    REQUIRE_FALSE(error);
    const auto merged = merge_category_texts(texts);
    CHECK(merged.levels == whole->levels);
    CHECK(merged.numeric == whole->numeric);
    REQUIRE(merged.level_of_text.size() == parts.size());
    std::vector<double> joined;
    for (std::size_t k = 0; k < parts.size(); ++k) {
        REQUIRE(merged.level_of_text[k].size() == texts[k].size());
        for (double code : codes[k])
            joined.push_back(std::isnan(code) ? code : merged.level_of_text[k][static_cast<std::size_t>(code) - 1]);
    }
    REQUIRE(joined.size() == whole->codes.size());
    std::size_t mismatches = 0;
    for (std::size_t r = 0; r < joined.size(); ++r) mismatches += same_bits(joined[r], whole->codes[r]) ? 0 : 1;
    CHECK(mismatches == 0);
}

// field_error on a part's local row is the whole file's at the global row.
void check_field_errors(const std::string& text, std::size_t count) {
    INFO("parts " << count);
    Diagnostics ds;
    auto whole = CsvFile::from_text(text, "data.csv", ds);
    REQUIRE(whole);
    const auto parts = open_parts(text, count);
    std::size_t first_row = 0;
    for (const auto& part : parts) {
        const std::size_t lines = part->part_shape().lines;
        for (std::size_t r = 0; r < lines; ++r)
            for (int column : {0, 2, 4, 9}) {
                INFO("row " << first_row + r << ", column " << column);
                const Diagnostic got = part->field_error(r, column, "bad cell");
                check_same(got, whole->field_error(first_row + r, column, "bad cell"));
                if (column >= static_cast<int>(whole->header().size())) {
                    CHECK(got.line == 0);  // no such column: no position
                    continue;
                }
                CHECK(got.line == static_cast<int>(first_row + r) + 2);
                CHECK(got.source_line == data_line(text, first_row + r));
            }
        // Past the part's lines there is no position to give.
        const Diagnostic past = part->field_error(lines, 0, "bad cell");
        CHECK(past.line == 0);
        CHECK(past.message == "bad cell");
        first_row += lines;
    }
}

std::string number_text(std::mt19937_64& rng) {
    const double unit = static_cast<double>(rng() >> 11) * 0x1p-53;
    const double signed_unit = (rng() & 1) != 0 ? -unit : unit;
    char buf[64];
    switch (rng() % 6) {
        case 0: std::snprintf(buf, sizeof buf, "%.17g", signed_unit * 4.0); break;
        case 1: std::snprintf(buf, sizeof buf, "+%.6f", unit * 100.0); break;
        case 2: std::snprintf(buf, sizeof buf, "%.17e", signed_unit * 1e300); break;
        case 3: std::snprintf(buf, sizeof buf, "%.17g", signed_unit * 1e-310); break;
        case 4: std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(rng() % 2000) - 1000); break;
        default: std::snprintf(buf, sizeof buf, "%.3g", signed_unit); break;
    }
    return buf;
}

std::string dressed(const std::string& cell, std::mt19937_64& rng) {
    switch (rng() % 6) {
        case 0: return " " + cell + "\t";
        case 1: return "\"" + cell + "\"";
        case 2: return " \" " + cell + "\" ";
        default: return cell;
    }
}

struct Shape {
    std::size_t rows = 100;
    bool missing = true;  // NA and empty cells in b, g and h
    bool bom = false;
    bool trailing_blanks = false;
    bool final_newline = true;
    bool text_groups = true;  // h holds words; otherwise whole numbers too
};

// Columns: a, b numbers; t text with quoted commas (never loaded); g whole
// numbers written in several ways ("+3", "03", "\"3\""); h words (quoted,
// with commas, UTF-8) or numbers; lines end in "\n" or "\r\n".
std::string generate(const Shape& shape, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    static const char* const words[] = {"alpha",
                                        "\"be,ta\"",
                                        "gamma",
                                        ("\xCE\xB4"
                                         "elta"),
                                        "\"say \"\"hi\"\"\"",
                                        "7"};
    std::string text = shape.bom ? "\xEF\xBB\xBF" : "";
    text += "a,t,b,g,h\r\n";
    for (std::size_t r = 0; r < shape.rows; ++r) {
        std::string b = dressed(number_text(rng), rng);
        const long long whole = static_cast<long long>(rng() % 9) - 3;
        std::string g = (rng() & 1) != 0 ? std::to_string(whole) : (whole >= 0 ? "+" : "") + std::to_string(whole);
        if (whole > 0 && rng() % 4 == 0) g = "0" + std::to_string(whole);
        g = dressed(g, rng);
        std::string h = shape.text_groups ? words[rng() % 6] : std::to_string(rng() % 5 * 10);
        if (shape.missing && rng() % 9 == 0) b = (rng() & 1) != 0 ? "NA" : " ";
        if (shape.missing && rng() % 11 == 0) g = (rng() & 1) != 0 ? "\"NA\"" : "";
        if (shape.missing && rng() % 13 == 0) h = "NA";
        const std::string t = (rng() & 1) != 0 ? "\"x, \"\"y\"\"\"" : "plain";
        text += dressed(number_text(rng), rng) + "," + t + "," + b + "," + g + "," + h;
        if (r + 1 < shape.rows || shape.final_newline) text += rng() % 3 == 0 ? "\r\n" : "\n";
    }
    if (shape.trailing_blanks) text += "\n  \r\n\t\n\n";
    return text;
}

// `text` with data row `row` (0-based) replaced by `line` (no line end).
std::string with_row(const std::string& text, std::size_t row, const std::string& line) {
    std::size_t begin = text.find('\n') + 1;
    for (std::size_t r = 0; r < row; ++r) begin = text.find('\n', begin) + 1;
    std::size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    if (end > begin && text[end - 1] == '\r') --end;
    return text.substr(0, begin) + line + text.substr(end);
}

}  // namespace

TEST_CASE("csv parts: the parts' columns are the whole file's", "[csv][parts]") {
    std::uint64_t seed = 1;
    for (std::size_t rows : {1, 2, 3, 5, 6, 13, 400}) {
        for (int variant = 0; variant < 4; ++variant) {
            Shape shape;
            shape.rows = rows;
            shape.bom = variant % 2 == 1;
            shape.trailing_blanks = variant == 2 || variant == 3;
            shape.final_newline = variant != 3;
            const std::string text = generate(shape, ++seed);
            INFO("rows " << rows << ", variant " << variant);
            for (std::size_t count : part_counts) {
                check_load(text, {0, 2, 3}, true, count);
                check_load(text, {2}, false, count);  // the first missing b is the error
            }
        }
    }
}

TEST_CASE("csv parts: threads within a part, repeated columns and spare room", "[csv][parts]") {
    Shape shape;
    shape.rows = 20000;
    const std::string text = generate(shape, 99);
    REQUIRE(text.size() > 300000);  // several blocks per part for the threads
    for (std::size_t count : part_counts) {
        check_load(text, {3, 0, 3}, true, count, 3, 1000);
        check_load(text, {0}, true, count, 2, 1);
    }
    // The whole file reserves room as well, and tiny or empty parts too.
    Diagnostics ds;
    auto csv = CsvFile::from_text(text, "data.csv", ds);
    REQUIRE(csv);
    auto columns = csv->load(std::vector<int>{0, 0}, ds, true, 1, 5000);
    REQUIRE(columns);
    for (const auto& column : *columns) CHECK(column.capacity() >= 20000 + 5000);
    check_load("a,b\n1,2\n", {1, 0, 1}, false, 7, 1, 64);
}

TEST_CASE("csv parts: files without data rows", "[csv][parts]") {
    for (const char* text : {"a,b\n", "a,b", "a,b\n\n \n", "a,b\r\n\r\n\t\r\n  "}) {
        INFO("text '" << text << "'");
        for (std::size_t count : part_counts) {
            check_load(text, {0, 1}, false, count, 1, 3);
            check_categories(text, 1, true, count);
        }
        // One part is the whole file, error included.
        Diagnostics ds;
        auto csv = CsvFile::from_text_part(text, "data.csv", CsvPart{0, 1}, ds);
        REQUIRE(csv);
        CHECK_FALSE(csv->load(std::vector<int>{0}, ds));
        CHECK_FALSE(csv->load_categories(0, ds));
        REQUIRE(ds.size() == 2);
        CHECK(ds[0].message == "no data rows after the header");
        CHECK(ds[1].message == "no data rows after the header");
    }
}

TEST_CASE("csv parts: the parts' shapes tile the data", "[csv][parts]") {
    // 3 data lines, 9 parts: most parts are empty, and every line is in
    // exactly one part (the line counts add up, in order).
    const std::string text = "x\n1\n22\n333";
    std::size_t lines = 0;
    std::size_t nonempty = 0;
    for (std::size_t k = 0; k < 9; ++k) {
        Diagnostics ds;
        auto part = CsvFile::from_text_part(text, "d.csv", CsvPart{k, 9}, ds);
        REQUIRE(part);
        const auto shape = part->part_shape();
        CHECK(shape.has_content == (shape.lines > 0));
        lines += shape.lines;
        nonempty += shape.lines > 0 ? 1 : 0;
    }
    CHECK(lines == 3);
    CHECK(nonempty == 3);
    // Data "1\n22\n333" is 8 bytes; with 2 parts the cut is at byte 4, the
    // middle of "22", so part 0 holds "1" and "22", part 1 "333".
    Diagnostics ds;
    auto first = CsvFile::from_text_part(text, "d.csv", CsvPart{0, 2}, ds);
    auto second = CsvFile::from_text_part(text, "d.csv", CsvPart{1, 2}, ds);
    REQUIRE(first);
    REQUIRE(second);
    CHECK(first->part_shape().lines == 2);
    CHECK(second->part_shape().lines == 1);
    // A cut right at a line start begins the part there: data "1\n2\n" is 4
    // bytes, cut at byte 2 = the start of "2".
    auto at_start = CsvFile::from_text_part("x\n1\n2\n", "d.csv", CsvPart{1, 2}, ds);
    REQUIRE(at_start);
    CHECK(at_start->part_shape().lines == 1);
    // Blank lines only: lines but no content.
    auto blank = CsvFile::from_text_part("x\n1\n \n\n", "d.csv", CsvPart{1, 2}, ds);
    REQUIRE(blank);
    CHECK(blank->part_shape().lines == 2);
    CHECK_FALSE(blank->part_shape().has_content);
    CHECK(ds.empty());
}

TEST_CASE("csv parts: an error is the whole file's error", "[csv][parts]") {
    Shape shape;
    shape.rows = 15;
    shape.missing = false;
    const std::string clean = generate(shape, 5);
    shape.rows = 300;
    const std::string larger = generate(shape, 6);
    struct Injected {
        std::string line;
        std::string message;  // what follows "row N" (checked on the whole file)
    };
    const std::vector<Injected> errors{
        {"1,t,1.2.3,4,x", ", column 'b': expected a number, found '1.2.3'"},
        {"1,t", " has 2 fields, but the header has 5"},
        {"", " is empty"},
        {" \t", " is empty"},
        {"1,\"open,2,3,x", ", column 't': the quoted field is not closed on this line"},
        {"1,t,NA,3,x", ", column 'b': missing value"},
        {"1,t,,3,x", ", column 'b': missing value"},
    };
    for (const Injected& e : errors) {
        for (const std::string* base : {&clean, &larger}) {
            const std::size_t rows = base == &clean ? 15 : 300;
            std::vector<std::size_t> at_rows;
            if (rows == 15)
                for (std::size_t r = 0; r < rows; ++r) at_rows.push_back(r);
            else at_rows = {0, 1, 42, 99, 100, 150, 201, 298, 299};
            for (std::size_t row : at_rows) {
                INFO("line '" << e.line << "' at row " << row << " of " << rows);
                const std::string text = with_row(*base, row, e.line);
                const Outcome whole = whole_load(text, {0, 2}, false);
                if (row == rows - 1 && (e.line.empty() || e.line == " \t")) {
                    CHECK(whole.columns);  // a blank last line ends the file
                } else {
                    REQUIRE(whole.error);
                    CHECK(whole.error->message == "row " + std::to_string(row + 1) + e.message);
                    CHECK(whole.error->line == static_cast<int>(row) + 2);
                }
                for (std::size_t count : part_counts) check_load(text, {0, 2}, false, count);
            }
        }
    }
}

TEST_CASE("csv parts: blank rows across part boundaries", "[csv][parts]") {
    // Blank lines at every place, alone or in runs, followed by content or
    // by nothing: the parts must tell an empty row from the end of the file
    // exactly as the whole file does, wherever the cuts fall.
    Shape shape;
    shape.rows = 12;
    shape.missing = false;
    const std::string base = generate(shape, 8);
    for (std::size_t row = 0; row < 12; ++row)
        for (std::size_t run = 1; run <= 3 && row + run <= 12; ++run) {
            std::string text = base;
            for (std::size_t r = row; r < row + run; ++r) text = with_row(text, r, (r % 2) != 0 ? " " : "");
            INFO("blank rows " << row << ".." << row + run - 1);
            for (std::size_t count : part_counts) {
                check_load(text, {0, 2}, false, count);
                check_categories(text, 4, false, count);
            }
        }
}

TEST_CASE("csv parts: group levels merged across parts", "[csv][parts]") {
    std::uint64_t seed = 20;
    for (std::size_t rows : {1, 4, 9, 250}) {
        for (bool text_groups : {true, false}) {
            Shape shape;
            shape.rows = rows;
            shape.text_groups = text_groups;
            shape.trailing_blanks = rows % 2 == 0;
            shape.bom = rows == 9;
            const std::string text = generate(shape, ++seed);
            INFO("rows " << rows << (text_groups ? ", text groups" : ", numeric groups"));
            for (std::size_t count : part_counts) {
                check_categories(text, 3, true, count);   // g: whole numbers
                check_categories(text, 4, true, count);   // h: words or numbers
                check_categories(text, 3, false, count);  // the first missing cell is the error
                check_categories(text, 4, false, count);
            }
        }
    }
    // Too few fields for the column.
    for (std::size_t count : part_counts) check_categories("a,b\n1,2\n3,4\n5\n6,7\n", 1, false, count);
}

TEST_CASE("csv parts: merge_category_texts", "[csv][parts]") {
    // Whole numbers in any spelling: one ascending level per value, named
    // by its shortest text.
    const std::vector<std::vector<std::string>> numbers{{"10"}, {}, {"+2", "02", "10", "-3"}};
    auto merged = merge_category_texts(numbers);
    CHECK(merged.numeric);
    CHECK(merged.levels == std::vector<std::string>{"-3", "2", "10"});
    REQUIRE(merged.level_of_text.size() == 3);
    CHECK(merged.level_of_text[0] == std::vector<double>{3});
    CHECK(merged.level_of_text[1].empty());
    CHECK(merged.level_of_text[2] == std::vector<double>{2, 2, 3, 1});
    // One text that is not a whole number anywhere makes all levels texts,
    // in order of first appearance across the parts.
    const std::vector<std::vector<std::string>> mixed{{"1", "x"}, {"y", "1", "1.5"}};
    merged = merge_category_texts(mixed);
    CHECK_FALSE(merged.numeric);
    CHECK(merged.levels == std::vector<std::string>{"1", "x", "y", "1.5"});
    CHECK(merged.level_of_text[0] == std::vector<double>{1, 2});
    CHECK(merged.level_of_text[1] == std::vector<double>{3, 1, 4});
    // 2^53 is the largest whole number kept exact; 2^53 + 2 is not one.
    merged = merge_category_texts(std::vector<std::vector<std::string>>{{"9007199254740992"}, {"1"}});
    CHECK(merged.numeric);
    merged = merge_category_texts(std::vector<std::vector<std::string>>{{"9007199254740994"}, {"1"}});
    CHECK_FALSE(merged.numeric);
    // No texts at all (every cell missing): numeric with no levels, as the
    // whole file gives.
    merged = merge_category_texts(std::vector<std::vector<std::string>>{{}, {}});
    CHECK(merged.numeric);
    CHECK(merged.levels.empty());
    Diagnostics ds;
    auto csv = CsvFile::from_text("a\nNA\n\"\"\n", "d.csv", ds);
    REQUIRE(csv);
    auto all_missing = csv->load_categories(0, ds, true);
    REQUIRE(all_missing);
    CHECK(all_missing->numeric);
    CHECK(all_missing->levels.empty());
}

TEST_CASE("csv parts: field_error of a part is the whole file's", "[csv][parts]") {
    Shape shape;
    shape.rows = 40;
    shape.trailing_blanks = true;
    const std::string text = generate(shape, 31);
    for (std::size_t count : part_counts) check_field_errors(text, count);
    check_field_errors("a,b\n1,2\n3\n", 7);
}

TEST_CASE("csv parts: parts of a mapped file", "[csv][parts]") {
    Shape shape;
    shape.rows = 2000;
    shape.final_newline = false;
    const std::string text = generate(shape, 77);
    const auto path = std::filesystem::temp_directory_path() / "mlec_test_csv_parts.csv";
    {
        std::ofstream out(path, std::ios::binary);
        out << text;
    }
    const Outcome whole = whole_load(text, {0, 2}, true);
    REQUIRE(whole.columns);
    for (std::size_t count : part_counts) {
        INFO("parts " << count);
        std::vector<std::unique_ptr<CsvFile>> parts;
        std::size_t first_line = 2;
        for (std::size_t k = 0; k < count; ++k) {
            Diagnostics ds;
            parts.push_back(CsvFile::open_part(path.string(), "data.csv", CsvPart{k, count}, ds));
            REQUIRE(parts.back());
            // Every part of this file has content, so content follows all
            // but the last.
            REQUIRE(parts.back()->part_shape().has_content);
            parts.back()->place_part(first_line, first_line - 2, k + 1 < count);
            first_line += parts.back()->part_shape().lines;
        }
        const Outcome joined = parts_load(parts, {0, 2}, true, 1, 0);
        REQUIRE(joined.columns);
        CHECK(joined.rows == 2000);
        for (std::size_t c = 0; c < 2; ++c) {
            std::size_t mismatches = 0;
            for (std::size_t r = 0; r < 2000; ++r)
                mismatches += same_bits((*joined.columns)[c][r], (*whole.columns)[c][r]) ? 0 : 1;
            CHECK(mismatches == 0);
        }
    }
    std::filesystem::remove(path);
}

TEST_CASE("csv parts: parts that do not exist or are not placed", "[csv][parts]") {
    Diagnostics ds;
    CHECK_FALSE(CsvFile::from_text_part("a\n1\n", "d.csv", CsvPart{2, 2}, ds));
    CHECK_FALSE(CsvFile::from_text_part("a\n1\n", "d.csv", CsvPart{0, 0}, ds));
    REQUIRE(ds.size() == 2);
    CHECK(ds[0].message == "part 2 of 2 does not exist");
    CHECK(ds[0].category == mlec::Category::usage);
    CHECK(ds[1].message == "part 0 of 0 does not exist");
    ds.clear();
    // The header is checked by every part, with the whole file's message.
    CHECK_FALSE(CsvFile::from_text_part("a,,c\n1,2,3\n", "d.csv", CsvPart{1, 3}, ds));
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].message == "column 2 of the header has no name");
    CHECK(ds[0].line == 1);
    ds.clear();
    auto part = CsvFile::from_text_part("a\n1\n2\n", "d.csv", CsvPart{1, 2}, ds);
    REQUIRE(part);
    CHECK_FALSE(part->load(std::vector<int>{0}, ds));
    CHECK_FALSE(part->load_category_texts(0, ds));
    REQUIRE(ds.size() == 2);
    CHECK(ds[0].message == "a part of the file was read before place_part");
    CHECK(ds[0].category == mlec::Category::usage);
}

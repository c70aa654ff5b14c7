// The parallel CSV load: for every thread count the columns hold the same
// doubles, bit for bit, as std::strtod gives for each field, and a malformed
// file gives the same single diagnostic (the first error in file order) as
// the single-threaded pass.
#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "data/csv.hpp"

namespace {

using mlec::Diagnostic;
using mlec::Diagnostics;
using mlec::data::CsvFile;

const std::vector<int> thread_counts{1, 2, 3, 4, 7, 0};

struct Loaded {
    std::optional<std::vector<std::vector<double>>> columns;
    Diagnostics diagnostics;
    std::size_t rows = 0;
};

Loaded load(const std::string& text, const std::vector<int>& which, int threads, bool missing_as_nan = false) {
    Loaded out;
    auto csv = CsvFile::from_text(text, "data.csv", out.diagnostics);
    REQUIRE(csv);
    out.columns = csv->load(which, out.diagnostics, missing_as_nan, threads);
    out.rows = csv->rows();
    return out;
}

bool same_bits(double a, double b) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
    return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

// What strtod makes of a field: spaces, one pair of quotes and the spaces
// inside them dropped; an empty field or NA is missing (NaN).
double strtod_reference(std::string field) {
    auto strip = [](std::string& s) {
        const auto b = s.find_first_not_of(" \t");
        const auto e = s.find_last_not_of(" \t");
        s = b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
    };
    strip(field);
    if (field.size() >= 2 && field.front() == '"' && field.back() == '"') {
        field = field.substr(1, field.size() - 2);
        strip(field);
    }
    if (field.empty() || field == "NA") return std::nan("");
    char* end = nullptr;
    const double v = std::strtod(field.c_str(), &end);
    REQUIRE(end == field.c_str() + field.size());
    return v;
}

// A number's text in one of the forms the reader must take: 17 significant
// digits, short decimals, exponents, '+' signs, subnormals, total underflow.
std::string number_text(std::mt19937_64& rng) {
    const auto pick = rng() % 12;
    const double unit = static_cast<double>(rng() >> 11) * 0x1p-53;  // [0, 1)
    const double signed_unit = (rng() & 1) != 0 ? -unit : unit;
    char buf[64];
    switch (pick) {
        case 0:
        case 1:
        case 2: std::snprintf(buf, sizeof buf, "%.17g", signed_unit * 4.0); break;
        case 3: std::snprintf(buf, sizeof buf, "%.5g", signed_unit * 4.0); break;
        case 4: std::snprintf(buf, sizeof buf, "+%.6f", unit * 100.0); break;
        case 5: std::snprintf(buf, sizeof buf, "%.17e", signed_unit * 1e300); break;
        case 6: std::snprintf(buf, sizeof buf, "%.3E", signed_unit * 1e-30); break;
        case 7: std::snprintf(buf, sizeof buf, "%.17g", signed_unit * 1e-310); break;  // subnormal
        case 8: std::snprintf(buf, sizeof buf, "%s1e-400", (rng() & 1) != 0 ? "-" : ""); break;
        case 9: std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(rng() % 2000) - 1000); break;
        case 10: std::snprintf(buf, sizeof buf, "%.20f", signed_unit); break;  // 20 decimals
        default: std::snprintf(buf, sizeof buf, "%.0f.", unit * 1e6); break;   // "123."
    }
    return buf;
}

// A field holding `number`, dressed as files dress them.
std::string dressed(const std::string& number, std::mt19937_64& rng) {
    switch (rng() % 8) {
        case 0: return " " + number + "\t";
        case 1: return "\"" + number + "\"";
        case 2: return " \" " + number + "\" ";
        default: return number;
    }
}

struct Generated {
    std::string text;
    std::vector<std::vector<double>> expected;  // columns a, b, c
};

// Columns a, b, c are numbers (b sometimes missing); t is text with quoted
// commas and doubled quotes, never loaded; lines end in "\n" or "\r\n".
Generated generate(std::size_t rows, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    Generated g;
    g.text = "a,t,b,c\n";
    g.expected.resize(3);
    for (std::size_t r = 0; r < rows; ++r) {
        std::string fields[3];
        for (auto& f : fields) f = dressed(number_text(rng), rng);
        if (rng() % 10 == 0) fields[1] = (rng() & 1) != 0 ? "NA" : " ";
        std::string text_field = (rng() & 1) != 0 ? "\"x, \"\"y\"\"\"" : "plain text";
        g.text += fields[0] + "," + text_field + "," + fields[1] + "," + fields[2];
        g.text += (rng() % 3 == 0) ? "\r\n" : "\n";
        for (int c = 0; c < 3; ++c) g.expected[static_cast<std::size_t>(c)].push_back(strtod_reference(fields[c]));
    }
    return g;
}

void check_columns(const Loaded& got, const std::vector<std::vector<double>>& expected) {
    INFO((got.diagnostics.empty() ? std::string() : got.diagnostics.front().message));
    REQUIRE(got.columns);
    REQUIRE(got.columns->size() == expected.size());
    for (std::size_t c = 0; c < expected.size(); ++c) {
        const auto& column = (*got.columns)[c];
        REQUIRE(column.size() == expected[c].size());
        std::size_t mismatches = 0;
        std::size_t first = 0;
        for (std::size_t r = 0; r < column.size(); ++r) {
            if (!same_bits(column[r], expected[c][r]) && mismatches++ == 0) first = r;
        }
        INFO("column " << c << ", first mismatch at row " << first);
        CHECK(mismatches == 0);
    }
}

void check_same(const Diagnostic& a, const Diagnostic& b) {
    CHECK(a.message == b.message);
    CHECK(a.line == b.line);
    CHECK(a.column == b.column);
    CHECK(a.caret_length == b.caret_length);
    CHECK(a.source_line == b.source_line);
    CHECK(a.file == b.file);
    CHECK(a.category == b.category);
}

// The single error of loading `text` (columns a, b) with `threads`.
Diagnostic only_error(const std::string& text, int threads) {
    Loaded got = load(text, {0, 2}, threads);
    CHECK_FALSE(got.columns);
    REQUIRE(got.diagnostics.size() == 1);
    return got.diagnostics.front();
}

// `text` with data row `row` (0-based) replaced by `line` (no line end).
std::string with_row(const std::string& text, std::size_t row, const std::string& line) {
    std::size_t begin = text.find('\n') + 1;
    for (std::size_t r = 0; r < row; ++r) begin = text.find('\n', begin) + 1;
    std::size_t end = text.find('\n', begin);
    if (end != std::string::npos && end > begin && text[end - 1] == '\r') --end;
    return text.substr(0, begin) + line + text.substr(end);
}

}  // namespace

TEST_CASE("csv threads: every thread count gives strtod's doubles", "[csv][threads]") {
    const Generated g = generate(20000, 42);
    REQUIRE(g.text.size() > 400000);  // many blocks for every thread count
    for (int threads : thread_counts) {
        INFO("threads " << threads);
        Loaded got = load(g.text, {0, 2, 3}, threads, true);
        check_columns(got, g.expected);
        CHECK(got.rows == 20000);
    }
}

TEST_CASE("csv threads: requested order and repeated columns", "[csv][threads]") {
    const Generated g = generate(3000, 7);
    for (int threads : thread_counts) {
        INFO("threads " << threads);
        Loaded got = load(g.text, {3, 0, 3}, threads, true);
        check_columns(got, {g.expected[2], g.expected[0], g.expected[2]});
    }
}

TEST_CASE("csv threads: a missing value without missing_as_nan", "[csv][threads]") {
    const Generated g = generate(3000, 11);
    std::size_t row = 0;
    while (!std::isnan(g.expected[1][row])) ++row;
    const Diagnostic first = only_error(g.text, 1);
    CHECK(first.line == static_cast<int>(row) + 2);
    CHECK(first.message == "row " + std::to_string(row + 1) + ", column 'b': missing value");
    for (int threads : thread_counts) {
        INFO("threads " << threads);
        check_same(only_error(g.text, threads), first);
    }
}

TEST_CASE("csv threads: an error anywhere is reported as one thread reports it", "[csv][threads]") {
    const std::size_t rows = 4000;
    Generated g = generate(rows, 3);
    // Without missing cells, so the injected error is the only one.
    for (std::size_t r = 0; r < rows; ++r)
        if (std::isnan(g.expected[1][r])) g.text = with_row(g.text, r, "1,t,2,3");
    REQUIRE(load(g.text, {0, 2}, 1).columns);

    struct Injected {
        std::string line;
        std::string message;  // after "row N"
        int column;
    };
    const std::vector<Injected> errors{
        {"1,t,1.2.3,4", ", column 'b': expected a number, found '1.2.3'", 5},
        {"1,t", " has 2 fields, but the header has 4", 4},
        {"1,t,2,3,4", " has 5 fields, but the header has 4", 9},
        {"", " is empty", 1},
        {"1,\"open,2,3", ", column 't': the quoted field is not closed on this line", 3},
        {"1,t,inf,3", ", column 'b': 'inf' is not a finite number", 5},
        {"1,t,1e400,3", ", column 'b': '1e400' is not a finite number", 5},
    };
    const std::vector<std::size_t> at_rows{0, 1, 777, rows / 2, rows - 2, rows - 1};
    for (const Injected& e : errors) {
        for (std::size_t row : at_rows) {
            // A blank line at the very end is not an error but the end.
            if (e.line.empty() && row == rows - 1) continue;
            INFO("line '" << e.line << "' at row " << row);
            const std::string text = with_row(g.text, row, e.line);
            const Diagnostic first = only_error(text, 1);
            CHECK(first.message == "row " + std::to_string(row + 1) + e.message);
            CHECK(first.line == static_cast<int>(row) + 2);
            CHECK(first.column == e.column);
            CHECK(first.source_line == e.line);
            for (int threads : thread_counts) {
                INFO("threads " << threads);
                check_same(only_error(text, threads), first);
            }
        }
    }
}

TEST_CASE("csv threads: of two errors the earlier one is reported", "[csv][threads]") {
    const std::size_t rows = 4000;
    Generated g = generate(rows, 5);
    for (std::size_t r = 0; r < rows; ++r)
        if (std::isnan(g.expected[1][r])) g.text = with_row(g.text, r, "1,t,2,3");
    for (std::size_t early : {std::size_t{10}, std::size_t{1999}, rows - 3}) {
        std::string text = with_row(g.text, early, "1,t,x,3");
        text = with_row(text, early + 2, "1,t");
        INFO("rows " << early << " and " << early + 2);
        const Diagnostic first = only_error(text, 1);
        CHECK(first.message == "row " + std::to_string(early + 1) + ", column 'b': expected a number, found 'x'");
        for (int threads : thread_counts) {
            INFO("threads " << threads);
            check_same(only_error(text, threads), first);
        }
    }
}

TEST_CASE("csv threads: small files and the ends of files", "[csv][threads]") {
    for (int threads : thread_counts) {
        INFO("threads " << threads);
        check_columns(load("a\n1\n", {0}, threads), {{1.0}});
        check_columns(load("a,b\n1,2\n3,4", {1}, threads), {{2.0, 4.0}});                // no final newline
        check_columns(load("a,b\r\n1,2\r\n3,+4\r", {1}, threads), {{2.0, 4.0}});         // nor "\n" after "\r"
        check_columns(load("a,b\n1,2\n3,4\n\n  \r\n\t\n", {0}, threads), {{1.0, 3.0}});  // blank lines at the end
        check_columns(load("a,b\n1,2\n3,4\n\n  \r\n\t", {1, 0}, threads), {{2.0, 4.0}, {1.0, 3.0}});
        check_columns(load("\xEF\xBB\xBF"
                           "a\n-0\n",
                           {0}, threads),
                      {{-0.0}});
        const Loaded none = load("a,b\n1,2\n3,4\n", {}, threads);
        REQUIRE(none.columns);
        CHECK(none.columns->empty());
        CHECK(none.rows == 2);
        for (const char* text : {"a,b\n", "a,b", "a,b\n\n \n"}) {
            Loaded empty = load(text, {0}, threads);
            CHECK_FALSE(empty.columns);
            REQUIRE(empty.diagnostics.size() == 1);
            CHECK(empty.diagnostics[0].message == "no data rows after the header");
        }
        check_same(only_error("a,t,b\n1,t,2\n\n3,t,4\n", threads), only_error("a,t,b\n1,t,2\n\n3,t,4\n", 1));
        CHECK(only_error("a,t,b\n1,t,2\n\n3,t,4\n", threads).message == "row 2 is empty");
    }
}

TEST_CASE("csv threads: a mapped file whose last number touches the end", "[csv][threads]") {
    const Generated g = generate(5000, 9);
    std::string text = g.text;
    while (text.back() == '\n' || text.back() == '\r') text.pop_back();
    const auto path = std::filesystem::temp_directory_path() / "mlec_test_csv_threads.csv";
    {
        std::ofstream out(path, std::ios::binary);
        out << text;
    }
    for (int threads : thread_counts) {
        INFO("threads " << threads);
        Diagnostics ds;
        auto csv = CsvFile::open(path.string(), "mapped.csv", ds);
        REQUIRE(csv);
        Loaded got;
        got.columns = csv->load(std::vector<int>{0, 2, 3}, got.diagnostics, true, threads);
        check_columns(got, g.expected);
    }
    std::filesystem::remove(path);
}

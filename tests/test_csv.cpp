// The CSV reader: well-formed inputs load to the exact doubles strtod gives,
// and every malformed input gives one data error with its full message and
// the position (line, column in characters, caret width) of the culprit.
#include <catch2/catch.hpp>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "data/csv.hpp"

namespace {

using mlec::Category;
using mlec::Diagnostic;
using mlec::Diagnostics;
using mlec::data::CsvFile;

// Loads the named columns of `text`; fails the test on any diagnostic.
std::vector<std::vector<double>> load_ok(const std::string& text, const std::vector<std::string>& names) {
    Diagnostics ds;
    auto csv = CsvFile::from_text(text, "data.csv", ds);
    INFO((ds.empty() ? std::string() : ds.front().message));
    REQUIRE(csv);
    std::vector<int> which;
    for (const auto& n : names) {
        auto c = csv->column_index(n);
        REQUIRE(c);
        which.push_back(*c);
    }
    auto columns = csv->load(which, ds);
    INFO((ds.empty() ? std::string() : ds.front().message));
    REQUIRE(columns);
    REQUIRE(ds.empty());
    REQUIRE(columns->size() == names.size());
    for (const auto& c : *columns) REQUIRE(c.size() == csv->rows());
    return *columns;
}

// The single diagnostic that opening or loading `text` gives.
Diagnostic first_error(const std::string& text, const std::vector<std::string>& names) {
    Diagnostics ds;
    auto csv = CsvFile::from_text(text, "data.csv", ds);
    if (csv) {
        std::vector<int> which;
        for (const auto& n : names) which.push_back(*csv->column_index(n));
        auto columns = csv->load(which, ds);
        REQUIRE_FALSE(columns);
    }
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].file == "data.csv");
    CHECK(ds[0].severity == mlec::Severity::error);
    CHECK(ds[0].category == Category::data);
    return ds[0];
}

void check_at(const Diagnostic& d, int line, int column, const std::string& message, const std::string& source_line,
              int caret_length) {
    CHECK(d.message == message);
    CHECK(d.line == line);
    CHECK(d.column == column);
    CHECK(d.source_line == source_line);
    CHECK(d.caret_length == caret_length);
}

double strtod_of(const char* s) { return std::strtod(s, nullptr); }

bool same_double(double a, double b) { return a == b && std::signbit(a) == std::signbit(b); }

// A scratch file removed when the test ends.
struct TempFile {
    std::filesystem::path path;
    explicit TempFile(const std::string& contents) {
        path = std::filesystem::temp_directory_path() /
               ("mlec_test_csv_" + std::to_string(reinterpret_cast<std::uintptr_t>(this)) + ".csv");
        std::ofstream out(path, std::ios::binary);
        out << contents;
    }
    ~TempFile() {
        std::error_code ec;
        std::filesystem::remove(path, ec);
    }
};

}  // namespace

TEST_CASE("csv: header, column lookup and a plain load", "[csv]") {
    Diagnostics ds;
    auto csv = CsvFile::from_text("x,y,z\n1,2,3\n4,5,6\n", "data.csv", ds);
    REQUIRE(csv);
    CHECK(csv->name() == "data.csv");
    CHECK(csv->header() == std::vector<std::string>{"x", "y", "z"});
    CHECK(csv->column_index("y") == 1);
    CHECK_FALSE(csv->column_index("w"));
    std::vector<int> which{2, 0};
    auto cols = csv->load(which, ds);
    REQUIRE(cols);
    CHECK(csv->rows() == 2);
    CHECK((*cols)[0] == std::vector<double>{3, 6});
    CHECK((*cols)[1] == std::vector<double>{1, 4});
}

TEST_CASE("csv: the same column twice, and no column at all", "[csv]") {
    Diagnostics ds;
    auto csv = CsvFile::from_text("a,b\n1,2\n3,4\n5,6\n", "data.csv", ds);
    REQUIRE(csv);
    std::vector<int> twice{1, 0, 1};
    auto cols = csv->load(twice, ds);
    REQUIRE(cols);
    CHECK((*cols)[0] == std::vector<double>{2, 4, 6});
    CHECK((*cols)[1] == std::vector<double>{1, 3, 5});
    CHECK((*cols)[2] == std::vector<double>{2, 4, 6});
    auto none = csv->load({}, ds);
    REQUIRE(none);
    CHECK(none->empty());
    CHECK(csv->rows() == 3);
}

TEST_CASE("csv: CRLF, BOM, spaces, trailing blank lines, no final newline", "[csv]") {
    SECTION("CRLF everywhere") {
        auto c = load_ok("a,b\r\n1,2\r\n3,4\r\n", {"a", "b"});
        CHECK(c[0] == std::vector<double>{1, 3});
        CHECK(c[1] == std::vector<double>{2, 4});
    }
    SECTION("a UTF-8 BOM before the header") {
        Diagnostics ds;
        auto csv = CsvFile::from_text("\xEF\xBB\xBFx,y\n1,2\n", "data.csv", ds);
        REQUIRE(csv);
        CHECK(csv->header() == std::vector<std::string>{"x", "y"});
    }
    SECTION("spaces and tabs around names and numbers") {
        Diagnostics ds;
        auto csv = CsvFile::from_text(" x\t, y \n 1 ,\t2\t\n", "data.csv", ds);
        REQUIRE(csv);
        CHECK(csv->header() == std::vector<std::string>{"x", "y"});
        auto c = load_ok(" x\t, y \n 1 ,\t2\t\n", {"x", "y"});
        CHECK(c[0] == std::vector<double>{1});
        CHECK(c[1] == std::vector<double>{2});
    }
    SECTION("blank lines at the end are ignored") {
        auto c = load_ok("a\n1\n2\n\n  \n\t\r\n\n", {"a"});
        CHECK(c[0] == std::vector<double>{1, 2});
    }
    SECTION("no newline after the last row") {
        auto c = load_ok("a,b\n1,2\n3,4", {"b"});
        CHECK(c[0] == std::vector<double>{2, 4});
    }
    SECTION("a file of one data row and no newline at all") {
        auto c = load_ok("a\n7", {"a"});
        CHECK(c[0] == std::vector<double>{7});
    }
}

TEST_CASE("csv: quoted fields", "[csv]") {
    SECTION("quoted header names are unquoted") {
        Diagnostics ds;
        auto csv = CsvFile::from_text("\"y\", \"say \"\"hi\"\"\",\"a,b\"\n1,2,3\n", "data.csv", ds);
        REQUIRE(csv);
        CHECK(csv->header() == std::vector<std::string>{"y", "say \"hi\"", "a,b"});
    }
    SECTION("text columns with commas and quotes are skipped") {
        const std::string text =
            "name,y,note\n"
            "\"Smith, J.\",1,\"he said \"\"no, thanks\"\"\"\n"
            "plain,2,\n"
            "\"\",3,it's \"fine\"\n";
        auto c = load_ok(text, {"y"});
        CHECK(c[0] == std::vector<double>{1, 2, 3});
    }
    SECTION("a quoted number in a loaded column") {
        auto c = load_ok("y\n\"1.5\"\n\" 2 \"\n", {"y"});
        CHECK(c[0] == std::vector<double>{1.5, 2});
    }
}

TEST_CASE("csv: number syntax is strtod's, plus a leading '+'", "[csv]") {
    const std::vector<std::pair<std::string, double>> cases{
        {"1e-3", 1e-3},
        {"-0", -0.0},
        {"+5", 5.0},
        {".5", 0.5},
        {"5.", 5.0},
        {"-.25", -0.25},
        {"1E+2", 100.0},
        {"+0.0", 0.0},
        {"007", 7.0},
        // Below the smallest subnormal: strtod rounds to (signed) zero.
        {"1e-400", 0.0},
        {"-1e-400", -0.0},
    };
    for (const auto& [text, expected] : cases) {
        INFO(text);
        auto c = load_ok("v\n" + text + "\n", {"v"});
        CHECK(same_double(c[0][0], expected));
    }
}

TEST_CASE("csv: tricky decimals round exactly as strtod does", "[csv]") {
    // Halfway cases, long mantissas, subnormals and the extremes of the range,
    // where a naive digit-times-power parser is off by an ulp.
    const char* tricky[] = {
        "0.1",
        "2.2250738585072011e-308",
        "2.2250738585072012e-308",
        "4.9406564584124654e-324",
        "2.4703282292062328e-324",
        "1.7976931348623157e308",
        "9007199254740993",
        "9007199254740992.9999999999999999999999999",
        "1.00000000000000011102230246251565404236316680908203125",
        "1.00000000000000011102230246251565404236316680908203124",
        "0.30000000000000004",
        "123456789012345678901234567890e-20",
        "7.038531e-26",
        "3.14159265358979323846264338327950288419716939937510",
    };
    std::string text = "v\n";
    for (const char* t : tricky) text += std::string(t) + "\n";
    auto c = load_ok(text, {"v"});
    REQUIRE(c[0].size() == std::size(tricky));
    for (std::size_t i = 0; i < std::size(tricky); ++i) {
        INFO(tricky[i]);
        CHECK(same_double(c[0][i], strtod_of(tricky[i])));
    }
}

TEST_CASE("csv: columns that are not loaded may hold anything", "[csv]") {
    auto c = load_ok("id,y,comment\nabc,1,\nNA,2,inf\n,3,\"x\"\n", {"y"});
    CHECK(c[0] == std::vector<double>{1, 2, 3});
}

TEST_CASE("csv: a short row is fine when the loaded columns are there", "[csv]") {
    auto c = load_ok("a,b,c\n1,2,3\n4\n", {"a"});
    CHECK(c[0] == std::vector<double>{1, 4});
}

TEST_CASE("csv: a large file loads every row", "[csv]") {
    // Growing line lengths make the row-count estimate (from the first lines)
    // too small: the columns must still grow to hold every row.
    std::string text = "i,x,label\n";
    const int n = 20000;
    for (int i = 0; i < n; ++i)
        text += std::to_string(i) + "," + std::to_string(i) + ".25,row" + std::to_string(i) + "\n";
    auto c = load_ok(text, {"x", "i"});
    REQUIRE(c[0].size() == static_cast<std::size_t>(n));
    for (int i = 0; i < n; i += 997) {
        CHECK(c[0][static_cast<std::size_t>(i)] == i + 0.25);
        CHECK(c[1][static_cast<std::size_t>(i)] == i);
    }
}

TEST_CASE("csv: open maps a file from disk", "[csv]") {
    TempFile file("a,b\r\n1.5,x\r\n-2,y\r\n");
    Diagnostics ds;
    auto csv = CsvFile::open(file.path.string(), "shown.csv", ds);
    REQUIRE(csv);
    CHECK(csv->name() == "shown.csv");
    std::vector<int> which{0};
    auto c = csv->load(which, ds);
    REQUIRE(c);
    CHECK((*c)[0] == std::vector<double>{1.5, -2});
}

TEST_CASE("csv: a file that cannot be opened", "[csv]") {
    Diagnostics ds;
    auto csv = CsvFile::open("/nonexistent-dir-for-mlec-tests/none.csv", "none.csv", ds);
    CHECK_FALSE(csv);
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].message == std::string("cannot open file: ") + std::strerror(ENOENT));
    CHECK(ds[0].file == "none.csv");
    CHECK(ds[0].line == 0);
    CHECK(ds[0].category == Category::usage);
}

TEST_CASE("csv: an empty file", "[csv]") {
    TempFile file("");
    Diagnostics ds;
    auto csv = CsvFile::open(file.path.string(), "empty.csv", ds);
    CHECK_FALSE(csv);
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].message == "file is empty");
    CHECK(ds[0].file == "empty.csv");
    CHECK(ds[0].line == 0);
    CHECK(ds[0].category == Category::data);

    auto d = first_error("", {});
    CHECK(d.message == "file is empty");
    CHECK(d.line == 0);
    CHECK(first_error("\xEF\xBB\xBF", {}).message == "file is empty");
}

TEST_CASE("csv: header errors", "[csv]") {
    SECTION("a blank first line") {
        check_at(first_error("\n1,2\n", {}), 1, 1, "line 1 should hold the column names, but it is empty", "", 1);
    }
    SECTION("a name that is empty") {
        check_at(first_error("a,b,,d\n1,2,3,4\n", {}), 1, 5, "column 3 of the header has no name", "a,b,,d", 1);
        check_at(first_error("a, \"\" ,c\n1,2,3\n", {}), 1, 4, "column 2 of the header has no name", "a, \"\" ,c", 2);
        check_at(first_error("a,b,\r\n1,2,3\r\n", {}), 1, 5, "column 3 of the header has no name", "a,b,", 1);
    }
    SECTION("a name twice") {
        check_at(first_error("x,y,  x\n1,2,3\n", {}), 1, 7,
                 "column 'x' appears twice in the header (first as column 1)", "x,y,  x", 1);
        check_at(first_error("\xEF\xBB\xBF\"y\",b,y\n1,2,3\n", {}), 1, 7,
                 "column 'y' appears twice in the header (first as column 1)", "\"y\",b,y", 1);
    }
    SECTION("a quoted name not closed") {
        check_at(first_error("a,\"b\n1,2\n", {}), 1, 3,
                 "the quoted name of column 2 of the header is not closed on this line", "a,\"b", 2);
    }
}

TEST_CASE("csv: no data rows", "[csv]") {
    for (const char* text : {"a,b\n", "a,b", "a,b\r\n\r\n  \n"}) {
        INFO(text);
        auto d = first_error(text, {"a"});
        CHECK(d.message == "no data rows after the header");
        CHECK(d.line == 0);
    }
}

TEST_CASE("csv: value errors name the row, the column and the field", "[csv]") {
    SECTION("an empty field") {
        check_at(first_error("x,y\n1,2\n3,\n", {"y"}), 3, 3, "row 2, column 'y': missing value", "3,", 1);
        check_at(first_error("x,y,z\n1,  ,3\n", {"y"}), 2, 3, "row 1, column 'y': missing value", "1,  ,3", 1);
    }
    SECTION("NA") {
        check_at(first_error("x,y\r\n1,2\r\n3, NA\r\n", {"y"}), 3, 4, "row 2, column 'y': missing value", "3, NA", 2);
    }
    SECTION("a word") {
        check_at(first_error("x,y\n1,2\n3,abc\n", {"x", "y"}), 3, 3,
                 "row 2, column 'y': expected a number, found 'abc'", "3,abc", 3);
    }
    SECTION("hexadecimal is not a number here") {
        check_at(first_error("y\n0x10\n", {"y"}), 2, 1, "row 1, column 'y': expected a number, found '0x10'", "0x10",
                 4);
    }
    SECTION("trailing junk, a lone sign, doubled signs") {
        check_at(first_error("y\n1.5kg\n", {"y"}), 2, 1, "row 1, column 'y': expected a number, found '1.5kg'", "1.5kg",
                 5);
        check_at(first_error("y\n+\n", {"y"}), 2, 1, "row 1, column 'y': expected a number, found '+'", "+", 1);
        check_at(first_error("y\n+-1\n", {"y"}), 2, 1, "row 1, column 'y': expected a number, found '+-1'", "+-1", 3);
        check_at(first_error("y\n1 2\n", {"y"}), 2, 1, "row 1, column 'y': expected a number, found '1 2'", "1 2", 3);
    }
    SECTION("a long field is quoted in part") {
        const std::string field(45, 'q');
        // Built by append: GCC 12 at -O3 misreports `"..." + std::string(30, 'q')`
        // as an out-of-bounds memcpy (-Warray-bounds, its bug 105329).
        const std::string message =
            std::string("row 1, column 'y': expected a number, found '").append(30, 'q').append("...'");
        check_at(first_error("y\n" + field + "\n", {"y"}), 2, 1, message, field, 45);
    }
    SECTION("columns and carets count characters, not bytes") {
        // "é" is two bytes, "€" three: the field starts at character 5.
        check_at(first_error("name,y\n\xC3\xA9t\xC3\xA9,\xE2\x82\xAC"
                             "5\n",
                             {"y"}),
                 2, 5,
                 "row 1, column 'y': expected a number, found '\xE2\x82\xAC"
                 "5'",
                 "\xC3\xA9t\xC3\xA9,\xE2\x82\xAC"
                 "5",
                 2);
    }
    SECTION("not finite") {
        check_at(first_error("x,y\n1,inf\n", {"y"}), 2, 3, "row 1, column 'y': 'inf' is not a finite number", "1,inf",
                 3);
        check_at(first_error("y\n-Infinity\n", {"y"}), 2, 1, "row 1, column 'y': '-Infinity' is not a finite number",
                 "-Infinity", 9);
        check_at(first_error("y\nnan\n", {"y"}), 2, 1, "row 1, column 'y': 'nan' is not a finite number", "nan", 3);
        check_at(first_error("y\n1e400\n", {"y"}), 2, 1, "row 1, column 'y': '1e400' is not a finite number", "1e400",
                 5);
        check_at(first_error("y\n-1.8e308\n", {"y"}), 2, 1, "row 1, column 'y': '-1.8e308' is not a finite number",
                 "-1.8e308", 8);
    }
    SECTION("the first error wins") {
        check_at(first_error("a,b\n1,2\nx,y\n", {"a", "b"}), 3, 1, "row 2, column 'a': expected a number, found 'x'",
                 "x,y", 1);
    }
}

TEST_CASE("csv: rows with the wrong number of fields", "[csv]") {
    SECTION("too few for a loaded column: at the end of the line") {
        check_at(first_error("a,b,c\n1,2,3\n4,5\n", {"c"}), 3, 4, "row 2 has 2 fields, but the header has 3", "4,5", 1);
        check_at(first_error("a,b,c\r\n7\r\n", {"b"}), 2, 2, "row 1 has 1 field, but the header has 3", "7", 1);
    }
    SECTION("too many: at the first extra field") {
        check_at(first_error("a,b,c\n1,2,3\n4,5,6, 77,8\n", {"a"}), 3, 8, "row 2 has 5 fields, but the header has 3",
                 "4,5,6, 77,8", 2);
        check_at(first_error("a,b,c\n1,2,3,\n", {}), 2, 7, "row 1 has 4 fields, but the header has 3", "1,2,3,", 1);
    }
    SECTION("commas inside quotes do not count") {
        check_at(first_error("a,b\n\"1,2\",3,\"4,5\"\n", {"b"}), 2, 9, "row 1 has 3 fields, but the header has 2",
                 "\"1,2\",3,\"4,5\"", 5);
    }
    SECTION("a quote left open") {
        check_at(first_error("a,b,c\n1,\"open,3\n", {"a"}), 2, 3,
                 "row 1, column 'b': the quoted field is not closed on this line", "1,\"open,3", 7);
    }
}

TEST_CASE("csv: a blank line between rows", "[csv]") {
    check_at(first_error("a\n1\n\n2\n", {"a"}), 3, 1, "row 2 is empty", "", 1);
    check_at(first_error("a\r\n1\r\n \t\r\n2\r\n", {"a"}), 3, 1, "row 2 is empty", " \t", 1);
}

TEST_CASE("csv: field_error points at a field of a loaded file", "[csv]") {
    Diagnostics ds;
    auto csv = CsvFile::from_text("\xEF\xBB\xBFx,y\r\n1,0\r\n2,  1\r\n3, 2 \r\n4,\r\n\r\n", "data.csv", ds);
    REQUIRE(csv);
    std::vector<int> which{0};
    REQUIRE(csv->load(which, ds));
    CHECK(csv->rows() == 4);

    auto d = csv->field_error(2, 1, "row 3, column 'y': bernoulli outcome must be 0 or 1, found 2");
    check_at(d, 4, 4, "row 3, column 'y': bernoulli outcome must be 0 or 1, found 2", "3, 2 ", 1);
    CHECK(d.file == "data.csv");
    CHECK(d.category == Category::data);

    check_at(csv->field_error(0, 0, "first"), 2, 1, "first", "1,0", 1);
    check_at(csv->field_error(3, 1, "empty field"), 5, 3, "empty field", "4,", 1);

    auto far = csv->field_error(100, 0, "no such row");
    CHECK(far.message == "no such row");
    CHECK(far.line == 0);
}

TEST_CASE("csv: field_error on a short row points at its end", "[csv]") {
    Diagnostics ds;
    auto csv = CsvFile::from_text("a,b,c\n1,2,3\n4,5\n", "data.csv", ds);
    REQUIRE(csv);
    std::vector<int> which{0};
    REQUIRE(csv->load(which, ds));
    check_at(csv->field_error(1, 2, "m"), 3, 4, "m", "4,5", 1);
    check_at(csv->field_error(0, 2, "m"), 2, 5, "m", "1,2,3", 1);
}

TEST_CASE("csv: an out-of-range column index is a usage error", "[csv]") {
    Diagnostics ds;
    auto csv = CsvFile::from_text("a\n1\n", "data.csv", ds);
    REQUIRE(csv);
    std::vector<int> which{3};
    CHECK_FALSE(csv->load(which, ds));
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].category == Category::usage);
    CHECK(ds[0].message == "column index 3 is out of range (the header has 1 columns)");
}

TEST_CASE("csv: the full text of a data error", "[csv]") {
    CHECK(mlec::format(first_error("x,y\n1,2\n3,\tabc\n", {"y"})) ==
          "data.csv:3:4: error: row 2, column 'y': expected a number, found 'abc'\n"
          "    3,\tabc\n"
          "      \t^^^\n");
    CHECK(mlec::format(first_error("a,b,c\n4,5\n", {"c"})) ==
          "data.csv:2:4: error: row 1 has 2 fields, but the header has 3\n"
          "    4,5\n"
          "       ^\n");
    CHECK(mlec::format(first_error("a\n", {"a"})) == "data.csv: error: no data rows after the header\n");
}

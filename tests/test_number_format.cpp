// The rules of report/number_format, one case each: the text every report,
// message and output file shows for a double.
#include <catch2/catch.hpp>
#include <limits>
#include <optional>

#include "report/number_format.hpp"

namespace {

constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();
constexpr double infinity = std::numeric_limits<double>::infinity();

}  // namespace

using namespace mlec::report;

TEST_CASE("format_exact: the shortest text that reads back as the same double") {
    CHECK(format_exact(0.1) == "0.1");
    CHECK(format_exact(2) == "2");
    CHECK(format_exact(1e-300) == "1e-300");
    CHECK(format_exact(-0.0) == "0");
    CHECK(format_exact(not_a_number) == "n/a");
    CHECK(format_exact(infinity) == "inf");
    CHECK(format_exact(-infinity) == "-inf");
}

TEST_CASE("format_digits and format_short: significant digits, never not_a_number or -0") {
    CHECK(format_digits(0.123456789, 7) == "0.1234568");
    CHECK(format_digits(-2.7725887222, 7) == "-2.772589");
    CHECK(format_digits(-0.0, 7) == "0");
    CHECK(format_digits(not_a_number, 4) == "n/a");
    CHECK(format_digits(-infinity, 4) == "-inf");
    CHECK(format_short(0.25) == "0.25");
    CHECK(format_short(1e10) == "1e+10");
    CHECK(format_short(1.23456789) == "1.23457");
}

TEST_CASE("json_number: exact, null for a value that does not exist") {
    CHECK(json_number(0.1) == "0.1");
    CHECK(json_number(not_a_number) == "null");
    CHECK(json_number(infinity) == "null");
    CHECK(json_number(std::optional<double>{}) == "null");
    CHECK(json_number(std::optional<double>{-3.0}) == "-3");
}

TEST_CASE("csv_number: exact, NA for a value that does not exist") {
    CHECK(csv_number(0.5) == "0.5");
    CHECK(csv_number(not_a_number) == "NA");
    CHECK(csv_number(-infinity) == "NA");
}

TEST_CASE("format_fixed and format_scientific: printf's %.*f and %.*e") {
    CHECK(format_fixed(12.345, 2) == "12.35");
    CHECK(format_fixed(3, 0) == "3");
    CHECK(format_fixed(0.001, 3) == "0.001");
    CHECK(format_scientific(1234567, 2) == "1.23e+06");
}

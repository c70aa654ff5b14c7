// The text of a fit result's typed values (report/result_names): the
// names of its enums, and the limits and bounds of parameters as the
// reports show them.
#include <catch2/catch.hpp>
#include <limits>

#include "mlec/mlec.hpp"
#include "report/result_names.hpp"

namespace {

constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();
constexpr double infinity = std::numeric_limits<double>::infinity();

}  // namespace

using mlec::report::bounds_text;

TEST_CASE("limits and bounds of parameters as the reports show them") {
    CHECK(mlec::limit_text(infinity) == "+inf");
    CHECK(mlec::limit_text(-infinity) == "-inf");
    CHECK(mlec::limit_text(0) == "0");
    CHECK(mlec::limit_text(1.0 / 3) == "0.333333");
    CHECK(mlec::limit_text(not_a_number).empty());
    CHECK(bounds_text(mlec::ParameterBounds{}).empty());
    CHECK(bounds_text(mlec::ParameterBounds{.lower = 0, .upper = infinity, .simplex = false}) == "> 0");
    CHECK(bounds_text(mlec::ParameterBounds{.lower = -infinity, .upper = 5, .simplex = false}) == "< 5");
    CHECK(bounds_text(mlec::ParameterBounds{.lower = 0, .upper = 1, .simplex = false}) == "(0, 1)");
    CHECK(bounds_text(mlec::ParameterBounds{.lower = 0, .upper = 1, .simplex = true}) == "simplex");
}

TEST_CASE("the names of the result's enums") {
    CHECK(mlec::to_string(mlec::Method::automatic) == "auto");
    CHECK(mlec::to_string(mlec::Method::lbfgs) == "lbfgs");
    CHECK(mlec::to_string(mlec::CiMethod::profile) == "profile");
    CHECK(mlec::to_string(mlec::DiagnosticKind::exact_fit) == "exact_fit");
    CHECK(mlec::to_string(mlec::DiagnosticKind::not_positive_definite) == "not_positive_definite");
    CHECK(mlec::to_string(mlec::FitStatus::not_identified) == "not_identified");
}

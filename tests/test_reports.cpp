// The text and JSON reports of a fit that diverged along some parameters
// while the others were estimated at that limit: a result made by hand, so
// the reports are checked whatever the fit does today.
#include <catch2/catch.hpp>
#include <limits>
#include <nlohmann/json.hpp>

#include "mlec/mlec.hpp"

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// w runs off to +inf (stopped at 31.5); b is estimated with w at its limit.
mlec::FitResult diverged_with_a_limit_fit() {
    mlec::FitResult r;
    r.status = mlec::FitStatus::diverged;
    r.message = "no finite maximum likelihood estimate";
    r.model_name = "m.mle";
    r.data_name = "d.csv";
    r.log_likelihood = -3.25;
    r.log_likelihood_limit = -3.0;
    r.aic = r.bic = nan;
    r.n_obs = 10;
    r.n_params = 2;
    r.method = mlec::Method::newton;
    mlec::ParameterEstimate w;
    w.name = "w";
    w.estimate = nan;
    w.diverging = true;
    w.direction = 1;
    w.diverges_to = std::numeric_limits<double>::infinity();
    w.last_value = 31.5;
    mlec::ParameterEstimate b;
    b.name = "b";
    b.estimate = 0.75;
    b.std_error = 0.25;
    b.z = 3;
    b.conditional_on_limit = true;
    r.parameters = {w, b};
    return r;
}

}  // namespace

TEST_CASE("text report: no value for a diverging parameter, '*' on an estimate conditional on its limit") {
    const std::string text = mlec::text_report(diverged_with_a_limit_fit());
    INFO(text);
    CHECK(text.find("\nw           -> +inf\n") != std::string::npos);
    CHECK(text.find("\nb *            0.75       0.25") != std::string::npos);
    CHECK(text.find("\n* conditional on the limit w -> +inf\n") != std::string::npos);
    CHECK(text.find("31.5") == std::string::npos);
    CHECK(text.find("AIC") == std::string::npos);
}

TEST_CASE("text report: no footnote when nothing is conditional on a limit") {
    mlec::FitResult r = diverged_with_a_limit_fit();
    r.parameters[1].conditional_on_limit = false;
    const std::string text = mlec::text_report(r);
    CHECK(text.find("conditional on the limit") == std::string::npos);
    CHECK(text.find("\nb              0.75") != std::string::npos);
}

TEST_CASE("JSON report: null estimate with last_value, conditional_on_limit, null AIC and BIC") {
    const auto j = nlohmann::json::parse(mlec::json_report(diverged_with_a_limit_fit()));
    CHECK(j["aic"].is_null());
    CHECK(j["bic"].is_null());
    CHECK(j["log_likelihood_limit"] == -3.0);
    const auto& w = j["parameters"][0];
    CHECK(w["estimate"].is_null());
    CHECK(w["last_value"] == 31.5);
    CHECK(w["diverges_to"] == "+inf");
    CHECK(w["conditional_on_limit"] == false);
    const auto& b = j["parameters"][1];
    CHECK(b["estimate"] == 0.75);
    CHECK_FALSE(b.contains("last_value"));
    CHECK(b["conditional_on_limit"] == true);
}

TEST_CASE("a fit's exit code: 0 converged, 5 not identified, 4 otherwise") {
    mlec::FitResult r;
    const std::pair<mlec::FitStatus, int> cases[] = {
        {mlec::FitStatus::converged, 0}, {mlec::FitStatus::not_identified, 5}, {mlec::FitStatus::not_a_maximum, 4},
        {mlec::FitStatus::diverged, 4},  {mlec::FitStatus::max_iterations, 4}, {mlec::FitStatus::cancelled, 4},
    };
    for (const auto& [status, code] : cases) {
        r.status = status;
        INFO(mlec::to_string(status));
        CHECK(mlec::exit_code(r) == code);
        CHECK(mlec::found_maximum(r) == (code != 4));
    }
}

// Every model in models/ is fitted and compared with its expected result,
// models/NAME.expected.json, computed independently in R (the script that
// made each one is models/reference/NAME.R and its "source" field says how):
// estimates to 1e-6 relative, standard errors to 1e-4 relative.
#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>

#include "mlec/mlec.hpp"
#include "support/files.hpp"

namespace {

using nlohmann::json;

std::vector<std::filesystem::path> expected_files() {
    std::vector<std::filesystem::path> out;
    for (const auto& e : std::filesystem::directory_iterator(mlec::test::source_dir() / "models"))
        if (e.path().string().ends_with(".expected.json")) out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

struct Fitted {
    std::optional<mlec::Problem> problem;
    mlec::FitResult result;
};

Fitted fit_model(const json& expected, mlec::Method method = mlec::Method::automatic) {
    const auto dir = mlec::test::source_dir() / "models";
    mlec::Diagnostics ds;
    auto model = mlec::Model::from_file((dir / expected["model"].get<std::string>()).string(), ds);
    REQUIRE(model);
    auto data = mlec::Data::from_csv_file((dir / expected["data"].get<std::string>()).string(), ds);
    REQUIRE(data);
    Fitted f;
    f.problem = mlec::Problem::bind(*model, *data, ds);
    INFO(mlec::format(ds));
    REQUIRE(f.problem);
    mlec::FitOptions options;
    options.method = method;
    if (expected.contains("starts")) options.starts = expected["starts"].get<int>();
    if (expected.contains("seed")) options.seed = expected["seed"].get<std::uint64_t>();
    f.result = mlec::fit(*f.problem, options);
    return f;
}

void check_close(double actual, double expected, double rel, double abs_floor) {
    INFO("actual " << actual << ", expected " << expected);
    CHECK(std::abs(actual - expected) <= rel * std::abs(expected) + abs_floor);
}

}  // namespace

TEST_CASE("every model in models/ matches its independently computed fit") {
    const auto files = expected_files();
    REQUIRE(files.size() >= 6);
    for (const auto& path : files) {
        const json expected = json::parse(mlec::test::read_file(path));
        SECTION(path.filename().string()) {
            for (mlec::Method method : {mlec::Method::newton, mlec::Method::lbfgs}) {
                const bool newton = method == mlec::Method::newton;
                INFO((newton ? "newton" : "lbfgs"));
                Fitted f = fit_model(expected, method);
                const mlec::FitResult& r = f.result;
                INFO(mlec::text_report(r));
                if (!expected["converged"].get<bool>()) {
                    // A model with no finite MLE: the fit must say so.
                    CHECK(r.status == mlec::FitStatus::diverged);
                    CHECK_FALSE(r.converged);
                    REQUIRE(r.log_likelihood_limit);
                    check_close(*r.log_likelihood_limit, expected["log_likelihood_supremum"].get<double>(), 0, 1e-6);
                    if (!expected.contains("diverging_direction")) continue;
                    for (const auto& p : r.parameters) {
                        const auto& dir = expected["diverging_direction"];
                        REQUIRE(dir.contains(p.name));
                        CHECK(p.diverging);
                        CHECK(p.direction == (dir[p.name].get<std::string>() == "+inf" ? 1 : -1));
                    }
                    continue;
                }
                REQUIRE(r.converged);
                CHECK(r.n_obs == expected["n_obs"].get<std::size_t>());
                CHECK(r.n_weighted == expected.value("n_weighted", expected["n_obs"].get<double>()));
                check_close(r.log_likelihood, expected["log_likelihood"].get<double>(), 1e-9, 0);
                // L-BFGS converges to the same point less tightly; the
                // standard errors come from the exact Hessian either way.
                const double est_rel = newton ? 1e-6 : 1e-5;
                REQUIRE(r.parameters.size() == expected["parameters"].size());
                for (const auto& e : expected["parameters"]) {
                    const std::string name = e["name"].get<std::string>();
                    auto it = std::find_if(r.parameters.begin(), r.parameters.end(),
                                           [&](const mlec::ParameterEstimate& p) { return p.name == name; });
                    REQUIRE(it != r.parameters.end());
                    INFO("parameter " << name);
                    check_close(it->estimate, e["estimate"].get<double>(), est_rel, 1e-8);
                    REQUIRE(it->std_error);
                    check_close(*it->std_error, e["std_error"].get<double>(), newton ? 1e-4 : 1e-3, 0);
                }
            }
        }
    }
}

TEST_CASE("the XOR fit reproduces the closed-form covariance") {
    const json expected = json::parse(mlec::test::read_file(mlec::test::source_dir() / "models/xor.expected.json"));
    Fitted f = fit_model(expected);
    REQUIRE(f.result.covariance.rows() == 3);
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
            check_close(f.result.covariance(i, j),
                        expected["covariance"][static_cast<std::size_t>(i)][static_cast<std::size_t>(j)].get<double>(),
                        1e-8, 1e-10);
    // log(0.5) * 4 exactly, and AIC = 2k - 2 logL.
    check_close(f.result.log_likelihood, 4 * std::log(0.5), 1e-12, 0);
    check_close(f.result.aic, 6 - 8 * std::log(0.5), 1e-12, 0);
}

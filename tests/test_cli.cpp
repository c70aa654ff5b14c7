// The mlec command end to end: output, exit codes, and never a NaN.
#include <sys/wait.h>
#include <array>
#include <catch2/catch.hpp>
#include <cctype>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <vector>

#include "mlec/exit_codes.h"
#include "mlec/mlec.hpp"
#include "support/files.hpp"

namespace {

struct Run {
    int exit_code = -1;
    std::string out;  // stdout and stderr together
};

Run run(const std::string& args) {
    const std::string command = std::string(MLEC_BINARY) + " " + args + " 2>&1";
    Run r;
    FILE* pipe = popen(command.c_str(), "r");
    REQUIRE(pipe);
    std::array<char, 4096> buf{};
    std::size_t n = 0;
    while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
    const int status = pclose(pipe);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

std::string models(const std::string& file) { return (mlec::test::source_dir() / "models" / file).string(); }
std::string cases(const std::string& file) { return (mlec::test::source_dir() / "tests/cases" / file).string(); }

bool has_nan(const std::string& s) {
    std::string lower;
    for (char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return lower.find("nan") != std::string::npos;
}

}  // namespace

TEST_CASE("the XOR example fits with w1 = w2 = c = 0 and exit code 0") {
    Run r = run(models("xor.mle") + " " + models("xor.csv"));
    INFO(r.out);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("log-likelihood: -2.7725887") != std::string::npos);
    CHECK(r.out.find("status: converged") != std::string::npos);
    CHECK(r.out.find("data columns: a, b, y") != std::string::npos);
    CHECK(r.out.find("implicit parameters (free names that are not columns): w1, w2, c") != std::string::npos);
    CHECK(r.out.find("bernoulli(sigmoid(...)) is evaluated as bernoulli_logit(...)") != std::string::npos);
    CHECK_FALSE(has_nan(r.out));
}

TEST_CASE("the separated XOR model reports divergence, exit code 4, no NaN") {
    for (const char* format : {"text", "json"}) {
        Run r = run(models("xor_interaction.mle") + " " + models("xor.csv") + " --format " + format);
        INFO(r.out);
        CHECK(r.exit_code == 4);
        CHECK_FALSE(has_nan(r.out));
        CHECK(r.out.find("no finite maximum likelihood estimate") != std::string::npos);
        CHECK(r.out.find("w1 -> +inf, w2 -> +inf, w3 -> -inf, c -> -inf") != std::string::npos);
        CHECK(r.out.find("towards 0") != std::string::npos);
    }
}

TEST_CASE("a diverged fit has no estimates, AIC or BIC in any format") {
    Run json = run(models("xor_interaction.mle") + " " + models("xor.csv") + " --format json");
    REQUIRE(json.exit_code == 4);
    const auto j = nlohmann::json::parse(json.out);
    CHECK(j["status"] == "diverged");
    CHECK(j["aic"].is_null());
    CHECK(j["bic"].is_null());
    REQUIRE(j["parameters"].size() == 4);
    for (const auto& p : j["parameters"]) {
        INFO(p.dump());
        CHECK(p["estimate"].is_null());
        // where the optimizer stopped: on the side the parameter runs off to
        const double side = p["diverges_to"] == "+inf" ? 1 : -1;
        CHECK(p["last_value"].get<double>() * side > 1);
        CHECK(p["conditional_on_limit"] == false);
    }
    Run text = run(models("xor_interaction.mle") + " " + models("xor.csv"));
    INFO(text.out);
    CHECK(text.out.find("w3          -> -inf\n") != std::string::npos);
    CHECK(text.out.find("AIC") == std::string::npos);
    CHECK(text.out.find("52.4") == std::string::npos);  // w1's last value is no estimate
}

TEST_CASE("a fit stopped at the iteration limit has no AIC or BIC") {
    for (const char* format : {"text", "json"}) {
        Run r = run(models("logistic.mle") + " " + models("logistic.csv") + " --max-iterations 1 --format " + format);
        INFO(r.out);
        CHECK(r.exit_code == 4);
        if (std::string(format) == "text") {
            CHECK(r.out.find("   AIC: n/a   BIC: n/a\n") != std::string::npos);
            continue;
        }
        const auto j = nlohmann::json::parse(r.out);
        CHECK(j["status"] == "max_iterations");
        CHECK(j["log_likelihood"].is_number());
        CHECK(j["aic"].is_null());
        CHECK(j["bic"].is_null());
    }
}

TEST_CASE("JSON output (--format json) is valid JSON with the documented keys") {
    Run r = run(models("logistic.mle") + " " + models("logistic.csv") + " --format json");
    REQUIRE(r.exit_code == 0);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["converged"].get<bool>());
    CHECK(j["status"] == "converged");
    CHECK(j["n_obs"] == 400);
    CHECK(j["log_likelihood"].get<double>() == Approx(-216.1874598120009).epsilon(1e-9));
    CHECK(j["aic"].get<double>() == Approx(2 * 4 + 2 * 216.1874598120009).epsilon(1e-9));
    CHECK(j["bic"].is_number());
    CHECK(j["warnings"].is_array());
    REQUIRE(j["parameters"].size() == 4);
    for (const auto& p : j["parameters"]) {
        for (const char* key : {"name", "estimate", "std_error", "ci_lower", "ci_upper"}) CHECK(p.contains(key));
        CHECK(p["conditional_on_limit"] == false);
        CHECK_FALSE(p.contains("last_value"));
        CHECK(p["ci_lower"].get<double>() < p["estimate"].get<double>());
        CHECK(p["estimate"].get<double>() < p["ci_upper"].get<double>());
    }
}

TEST_CASE("exit codes: usage 1, model error 2, data error 3") {
    Run help = run("--help");
    CHECK(help.exit_code == 0);
    CHECK(help.out.find("            5 the fit found a maximum, but the data do not identify some parameters:\n") !=
          std::string::npos);
    CHECK(run("").exit_code == 1);
    CHECK(run("--bogus").exit_code == 1);
    CHECK(run(models("xor.mle") + " " + models("xor.csv") + " --method simplex").exit_code == 1);
    CHECK(run("no-such-file.mle " + models("xor.csv")).exit_code == 1);
    CHECK(run(models("xor.mle") + " no-such-file.csv").exit_code == 1);
    CHECK(run(models("") + " " + models("xor.csv")).exit_code == 1);  // a directory
    CHECK(run(models("xor.mle") + " " + models("xor.csv") + " --tolerance inf").exit_code == 1);
    CHECK(run(models("xor.mle") + " " + models("xor.csv") + " --starts 0").exit_code == 1);
    Run model_error = run(cases("unknown_function.mle") + " " + cases("default.csv"));
    CHECK(model_error.exit_code == 2);
    CHECK(model_error.out.find("error: unknown function") != std::string::npos);
    Run data_error = run(models("xor.mle") + " " + cases("bernoulli_outcome.csv"));
    CHECK(data_error.exit_code == 3);
    CHECK(data_error.out.find("bernoulli outcome must be 0 or 1, found 2") != std::string::npos);
}

TEST_CASE("README and --help list exactly the exit codes of the table (mlec/exit_codes.h)") {
    const std::vector<int> table{MLEC_OK,         MLEC_ERROR_USAGE, MLEC_ERROR_MODEL,
                                 MLEC_ERROR_DATA, MLEC_ERROR_FIT,   MLEC_FIT_NOT_IDENTIFIED};
    const std::string readme = mlec::test::read_file(mlec::test::source_dir() / "README.md");
    const std::size_t begin = readme.find("### Exit codes\n");
    REQUIRE(begin != std::string::npos);
    const std::string section = readme.substr(begin, readme.find("\n## ", begin) - begin);
    std::vector<int> listed;
    for (std::size_t at = section.find("\n| "); at != std::string::npos; at = section.find("\n| ", at + 1)) {
        const std::string cell = section.substr(at + 3, section.find(' ', at + 3) - at - 3);
        if (!cell.empty() && std::isdigit(static_cast<unsigned char>(cell[0]))) listed.push_back(std::stoi(cell));
    }
    CHECK(listed == table);
    // MLEC_ERROR_INTERNAL is the C API's alone: never an exit code of the command.
    const std::string help = run("--help").out;
    CHECK(help.find("exit codes: " + std::to_string(MLEC_OK) + " success, " + std::to_string(MLEC_ERROR_USAGE) +
                    " usage or file error, " + std::to_string(MLEC_ERROR_MODEL) + " model error, " +
                    std::to_string(MLEC_ERROR_DATA) + " data error,\n            " + std::to_string(MLEC_ERROR_FIT) +
                    " the fit did not converge") != std::string::npos);
    CHECK(help.find("\n            " + std::to_string(MLEC_FIT_NOT_IDENTIFIED) + " the fit found a maximum") !=
          std::string::npos);
    CHECK(help.find(std::to_string(MLEC_ERROR_INTERNAL)) == std::string::npos);
}

TEST_CASE("the lbfgs and newton methods agree on the Poisson model") {
    Run newton = run(models("poisson.mle") + " " + models("poisson.csv") + " --format json --method newton");
    Run lbfgs = run(models("poisson.mle") + " " + models("poisson.csv") + " --format json --method lbfgs");
    REQUIRE(newton.exit_code == 0);
    REQUIRE(lbfgs.exit_code == 0);
    const auto a = nlohmann::json::parse(newton.out), b = nlohmann::json::parse(lbfgs.out);
    CHECK(a["method"] == "newton");
    CHECK(b["method"] == "lbfgs");
    for (std::size_t i = 0; i < 3; ++i)
        CHECK(a["parameters"][i]["estimate"].get<double>() ==
              Approx(b["parameters"][i]["estimate"].get<double>()).epsilon(1e-5));
}

TEST_CASE("mlec predict prints what the library's predict_csv gives, the model alive until the rows are made") {
    // The Problem refers to its Model when it reads new rows: a command that
    // let the Model go after binding read freed memory here (the sanitizer
    // build reports it; a plain build may crash).
    const std::string dir = std::string(MLEC_SOURCE_DIR) + "/models/";
    mlec::Diagnostics ds;
    auto model = mlec::Model::from_file(dir + "poisson.mle", ds);
    auto data = mlec::Data::from_csv_file(dir + "poisson.csv", ds);
    REQUIRE(model);
    REQUIRE(data);
    auto problem = mlec::Problem::bind(*model, *data, ds);
    REQUIRE(problem);
    const mlec::FitResult fit = mlec::fit(*problem);
    auto newdata = mlec::Data::from_csv_file(dir + "poisson.csv", ds);
    REQUIRE(newdata);
    const auto expected = mlec::predict_csv(*problem, fit, *newdata, ds);
    REQUIRE(expected);

    Run r = run("predict " + models("poisson.mle") + " " + models("poisson.csv") + " " + models("poisson.csv"));
    CHECK(r.exit_code == 0);
    CHECK(r.out == *expected);
}

TEST_CASE("the option --agq K fits by adaptive quadrature and says so, and refuses a model it does not apply to") {
    const std::string cbpp = models("mixed/cbpp.mle") + " " + models("mixed/cbpp.csv");
    const Run fit = run(cbpp + " --agq 7 --format json");
    CHECK(fit.exit_code == 0);
    const nlohmann::json j = nlohmann::json::parse(fit.out);
    bool noted = false;
    for (const auto& note : j["notes"])
        noted = noted || note.get<std::string>().find("adaptive Gauss-Hermite quadrature, 7 nodes per level") !=
                             std::string::npos;
    CHECK(noted);
    CHECK(run(cbpp + " --agq 0").exit_code == 1);
    CHECK(run(cbpp + " --agq 101").exit_code == 1);
    const Run fixed = run(models("xor.mle") + " " + models("xor.csv") + " --agq 7");
    CHECK(fixed.exit_code == 1);
    CHECK(fixed.out.find("the model has none") != std::string::npos);
    const Run crossed = run(models("mixed/grouseticks.mle") + " " + models("mixed/grouseticks.csv") + " --agq 3");
    CHECK(crossed.exit_code == 2);
    CHECK(crossed.out.find("'brood[BROOD]' and 'obs[INDEX]' are on two") != std::string::npos);
}

// Parameters held fixed and start values given without editing the model
// (FitOptions::fixed and ::start; mlec --fix and --start), as bbmle's
// fixed= and start=: a normal mean with sigma known against its closed
// form, a Poisson regression with a coefficient held against R's glm with
// an offset (tests/reference/fixed/poisson_offset.R), every mistake's
// message and exit code, and the commands that use a fit's values.
#include <boost/math/distributions/normal.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "mlec/exit_codes.h"
#include "mlec/mlec.hpp"
#include "support/command.hpp"
#include "support/files.hpp"

using nlohmann::json;

namespace {

// y_i = 3 + 1.7 sin(i), i = 1..40: a sample whose mean is not round.
std::vector<double> sample() {
    std::vector<double> y;
    for (int i = 1; i <= 40; ++i) y.push_back(3 + 1.7 * std::sin(i));
    return y;
}

std::string sample_csv() {
    std::ostringstream s;
    s.precision(17);
    s << "x,y\n";
    int i = 0;
    for (double y : sample()) s << ++i % 5 << "," << y << "\n";
    return s.str();
}

struct Bound {
    mlec::Model model;
    mlec::Data data;
    mlec::Problem problem;
};

std::unique_ptr<Bound> bind(const std::string& text, const std::string& csv = sample_csv()) {
    mlec::Diagnostics ds;
    auto model = mlec::Model::from_text(text, "m.mle", ds);
    REQUIRE(model);
    auto data = mlec::Data::from_csv_text(csv, "d.csv", ds);
    REQUIRE(data);
    auto problem = mlec::Problem::bind(*model, *data, ds);
    REQUIRE(problem);
    return std::unique_ptr<Bound>(new Bound{std::move(*model), std::move(*data), std::move(*problem)});
}

const mlec::ParameterEstimate& named(const mlec::FitResult& r, const std::string& name) {
    for (const auto& p : r.parameters)
        if (p.name == name) return p;
    FAIL("no parameter " << name);
    return r.parameters.front();
}

// The first error of check_parameter_values on `options`.
std::string mistake(const Bound& b, const mlec::FitOptions& options) {
    mlec::Diagnostics ds;
    CHECK_FALSE(mlec::check_parameter_values(b.problem, options, ds));
    REQUIRE(!ds.empty());
    CHECK(ds.front().category == mlec::Category::usage);
    return mlec::format(ds.front());
}

mlec::FitOptions fixing(std::vector<mlec::ParameterValue> fixed, std::vector<mlec::ParameterValue> start = {}) {
    mlec::FitOptions o;
    o.fixed = std::move(fixed);
    o.start = std::move(start);
    return o;
}

mlec::test::CommandRun mlec_run(const std::vector<std::string>& args) {
    return mlec::test::run_command(mlec::test::scratch_dir(), args);
}

std::string models(const std::string& file) { return (mlec::test::source_dir() / "models" / file).string(); }

}  // namespace

TEST_CASE("sigma fixed: mu is the sample mean with standard error sigma / sqrt(n)") {
    const auto b = bind("param sigma > 0\ny ~ normal(mu, sigma)\n");
    const std::vector<double> y = sample();
    const double n = static_cast<double>(y.size());
    double mean = 0;
    for (double v : y) mean += v / n;
    const double sigma = 2;
    double loglik = 0;
    for (double v : y)
        loglik += -0.5 * std::log(2 * M_PI * sigma * sigma) - (v - mean) * (v - mean) / (2 * sigma * sigma);

    const mlec::FitResult r = mlec::fit(b->problem, fixing({{"sigma", sigma}}));
    INFO(mlec::text_report(r));
    REQUIRE(r.status == mlec::FitStatus::converged);
    const auto& mu = named(r, "mu");
    CHECK(mu.estimate == Approx(mean).epsilon(1e-12));
    CHECK(*mu.std_error == Approx(sigma / std::sqrt(n)).epsilon(1e-9));
    const double z = boost::math::quantile(boost::math::complement(boost::math::normal(), 0.025));
    CHECK(*mu.ci_lower == Approx(mean - z * sigma / std::sqrt(n)).epsilon(1e-9));
    CHECK(r.log_likelihood == Approx(loglik).epsilon(1e-12));
    // Only mu is estimated: one parameter in AIC and BIC (bbmle's logLik df).
    CHECK(r.n_params == 1);
    CHECK(r.aic == Approx(2 - 2 * loglik).epsilon(1e-12));
    CHECK(r.bic == Approx(std::log(n) - 2 * loglik).epsilon(1e-12));
    // sigma is held at exactly the value given, with nothing estimated.
    const auto& s = named(r, "sigma");
    CHECK(s.fixed);
    CHECK_FALSE(mu.fixed);
    CHECK(s.estimate == sigma);
    CHECK_FALSE(s.std_error);
    CHECK_FALSE(s.z);
    CHECK_FALSE(s.p_value);
    CHECK_FALSE(s.ci_lower);
    CHECK_FALSE(s.ci_upper);
    // The covariance keeps the parameters' order, 0 in the held one's row.
    REQUIRE(r.covariance.rows() == 2);
    CHECK(r.covariance(0, 0) == 0);
    CHECK(r.covariance(1, 1) == Approx(sigma * sigma / n).epsilon(1e-9));
    REQUIRE(r.theta_covariance.rows() == 2);
    REQUIRE(r.theta.size() == 2);
    CHECK(b->problem.to_user_scale(r.theta)[0] == Approx(sigma).epsilon(1e-15));

    SECTION("profile intervals: the normal log-likelihood in mu is exactly quadratic") {
        mlec::FitOptions o = fixing({{"sigma", sigma}});
        o.ci = mlec::CiMethod::profile;
        const mlec::FitResult p = mlec::fit(b->problem, o);
        REQUIRE(p.status == mlec::FitStatus::converged);
        CHECK(*named(p, "mu").ci_lower == Approx(*mu.ci_lower).epsilon(1e-6));
        CHECK(*named(p, "mu").ci_upper == Approx(*mu.ci_upper).epsilon(1e-6));
        CHECK_FALSE(named(p, "sigma").ci_lower);
        CHECK(named(p, "sigma").profile.empty());
    }
    SECTION("the reports show it as fixed") {
        const std::string text = mlec::text_report(r);
        CHECK(text.find("  fixed parameters (held, not estimated): sigma = 2\n") != std::string::npos);
        CHECK(text.find("\nsigma             2      fixed\n") != std::string::npos);
        CHECK(text.find("parameters: 1 ") != std::string::npos);
        const json j = json::parse(mlec::json_report(r));
        CHECK(j["n_params"] == 1);
        CHECK(j["parameters"][0]["name"] == "sigma");
        CHECK(j["parameters"][0]["fixed"] == true);
        CHECK(j["parameters"][0]["estimate"] == 2.0);
        CHECK(j["parameters"][0]["std_error"].is_null());
        CHECK_FALSE(j["parameters"][1].contains("fixed"));
    }
}

TEST_CASE("every parameter fixed: nothing to estimate, the log-likelihood at the values") {
    const auto b = bind("param sigma > 0\ny ~ normal(mu, sigma)\n");
    double loglik = 0;
    for (double v : sample()) loglik += -0.5 * std::log(2 * M_PI) - (v - 3) * (v - 3) / 2;
    const mlec::FitResult r = mlec::fit(b->problem, fixing({{"mu", 3}, {"sigma", 1}}));
    INFO(mlec::text_report(r));
    CHECK(r.status == mlec::FitStatus::converged);
    CHECK(r.n_params == 0);
    CHECK(r.log_likelihood == Approx(loglik).epsilon(1e-13));
    CHECK(r.aic == Approx(-2 * loglik).epsilon(1e-13));
}

TEST_CASE("a Poisson coefficient fixed is an offset: R's glm(y ~ x1, offset = -0.4 * x2)") {
    const json expected = json::parse(
        mlec::test::read_file(mlec::test::source_dir() / "tests/reference/fixed/poisson_offset.expected.json"));
    mlec::Diagnostics ds;
    auto model = mlec::Model::from_file(models("poisson.mle"), ds);
    auto data = mlec::Data::from_csv_file(models("poisson.csv"), ds);
    REQUIRE(model);
    REQUIRE(data);
    auto problem = mlec::Problem::bind(*model, *data, ds);
    REQUIRE(problem);
    const mlec::FitResult r = mlec::fit(*problem, fixing({{"b2", expected["fixed"]["b2"].get<double>()}}));
    INFO(mlec::text_report(r));
    REQUIRE(r.status == mlec::FitStatus::converged);
    CHECK(r.log_likelihood == Approx(expected["log_likelihood"].get<double>()).epsilon(1e-12));
    CHECK(r.aic == Approx(expected["aic"].get<double>()).epsilon(1e-12));
    CHECK(r.bic == Approx(expected["bic"].get<double>()).epsilon(1e-12));
    CHECK(r.n_params == expected["n_params"].get<int>());
    for (const auto& p : expected["parameters"]) {
        const auto& e = named(r, p["name"].get<std::string>());
        CHECK(e.estimate == Approx(p["estimate"].get<double>()).epsilon(1e-8));
        CHECK(*e.std_error == Approx(p["std_error"].get<double>()).epsilon(1e-6));
    }
    CHECK(named(r, "b2").fixed);
    CHECK(named(r, "b2").estimate == -0.4);
}

TEST_CASE("start values replace the model's; random starts are drawn around them") {
    const auto b = bind("param sigma > 0\ny ~ normal(mu, sigma)\n");
    const mlec::FitResult plain = mlec::fit(b->problem);
    REQUIRE(plain.converged);
    const double mu = named(plain, "mu").estimate, sigma = named(plain, "sigma").estimate;
    CHECK(plain.iterations >= 3);
    // From the maximum itself there is (next to) nothing left to do.
    const mlec::FitResult there = mlec::fit(b->problem, fixing({}, {{"mu", mu}, {"sigma", sigma}}));
    CHECK(there.converged);
    CHECK(there.iterations <= 1);
    CHECK(named(there, "mu").estimate == Approx(mu).epsilon(1e-12));
    CHECK(*named(there, "mu").std_error == Approx(*named(plain, "mu").std_error).epsilon(1e-9));
    CHECK_FALSE(named(there, "mu").fixed);
    CHECK(there.n_params == 2);
    mlec::FitOptions several = fixing({}, {{"mu", mu}});
    several.starts = 4;
    const mlec::FitResult multi = mlec::fit(b->problem, several);
    CHECK(multi.converged);
    CHECK(multi.starts == 4);
    CHECK(named(multi, "mu").estimate == Approx(mu).epsilon(1e-9));
}

TEST_CASE("mistakes in fixed and start values: each an error that says what to write") {
    const auto b = bind(
        "param sigma > 0\nparam p in (0, 1)\nparam beta[2]\nparam w simplex[2]\n"
        "y ~ normal(mu + beta[1] * x + beta[2] + w[1], sigma)\nx ~ poisson(p * 3)\nreport twice = 2 * mu\n");
    CHECK(mistake(*b, fixing({{"sigm", 1}})) ==
          "m.mle: error: cannot fix 'sigm': the model has no parameter of that name; did you mean 'sigma'?\n");
    CHECK(mistake(*b, fixing({}, {{"zzz", 1}})) ==
          "m.mle: error: cannot give a start value to 'zzz': the model has no parameter of that name (its "
          "parameters: sigma, p, beta[1], beta[2], ...)\n");
    CHECK(mistake(*b, fixing({{"beta", 0}})) ==
          "m.mle: error: cannot fix 'beta': it has 2 entries (beta[1], beta[2]); name them one by one, as "
          "'beta[1]'\n");
    CHECK(mistake(*b, fixing({{"w[1]", 0.5}})) ==
          "m.mle: error: cannot fix 'w[1]': it is part of the simplex w, whose weights sum to 1 and move together: "
          "none of them can be held on its own\n");
    CHECK(mistake(*b, fixing({{"w", 0.5}})) ==
          "m.mle: error: cannot fix 'w': it is a simplex, whose weights sum to 1 and move together: none of them "
          "can be held on its own\n");
    // An ordered vector's later entries are sums of coordinates: only c[1] can be held.
    const auto o = bind("param c ordered[2]\nx ~ poisson(exp(c[1]) + exp(c[2]))\n");
    CHECK(mistake(*o, fixing({{"c[2]", 1}})) ==
          "m.mle: error: cannot fix 'c[2]': it is an entry of an ordered vector, its first entry plus the gaps before "
          "it, which are what the optimizer moves: only the first entry can be held or started on its own; give the "
          "whole vector a start value in the model, as in 'param c ordered[3] = [-1, 0, 1]'\n");
    CHECK(mlec::fit(o->problem, fixing({{"c[1]", -1}})).converged);
    CHECK(mistake(*b, fixing({{"twice", 1}})) ==
          "m.mle: error: cannot fix 'twice': it is a reported quantity ('report'), not a parameter\n");
    CHECK(mistake(*b, fixing({{"sigma", -1}})) == "m.mle: error: cannot fix sigma at -1: sigma must be > 0\n");
    CHECK(mistake(*b, fixing({{"sigma", 0}})) == "m.mle: error: cannot fix sigma at 0: sigma must be > 0\n");
    CHECK(mistake(*b, fixing({}, {{"p", 1}})) == "m.mle: error: cannot start p at 1: p must be inside (0, 1)\n");
    CHECK(mistake(*b, fixing({{"mu", INFINITY}})) ==
          "m.mle: error: cannot fix mu at inf: the value must be a finite number\n");
    CHECK(mistake(*b, fixing({{"mu", 1}, {"mu", 2}})) == "m.mle: error: 'mu' is fixed twice (at 1 and 2)\n");
    CHECK(mistake(*b, fixing({}, {{"mu", 1}, {"mu", 2}})) ==
          "m.mle: error: 'mu' is given two start values (1 and 2)\n");
    CHECK(mistake(*b, fixing({{"mu", 1}}, {{"mu", 2}})) ==
          "m.mle: error: 'mu' is both fixed and given a start value: a fixed parameter is not estimated, so it has "
          "no start\n");
    // An entry by name, spaces or not; every mistake is reported, not only the first.
    mlec::Diagnostics ds;
    CHECK(mlec::check_parameter_values(b->problem, fixing({{"beta[ 2 ]", 0}}), ds));
    CHECK(ds.empty());
    CHECK_FALSE(mlec::check_parameter_values(b->problem, fixing({{"sigm", 1}, {"sigma", -1}}), ds));
    CHECK(ds.size() == 2);
    // fit() refuses the same, with the first message.
    const mlec::FitResult r = mlec::fit(b->problem, fixing({{"sigma", -1}}));
    CHECK(r.status == mlec::FitStatus::invalid_options);
    CHECK(r.message == "invalid fit options: cannot fix sigma at -1: sigma must be > 0");
    CHECK(mlec::exit_code(r) == MLEC_ERROR_USAGE);
}

TEST_CASE("mlec --fix and --start: the fit, and mistakes as usage errors (exit code 1)") {
    mlec::test::write_scratch("fixed.csv", sample_csv());
    mlec::test::write_scratch("fixed.mle", "param sigma > 0\ny ~ normal(mu, sigma)\n");
    const auto r = mlec_run({"fixed.mle", "fixed.csv", "--fix", "sigma=2", "--start", "mu=3", "--format", "json"});
    INFO(r.out + r.err);
    REQUIRE(r.exit_code == MLEC_OK);
    const json j = json::parse(r.out);
    CHECK(j["n_params"] == 1);
    CHECK(j["parameters"][0]["fixed"] == true);

    const auto unknown = mlec_run({"fixed.mle", "fixed.csv", "--fix", "sigm=2"});
    CHECK(unknown.exit_code == MLEC_ERROR_USAGE);
    CHECK(unknown.out.empty());
    CHECK(unknown.err ==
          "fixed.mle: error: cannot fix 'sigm': the model has no parameter of that name; did you mean 'sigma'?\n");
    const auto outside = mlec_run({"fixed.mle", "fixed.csv", "--fix", "sigma=-1"});
    CHECK(outside.exit_code == MLEC_ERROR_USAGE);
    CHECK(outside.err == "fixed.mle: error: cannot fix sigma at -1: sigma must be > 0\n");
    const auto both = mlec_run({"fixed.mle", "fixed.csv", "--fix", "mu=1", "--start", "mu=2"});
    CHECK(both.exit_code == MLEC_ERROR_USAGE);
    CHECK(both.err ==
          "fixed.mle: error: 'mu' is both fixed and given a start value: a fixed parameter is not estimated, so it "
          "has no start\n");
    const auto twice = mlec_run({"fixed.mle", "fixed.csv", "--fix", "mu=1", "--fix", "mu=1"});
    CHECK(twice.exit_code == MLEC_ERROR_USAGE);
    CHECK(twice.err == "fixed.mle: error: 'mu' is fixed twice (at 1 and 1)\n");
    const auto no_value = mlec_run({"fixed.mle", "fixed.csv", "--fix", "sigma"});
    CHECK(no_value.exit_code == MLEC_ERROR_USAGE);
    CHECK(no_value.first_line() == "mlec: error: --fix takes NAME=VALUE, as --fix sigma=1, not 'sigma'");
    const auto not_number = mlec_run({"fixed.mle", "fixed.csv", "--start", "mu=abc"});
    CHECK(not_number.exit_code == MLEC_ERROR_USAGE);
    CHECK(not_number.first_line() == "mlec: error: --start mu=abc: 'abc' is not a number");
    const auto missing = mlec_run({"fixed.mle", "fixed.csv", "--fix"});
    CHECK(missing.exit_code == MLEC_ERROR_USAGE);
    CHECK(missing.first_line() == "mlec: error: --fix takes NAME=VALUE, as --fix sigma=1");
}

TEST_CASE("the bootstrap refits with the fixed parameters held") {
    const auto b = bind("param sigma > 0\ny ~ normal(mu, sigma)\n");
    mlec::FitOptions o = fixing({{"sigma", 2}});
    o.bootstrap = 200;
    const mlec::FitResult r = mlec::fit(b->problem, o);
    REQUIRE(r.converged);
    CHECK(r.bootstrap_replicates == 200);
    // The replicates' means have standard deviation sigma / sqrt(n), the
    // held sigma's, not the sample's (about 1.2): within sampling error.
    CHECK(*named(r, "mu").boot_se == Approx(2 / std::sqrt(40.0)).epsilon(0.15));
    CHECK_FALSE(named(r, "sigma").boot_se);
    CHECK_FALSE(named(r, "sigma").boot_lower);
    CHECK(mlec::text_report(r).find("\nsigma         2         fixed\n") != std::string::npos);
}

TEST_CASE("simulate and predict use the fixed values") {
    mlec::test::write_scratch("fixed_sim.csv", sample_csv());
    mlec::test::write_scratch("fixed_sim.mle", "param sigma > 0\ny ~ normal(a + b * x, sigma)\n");
    // b held at 100 and sigma at 0.001: every simulated y is a + 100 x to
    // within a few thousandths, a the same for every row.
    const auto sim = mlec_run(
        {"simulate", "fixed_sim.mle", "fixed_sim.csv", "--fix", "b=100", "--fix", "sigma=0.001", "--seed", "3"});
    INFO(sim.err);
    REQUIRE(sim.exit_code == MLEC_OK);
    std::istringstream rows(sim.out);
    std::string line;
    std::getline(rows, line);
    CHECK(line == "x,y");
    std::vector<double> intercepts;  // y - 100 x
    while (std::getline(rows, line)) {
        const double x = std::stod(line.substr(0, line.find(','))), y = std::stod(line.substr(line.find(',') + 1));
        intercepts.push_back(y - 100 * x);
    }
    REQUIRE(intercepts.size() == 40);
    for (double a : intercepts) CHECK(std::abs(a - intercepts.front()) < 0.01);
    // Predictions: a + 100 x, with the standard error of a alone.
    mlec::test::write_scratch("fixed_new.csv", "x\n0\n2\n");
    const auto pred = mlec_run({"predict", "fixed_sim.mle", "fixed_sim.csv", "fixed_new.csv", "--fix", "b=100"});
    INFO(pred.err);
    REQUIRE(pred.exit_code == MLEC_OK);
    const auto fit_json = mlec_run({"fixed_sim.mle", "fixed_sim.csv", "--fix", "b=100", "--format", "json"});
    const json j = json::parse(fit_json.out);
    const double a = j["parameters"][1]["estimate"], se_a = j["parameters"][1]["std_error"];
    REQUIRE(j["parameters"][1]["name"] == "a");
    std::istringstream p(pred.out);
    std::getline(p, line);
    std::vector<std::vector<double>> cells;
    while (std::getline(p, line)) {
        std::vector<double> row;
        std::istringstream cell(line);
        for (std::string c; std::getline(cell, c, ',');) row.push_back(std::stod(c));
        cells.push_back(row);
    }
    REQUIRE(cells.size() == 2);
    CHECK(cells[0][1] == Approx(a).epsilon(1e-12));
    CHECK(cells[1][1] == Approx(a + 200).epsilon(1e-12));
    CHECK(cells[1][2] == Approx(se_a).epsilon(1e-9));
}

TEST_CASE("mlec compare MODEL DATA --fix: the model against itself with the values held") {
    mlec::test::write_scratch("fixed_cmp.csv", sample_csv());
    mlec::test::write_scratch("fixed_cmp.mle", "param sigma > 0\ny ~ normal(a + b * x, sigma)\n");
    const auto r = mlec_run({"compare", "fixed_cmp.mle", "fixed_cmp.csv", "--fix", "b=0", "--format", "json"});
    INFO(r.out + r.err);
    REQUIRE(r.exit_code == MLEC_OK);
    const json j = json::parse(r.out);
    REQUIRE(j["models"].size() == 2);
    CHECK(j["models"][0]["model"] == "fixed_cmp.mle");
    CHECK(j["models"][0]["n_params"] == 3);
    CHECK(j["models"][1]["model"] == "fixed_cmp.mle with b = 0");
    CHECK(j["models"][1]["n_params"] == 2);
    REQUIRE(j["likelihood_ratio_tests"].size() == 1);
    const json& t = j["likelihood_ratio_tests"][0];
    CHECK(t["smaller"] == "fixed_cmp.mle with b = 0");
    CHECK(t["larger"] == "fixed_cmp.mle");
    CHECK(t["df"] == 1);
    CHECK(t["nesting"] ==
          "established: both fits are of fixed_cmp.mle, the smaller with b = 0 held (fixed at a value strictly "
          "inside the parameter's bounds)");
    const double statistic =
        2 * (j["models"][0]["log_likelihood"].get<double>() - j["models"][1]["log_likelihood"].get<double>());
    CHECK(t["statistic"].get<double>() == Approx(statistic).epsilon(1e-12));

    const auto two = mlec_run({"compare", "fixed_cmp.mle", "fixed_cmp.mle", "fixed_cmp.csv", "--fix", "b=0"});
    CHECK(two.exit_code == MLEC_ERROR_USAGE);
    CHECK(two.first_line() ==
          "mlec: error: compare with --fix takes one model file and a data file: the model is compared with itself "
          "with the --fix parameters held");
    const auto one = mlec_run({"compare", "fixed_cmp.mle", "fixed_cmp.csv"});
    CHECK(one.exit_code == MLEC_ERROR_USAGE);
    CHECK(one.first_line() == "mlec: error: compare needs at least two model files and a data file");
}

// The library as another program embeds it: data from columns in memory (used
// where they lie, not copied), the compiled NLL for a caller's own
// optimizer, cancellation, and several fits at once in different threads.
#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numbers>
#include <numeric>
#include <random>
#include <thread>

#include "mlec/mlec.hpp"
#include "support/files.hpp"

namespace {

using mlec::Data;
using mlec::Diagnostics;
using mlec::Model;
using mlec::Problem;

std::vector<double> normal_draws(std::size_t n, double mean, double sd, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal(mean, sd);
    std::vector<double> out(n);
    for (double& v : out) v = normal(rng);
    return out;
}

// The columns of a CSV file, parsed here (std::stod), for comparing the same
// data given both ways.
std::pair<std::vector<std::string>, std::vector<std::vector<double>>> read_csv_columns(const std::string& text) {
    std::istringstream in(text);
    std::string line;
    std::getline(in, line);
    std::vector<std::string> names;
    for (std::istringstream h(line); std::getline(h, line, ',');) names.push_back(line);
    std::vector<std::vector<double>> columns(names.size());
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        std::istringstream row(line);
        std::string cell;
        for (auto& c : columns) {
            std::getline(row, cell, ',');
            c.push_back(std::stod(cell));
        }
    }
    return {names, columns};
}

}  // namespace

TEST_CASE("a normal model on columns in memory has the closed-form MLE") {
    const std::vector<double> y = normal_draws(500, 3.0, 2.0, 11);
    Diagnostics ds;
    auto model = Model::from_text("param sigma > 0\ny ~ normal(mu, sigma)\n", "normal.mle", ds);
    REQUIRE(model);
    auto data = Data::from_columns({"y"}, {std::span<const double>(y)}, "arrays", ds);
    REQUIRE(data);
    CHECK(data->column_names() == std::vector<std::string>{"y"});
    auto problem = Problem::bind(*model, *data, ds);
    REQUIRE(problem);
    const mlec::FitResult r = mlec::fit(*problem);
    REQUIRE(r.converged);
    // MLE: the sample mean and the root mean squared deviation (divisor n).
    const double n = static_cast<double>(y.size());
    const double mean = std::accumulate(y.begin(), y.end(), 0.0) / n;
    double ss = 0;
    for (double v : y) ss += (v - mean) * (v - mean);
    const double sigma = std::sqrt(ss / n);
    REQUIRE(r.parameters.size() == 2);
    const auto& mu_est = r.parameters[0].name == "mu" ? r.parameters[0] : r.parameters[1];
    const auto& sigma_est = r.parameters[0].name == "mu" ? r.parameters[1] : r.parameters[0];
    CHECK(mu_est.estimate == Approx(mean).epsilon(1e-8));
    CHECK(sigma_est.estimate == Approx(sigma).epsilon(1e-8));
    // Observed information: SE(mu) = sigma / sqrt(n), SE(sigma) = sigma / sqrt(2n).
    CHECK(*mu_est.std_error == Approx(sigma / std::sqrt(n)).epsilon(1e-6));
    CHECK(*sigma_est.std_error == Approx(sigma / std::sqrt(2 * n)).epsilon(1e-6));
    CHECK(r.log_likelihood == Approx(-0.5 * n * (std::log(2 * std::numbers::pi * sigma * sigma) + 1)).epsilon(1e-10));
    CHECK(r.data_name == "arrays");
}

TEST_CASE("columns in memory are read where they lie, not copied") {
    std::vector<double> y = {1.0, 2.0, 4.0, 7.0};
    Diagnostics ds;
    auto model = Model::from_text("y ~ normal(mu, 1)\n", "m.mle", ds);
    auto data = Data::from_columns({"y"}, {std::span<const double>(y)}, "arrays", ds);
    REQUIRE(data);
    auto problem = Problem::bind(*model, *data, ds);
    REQUIRE(problem);
    Eigen::VectorXd theta(1);
    theta << 0.0;
    const double before = problem->nll(theta);
    // NLL at mu = 0 is sum y^2 / 2 + n log sqrt(2 pi).
    const double constant = 4 * 0.5 * std::log(2 * std::numbers::pi);
    CHECK(before == Approx(0.5 * (1 + 4 + 16 + 49) + constant).epsilon(1e-14));
    y[3] = 0.0;  // the caller's buffer changes: the problem sees it
    CHECK(problem->nll(theta) == Approx(0.5 * (1 + 4 + 16) + constant).epsilon(1e-14));
}

TEST_CASE("data in memory and the same data from CSV give the same fit") {
    const std::string text = mlec::test::read_file(mlec::test::source_dir() / "models/poisson_group.csv");
    auto [names, columns] = read_csv_columns(text);
    Diagnostics ds;
    auto model = Model::from_file((mlec::test::source_dir() / "models/poisson_group.mle").string(), ds);
    REQUIRE(model);
    std::vector<std::span<const double>> views(columns.begin(), columns.end());
    auto memory = Data::from_columns(names, views, "arrays", ds);
    auto csv = Data::from_csv_text(text, "poisson_group.csv", ds);
    REQUIRE(memory);
    REQUIRE(csv);
    auto a = Problem::bind(*model, *memory, ds);
    auto b = Problem::bind(*model, *csv, ds);
    REQUIRE(a);
    REQUIRE(b);
    const mlec::FitResult ra = mlec::fit(*a);
    const mlec::FitResult rb = mlec::fit(*b);
    REQUIRE(ra.converged);
    REQUIRE(ra.parameters.size() == rb.parameters.size());
    for (std::size_t i = 0; i < ra.parameters.size(); ++i) {
        CHECK(ra.parameters[i].name == rb.parameters[i].name);  // effect[1] .. effect[5]: whole-number levels
        CHECK(ra.parameters[i].estimate == rb.parameters[i].estimate);
    }
    // And both are R's glm (models/poisson_group.expected.json).
    CHECK(ra.parameters[5].name == "b");
    CHECK(ra.parameters[5].estimate == Approx(0.35412763774365696).epsilon(1e-6));
    CHECK(ra.log_likelihood == Approx(-473.5796728658413).epsilon(1e-10));
}

TEST_CASE("bad columns in memory are errors that name the column and row") {
    Diagnostics ds;
    const std::vector<double> a = {1, 2, 3}, b = {1, 2};
    CHECK_FALSE(Data::from_columns({"a", "b"}, {std::span<const double>(a), std::span<const double>(b)}, "t", ds));
    REQUIRE(ds.size() == 1);
    CHECK(mlec::format(ds) == "t: error: column 'b' has 2 rows, but 'a' has 3\n");
    ds.clear();
    CHECK_FALSE(Data::from_columns({"a", "a"}, {std::span<const double>(a), std::span<const double>(a)}, "t", ds));
    CHECK(mlec::format(ds) == "t: error: column 'a' appears twice\n");
    ds.clear();
    CHECK_FALSE(Data::from_columns({"a"}, {}, "t", ds));
    CHECK(mlec::format(ds) == "t: error: 1 column names for 0 columns\n");
    ds.clear();

    const std::vector<double> y = {1.0, std::nan(""), 2.0, 3.5};
    const std::vector<double> z = {1.0, 2.0, std::numeric_limits<double>::infinity(), 3.5};
    auto model = Model::from_text("y ~ normal(mu, 1)\n", "m.mle", ds);
    auto with_nan = Data::from_columns({"y"}, {std::span<const double>(y)}, "t", ds);
    REQUIRE(with_nan);
    CHECK_FALSE(Problem::bind(*model, *with_nan, ds));
    CHECK(mlec::format(ds) == "t: error: row 2, column 'y': missing value (NaN)\n");
    ds.clear();
    // With drop_missing the row is left out, and the count reported.
    mlec::BindOptions drop;
    drop.drop_missing = true;
    auto dropped = Problem::bind(*model, *with_nan, ds, drop);
    REQUIRE(dropped);
    CHECK(dropped->observations() == 3);
    CHECK(dropped->rows_dropped() == 1);
    CHECK(mlec::fit(*dropped).parameters[0].estimate == Approx((1.0 + 2.0 + 3.5) / 3).epsilon(1e-9));
    auto with_inf = Data::from_columns({"y"}, {std::span<const double>(z)}, "t", ds);
    CHECK_FALSE(Problem::bind(*model, *with_inf, ds, drop));
    CHECK(mlec::format(ds) == "t: error: row 3, column 'y': 'inf' is not a finite number\n");
    ds.clear();
    // A value outside the distribution's support, found before fitting.
    const std::vector<double> counts = {0, 1, 2.5};
    auto pmodel = Model::from_text("y ~ poisson(lambda)\n", "p.mle", ds);
    auto pdata = Data::from_columns({"y"}, {std::span<const double>(counts)}, "t", ds);
    CHECK_FALSE(Problem::bind(*pmodel, *pdata, ds));
    CHECK(mlec::format(ds) ==
          "t: error: row 3, column 'y': poisson outcome must be a non-negative integer, found 2.5\n");
}

// Labelled columns (a pandas Categorical, an R factor): codes into their
// labels, a group column named by them, the same fit as a CSV of the texts
// whose levels (first appearance) are the labels' order; wrong codes and a
// labelled column read as a number are errors that name the row.
TEST_CASE("labelled columns in memory are group levels, as a CSV column of their texts") {
    const std::string csv_text = "y,g\n1.2,north\n0.4,south\n1.9,north\n-0.3,east\n0.8,south\n0.1,east\n";
    const std::vector<double> y = {1.2, 0.4, 1.9, -0.3, 0.8, 0.1}, g = {1, 2, 1, 3, 2, 3};
    const std::vector<std::vector<std::string>> labels = {{}, {"north", "south", "east"}};
    Diagnostics ds;
    auto model = Model::from_text(
        "param mu, s > 0, sigma > 0\nrandom u[g] ~ normal(0, s)\ny ~ normal(mu + u[g], sigma)\n", "m.mle", ds);
    auto memory =
        Data::from_columns({"y", "g"}, {std::span<const double>(y), std::span<const double>(g)}, labels, "t", ds);
    auto csv = Data::from_csv_text(csv_text, "g.csv", ds);
    REQUIRE(memory);
    REQUIRE(csv);
    auto a = Problem::bind(*model, *memory, ds);
    auto b = Problem::bind(*model, *csv, ds);
    REQUIRE(a);
    REQUIRE(b);
    const mlec::FitResult ra = mlec::fit(*a), rb = mlec::fit(*b);
    CHECK(ra.log_likelihood == rb.log_likelihood);
    REQUIRE(ra.random_effects.size() == 1);
    REQUIRE(ra.random_effects[0].levels.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(ra.random_effects[0].levels[i].level == labels[1][i]);
        CHECK(ra.random_effects[0].levels[i].mode == rb.random_effects[0].levels[i].mode);
    }
    const std::vector<double> bad = {1, 2, 4, 3, 2, 3};
    CHECK_FALSE(
        Data::from_columns({"y", "g"}, {std::span<const double>(y), std::span<const double>(bad)}, labels, "t", ds));
    CHECK(mlec::format(ds) == "t: error: row 3, column 'g': code 4 is not one of its 3 labels' numbers 1..3\n");
    ds.clear();
    auto numeric = Model::from_text("y ~ normal(mu + b*g, sigma)\n", "n.mle", ds);
    CHECK_FALSE(Problem::bind(*numeric, *memory, ds));
    CHECK(mlec::format(ds) == "t: error: row 1, column 'g': expected a number, found 'north'\n");
}

TEST_CASE("the compiled NLL serves a caller's own optimizer") {
    // Poisson with a log link: theta = log(lambda); the MLE is log(mean y).
    const std::vector<double> y = {0, 3, 1, 4, 2, 2, 5, 1};
    Diagnostics ds;
    auto model = Model::from_text("y ~ poisson(exp(a))\n", "p.mle", ds);
    auto data = Data::from_columns({"y"}, {std::span<const double>(y)}, "t", ds);
    auto problem = Problem::bind(*model, *data, ds);
    REQUIRE(problem);
    REQUIRE(problem->dimension() == 1);
    CHECK(problem->parameter_names() == std::vector<std::string>{"a"});
    // A few Newton steps of our own.
    Eigen::VectorXd theta = problem->start(), g;
    Eigen::MatrixXd h;
    for (int i = 0; i < 30; ++i) {
        problem->nll_gradient_hessian(theta, g, h);
        theta[0] -= g[0] / h(0, 0);
    }
    const double mean = 18.0 / 8;
    CHECK(theta[0] == Approx(std::log(mean)).epsilon(1e-12));
    // d/da NLL = sum(e^a - y) = 8 e^a - 18, second derivative 8 e^a.
    Eigen::VectorXd at(1);
    at << 0.3;
    problem->nll_gradient_hessian(at, g, h);
    CHECK(g[0] == Approx(8 * std::exp(0.3) - 18).epsilon(1e-12));
    CHECK(h(0, 0) == Approx(8 * std::exp(0.3)).epsilon(1e-12));
}

TEST_CASE("the iteration callback reports progress and can cancel") {
    const std::vector<double> y = normal_draws(200, 1.0, 1.5, 3);
    Diagnostics ds;
    auto model = Model::from_text("param s > 0\ny ~ normal(m, s)\n", "m.mle", ds);
    auto data = Data::from_columns({"y"}, {std::span<const double>(y)}, "t", ds);
    auto problem = Problem::bind(*model, *data, ds);
    REQUIRE(problem);
    mlec::FitOptions options;
    int calls = 0;
    options.on_iteration = [&](const mlec::IterationInfo& it) {
        ++calls;
        CHECK(it.iteration == calls);
        CHECK(std::isfinite(it.nll));
        return it.iteration < 2;  // stop after the second iteration
    };
    const mlec::FitResult r = mlec::fit(*problem, options);
    CHECK(r.status == mlec::FitStatus::cancelled);
    CHECK_FALSE(r.converged);
    CHECK(calls == 2);
    options.on_iteration = nullptr;
    options.confidence = 1.5;
    std::string why;
    CHECK_FALSE(options.is_valid(&why));
    CHECK(mlec::fit(*problem, options).status == mlec::FitStatus::invalid_options);
}

TEST_CASE("several fits run at the same time in different threads") {
    // Each thread binds its own Problem (a Problem evaluates on one thread at
    // a time) to one shared Model and one shared Data, and fits it; every
    // result must equal the same fit run alone, bit for bit.
    const std::string root = mlec::test::source_dir().string();
    Diagnostics ds;
    auto model = Model::from_file(root + "/models/logistic.mle", ds);
    auto data = Data::from_csv_file(root + "/models/logistic.csv", ds);
    REQUIRE(model);
    REQUIRE(data);
    auto alone_problem = Problem::bind(*model, *data, ds);
    REQUIRE(alone_problem);
    const mlec::FitResult alone = mlec::fit(*alone_problem);
    REQUIRE(alone.converged);
    const std::string expected = mlec::json_report(alone);

    constexpr int threads = 6;
    std::vector<std::string> reports(threads);
    std::atomic<int> failures{0};
    {
        std::vector<std::jthread> pool;
        for (int t = 0; t < threads; ++t) {
            pool.emplace_back([&, t] {
                Diagnostics local;
                mlec::BindOptions options;
                options.threads = 1 + t % 2;  // some fits threaded themselves
                auto problem = Problem::bind(*model, *data, local, options);
                if (!problem) {
                    ++failures;
                    return;
                }
                mlec::FitOptions fo;
                fo.ci = t % 3 == 0 ? mlec::CiMethod::profile : mlec::CiMethod::wald;
                const mlec::FitResult r = mlec::fit(*problem, fo);
                reports[static_cast<std::size_t>(t)] = fo.ci == mlec::CiMethod::wald ? mlec::json_report(r) : "";
                if (!r.converged) ++failures;
            });
        }
    }
    CHECK(failures == 0);
    for (int t = 0; t < threads; ++t)
        if (t % 3 != 0) CHECK(reports[static_cast<std::size_t>(t)] == expected);
    // The reference values of models/logistic.expected.json still hold.
    const auto j = nlohmann::json::parse(mlec::test::read_file(root + "/models/logistic.expected.json"));
    for (std::size_t i = 0; i < alone.parameters.size(); ++i)
        CHECK(alone.parameters[i].estimate == Approx(j["parameters"][i]["estimate"].get<double>()).epsilon(1e-6));
}

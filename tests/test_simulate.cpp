// The parametric bootstrap and mlec simulate: reproducible from the seed,
// and statistically right — the bootstrap standard error of a Poisson rate
// approaches the closed form sqrt(lambda / n), simulated outcomes follow the
// fitted distribution.
#include <catch2/catch.hpp>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "mlec/mlec.hpp"
#include "support/bound_model.hpp"

namespace {

using mlec::test::bind_model;
using mlec::test::Bound;

std::string counts_csv() {
    std::ostringstream csv;
    csv << "y\n";
    const int ys[] = {3, 1, 4, 1, 5, 2, 6, 2, 3, 5, 3, 5, 0, 2, 3, 4, 2, 6, 4, 3};
    for (int y : ys) csv << y << "\n";
    return csv.str();
}

}  // namespace

TEST_CASE("the bootstrap is reproducible and its SE matches the closed form") {
    Bound b = bind_model("y ~ poisson(lambda)\n", counts_csv());
    mlec::FitOptions o;
    o.bootstrap = 2000;
    o.seed = 11;
    const auto r1 = mlec::fit(*b.problem, o);
    const auto r2 = mlec::fit(*b.problem, o);
    REQUIRE(r1.bootstrap_replicates == 2000);
    CHECK(*r1.parameters[0].boot_lower == *r2.parameters[0].boot_lower);
    CHECK(*r1.parameters[0].boot_se == *r2.parameters[0].boot_se);
    const double lambda = r1.parameters[0].estimate;
    // SE of the MLE (the mean of n Poisson draws) is sqrt(lambda/n); the
    // bootstrap estimate of it has relative noise about 1/sqrt(2B) = 1.6%.
    CHECK(*r1.parameters[0].boot_se == Approx(std::sqrt(lambda / 20)).epsilon(0.06));
    CHECK(*r1.parameters[0].boot_lower < lambda);
    CHECK(*r1.parameters[0].boot_upper > lambda);
    o.seed = 12;
    const auto r3 = mlec::fit(*b.problem, o);
    // (The interval's ends are means of 20 counts, multiples of 0.05 that
    // two seeds may share; the standard deviation of 2,000 of them is not.)
    CHECK(*r3.parameters[0].boot_se != *r1.parameters[0].boot_se);
}

TEST_CASE("simulate writes the used columns with new outcomes drawn from the fit") {
    Bound b = bind_model("param mu[g], s > 0\ny ~ normal(mu[g], s)\n",
                         "g,y,unused\nred,1,x\nblue,5,y\nred,1.5,z\nblue,5.5,w\n");
    const auto r = mlec::fit(*b.problem);
    REQUIRE(r.converged);
    mlec::Diagnostics ds;
    const auto a = mlec::simulate_csv(*b.problem, r, 5, ds);
    const auto again = mlec::simulate_csv(*b.problem, r, 5, ds);
    REQUIRE(a);
    CHECK(*a == *again);
    std::istringstream lines(*a);
    std::string header, row;
    std::getline(lines, header);
    CHECK(header == "g,y");
    std::getline(lines, row);
    CHECK(row.starts_with("red,"));
    std::getline(lines, row);
    CHECK(row.starts_with("blue,"));
}

TEST_CASE("simulated outcomes follow the fitted distribution") {
    // 4000 rows of one bernoulli probability: simulated successes have the
    // fitted mean within 5 binomial standard errors.
    std::ostringstream csv;
    csv << "y\n";
    for (int i = 0; i < 4000; ++i) csv << (i % 10 < 3 ? 1 : 0) << "\n";
    Bound b = bind_model("y ~ bernoulli(p)\n", csv.str());
    const auto r = mlec::fit(*b.problem);
    REQUIRE(r.converged);
    mlec::Diagnostics ds;
    const auto out = mlec::simulate_csv(*b.problem, r, 1, ds);
    REQUIRE(out);
    std::istringstream lines(*out);
    std::string line;
    std::getline(lines, line);
    double sum = 0;
    int n = 0;
    while (std::getline(lines, line)) sum += std::stod(line), ++n;
    REQUIRE(n == 4000);
    CHECK(std::abs(sum / n - 0.3) < 5 * std::sqrt(0.3 * 0.7 / n));
}

TEST_CASE("a fit that did not converge is not simulated from") {
    Bound b = bind_model("y ~ bernoulli(p)\n", "y\n1\n1\n1\n");
    const auto r = mlec::fit(*b.problem);
    mlec::Diagnostics ds;
    CHECK_FALSE(mlec::simulate_csv(*b.problem, r, 1, ds));
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].category == mlec::Category::fit);
    CHECK(ds[0].message == "the fit's status is diverged, not converged: there is no estimate to simulate from");
}

TEST_CASE("a model that cannot be simulated is refused as a model error, however the fit went") {
    Bound b = bind_model("target += normal_lpdf(y | mu, 1)\n", "y\n1\n2\n4\n");
    const auto r = mlec::fit(*b.problem);
    REQUIRE(r.converged);
    mlec::Diagnostics ds;
    CHECK_FALSE(mlec::simulate_csv(*b.problem, r, 1, ds));
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].category == mlec::Category::model);
    CHECK(ds[0].message ==
          "cannot simulate 'target += normal_lpdf(y | mu, 1)': only sampling statements with one "
          "distribution can be simulated");
}

TEST_CASE("predict: at x = 0 the linear predictor is the intercept, with its standard error") {
    // models/poisson.mle on its data (reference fit: models/poisson.expected.json,
    // R glm): at x1 = x2 = 0, eta = b0 with SE(b0); the expected count exp(b0)
    // has delta-method SE exp(b0) SE(b0).
    mlec::Diagnostics ds;
    const std::string dir = std::string(MLEC_SOURCE_DIR) + "/models/";
    auto model = mlec::Model::from_file(dir + "poisson.mle", ds);
    auto data = mlec::Data::from_csv_file(dir + "poisson.csv", ds);
    REQUIRE(model);
    REQUIRE(data);
    auto problem = mlec::Problem::bind(*model, *data, ds);
    REQUIRE(problem);
    const auto r = mlec::fit(*problem);
    auto newdata = mlec::Data::from_csv_text("x1,x2\n0,0\n1,-1\n", "new.csv", ds);
    REQUIRE(newdata);
    const auto csv = mlec::predict_csv(*problem, r, *newdata, ds);
    INFO(mlec::format(ds));
    REQUIRE(csv);
    std::istringstream lines(*csv);
    std::string header, row;
    std::getline(lines, header);
    CHECK(header == "row,y_expected,y_expected_se,y_linear_predictor,y_linear_predictor_se");
    std::getline(lines, row);
    std::vector<double> v;
    std::stringstream fields(row);
    for (std::string f; std::getline(fields, f, ',');) v.push_back(std::stod(f));
    const double b0 = 0.52255071236266937, se_b0 = 0.046327406818903946;
    CHECK(v[3] == Approx(b0).epsilon(1e-6));
    CHECK(v[4] == Approx(se_b0).epsilon(1e-4));
    CHECK(v[1] == Approx(std::exp(b0)).epsilon(1e-6));
    CHECK(v[2] == Approx(std::exp(b0) * se_b0).epsilon(1e-4));
}

TEST_CASE("predict writes NA for a mean that does not exist, and its standard error") {
    // pareto(1, a) on four equal outcomes y: a = n / sum(log y) exactly, SE(a)
    // = a / sqrt(n). With log y = 1/2, a = 2: the mean a/(a - 1) = 2 with
    // delta-method SE SE(a)/(a - 1)^2 = 1. With log y = 2, a = 1/2: no mean.
    auto predict = [](double log_y) {
        mlec::Diagnostics ds;
        auto model = mlec::Model::from_text("param a > 0\ny ~ pareto(1, a)\n", "m.mle", ds);
        std::ostringstream data;
        data << std::setprecision(17) << "y\n";
        for (int i = 0; i < 4; ++i) data << std::exp(log_y) << "\n";
        auto d = mlec::Data::from_csv_text(data.str(), "d.csv", ds);
        REQUIRE(model);
        REQUIRE(d);
        auto problem = mlec::Problem::bind(*model, *d, ds);
        REQUIRE(problem);
        const auto r = mlec::fit(*problem);
        auto newdata = mlec::Data::from_csv_text("x\n1\n", "new.csv", ds);
        REQUIRE(newdata);
        const auto csv = mlec::predict_csv(*problem, r, *newdata, ds);
        INFO(mlec::format(ds));
        REQUIRE(csv);
        return *csv;
    };
    const std::string two = predict(0.5);
    std::istringstream lines(two);
    std::string header, row;
    std::getline(lines, header);
    CHECK(header == "row,y_expected,y_expected_se");
    std::getline(lines, row);
    std::vector<double> v;
    std::stringstream fields(row);
    for (std::string f; std::getline(fields, f, ',');) v.push_back(std::stod(f));
    REQUIRE(v.size() == 3);
    CHECK(v[1] == Approx(2.0).epsilon(1e-6));
    CHECK(v[2] == Approx(1.0).epsilon(1e-4));
    CHECK(predict(2.0) == "row,y_expected,y_expected_se\n1,NA,NA\n");
}

TEST_CASE("predict refuses a group level the fit never saw") {
    mlec::Diagnostics ds;
    auto model = mlec::Model::from_text("param e[g]\ny ~ normal(e[g], 1)\n", "m.mle", ds);
    auto data = mlec::Data::from_csv_text("g,y\na,1\nb,2\n", "d.csv", ds);
    auto problem = mlec::Problem::bind(*model, *data, ds);
    REQUIRE(problem);
    const auto r = mlec::fit(*problem);
    auto newdata = mlec::Data::from_csv_text("g\nb\nc\n", "new.csv", ds);
    CHECK_FALSE(mlec::predict_csv(*problem, r, *newdata, ds));
    CHECK(
        mlec::format(ds) ==
        "new.csv:3:1: error: row 2, column 'g': level 'c' was not in the data the model was fitted to\n    c\n    ^\n");
}

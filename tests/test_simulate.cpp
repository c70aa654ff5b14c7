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

namespace {

// Six rows of counts over three categories: an intercept-only multinomial
// has the closed-form MLE p_k = (column total) / (all trials), 10/40, 12/40,
// 18/40.
const char* multinomial_counts = "n1,n2,n3,w\n1,2,3,1\n0,4,1,2\n3,0,2,1\n2,1,5,1\n1,1,1,3\n3,4,6,1\n";
const char* multinomial_model = "[n1, n2, n3] ~ multinomial(softmax([0, a2, a3]))\n";

std::vector<std::vector<double>> csv_rows(const std::string& csv, std::string& header) {
    std::istringstream lines(csv);
    std::getline(lines, header);
    std::vector<std::vector<double>> rows;
    for (std::string line; std::getline(lines, line);) {
        std::vector<double> v;
        std::stringstream fields(line);
        for (std::string f; std::getline(fields, f, ',');) v.push_back(std::stod(f));
        rows.push_back(v);
    }
    return rows;
}

}  // namespace

TEST_CASE("multinomial: simulate draws every count column with each row's total, predict gives N p_k") {
    Bound b = bind_model(multinomial_model, multinomial_counts);
    const auto r = mlec::fit(*b.problem);
    REQUIRE(r.converged);
    // closed form: a_k = log(total_k / total_1)
    CHECK(r.parameters[0].estimate == Approx(std::log(12.0 / 10.0)).epsilon(1e-8));
    CHECK(r.parameters[1].estimate == Approx(std::log(18.0 / 10.0)).epsilon(1e-8));
    mlec::Diagnostics ds;
    const auto sim = mlec::simulate_csv(*b.problem, r, 3, ds);
    INFO(mlec::format(ds));
    REQUIRE(sim);
    std::string header;
    const auto drawn = csv_rows(*sim, header);
    CHECK(header == "n1,n2,n3");
    const std::vector<double> totals{6, 5, 5, 8, 3, 13};
    REQUIRE(drawn.size() == totals.size());
    bool same_totals = true;
    bool changed = false;
    for (std::size_t i = 0; i < drawn.size(); ++i) {
        same_totals = same_totals && drawn[i][0] + drawn[i][1] + drawn[i][2] == totals[i];
        changed = changed || drawn[i][0] != (std::vector<double>{1, 0, 3, 2, 1, 3})[i];
    }
    CHECK(same_totals);
    CHECK(changed);

    auto newdata = mlec::Data::from_csv_text("n1,n2,n3\n1,1,2\n0,10,0\n", "new.csv", ds);
    REQUIRE(newdata);
    const auto predicted = mlec::predict_csv(*b.problem, r, *newdata, ds);
    REQUIRE(predicted);
    const auto rows = csv_rows(*predicted, header);
    CHECK(header == "row,n1_expected,n1_expected_se,n2_expected,n2_expected_se,n3_expected,n3_expected_se");
    REQUIRE(rows.size() == 2);
    CHECK(rows[0][1] == Approx(4 * 10.0 / 40).epsilon(1e-8));
    CHECK(rows[1][3] == Approx(10 * 12.0 / 40).epsilon(1e-8));
    CHECK(rows[1][5] == Approx(10 * 18.0 / 40).epsilon(1e-8));
    // SE of N p_1 with p_1 a proportion of 40 trials: N sqrt(p (1 - p) / 40)
    CHECK(rows[0][2] == Approx(4 * std::sqrt(0.25 * 0.75 / 40)).epsilon(1e-6));

    auto without_counts = mlec::Data::from_csv_text("x\n1\n", "new.csv", ds);
    REQUIRE(without_counts);
    mlec::Diagnostics refused;
    CHECK_FALSE(mlec::predict_csv(*b.problem, r, *without_counts, refused));
    REQUIRE(refused.size() == 1);
    CHECK(refused[0].message ==
          "cannot predict from '[n1, n2, n3] ~ multinomial(softmax([0, a2, a3]))': its expected counts are the "
          "row's total times each probability, and the new data have no column 'n1' to total");
}

TEST_CASE("multinomial: weights multiply rows, and the bootstrap draws every count column") {
    // weight w is the rows repeated w times: the same log-likelihood
    Bound weighted = bind_model(std::string("weight w\n") + multinomial_model, multinomial_counts);
    Bound repeated =
        bind_model(multinomial_model, "n1,n2,n3\n1,2,3\n0,4,1\n0,4,1\n3,0,2\n2,1,5\n1,1,1\n1,1,1\n1,1,1\n3,4,6\n");
    const auto rw = mlec::fit(*weighted.problem);
    const auto rr = mlec::fit(*repeated.problem);
    REQUIRE(rw.converged);
    REQUIRE(rr.converged);
    CHECK(rw.log_likelihood == Approx(rr.log_likelihood).epsilon(1e-12));
    REQUIRE(rw.parameters[0].std_error);
    REQUIRE(rr.parameters[0].std_error);
    CHECK(*rw.parameters[0].std_error == Approx(*rr.parameters[0].std_error).epsilon(1e-8));
    mlec::FitOptions o;
    o.bootstrap = 200;
    o.seed = 5;
    const auto boot = mlec::fit(*repeated.problem, o);
    CHECK(boot.bootstrap_replicates == 200);
    REQUIRE(boot.parameters[0].boot_se);
    // the bootstrap SE of a log ratio of proportions is near the Wald SE
    CHECK(*boot.parameters[0].boot_se == Approx(*rr.parameters[0].std_error).epsilon(0.3));
}

// The parametric bootstrap and mlec simulate: reproducible from the seed,
// and statistically right — the bootstrap standard error of a Poisson rate
// approaches the closed form sqrt(lambda / n), simulated outcomes follow the
// fitted distribution.
#include <catch2/catch.hpp>
#include <cmath>
#include <sstream>

#include "mlec/mlec.hpp"

namespace {

struct Bound {
    std::optional<mlec::Model> model;
    std::optional<mlec::Data> data;
    std::optional<mlec::Problem> problem;
};

Bound bind_model(const std::string& model_text, const std::string& csv) {
    Bound b;
    mlec::Diagnostics ds;
    b.model = mlec::Model::from_text(model_text, "m.mle", ds);
    b.data = mlec::Data::from_csv_text(csv, "d.csv", ds);
    REQUIRE(b.model);
    REQUIRE(b.data);
    b.problem = mlec::Problem::bind(*b.model, *b.data, ds);
    REQUIRE(b.problem);
    return b;
}

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
    CHECK(*r3.parameters[0].boot_lower != *r1.parameters[0].boot_lower);
}

TEST_CASE("simulate writes the used columns with new outcomes drawn from the fit") {
    Bound b = bind_model("param mu[g], s > 0\ny ~ normal(mu[g], s)\n", "g,y,unused\nred,1,x\nblue,5,y\nred,1.5,z\nblue,5.5,w\n");
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
    CHECK(ds[0].message == "the fit did not converge (diverged): there is no estimate to simulate from");
}

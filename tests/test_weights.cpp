// Frequency weights (the `weight` statement): a row of weight w counts as w
// identical rows. Checked against that definition, the same data written
// out row by row (estimates, standard errors, log-likelihood, AIC and BIC,
// to rounding), against R's glm(weights =) in models/weighted_logistic, and
// for simulate and the bootstrap, which draw one outcome per observation.
// The statement's mistakes have exact messages.
#include <catch2/catch.hpp>
#include <cmath>
#include <sstream>
#include <string>

#include "mlec/mlec.hpp"
#include "support/bound_model.hpp"

namespace {

// A Poisson regression on rows (x, y, n): n copies of (x, y). `long_form`
// writes each row n times, without the weight column.
std::string counts_csv(bool long_form) {
    std::ostringstream s;
    s << (long_form ? "x,y\n" : "x,y,n\n");
    for (int i = 0; i < 24; ++i) {
        const double x = 0.25 * (i % 8);
        const int y = (i * 7) % 5 + i % 8;  // rises with x
        const int n = 1 + (i * 5) % 4;      // 1..4
        if (!long_form) s << x << "," << y << "," << n << "\n";
        else
            for (int k = 0; k < n; ++k) s << x << "," << y << "\n";
    }
    return s.str();
}

const std::string poisson_model = "y ~ poisson(exp(b0 + b1*x))\n";

mlec::FitResult fit(const std::string& model, const std::string& csv, mlec::FitOptions options = {}) {
    mlec::test::Bound b = mlec::test::bind_model(model, csv);
    return mlec::fit(*b.problem, options);
}

std::string error_of(const std::string& model, const std::string& csv) {
    mlec::Diagnostics ds;
    auto m = mlec::Model::from_text(model, "m.mle", ds);
    REQUIRE(m);
    auto d = mlec::Data::from_csv_text(csv, "d.csv", ds);
    REQUIRE(d);
    REQUIRE_FALSE(mlec::Problem::bind(*m, *d, ds));
    REQUIRE(!ds.empty());
    return mlec::format(ds.front());
}

}  // namespace

TEST_CASE("a weighted row counts as that many identical rows") {
    const mlec::FitResult w = fit("weight n\n" + poisson_model, counts_csv(false));
    const mlec::FitResult l = fit(poisson_model, counts_csv(true));
    REQUIRE(w.converged);
    REQUIRE(l.converged);
    CHECK(w.n_obs == 24);
    CHECK(w.weight == "n");
    CHECK(w.n_weighted == static_cast<double>(l.n_obs));
    CHECK(l.n_weighted == static_cast<double>(l.n_obs));
    CHECK(w.log_likelihood == Approx(l.log_likelihood).epsilon(1e-12));
    CHECK(w.aic == Approx(l.aic).epsilon(1e-12));
    CHECK(w.bic == Approx(l.bic).epsilon(1e-12));
    for (std::size_t i = 0; i < w.parameters.size(); ++i) {
        CHECK(w.parameters[i].estimate == Approx(l.parameters[i].estimate).epsilon(1e-9));
        REQUIRE(w.parameters[i].std_error);
        CHECK(*w.parameters[i].std_error == Approx(*l.parameters[i].std_error).epsilon(1e-9));
    }
}

TEST_CASE("a row of weight 0 adds nothing, whatever its outcome") {
    const std::string csv = counts_csv(false);
    // An outcome far out in the tail (y = 400 where the rate is about 2)
    // would pull the estimate a long way if it counted at all.
    const mlec::FitResult with_zero = fit("weight n\n" + poisson_model, csv + "5,400,0\n");
    const mlec::FitResult without = fit("weight n\n" + poisson_model, csv);
    REQUIRE(with_zero.converged);
    CHECK(with_zero.log_likelihood == Approx(without.log_likelihood).epsilon(1e-13));
    CHECK(with_zero.n_obs == without.n_obs + 1);
    CHECK(with_zero.n_weighted == without.n_weighted);
}

TEST_CASE("the weight statement's mistakes") {
    const std::string csv = counts_csv(false);
    CHECK(error_of("weight n*b0\n" + poisson_model, csv) ==
          "m.mle:1:8: error: a weight must be data: this depends on parameters\n    weight n*b0\n           ^^^^\n");
    CHECK(error_of("weight 2\n" + poisson_model, csv) ==
          "m.mle:1:8: error: a weight must use a data column: the same weight for every row changes nothing but "
          "the scale of the log-likelihood\n    weight 2\n           ^\n");
    CHECK(error_of("weight n\nweight x\n" + poisson_model, csv) ==
          "m.mle:2:1: error: the rows' weights are already given at 1:1\n    weight x\n    ^^^^^^^^\n");
    CHECK(error_of("weight x - 1\n" + poisson_model, csv) ==
          "m.mle:1:8: error: row 1 of d.csv: weight must be non-negative, found -1\n    weight x - 1\n           "
          "^^^^^\n");
}

TEST_CASE("a weight may be any expression of data") {
    // Half of each weight, twice over, is each weight once.
    const mlec::FitResult half = fit("weight n / 2 + n / 2\n" + poisson_model, counts_csv(false));
    const mlec::FitResult whole = fit("weight n\n" + poisson_model, counts_csv(false));
    REQUIRE(half.converged);
    CHECK(half.log_likelihood == Approx(whole.log_likelihood).epsilon(1e-13));
    CHECK(half.n_weighted == whole.n_weighted);
    // Weight 0 leaves rows out: the same fit as on the other rows alone.
    const mlec::FitResult chosen = fit("weight ifelse(x > 1, n, 0)\n" + poisson_model, counts_csv(false));
    std::istringstream all(counts_csv(false));
    std::string line, subset;
    std::getline(all, subset);
    subset += "\n";
    while (std::getline(all, line))
        if (std::stod(line.substr(0, line.find(','))) > 1) subset += line + "\n";
    const mlec::FitResult kept = fit("weight n\n" + poisson_model, subset);
    REQUIRE(chosen.converged);
    CHECK(chosen.log_likelihood == Approx(kept.log_likelihood).epsilon(1e-12));
    CHECK(chosen.n_weighted == kept.n_weighted);
    CHECK(chosen.parameters[1].estimate == Approx(kept.parameters[1].estimate).epsilon(1e-9));
}

TEST_CASE("'weight' stays a name where no weight statement is meant") {
    const std::string csv = "weight,x\n1.5,0\n2.5,1\n2.25,2\n3.5,3\n";
    const mlec::FitResult r = fit("param s > 0\nweight ~ normal(a + b*x, s)\n", csv);
    CHECK(r.converged);
    CHECK(r.weight.empty());
    const mlec::FitResult local = fit("param s > 0\nw = weight\nw ~ normal(a + b*x, s)\n", csv);
    CHECK(local.log_likelihood == Approx(r.log_likelihood).epsilon(1e-12));
}

TEST_CASE("simulate draws one row of weight 1 per observation") {
    mlec::test::Bound b = mlec::test::bind_model("weight n\n" + poisson_model, counts_csv(false));
    const mlec::FitResult r = mlec::fit(*b.problem);
    REQUIRE(r.converged);
    mlec::Diagnostics ds;
    const auto csv = mlec::simulate_csv(*b.problem, r, 7, ds);
    REQUIRE(csv);
    std::istringstream in(*csv);
    std::string line;
    std::getline(in, line);
    CHECK(line == "x,y,n");
    std::size_t rows = 0;
    while (std::getline(in, line)) {
        ++rows;
        CHECK(line.ends_with(",1"));
    }
    CHECK(static_cast<double>(rows) == r.n_weighted);
}

TEST_CASE("the bootstrap of a weighted fit refits on the observations") {
    mlec::FitOptions options;
    options.bootstrap = 40;
    options.seed = 3;
    const mlec::FitResult w = fit("weight n\n" + poisson_model, counts_csv(false), options);
    const mlec::FitResult l = fit(poisson_model, counts_csv(true), options);
    REQUIRE(w.bootstrap_replicates >= 38);
    // Both draw from the same fitted model on the same observations, so the
    // bootstrap SEs agree with each other as well as any two bootstraps
    // of 40 replicates do (and with the curvature's SE).
    for (std::size_t i = 0; i < w.parameters.size(); ++i) {
        REQUIRE(w.parameters[i].boot_se);
        REQUIRE(w.parameters[i].std_error);
        CHECK(*w.parameters[i].boot_se == Approx(*w.parameters[i].std_error).epsilon(0.35));
    }
    const mlec::FitResult half = fit("weight n / 2\n" + poisson_model, counts_csv(false), options);
    bool said = false;
    for (const std::string& warning : half.warnings)
        said = said || warning.starts_with("no bootstrap: the weight of row 1 is 0.5, not a whole number");
    CHECK(said);
}

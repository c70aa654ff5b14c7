// A term that depends on no data column (a prior or a penalty on the
// parameters) is added once per fit, not once per row: the posterior mode of
// a normal mean under a normal prior against its closed form, the note that
// says so, the warning when such a part hides inside a per-row term, and
// simulate and the bootstrap, which draw only the outcomes.
#include <catch2/catch.hpp>
#include <cmath>
#include <sstream>

#include "mlec/mlec.hpp"
#include "support/bound_model.hpp"

namespace {

using mlec::test::bind_model;
using mlec::test::Bound;

const std::vector<double> ys = {1.2, 0.4, 2.5, 1.9, -0.3, 1.1, 0.8, 2.2, 1.4, 0.9, 1.7, 0.2};

std::string ys_csv() {
    std::ostringstream csv;
    csv << "y\n";
    for (double y : ys) csv << y << "\n";
    return csv.str();
}

}  // namespace

TEST_CASE("a prior is added once: the posterior mode of a normal mean matches its closed form") {
    // y_i ~ N(mu, 1), mu ~ N(m0, tau): the mode is (sum y + m0 / tau^2) / (n + 1 / tau^2),
    // and the curvature of the log posterior is n + 1 / tau^2.
    const double m0 = -1.0;
    const double tau = 0.5;
    for (const char* prior : {"target += normal_lpdf(mu | -1, 0.5)\n", "target += -0.5 * ((mu + 1) / 0.5)^2\n"}) {
        INFO(prior);
        Bound b = bind_model(std::string("y ~ normal(mu, 1)\n") + prior, ys_csv());
        const auto r = mlec::fit(*b.problem);
        REQUIRE(r.converged);
        const double n = static_cast<double>(ys.size());
        double sum = 0;
        for (double y : ys) sum += y;
        const double precision = n + 1 / (tau * tau);
        CHECK(r.parameters[0].estimate == Approx((sum + m0 / (tau * tau)) / precision).epsilon(1e-10));
        REQUIRE(r.parameters[0].std_error);
        CHECK(*r.parameters[0].std_error == Approx(1 / std::sqrt(precision)).epsilon(1e-8));
        CHECK(r.n_obs == ys.size());
    }
}

TEST_CASE("a term on no data is added once to the log-likelihood, whatever the rows") {
    // The same model on 12 rows and on the first 3: the prior's share of the
    // log-likelihood is the same, normal_lpdf(mu | 0, 2) at mu = 0.7.
    for (const std::string& csv : {ys_csv(), std::string("y\n1.2\n0.4\n2.5\n")}) {
        Bound with = bind_model("y ~ normal(mu, 1)\ntarget += normal_lpdf(mu | 0, 2)\n", csv);
        Bound without = bind_model("y ~ normal(mu, 1)\n", csv);
        Eigen::VectorXd theta(1);
        theta << 0.7;
        const double prior = -std::log(2.0) - 0.5 * std::log(2 * M_PI) - 0.5 * (0.7 / 2) * (0.7 / 2);
        CHECK(-with.problem->nll(theta) == Approx(-without.problem->nll(theta) + prior).epsilon(1e-14));
    }
}

TEST_CASE("a term on no data is noted in the fit's report") {
    Bound b = bind_model("y ~ normal(mu, 1)\ntarget += normal_lpdf(mu | 0, 2)\n", ys_csv());
    const auto& notes = b.problem->notes();
    CHECK(std::find(notes.begin(), notes.end(),
                    "line 2: 'target += normal_lpdf(mu | 0, 2)' depends on no data column, so it is added once, "
                    "not once per row") != notes.end());
}

TEST_CASE("a prior inside a per-row term is a warning that points at it") {
    mlec::Diagnostics ds;
    auto model = mlec::Model::from_text("target += normal_lpdf(y | mu, 1) + normal_lpdf(mu | 0, 2)\n", "m.mle", ds);
    REQUIRE(model);
    auto data = mlec::Data::from_csv_text(ys_csv(), "d.csv", ds);
    REQUIRE(data);
    auto problem = mlec::Problem::bind(*model, *data, ds);
    REQUIRE(problem);
    const mlec::Diagnostics& w = problem->warnings();
    REQUIRE(w.size() == 1);
    CHECK(w[0].severity == mlec::Severity::warning);
    CHECK(w[0].line == 1);
    CHECK(w[0].column == 36);
    CHECK(w[0].message ==
          "'normal_lpdf(mu | 0, 2)' depends on no data column but is part of a term added once per row; if it is a "
          "prior or a penalty, give it its own 'target +=', which is added once");
}

TEST_CASE("a model with a prior can be simulated and bootstrapped: only the outcomes are drawn") {
    Bound b = bind_model("y ~ normal(mu, sigma)\ntarget += normal_lpdf(mu | 0, 10)\n", ys_csv());
    mlec::FitOptions o;
    o.bootstrap = 200;
    o.seed = 3;
    const auto r = mlec::fit(*b.problem, o);
    REQUIRE(r.converged);
    CHECK(r.bootstrap_replicates == 200);
    mlec::Diagnostics ds;
    const auto csv = mlec::simulate_csv(*b.problem, r, 1, ds);
    REQUIRE(csv);
    CHECK(ds.empty());
    CHECK(std::count(csv->begin(), csv->end(), '\n') == static_cast<long>(ys.size()) + 1);
}

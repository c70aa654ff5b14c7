// Fits whose likelihood has no finite maximum must say so — which parameter
// runs off, where to, and what the log-likelihood tends to — instead of
// presenting where the optimizer stopped as an estimate.
#include <catch2/catch.hpp>

#include "mlec/mlec.hpp"

namespace {

mlec::FitResult fit_text(const std::string& model_text, const std::string& csv) {
    mlec::Diagnostics ds;
    auto model = mlec::Model::from_text(model_text, "m.mle", ds);
    REQUIRE(model);
    auto data = mlec::Data::from_csv_text(csv, "d.csv", ds);
    REQUIRE(data);
    auto problem = mlec::Problem::bind(*model, *data, ds);
    INFO(mlec::format(ds));
    REQUIRE(problem);
    return mlec::fit(*problem);
}

}  // namespace

TEST_CASE("all-zero counts: the log rate diverges to -inf, log-likelihood to 0") {
    const auto r = fit_text("y ~ poisson(exp(a))\n", "y\n0\n0\n0\n");
    INFO(mlec::text_report(r));
    CHECK(r.status == mlec::FitStatus::diverged);
    REQUIRE(r.parameters.size() == 1);
    CHECK(r.parameters[0].diverging);
    CHECK(r.parameters[0].diverges_to == "-inf");
    REQUIRE(r.log_likelihood_limit);
    CHECK(std::abs(*r.log_likelihood_limit) < 1e-9);
    CHECK_FALSE(r.parameters[0].std_error);
}

TEST_CASE("a probability parameter runs to its bound when every outcome is 0") {
    const auto r = fit_text("y ~ bernoulli(p)\n", "y\n0\n0\n0\n0\n");
    CHECK(r.status == mlec::FitStatus::diverged);
    CHECK(r.parameters[0].diverges_to == "0");
    CHECK(r.message.find("p -> 0 (its lower bound)") != std::string::npos);
}

TEST_CASE("constant data make sigma run to 0 and the likelihood unbounded") {
    const auto r = fit_text("y ~ normal(mu, sigma)\n", "y\n2\n2\n2\n");
    CHECK(r.status == mlec::FitStatus::diverged);
    CHECK_FALSE(r.log_likelihood_limit);  // no finite limit
    CHECK(r.message.find("sigma -> 0 (its lower bound), without bound") != std::string::npos);
    CHECK(r.parameters[0].name == "mu");
    CHECK_FALSE(r.parameters[0].diverging);
    CHECK(r.parameters[0].estimate == Approx(2).epsilon(1e-9));
}

TEST_CASE("a well-posed fit is not mistaken for a divergent one") {
    // MLE of a normal sample: mean 2, sigma sqrt(2/3) (closed form).
    const auto r = fit_text("y ~ normal(mu, sigma)\n", "y\n1\n2\n3\n");
    CHECK(r.status == mlec::FitStatus::converged);
    CHECK(r.parameters[0].estimate == Approx(2).epsilon(1e-9));
    CHECK(r.parameters[1].estimate == Approx(std::sqrt(2.0 / 3.0)).epsilon(1e-9));
    // Observed information: SE(mu) = sigma/sqrt(n), SE(sigma) = sigma/sqrt(2n).
    CHECK(*r.parameters[0].std_error == Approx(std::sqrt(2.0 / 3.0) / std::sqrt(3.0)).epsilon(1e-8));
    CHECK(*r.parameters[1].std_error == Approx(std::sqrt(2.0 / 3.0) / std::sqrt(6.0)).epsilon(1e-8));
}

TEST_CASE("an implicit scale parameter gets the bound its distribution implies") {
    const auto r = fit_text("y ~ exponential(rate)\n", "y\n1\n2\n3\n");
    REQUIRE(r.converged);
    CHECK(r.parameters[0].bounds == "> 0");
    CHECK(r.parameters[0].estimate == Approx(0.5).epsilon(1e-9));  // 1 / mean
    // The Wald interval is built on log(rate) and mapped back: inside (0, inf).
    CHECK(*r.parameters[0].ci_lower > 0);
    REQUIRE(r.notes.size() == 1);
    CHECK(r.notes[0] == "parameter 'rate' is kept > 0 as exponential's rate must be");
}

TEST_CASE("fit options are validated") {
    mlec::FitOptions o;
    std::string why;
    CHECK(o.is_valid(&why));
    o.max_iterations = 0;
    CHECK_FALSE(o.is_valid(&why));
    CHECK(why == "max_iterations must be at least 1");
    o = {};
    o.confidence = 1.5;
    CHECK_FALSE(o.is_valid(&why));
    CHECK(why == "confidence must be between 0 and 1");
}

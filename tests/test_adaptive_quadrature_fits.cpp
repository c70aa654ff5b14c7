// Fits by adaptive Gauss-Hermite quadrature (BindOptions::agq_nodes, the
// CLI's --agq) through the public API:
// - cbpp with 7 and 25 nodes against glmer's nAGQ = 7 and 25 fits
//   (models/mixed/cbpp.expected.json, its script in models/mixed/reference/):
//   the log-likelihood to 1e-6 relative once glmer's is given back the
//   saturated binomial terms it leaves out, the fixed effects and the scale
//   to 1e-4;
// - the models binding refuses, by name and position;
// - the laplace_inaccurate diagnostic: measured on binary data with two rows
//   per level (it fires), on cbpp (0.04 apart: it does not) and on a normal
//   model (Laplace is exact: it does not); by design for crossed binary data.
#include <catch2/catch.hpp>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "mlec/mlec.hpp"
#include "report/number_format.hpp"
#include "support/bound_model.hpp"
#include "support/files.hpp"

namespace {

using nlohmann::json;

json cbpp_reference(const std::string& id) {
    const json all =
        json::parse(mlec::test::read_file(mlec::test::source_dir() / "models/mixed" / "cbpp.expected.json"));
    for (const json& fit : all["fits"])
        if (fit["id"] == id) {
            json out = fit;
            // glmer with nAGQ > 1 reports the log-likelihood without the
            // saturated binomial terms (the file's notes).
            out["comparable_log_likelihood"] =
                fit["log_likelihood"].get<double>() + all["checks"]["saturated_log_likelihood"].get<double>();
            return out;
        }
    FAIL("no fit " << id);
    return {};
}

mlec::BindOptions nodes(int k) {
    mlec::BindOptions options;
    options.agq_nodes = k;
    return options;
}

mlec::FitResult fit_cbpp(const mlec::BindOptions& options) {
    const auto dir = mlec::test::source_dir() / "models/mixed";
    const mlec::test::Bound b = mlec::test::bind_model(mlec::test::read_file(dir / "cbpp.mle"),
                                                       mlec::test::read_file(dir / "cbpp.csv"), options);
    return mlec::fit(*b.problem);
}

double estimate(const mlec::FitResult& r, const std::string& name) {
    for (const mlec::ParameterEstimate& p : r.parameters)
        if (p.name == name) return p.estimate;
    FAIL("no parameter " << name);
    return 0;
}

bool has_note(const mlec::FitResult& r, const std::string& text) {
    for (const std::string& n : r.notes)
        if (n.find(text) != std::string::npos) return true;
    return false;
}

const mlec::FitDiagnostic* laplace_diagnostic(const mlec::FitResult& r) {
    for (const mlec::FitDiagnostic& d : r.diagnostics)
        if (d.kind == mlec::DiagnosticKind::laplace_inaccurate) return &d;
    return nullptr;
}

mlec::Diagnostics bind_errors(const std::string& model, const std::string& csv, int k) {
    mlec::Diagnostics ds;
    const auto m = mlec::Model::from_text(model, "m.mle", ds);
    const auto d = mlec::Data::from_csv_text(csv, "d.csv", ds);
    REQUIRE(m);
    REQUIRE(d);
    CHECK(!mlec::Problem::bind(*m, *d, ds, nodes(k)));
    return ds;
}

// Binary outcomes, `per_level` rows in each of `levels` levels of g and
// (crossed) `h_levels` levels of h, a large effect of g.
std::string binary_csv(int levels, int per_level, int h_levels, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> normal;
    std::uniform_real_distribution<double> uniform;
    std::ostringstream out;
    out << "y,x,g,h\n";
    for (int g = 1; g <= levels; ++g) {
        const double u = 2.5 * normal(rng);
        for (int k = 0; k < per_level; ++k) {
            const double x = normal(rng);
            const double p = 1 / (1 + std::exp(-(0.3 + 0.5 * x + u)));
            out << (uniform(rng) < p ? 1 : 0) << "," << x << "," << g << "," << 1 + (g + k) % h_levels << "\n";
        }
    }
    return out.str();
}

}  // namespace

TEST_CASE("cbpp by adaptive quadrature equals glmer's nAGQ = 7 and 25 fits") {
    for (int k : {7, 25}) {
        const json ref = cbpp_reference("glmer_AGQ" + std::to_string(k));
        const mlec::FitResult r = fit_cbpp(nodes(k));
        INFO(mlec::text_report(r));
        CHECK(r.status == mlec::FitStatus::converged);
        const double expected = ref["comparable_log_likelihood"].get<double>();
        CHECK(std::abs(r.log_likelihood - expected) <= 1e-6 * std::abs(expected));
        const char* names[] = {"b0", "b2", "b3", "b4"};
        for (std::size_t i = 0; i < 4; ++i) {
            const double value = ref["fixed_effects"][i]["estimate"].get<double>();
            INFO(names[i] << " reference " << value);
            CHECK(std::abs(estimate(r, names[i]) - value) <= 1e-4 * std::max(1.0, std::abs(value)));
        }
        const double sd = ref["variance_components"][0]["sd"][0].get<double>();
        CHECK(std::abs(estimate(r, "s") - sd) <= 1e-4);
        CHECK(has_note(r, "adaptive Gauss-Hermite quadrature, " + std::to_string(k) + " nodes per level"));
        CHECK(!laplace_diagnostic(r));
        // AIC from the quadrature's log-likelihood, as from any other.
        CHECK(r.aic == Approx(2 * 5 - 2 * r.log_likelihood).epsilon(1e-14));
    }
}

TEST_CASE("one node is the Laplace approximation, which measures itself on cbpp within 0.1") {
    const mlec::FitResult laplace = fit_cbpp({});
    const mlec::FitResult one = fit_cbpp(nodes(1));
    CHECK(one.log_likelihood == laplace.log_likelihood);
    // Laplace's log-likelihood at glmmTMB's estimates is the file's hand value.
    const json ref = cbpp_reference("glmmTMB_Laplace");
    CHECK(std::abs(laplace.log_likelihood - ref["log_likelihood"].get<double>()) <= 1e-6 * 92);
    CHECK(!laplace_diagnostic(laplace));
    CHECK(has_note(laplace, "Laplace approximation"));
}

TEST_CASE("binding refuses adaptive quadrature where it does not apply, naming why and where") {
    const std::string csv = "y,g,h\n1,1,1\n0,1,2\n1,2,1\n0,2,2\n1,3,1\n";
    {
        const mlec::Diagnostics ds = bind_errors(
            "param b, s > 0, t > 0\nrandom u[g] ~ normal(0, s)\nrandom v[h] ~ normal(0, t)\n"
            "y ~ bernoulli(sigmoid(b + u[g] + v[h]))\n",
            csv, 7);
        REQUIRE(ds.size() == 1);
        CHECK(ds[0].line == 3);
        CHECK(ds[0].category == mlec::Category::model);
        CHECK_THAT(ds[0].message, Catch::Contains("adaptive quadrature needs every random effect on one grouping "
                                                  "column; 'u[g]' and 'v[h]' are on two"));
    }
    {
        const mlec::Diagnostics ds = bind_errors(
            "param b, s > 0\nrandom u[g] ~ normal(0, s)\nrandom v[g] ~ normal(0, s)\nrandom w[g] ~ normal(0, s)\n"
            "random t[g] ~ normal(0, s)\ny ~ bernoulli(sigmoid(b + u[g] + v[g] * h + w[g] * h * h + t[g] * h^3))\n",
            csv, 3);
        REQUIRE(ds.size() == 1);
        CHECK(ds[0].line == 5);
        CHECK_THAT(ds[0].message, Catch::Contains("at most 3 random effects per level (K^d nodes for d of them), "
                                                  "and 'g' has 4"));
    }
    {
        const mlec::Diagnostics ds = bind_errors("param b\ny ~ bernoulli(sigmoid(b))\n", csv, 3);
        REQUIRE(ds.size() == 1);
        CHECK(ds[0].category == mlec::Category::usage);
        CHECK_THAT(ds[0].message, Catch::Contains("the model has none"));
    }
    {
        mlec::Diagnostics ds;
        const auto m = mlec::Model::from_text(
            "param b, s > 0, sigma > 0\nrandom u[g] ~ normal(0, s)\ny ~ normal(b + u[g], sigma)\n", "m.mle", ds);
        const auto d = mlec::Data::from_csv_text(csv, "d.csv", ds);
        REQUIRE(m);
        REQUIRE(d);
        mlec::BindOptions options = nodes(5);
        options.reml = true;
        CHECK(!mlec::Problem::bind(*m, *d, ds, options));
        REQUIRE(ds.size() == 1);
        CHECK_THAT(ds[0].message, Catch::Contains("adaptive quadrature and REML do not combine"));
    }
    {
        const mlec::Diagnostics ds = bind_errors(
            "param b, s > 0\nrandom u[g] ~ normal(0, s)\nrandom v[g] ~ normal(0, s)\nrandom w[g] ~ normal(0, s)\n"
            "y ~ bernoulli(sigmoid(b + u[g] + v[g] * h + w[g] * h * h))\n",
            csv, 22);
        REQUIRE(ds.size() == 1);
        CHECK(ds[0].category == mlec::Category::usage);
        CHECK_THAT(ds[0].message, Catch::Contains("22 nodes for each of the 3 random effects per level of 'g' has "
                                                  "10648 nodes per level"));
    }
    for (int k : {0, 101}) {
        const mlec::Diagnostics ds =
            bind_errors("param b, s > 0\nrandom u[g] ~ normal(0, s)\ny ~ bernoulli(sigmoid(b + u[g]))\n", csv, k);
        REQUIRE(ds.size() == 1);
        CHECK_THAT(ds[0].message, Catch::Contains("needs 1 to 100 nodes per level"));
    }
}

TEST_CASE("laplace_inaccurate: binary data with two rows per level are measured and flagged") {
    const std::string model =
        "param b0, b1, s > 0\nrandom u[g] ~ normal(0, s)\ny ~ bernoulli(sigmoid(b0 + b1*x + u[g]))\n";
    const std::string csv = binary_csv(150, 2, 3, 4);
    const mlec::test::Bound b = mlec::test::bind_model(model, csv);
    const mlec::FitResult r = mlec::fit(*b.problem);
    INFO(mlec::text_report(r));
    REQUIRE(r.status == mlec::FitStatus::converged);
    const mlec::FitDiagnostic* d = laplace_diagnostic(r);
    REQUIRE(d);
    CHECK_THAT(d->message, Catch::Contains("refit with --agq 7"));
    CHECK(d->columns == std::vector<std::string>{"g"});
    // The number it names is the quadrature's log-likelihood at the estimate.
    const mlec::test::Bound seven = mlec::test::bind_model(model, csv, nodes(7));
    const double quadrature = -seven.problem->nll(r.theta);
    CHECK(std::abs(quadrature - r.log_likelihood) > 0.1);
    std::ostringstream text;
    text << mlec::report::format_digits(quadrature, 10);
    CHECK_THAT(d->message, Catch::Contains("gives the log-likelihood " + text.str()));
}

TEST_CASE("laplace_inaccurate: a normal model, where Laplace is exact, is never flagged") {
    const auto dir = mlec::test::source_dir() / "models/mixed";
    const mlec::test::Bound b = mlec::test::bind_model(
        "param b0, b1, s > 0, sigma > 0\nrandom a[Subject] ~ normal(0, s)\n"
        "Reaction ~ normal(b0 + b1*Days + a[Subject], sigma)\n",
        mlec::test::read_file(dir / "sleepstudy.csv"));
    const mlec::FitResult r = mlec::fit(*b.problem);
    REQUIRE(r.status == mlec::FitStatus::converged);
    CHECK(!laplace_diagnostic(r));
}

TEST_CASE("laplace_inaccurate: crossed binary effects with few rows per level are flagged without a number") {
    const mlec::test::Bound b = mlec::test::bind_model(
        "param b0, b1, s > 0, t > 0\nrandom u[g] ~ normal(0, s)\nrandom v[h] ~ normal(0, t)\n"
        "y ~ bernoulli(sigmoid(b0 + b1*x + u[g] + v[h]))\n",
        binary_csv(150, 2, 3, 5));
    const mlec::FitResult r = mlec::fit(*b.problem);
    INFO(mlec::text_report(r));
    const mlec::FitDiagnostic* d = laplace_diagnostic(r);
    REQUIRE(d);
    CHECK_THAT(d->message, Catch::Contains("binary outcomes with 2 rows per level of 'g'"));
}

TEST_CASE("sleepstudy's correlated intercept and slope by adaptive quadrature: exact, so the Laplace fit") {
    // A linear mixed model: each level's integrand is Gaussian, which the
    // rule integrates exactly at any K (9 nodes per level here).
    const auto dir = mlec::test::source_dir() / "models/mixed";
    const std::string model = mlec::test::read_file(dir / "sleepstudy.mle");
    const std::string csv = mlec::test::read_file(dir / "sleepstudy.csv");
    const mlec::test::Bound laplace = mlec::test::bind_model(model, csv);
    const mlec::test::Bound quadrature = mlec::test::bind_model(model, csv, nodes(3));
    const mlec::FitResult a = mlec::fit(*laplace.problem);
    const mlec::FitResult b = mlec::fit(*quadrature.problem);
    INFO(mlec::text_report(b));
    REQUIRE(b.status == mlec::FitStatus::converged);
    CHECK(std::abs(a.log_likelihood - b.log_likelihood) <= 1e-9 * std::abs(a.log_likelihood));
    for (const mlec::ParameterEstimate& p : a.parameters) {
        INFO(p.name);
        CHECK(std::abs(estimate(b, p.name) - p.estimate) <= 1e-5 * std::max(1.0, std::abs(p.estimate)));
    }
    CHECK(has_note(b, "adaptive Gauss-Hermite quadrature, 3 nodes per dimension (9 per level)"));
    CHECK(!laplace_diagnostic(a));
}

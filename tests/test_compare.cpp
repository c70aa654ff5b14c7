// mlec compare: criteria, Akaike weights and the likelihood-ratio test
// against closed forms for nested normal linear models, whose maximized
// log-likelihood is -n/2 (log(2 pi RSS/n) + 1).
#include <boost/math/distributions/chi_squared.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "mlec/mlec.hpp"
#include "support/files.hpp"

namespace {

const char* csv = "x,y\n1,1.1\n2,2.3\n3,2.9\n4,4.2\n5,4.8\n6,6.3\n7,6.8\n";

// A fit with the outcomes of its problem, as mlec::compare takes them.
struct Fitted {
    mlec::FitResult fit;
    std::vector<std::string> outcomes;
};

Fitted fit_text(const std::string& text, const std::string& name, const char* data_text = csv) {
    mlec::Diagnostics ds;
    auto model = mlec::Model::from_text(text, name, ds);
    auto data = mlec::Data::from_csv_text(data_text, "d.csv", ds);
    REQUIRE(model);
    REQUIRE(data);
    auto problem = mlec::Problem::bind(*model, *data, ds);
    REQUIRE(problem);
    return {mlec::fit(*problem), problem->outcomes()};
}

std::optional<mlec::ModelComparison> compare(const std::vector<Fitted>& models, mlec::Diagnostics& ds) {
    std::vector<mlec::FitResult> fits;
    std::vector<std::vector<std::string>> outcomes;
    for (const Fitted& m : models) {
        fits.push_back(m.fit);
        outcomes.push_back(m.outcomes);
    }
    return mlec::compare(fits, outcomes, ds);
}

}  // namespace

TEST_CASE("nested normal models: criteria and the likelihood-ratio test match closed forms") {
    const double xs[] = {1, 2, 3, 4, 5, 6, 7}, ys[] = {1.1, 2.3, 2.9, 4.2, 4.8, 6.3, 6.8};
    const double n = 7;
    double ybar = 0, xbar = 0;
    for (int i = 0; i < 7; ++i) ybar += ys[i] / n, xbar += xs[i] / n;
    double rss0 = 0, sxy = 0, sxx = 0;
    for (int i = 0; i < 7; ++i) {
        rss0 += (ys[i] - ybar) * (ys[i] - ybar);
        sxy += (xs[i] - xbar) * (ys[i] - ybar);
        sxx += (xs[i] - xbar) * (xs[i] - xbar);
    }
    const double rss1 = rss0 - sxy * sxy / sxx;
    auto loglik = [&](double rss) { return -n / 2 * (std::log(2 * M_PI * rss / n) + 1); };

    const std::vector<Fitted> fits{fit_text("y ~ normal(a, s)\n", "m0.mle"),
                                   fit_text("y ~ normal(a + b*x, s)\n", "m1.mle")};
    mlec::Diagnostics ds;
    auto c = compare(fits, ds);
    REQUIRE(c);
    REQUIRE(c->rows.size() == 2);
    CHECK(c->rows[0].log_likelihood == Approx(loglik(rss0)).epsilon(1e-9));
    CHECK(c->rows[1].log_likelihood == Approx(loglik(rss1)).epsilon(1e-9));
    CHECK(c->rows[1].n_params == 3);
    CHECK(c->rows[1].aic == Approx(6 - 2 * loglik(rss1)).epsilon(1e-9));
    CHECK(c->rows[1].aicc == Approx(6 - 2 * loglik(rss1) + 2.0 * 3 * 4 / (n - 4)).epsilon(1e-9));
    CHECK(c->rows[1].bic == Approx(3 * std::log(n) - 2 * loglik(rss1)).epsilon(1e-9));
    CHECK(c->rows[0].akaike_weight + c->rows[1].akaike_weight == Approx(1).epsilon(1e-12));
    REQUIRE(c->tests.size() == 1);
    const double statistic = n * std::log(rss0 / rss1);
    CHECK(c->tests[0].statistic == Approx(statistic).epsilon(1e-7));
    CHECK(c->tests[0].df == 1);
    CHECK(c->tests[0].p_value ==
          Approx(boost::math::cdf(boost::math::complement(boost::math::chi_squared(1), statistic))).epsilon(1e-6));
    CHECK(c->tests[0].nesting.starts_with("assumed: every parameter of m0.mle is a parameter of m1.mle"));
    CHECK_FALSE(c->tests[0].p_value_boundary);  // (b is no random effect's SD)
    CHECK(c->tests[0].boundary.empty());
    CHECK(mlec::text_report(*c).find("likelihood-ratio test, m0.mle within m1.mle") != std::string::npos);
}

TEST_CASE("a random effect's SD tested at its boundary 0 gets the 50:50 mixture's p-value") {
    const auto dir = mlec::test::source_dir() / "models/mixed";
    const std::string data = mlec::test::read_file(dir / "cbpp.csv");
    const std::string mixed = mlec::test::read_file(dir / "cbpp.mle");
    std::string fixed = mixed;
    fixed.erase(fixed.find("random u[herd]"),
                fixed.find('\n', fixed.find("random u[herd]")) + 1 - fixed.find("random u[herd]"));
    fixed.erase(fixed.find(" + u[herd]"), 10);
    fixed.erase(fixed.find(", s > 0"), 7);
    const std::vector<Fitted> fits{fit_text(fixed, "glm.mle", data.c_str()), fit_text(mixed, "cbpp.mle", data.c_str())};
    mlec::Diagnostics ds;
    auto c = compare(fits, ds);
    REQUIRE(c);
    REQUIRE(c->tests.size() == 1);
    const mlec::ModelComparison::LikelihoodRatio& t = c->tests[0];
    CHECK(t.df == 1);
    // P(chi-square(1) >= x) = erfc(sqrt(x / 2)), and the mixture halves it.
    CHECK(t.p_value == Approx(std::erfc(std::sqrt(t.statistic / 2))).epsilon(1e-12));
    REQUIRE(t.p_value_boundary);
    CHECK(*t.p_value_boundary == Approx(std::erfc(std::sqrt(t.statistic / 2)) / 2).epsilon(1e-12));
    CHECK(t.boundary.starts_with("s is a random effect's standard deviation, absent from (0 in) glm.mle"));
    CHECK(mlec::text_report(*c).find("  boundary: s is a random effect's") != std::string::npos);
    CHECK(mlec::json_report(*c).find("\"p_value_boundary\": ") != std::string::npos);
}

TEST_CASE("models that are not nested by name get no likelihood-ratio test") {
    const std::vector<Fitted> fits{fit_text("y ~ normal(a*x, s)\n", "m0.mle"),
                                   fit_text("y ~ normal(c + d*x, s)\n", "m1.mle")};
    mlec::Diagnostics ds;
    auto c = compare(fits, ds);
    REQUIRE(c);
    CHECK(c->tests.empty());
    REQUIRE(c->warnings.size() == 1);
    CHECK(c->warnings[0].find("not nested by name") != std::string::npos);
}

TEST_CASE("a model without a maximum is listed with its status but gets no weight and no test") {
    // y is 1 exactly where x > 3: the logistic slope runs off to +inf
    // (separation), while the constant probability's MLE is 4/7.
    const std::string binary = "x,y\n1,0\n2,0\n3,0\n4,1\n5,1\n6,1\n7,1\n";
    const std::vector<Fitted> fits{fit_text("y ~ bernoulli(p)\n", "m0.mle", binary.c_str()),
                                   fit_text("y ~ bernoulli(sigmoid(a + b*x))\n", "m1.mle", binary.c_str())};
    REQUIRE(fits[1].fit.status == mlec::FitStatus::diverged);
    mlec::Diagnostics ds;
    auto c = compare(fits, ds);
    REQUIRE(c);
    REQUIRE(c->rows.size() == 2);
    const double p = 4.0 / 7;
    CHECK(c->rows[0].has_maximum);
    CHECK(c->rows[0].log_likelihood == Approx(4 * std::log(p) + 3 * std::log(1 - p)).epsilon(1e-9));
    CHECK(c->rows[0].akaike_weight == 1);
    CHECK(c->rows[0].delta_aic == 0);
    CHECK_FALSE(c->rows[1].has_maximum);
    CHECK(c->rows[1].status == "diverged");
    for (double v : {c->rows[1].log_likelihood, c->rows[1].aic, c->rows[1].aicc, c->rows[1].bic, c->rows[1].delta_aic,
                     c->rows[1].akaike_weight})
        CHECK(std::isnan(v));
    CHECK(c->tests.empty());
    REQUIRE(c->warnings.size() == 1);
    CHECK(c->warnings[0] ==
          "m1.mle found no maximum (diverged): it is left out of the Akaike weights and likelihood-ratio tests");
    const std::string text = mlec::text_report(*c);
    CHECK(text.find("m1.mle (diverged: left out)") != std::string::npos);
    CHECK(text.find("likelihood-ratio test,") == std::string::npos);  // (the warning names the tests)
    const std::string json = mlec::json_report(*c);
    CHECK(json.find("\"status\": \"diverged\", \"has_maximum\": false, \"log_likelihood\": null") != std::string::npos);
    CHECK(json.find("\"akaike_weight\": null") != std::string::npos);
}

TEST_CASE("models of different outcomes are refused, naming both") {
    const std::string positive = "x,y\n1,1.1\n2,2.3\n3,2.9\n4,4.2\n5,4.8\n6,6.3\n7,6.8\n";
    struct Pair {
        const char* first;
        const char* second;
        const char* message;
    };
    const Pair pairs[] = {
        {"y ~ normal(a, s)\n", "x ~ normal(a, s)\n",
         "models 'x', but m0.mle models 'y': likelihoods of different outcomes cannot be compared (and a density of "
         "a transformed outcome, as in log(y) ~ normal(...), lacks the log-Jacobian that would make it a density "
         "of y, as y ~ lognormal(...) is)"},
        {"y ~ lognormal(m, s)\n", "log(y) ~ normal(m, s)\n",
         "models 'log(y)', but m0.mle models 'y': likelihoods of different outcomes cannot be compared (and a "
         "density of a transformed outcome, as in log(y) ~ normal(...), lacks the log-Jacobian that would make it "
         "a density of y, as y ~ lognormal(...) is)"},
        {"y ~ normal(a, s)\n", "y ~ normal(a, s)\nx ~ normal(b, t)\n",
         "models 'y', 'x', but m0.mle models 'y': likelihoods of different outcomes cannot be compared (and a "
         "density of a transformed outcome, as in log(y) ~ normal(...), lacks the log-Jacobian that would make it "
         "a density of y, as y ~ lognormal(...) is)"},
    };
    for (const Pair& pair : pairs) {
        INFO(pair.second);
        const std::vector<Fitted> fits{fit_text(pair.first, "m0.mle", positive.c_str()),
                                       fit_text(pair.second, "m1.mle", positive.c_str())};
        mlec::Diagnostics ds;
        CHECK_FALSE(compare(fits, ds));
        REQUIRE(ds.size() == 1);
        CHECK(ds[0].category == mlec::Category::model);
        CHECK(ds[0].file == "m1.mle");
        CHECK(ds[0].message == pair.message);
    }
}

TEST_CASE("outcomes are compared without their whitespace and in any order") {
    const std::vector<Fitted> fits{fit_text("log( y ) ~ normal(a, s)\nx ~ normal(b, t)\n", "m0.mle"),
                                   fit_text("x ~ normal(b, t)\nlog(y) ~ normal(a + c*x, s)\n", "m1.mle")};
    CHECK(fits[0].outcomes == std::vector<std::string>{"log(y)", "x"});
    mlec::Diagnostics ds;
    auto c = compare(fits, ds);
    INFO(mlec::format(ds));
    CHECK(c);
}

TEST_CASE("the gradient check finds the exact gradient exact") {
    mlec::Diagnostics ds;
    auto model = mlec::Model::from_text("y ~ normal(a + b*x, s)\n", "m.mle", ds);
    auto data = mlec::Data::from_csv_text(csv, "d.csv", ds);
    auto problem = mlec::Problem::bind(*model, *data, ds);
    REQUIRE(problem);
    mlec::FitOptions o;
    o.check_gradient = true;
    const auto r = mlec::fit(*problem, o);
    REQUIRE(r.gradient_checks.size() == 2);
    CHECK(r.gradient_checks[0].where == "start");
    CHECK(r.gradient_checks[1].where == "estimate");
    for (const auto& g : r.gradient_checks) CHECK(g.max_rel_error < 1e-7);
}

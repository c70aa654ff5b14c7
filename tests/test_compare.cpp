// mlec compare: criteria, Akaike weights and the likelihood-ratio test
// against closed forms for nested normal linear models, whose maximized
// log-likelihood is -n/2 (log(2 pi RSS/n) + 1).
#include <boost/math/distributions/chi_squared.hpp>
#include <catch2/catch.hpp>
#include <cmath>

#include "mlec/mlec.hpp"

namespace {

const char* csv = "x,y\n1,1.1\n2,2.3\n3,2.9\n4,4.2\n5,4.8\n6,6.3\n7,6.8\n";

mlec::FitResult fit_text(const std::string& text, const std::string& name) {
    mlec::Diagnostics ds;
    auto model = mlec::Model::from_text(text, name, ds);
    auto data = mlec::Data::from_csv_text(csv, "d.csv", ds);
    REQUIRE(model);
    REQUIRE(data);
    auto problem = mlec::Problem::bind(*model, *data, ds);
    REQUIRE(problem);
    return mlec::fit(*problem);
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

    std::vector<mlec::FitResult> fits{fit_text("y ~ normal(a, s)\n", "m0.mle"),
                                      fit_text("y ~ normal(a + b*x, s)\n", "m1.mle")};
    mlec::Diagnostics ds;
    auto c = mlec::compare(fits, ds);
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
    CHECK(mlec::text_report(*c).find("likelihood-ratio test, m0.mle within m1.mle") != std::string::npos);
}

TEST_CASE("models that are not nested by name get no likelihood-ratio test") {
    std::vector<mlec::FitResult> fits{fit_text("y ~ normal(a*x, s)\n", "m0.mle"),
                                      fit_text("y ~ normal(c + d*x, s)\n", "m1.mle")};
    mlec::Diagnostics ds;
    auto c = mlec::compare(fits, ds);
    REQUIRE(c);
    CHECK(c->tests.empty());
    REQUIRE(c->warnings.size() == 1);
    CHECK(c->warnings[0].find("not nested by name") != std::string::npos);
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

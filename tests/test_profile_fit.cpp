// --ci profile through the whole pipeline, against closed forms: the
// profile interval of a Poisson rate solves 2n[(l - ybar) - ybar log(l/ybar)]
// = chi2_1(0.95), and profile intervals are invariant under
// reparameterization (a report of log(lambda) gets the log of the ends).
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>

#include "mlec/mlec.hpp"

namespace {

mlec::FitResult fit_profile(const std::string& model_text, const std::string& csv) {
    mlec::Diagnostics ds;
    auto model = mlec::Model::from_text(model_text, "m.mle", ds);
    auto data = mlec::Data::from_csv_text(csv, "d.csv", ds);
    REQUIRE(model);
    REQUIRE(data);
    auto problem = mlec::Problem::bind(*model, *data, ds);
    REQUIRE(problem);
    mlec::FitOptions o;
    o.ci = mlec::CiMethod::profile;
    return mlec::fit(*problem, o);
}

double bisect(double lo, double hi, const std::function<double(double)>& f) {
    for (int i = 0; i < 200; ++i) {
        const double mid = 0.5 * (lo + hi);
        ((f(lo) < 0) == (f(mid) < 0) ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

const double chi2_95 = 3.841458820694124;

}  // namespace

TEST_CASE("profile interval of a Poisson rate and of its logarithm") {
    const auto r = fit_profile("y ~ poisson(lambda)\nreport log_rate = log(lambda)\n", "y\n1\n2\n3\n2\n0\n4\n");
    REQUIRE(r.converged);
    CHECK(r.ci_method == mlec::CiMethod::profile);
    const double n = 6, ybar = 2;
    auto stat = [&](double l) { return 2 * n * ((l - ybar) - ybar * std::log(l / ybar)) - chi2_95; };
    const double lo = bisect(1e-6, ybar, stat), hi = bisect(ybar, 20, stat);
    const auto& lambda = r.parameters[0];
    CHECK(*lambda.ci_lower == Approx(lo).epsilon(1e-6));
    CHECK(*lambda.ci_upper == Approx(hi).epsilon(1e-6));
    CHECK_FALSE(lambda.ci_lower_open);
    const auto& log_rate = r.derived[0];
    CHECK(*log_rate.ci_lower == Approx(std::log(lo)).epsilon(1e-6));
    CHECK(*log_rate.ci_upper == Approx(std::log(hi)).epsilon(1e-6));
    CHECK_FALSE(lambda.profile.empty());
    CHECK(mlec::json_report(r).find("\"ci_method\": \"profile\"") != std::string::npos);
}

TEST_CASE("profile interval of a normal mean with the sd profiled out") {
    // 2 (p(c) - p_hat) = n log(1 + (ybar - c)^2 / s2) with s2 the MLE variance.
    const double ys[] = {1.2, 0.1, 3.5, 0.7, 2.2, 0.4};
    double ybar = 0, s2 = 0;
    for (double y : ys) ybar += y / 6;
    for (double y : ys) s2 += (y - ybar) * (y - ybar) / 6;
    const double half = std::sqrt(s2 * (std::exp(chi2_95 / 6) - 1));
    const auto r = fit_profile("y ~ normal(mu, sigma)\n", "y\n1.2\n0.1\n3.5\n0.7\n2.2\n0.4\n");
    REQUIRE(r.converged);
    CHECK(*r.parameters[0].ci_lower == Approx(ybar - half).epsilon(1e-6));
    CHECK(*r.parameters[0].ci_upper == Approx(ybar + half).epsilon(1e-6));
}

TEST_CASE("plots: a profile SVG per parameter with its curve and interval, and the convergence trace") {
    const auto r = fit_profile("y ~ normal(mu, sigma)\n", "y\n1.2\n0.1\n3.5\n0.7\n2.2\n0.4\n");
    const auto files = mlec::plot_files(r);
    std::vector<std::string> names;
    for (const auto& f : files) names.push_back(f.first);
    CHECK(names == std::vector<std::string>{"convergence.svg", "gradient.svg", "profile_mu.svg", "profile_sigma.svg"});
    for (const auto& [name, svg] : files) {
        INFO(name);
        CHECK(svg.starts_with("<?xml"));
        CHECK(svg.find("<polyline") != std::string::npos);
        CHECK(svg.find("nan") == std::string::npos);
        if (name.starts_with("profile_")) {
            CHECK(svg.find("chi-square cutoff (95%)") != std::string::npos);
            CHECK(svg.find(">lower ") != std::string::npos);
            CHECK(svg.find(">upper ") != std::string::npos);
        }
    }
    CHECK_FALSE(r.trace.empty());
}

// censored(...) and T[...] (docs/language.md, "Censoring and truncation"):
// each row's contribution against closed forms computed with Boost.Math in
// 50 digits (log ccdf, log cdf, an interval deep in the upper tail, a
// truncated density), the gradient and the exact Hessian against finite
// differences, and what the report, simulate and predict make of them. The
// fits themselves are compared with survreg in models/ (test_models).
#include <catch2/catch.hpp>

#include <boost/math/special_functions/erf.hpp>
#include <boost/multiprecision/cpp_bin_float.hpp>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/bound_model.hpp"
#include "support/files.hpp"

namespace {

using Big = boost::multiprecision::cpp_bin_float_50;

// Phi(z) in 50 digits.
Big normal_cdf(const Big& z) { return boost::math::erfc(-z / boost::multiprecision::sqrt(Big(2))) / 2; }

double log_normal_density(double y, double mu, double sigma) {
    const double z = (y - mu) / sigma;
    return -0.5 * z * z - std::log(sigma) - 0.5 * std::log(2 * M_PI);
}

// mu and sigma as the optimizer sees them: sigma > 0 is exp(u).
Eigen::VectorXd at(double mu, double sigma) { return Eigen::Vector2d(mu, std::log(sigma)); }

// Central differences of f along coordinate j.
template <class F>
double difference(F&& f, Eigen::VectorXd x, int j, double h) {
    x[j] += h;
    const double up = f(x);
    x[j] -= 2 * h;
    return (up - f(x)) / (2 * h);
}

const char* normal_rows =
    "y,l,r,i,hi\n"
    "0.3,0,0,0,0\n"    // exact
    "1.1,0,1,0,0\n"    // right-censored: Y > 1.1
    "-0.4,1,0,0,0\n"   // left-censored: Y <= -0.4
    "0.2,0,0,1,0.9\n"  // in (0.2, 0.9]
    "39,0,0,1,40\n";   // in (39, 40], where 1 - Phi rounds to 1 and Phi(40) - Phi(39) to 0

}  // namespace

TEST_CASE("each censored row adds its probability, exactly in the far tail") {
    auto b = mlec::test::bind_model(
        "param mu, sigma > 0\ny ~ normal(mu, sigma) censored(left = l, right = r, interval = i, upper = hi)",
        normal_rows);
    using boost::multiprecision::log;
    const double mu = 0.1;
    const double sigma = 1.0;
    auto cdf = [&](double y) { return normal_cdf((Big(y) - mu) / sigma); };
    const Big expected = Big(log_normal_density(0.3, mu, sigma)) + log(1 - cdf(1.1)) + log(cdf(-0.4)) +
                         log(cdf(0.9) - cdf(0.2)) + log(cdf(40) - cdf(39));
    const double nll = b.problem->nll(at(mu, sigma));
    INFO("nll " << nll << ", expected " << static_cast<double>(-expected));
    CHECK(std::abs(nll + static_cast<double>(expected)) <= 1e-12 * std::abs(static_cast<double>(expected)));
}

TEST_CASE("a censored model's gradient and Hessian are exact") {
    auto b = mlec::test::bind_model(
        "param mu, sigma > 0\ny ~ normal(mu, sigma) censored(left = l, right = r, interval = i, upper = hi)",
        normal_rows);
    const mlec::Problem& p = *b.problem;
    const Eigen::VectorXd theta = at(0.4, 1.3);
    Eigen::VectorXd g;
    Eigen::MatrixXd H;
    p.nll_gradient_hessian(theta, g, H);
    for (int j = 0; j < 2; ++j) {
        const double fd = difference([&](const Eigen::VectorXd& x) { return p.nll(x); }, theta, j, 1e-5);
        INFO("d/dtheta" << j << ": " << g[j] << " vs " << fd);
        CHECK(std::abs(g[j] - fd) <= 1e-6 * std::max(1.0, std::abs(fd)));
        for (int i = 0; i < 2; ++i) {
            auto gi = [&](const Eigen::VectorXd& x) {
                Eigen::VectorXd gx;
                p.nll_gradient(x, gx);
                return gx[i];
            };
            const double fd2 = difference(gi, theta, j, 1e-5);
            INFO("H(" << i << ", " << j << "): " << H(i, j) << " vs " << fd2);
            CHECK(std::abs(H(i, j) - fd2) <= 1e-6 * std::max(1.0, std::abs(fd2)));
        }
    }
}

TEST_CASE("truncation subtracts the log probability of the bounds") {
    auto b = mlec::test::bind_model("param mu, sigma > 0\ny ~ normal(mu, sigma) T[0, 3]", "y\n0.5\n2.9\n0\n1.7\n");
    const double mu = 1.2;
    const double sigma = 0.8;
    const double mass = static_cast<double>(normal_cdf(Big(3 - mu) / sigma) - normal_cdf(Big(0 - mu) / sigma));
    double expected = 0;
    for (double y : {0.5, 2.9, 0.0, 1.7}) expected += log_normal_density(y, mu, sigma) - std::log(mass);
    const double nll = b.problem->nll(at(mu, sigma));
    CHECK(std::abs(nll + expected) <= 1e-12 * std::abs(expected));

    auto open = mlec::test::bind_model("param mu, sigma > 0\ny ~ normal(mu, sigma) T[, 3]", "y\n0.5\n2.9\n");
    const double below = static_cast<double>(normal_cdf(Big(3 - mu) / sigma));
    const double expected_open =
        log_normal_density(0.5, mu, sigma) + log_normal_density(2.9, mu, sigma) - 2 * std::log(below);
    CHECK(std::abs(open.problem->nll(at(mu, sigma)) + expected_open) <= 1e-12 * std::abs(expected_open));
}

TEST_CASE("the report counts censored rows and names the truncation") {
    auto b = mlec::test::bind_model("y ~ normal(mu, sigma) censored(left = l, right = r, interval = i, upper = hi)",
                                    normal_rows);
    const mlec::FitResult r = mlec::fit(*b.problem);
    REQUIRE(r.censoring.size() == 1);
    CHECK(r.censoring[0].right == std::optional<std::size_t>(1));
    CHECK(r.censoring[0].left == std::optional<std::size_t>(1));
    CHECK(r.censoring[0].interval == std::optional<std::size_t>(2));
    CHECK(r.censoring[0].truncation.empty());
    CHECK(r.n_obs == 5);
    const std::string text = mlec::text_report(r);
    CHECK(text.find("1 right-censored, 1 left-censored, 2 interval-censored of 5 rows") != std::string::npos);
    const std::string json = mlec::json_report(r);
    CHECK(json.find("\"right\": 1, \"left\": 1, \"interval\": 2, \"truncation\": null") != std::string::npos);

    auto t = mlec::test::bind_model("y ~ normal(mu, sigma) T[0, ]", "y\n0.5\n2.9\n0.1\n1.7\n0.4\n");
    const mlec::FitResult rt = mlec::fit(*t.problem);
    REQUIRE(rt.censoring.size() == 1);
    CHECK_FALSE(rt.censoring[0].right);
    CHECK(rt.censoring[0].truncation == "T[0, ]");
    CHECK(mlec::text_report(rt).find("truncated to T[0, ]") != std::string::npos);
}

TEST_CASE("simulate refuses a censored outcome and draws a truncated one within its bounds") {
    auto c = mlec::test::bind_model("y ~ normal(mu, sigma) censored(right = r)",
                                    "y,r\n0.5,0\n1.2,1\n-0.3,0\n2.2,0\n0.9,1\n0.1,0\n");
    const mlec::FitResult rc = mlec::fit(*c.problem);
    REQUIRE(rc.converged);
    mlec::Diagnostics ds;
    CHECK_FALSE(mlec::simulate_csv(*c.problem, rc, 1, ds));
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].message.find("its outcome is censored") != std::string::npos);

    auto t = mlec::test::bind_model("y ~ normal(mu, sigma) T[0, 1]", "y\n0.5\n0.9\n0.1\n0.7\n0.4\n0.2\n0.35\n");
    const mlec::FitResult rt = mlec::fit(*t.problem);
    REQUIRE(rt.converged);
    mlec::Diagnostics dt;
    const auto drawn = mlec::simulate_csv(*t.problem, rt, 7, dt);
    REQUIRE(drawn);
    std::istringstream lines(*drawn);
    std::string line;
    std::getline(lines, line);
    CHECK(line == "y");
    int rows = 0;
    while (std::getline(lines, line)) {
        const double y = std::stod(line);
        CHECK(y >= 0);
        CHECK(y <= 1);
        ++rows;
    }
    CHECK(rows == 7);
}

namespace {

// One line of predict's CSV, its numbers after the row's number.
std::vector<double> prediction_row(const std::string& line) {
    std::vector<double> out;
    std::istringstream fields(line);
    std::string field;
    std::getline(fields, field, ',');  // the row's number
    while (std::getline(fields, field, ',')) out.push_back(std::stod(field));
    return out;
}

}  // namespace

// The mean of the truncated normal (DistributionDef::truncated_mean) and its
// delta-method SE against R's closed form with numDeriv's Jacobian and R's
// covariance (models/reference/truncated_normal_predict.R).
TEST_CASE("predict gives a truncated outcome's mean, with its SE, as R computes them") {
    const auto dir = mlec::test::source_dir() / "models";
    const nlohmann::json expected = nlohmann::json::parse(mlec::test::read_file(dir / "truncated_normal.predict.json"));
    mlec::Diagnostics ds;
    auto model = mlec::Model::from_file((dir / "truncated_normal.mle").string(), ds);
    auto data = mlec::Data::from_csv_file((dir / "truncated_normal.csv").string(), ds);
    auto newdata = mlec::Data::from_csv_file((dir / "truncated_normal_new.csv").string(), ds);
    REQUIRE(model);
    REQUIRE(data);
    REQUIRE(newdata);
    auto problem = mlec::Problem::bind(*model, *data, ds);
    REQUIRE(problem);
    const mlec::FitResult r = mlec::fit(*problem);
    REQUIRE(r.converged);
    const std::optional<std::string> csv = mlec::predict_csv(*problem, r, *newdata, ds);
    INFO(mlec::format(ds));
    REQUIRE(csv);
    std::istringstream lines(*csv);
    std::string line;
    std::getline(lines, line);
    CHECK(line == "row,y_expected,y_expected_se");
    for (const nlohmann::json& row : expected["rows"]) {
        REQUIRE(std::getline(lines, line));
        const std::vector<double> got = prediction_row(line);
        REQUIRE(got.size() == 2);
        INFO("x = " << row["x"].get<double>() << ": " << line);
        const double value = row["y_expected"].get<double>();
        const double se = row["y_expected_se"].get<double>();
        CHECK(std::abs(got[0] - value) <= 1e-6 * std::abs(value));
        CHECK(std::abs(got[1] - se) <= 1e-4 * se);
    }
    CHECK_FALSE(std::getline(lines, line));
}

TEST_CASE("predict refuses a truncated outcome whose distribution has no truncated mean, naming those that have") {
    auto t = mlec::test::bind_model("y ~ student_t(4, b0 + b1*x, sigma) T[0, ]",
                                    "x,y\n0,0.5\n1,1.9\n2,2.1\n0.5,0.4\n1.5,1.2\n0.2,0.3\n");
    const mlec::FitResult r = mlec::fit(*t.problem);
    REQUIRE(r.converged);
    mlec::Diagnostics ds;
    auto newdata = mlec::Data::from_csv_text("x\n0.3\n", "new.csv", ds);
    REQUIRE(newdata);
    CHECK_FALSE(mlec::predict_csv(*t.problem, r, *newdata, ds));
    REQUIRE_FALSE(ds.empty());
    CHECK(ds.back().message ==
          "cannot predict from 'y ~ student_t(4, b0 + b1*x, sigma) T[0, ]': its outcome is truncated (T[0, ]), and "
          "the mean of a truncated student_t is not available (the untruncated mean would be wrong); predict has it "
          "for truncated poisson, poisson_log, negbinomial, normal, lognormal, exponential, gamma and weibull");
}

TEST_CASE("predict refuses a truncation bound the new data do not have") {
    auto t = mlec::test::bind_model("y ~ normal(b0 + b1*x, sigma) T[lo, ]",
                                    "x,y,lo\n0,0.5,0\n1,1.9,1\n2,2.1,0\n0.5,0.4,0\n1.5,1.2,1\n0.2,0.3,0\n");
    const mlec::FitResult r = mlec::fit(*t.problem);
    REQUIRE(r.converged);
    mlec::Diagnostics ds;
    auto without = mlec::Data::from_csv_text("x\n0.3\n", "new.csv", ds);
    REQUIRE(without);
    CHECK_FALSE(mlec::predict_csv(*t.problem, r, *without, ds));
    REQUIRE_FALSE(ds.empty());
    CHECK(ds.back().message.find("its truncation bounds (T[lo, ]) read column 'lo', which the new data do not have") !=
          std::string::npos);
    // With the bound: E[Y | Y > lo] lies above lo, and rises with it.
    auto with = mlec::Data::from_csv_text("x,lo\n0.3,0\n0.3,1\n", "new.csv", ds);
    REQUIRE(with);
    const std::optional<std::string> csv = mlec::predict_csv(*t.problem, r, *with, ds);
    REQUIRE(csv);
    std::istringstream lines(*csv);
    std::string line;
    std::getline(lines, line);
    std::getline(lines, line);
    const std::vector<double> at_0 = prediction_row(line);
    std::getline(lines, line);
    const std::vector<double> at_1 = prediction_row(line);
    CHECK(at_0[0] > 0);
    CHECK(at_1[0] > 1);
    CHECK(at_1[0] > at_0[0]);
}

TEST_CASE("a count truncated below subtracts log P(Y >= lo): the zero-truncated Poisson") {
    auto b = mlec::test::bind_model("param lambda > 0\ny ~ poisson(lambda) T[1, ]", "y\n1\n2\n1\n3\n1\n2\n4\n1\n");
    const double lambda = 1.4;
    // log p(y) - log(1 - e^-lambda), P(Y >= 1) = 1 - P(Y = 0)
    double expected = 0;
    for (double y : {1.0, 2.0, 1.0, 3.0, 1.0, 2.0, 4.0, 1.0})
        expected += y * std::log(lambda) - lambda - std::lgamma(y + 1) - std::log(-std::expm1(-lambda));
    const double nll = b.problem->nll(Eigen::VectorXd::Constant(1, std::log(lambda)));
    CHECK(std::abs(nll + expected) <= 1e-12 * std::abs(expected));
}

TEST_CASE("a bound at or beyond the end of the support truncates nothing (property)") {
    // P(Y > 0) = 1 for a positive outcome, P(Y >= 0) = 1 for a count, P(Y < 1)
    // = 1 on (0, 1): such a bound must leave the likelihood, its gradient and
    // the fit exactly as without it (it once made every row log 0).
    struct Case {
        const char* sample;
        const char* truncated;
        const char* csv;
    };
    const Case cases[] = {
        {"y ~ gamma(a, b)", "y ~ gamma(a, b) T[0, ]", "y\n0.5\n2.9\n0.1\n1.7\n3.3\n"},
        {"y ~ weibull(a, b)", "y ~ weibull(a, b) T[-1, ]", "y\n0.5\n2.9\n0.1\n1.7\n3.3\n"},
        {"y ~ lognormal(a, b)", "y ~ lognormal(a, b) T[0, ]", "y\n0.5\n2.9\n0.1\n1.7\n3.3\n"},
        {"y ~ exponential(a)", "y ~ exponential(a) T[-2.5, ]", "y\n0.5\n2.9\n0.1\n1.7\n3.3\n"},
        {"y ~ beta(a, b)", "y ~ beta(a, b) T[0, 1]", "y\n0.5\n0.9\n0.1\n0.7\n0.3\n"},
        {"y ~ poisson(a)", "y ~ poisson(a) T[0, ]", "y\n0\n2\n1\n4\n3\n"},
        {"y ~ negbinomial(a, b)", "y ~ negbinomial(a, b) T[-3, ]", "y\n0\n2\n1\n4\n3\n"},
        {"y ~ zero_inflated_poisson(a, 0.2)", "y ~ zero_inflated_poisson(a, 0.2) T[0, ]", "y\n0\n2\n0\n4\n3\n"},
    };
    for (const Case& k : cases) {
        INFO(k.truncated);
        auto plain = mlec::test::bind_model(k.sample, k.csv);
        auto truncated = mlec::test::bind_model(k.truncated, k.csv);
        const Eigen::Index n = plain.problem->dimension();
        REQUIRE(truncated.problem->dimension() == n);
        const Eigen::VectorXd x = Eigen::VectorXd::Constant(n, 0.3);
        Eigen::VectorXd g_plain, g_truncated;
        const double f_plain = plain.problem->nll_gradient(x, g_plain);
        CHECK(truncated.problem->nll_gradient(x, g_truncated) == f_plain);
        CHECK(g_truncated == g_plain);
        const mlec::FitResult a = mlec::fit(*plain.problem), b = mlec::fit(*truncated.problem);
        CHECK(b.status == a.status);
        CHECK(b.log_likelihood == a.log_likelihood);
    }
}

TEST_CASE("an indicator may be a comparison, as survreg's status == 0") {
    const std::string model = "y ~ normal(mu, sigma) censored(left = l, right = r, interval = i, upper = hi)";
    const std::string compared =
        "y ~ normal(mu, sigma) censored(left = l == 1, right = !(r != 1), interval = i > 0.5 && hi > y, upper = hi)";
    auto a = mlec::test::bind_model(model, normal_rows);
    auto b = mlec::test::bind_model(compared, normal_rows);
    const mlec::FitResult ra = mlec::fit(*a.problem);
    const mlec::FitResult rb = mlec::fit(*b.problem);
    REQUIRE(ra.converged);
    CHECK(rb.log_likelihood == ra.log_likelihood);
    CHECK(rb.censoring[0].interval == ra.censoring[0].interval);
}

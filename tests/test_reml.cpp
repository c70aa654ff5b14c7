// REML (BindOptions::reml, interpreter/reml.cpp): the fixed effects of a
// normal model integrated out with the random effects. Checked against the
// closed form of the restricted likelihood on simulated linear mixed models
// (crossed effects, and none: a linear model, where REML's sigma^2 is
// RSS / (n - p) and the fixed effects' standard errors are lm's), and
// against lmer's and glmmTMB's REML fits of sleepstudy.
#include <Eigen/Dense>
#include <catch2/catch.hpp>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "mlec/mlec.hpp"
#include "support/bound_model.hpp"
#include "support/files.hpp"

namespace {

using nlohmann::json;

struct Bound {
    std::optional<mlec::Model> model;
    std::optional<mlec::Data> data;
    std::optional<mlec::Problem> problem;
    mlec::Diagnostics diagnostics;
};

Bound bind_reml(const std::string& model, const std::string& csv, bool reml = true) {
    Bound b;
    b.model = mlec::Model::from_text(model, "m.mle", b.diagnostics);
    b.data = mlec::Data::from_csv_text(csv, "d.csv", b.diagnostics);
    REQUIRE(b.model);
    REQUIRE(b.data);
    mlec::BindOptions options;
    options.reml = reml;
    b.problem = mlec::Problem::bind(*b.model, *b.data, b.diagnostics, options);
    return b;
}

// A linear mixed model's data: y = X beta + Z_g u + Z_h v + e, with levels
// g in 1..groups_g and h in 1..groups_h (0: no such effect).
struct Simulated {
    Eigen::MatrixXd x;  // n x 3: 1, x1, x2
    Eigen::VectorXd y;
    std::vector<int> g, h;
    std::string csv;
};

Simulated simulate(unsigned seed, int n, int groups_g, int groups_h) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> normal;
    std::uniform_int_distribution<int> level_g(1, std::max(groups_g, 1)), level_h(1, std::max(groups_h, 1));
    std::vector<double> u(static_cast<std::size_t>(groups_g) + 1), v(static_cast<std::size_t>(groups_h) + 1);
    for (double& a : u) a = 2 * normal(rng);
    for (double& a : v) a = 1.5 * normal(rng);
    Simulated s;
    s.x.resize(n, 3);
    s.y.resize(n);
    std::ostringstream csv;
    csv.precision(17);
    csv << "y,x1,x2,g,h\n";
    for (int r = 0; r < n; ++r) {
        const double x1 = normal(rng), x2 = r % 3;
        const int g = level_g(rng), h = level_h(rng);
        s.x.row(r) << 1, x1, x2;
        s.g.push_back(g);
        s.h.push_back(h);
        s.y[r] = 10 + 2 * x1 - x2 + (groups_g > 0 ? u[static_cast<std::size_t>(g)] : 0) +
                 (groups_h > 0 ? v[static_cast<std::size_t>(h)] : 0) + normal(rng);
        csv << s.y[r] << "," << x1 << "," << x2 << "," << g << "," << h << "\n";
    }
    s.csv = csv.str();
    return s;
}

// The restricted NLL in closed form (Harville 1977): with V = sigma^2 I +
// s^2 Z_g Z_g' + t^2 Z_h Z_h' and beta_hat = (X'V^-1 X)^-1 X'V^-1 y,
//     1/2 [log det V + r'V^-1 r + log det X'V^-1 X + (n - p) log 2 pi].
double reml_nll(const Simulated& d, double s, double t, double sigma) {
    const auto n = d.y.size();
    Eigen::MatrixXd v = sigma * sigma * Eigen::MatrixXd::Identity(n, n);
    for (Eigen::Index a = 0; a < n; ++a)
        for (Eigen::Index b = 0; b < n; ++b) {
            const auto ua = static_cast<std::size_t>(a), ub = static_cast<std::size_t>(b);
            if (d.g[ua] == d.g[ub]) v(a, b) += s * s;
            if (d.h[ua] == d.h[ub]) v(a, b) += t * t;
        }
    const Eigen::LLT<Eigen::MatrixXd> llt(v);
    const Eigen::MatrixXd vx = llt.solve(d.x);
    const Eigen::MatrixXd xvx = d.x.transpose() * vx;
    const Eigen::VectorXd beta = xvx.ldlt().solve(vx.transpose() * d.y);
    const Eigen::VectorXd r = d.y - d.x * beta;
    const double log_det_v = 2 * llt.matrixL().toDenseMatrix().diagonal().array().log().sum();
    const double log_det_xvx = std::log(xvx.determinant());
    const auto p = static_cast<double>(d.x.cols());
    return 0.5 * (log_det_v + r.dot(llt.solve(r)) + log_det_xvx + (static_cast<double>(n) - p) * std::log(2 * M_PI));
}

const std::string crossed_model = R"(param b0, b1, b2, s > 0, t > 0, sigma > 0
random u[g] ~ normal(0, s)
random v[h] ~ normal(0, t)
y ~ normal(b0 + b1*x1 + b2*x2 + u[g] + v[h], sigma)
)";

using mlec::test::estimate;

}  // namespace

TEST_CASE("the REML criterion equals the restricted likelihood's closed form, crossed effects, at any point") {
    for (unsigned seed = 1; seed <= 4; ++seed) {
        const Simulated d = simulate(seed, 40 + 10 * static_cast<int>(seed), 5, 4);
        Bound b = bind_reml(crossed_model, d.csv);
        INFO(mlec::format(b.diagnostics));
        REQUIRE(b.problem);
        REQUIRE(b.problem->parameter_names() == std::vector<std::string>{"s", "t", "sigma"});
        std::mt19937 rng(seed);
        std::uniform_real_distribution<double> coordinate(-2.5, 2.5);
        for (int point = 0; point < 6; ++point) {
            Eigen::VectorXd theta(3);
            for (Eigen::Index i = 0; i < 3; ++i) theta[i] = coordinate(rng);
            if (point == 0) theta[0] = -700;  // s = 0 to rounding: the effect drops out
            const Eigen::VectorXd user = b.problem->to_user_scale(theta);
            const double expected = reml_nll(d, user[0], user[1], user[2]);
            INFO("seed " << seed << " s " << user[0] << " t " << user[1] << " sigma " << user[2]);
            CHECK(b.problem->nll(theta) == Approx(expected).epsilon(1e-11));
        }
    }
}

// Without random effects REML is the linear model's usual estimates:
// sigma^2 = RSS / (n - p), and the fixed effects' standard errors are lm's,
// sigma_hat sqrt((X'X)^-1), conditional on sigma as REML's are.
TEST_CASE("REML of a linear model gives lm's sigma = sqrt(RSS / (n - p)) and lm's standard errors") {
    for (unsigned seed = 1; seed <= 5; ++seed) {
        const Simulated d = simulate(seed, 12 + 7 * static_cast<int>(seed), 0, 0);
        Bound b = bind_reml("y ~ normal(b0 + b1*x1 + b2*x2, sigma)\n", d.csv);
        INFO(mlec::format(b.diagnostics));
        REQUIRE(b.problem);
        const mlec::FitResult r = mlec::fit(*b.problem);
        INFO(mlec::text_report(r));
        REQUIRE(r.status == mlec::FitStatus::converged);
        CHECK(r.reml);
        const Eigen::MatrixXd xtx = d.x.transpose() * d.x;
        const Eigen::VectorXd beta = xtx.ldlt().solve(d.x.transpose() * d.y);
        const double rss = (d.y - d.x * beta).squaredNorm();
        const auto n = static_cast<double>(d.y.size());
        const double sigma = std::sqrt(rss / (n - 3));
        CHECK(estimate(r, "sigma").estimate == Approx(sigma).epsilon(1e-7));
        const Eigen::MatrixXd inverse = xtx.inverse();
        const char* names[] = {"b0", "b1", "b2"};
        for (Eigen::Index k = 0; k < 3; ++k) {
            const mlec::ParameterEstimate& e = estimate(r, names[k]);
            CHECK(e.integrated);
            CHECK(e.estimate == Approx(beta[k]).epsilon(1e-9).margin(1e-9));
            REQUIRE(e.std_error);
            CHECK(*e.std_error == Approx(sigma * std::sqrt(inverse(k, k))).epsilon(1e-7));
        }
        // The restricted log-likelihood at the maximum, in closed form.
        const double expected =
            -0.5 * ((n - 3) * std::log(2 * M_PI * sigma * sigma) + (n - 3) + std::log(xtx.determinant()));
        CHECK(r.log_likelihood == Approx(expected).epsilon(1e-11));
        // The declared order, the integrated ones in their places.
        REQUIRE(r.parameters.size() == 4);
        CHECK(r.parameters[0].name == "b0");
        CHECK(r.parameters[3].name == "sigma");
        CHECK(r.n_params == 4);
        CHECK(r.aic == Approx(8 - 2 * r.log_likelihood).epsilon(1e-14));
    }
}

TEST_CASE("sleepstudy by REML equals lmer's and glmmTMB's REML fits") {
    const auto dir = mlec::test::source_dir() / "models/mixed";
    const json all = json::parse(mlec::test::read_file(dir / "sleepstudy.expected.json"));
    Bound b = bind_reml(mlec::test::read_file(dir / "sleepstudy.mle"), mlec::test::read_file(dir / "sleepstudy.csv"));
    INFO(mlec::format(b.diagnostics));
    REQUIRE(b.problem);
    const mlec::FitResult r = mlec::fit(*b.problem);
    INFO(mlec::text_report(r));
    REQUIRE(r.status == mlec::FitStatus::converged);
    for (const json& fit : all["fits"]) {
        if (fit["method"] != "REML") continue;
        INFO(fit["id"]);
        const double reference = fit["log_likelihood"].get<double>();
        CHECK(r.log_likelihood >= reference - 1e-9 * std::abs(reference));
        const json& components = fit["variance_components"][0];
        const std::vector<std::pair<std::string, double>> expected{
            {"b0", fit["fixed_effects"][0]["estimate"].get<double>()},
            {"b1", fit["fixed_effects"][1]["estimate"].get<double>()},
            {"sa", components["sd"][0].get<double>()},
            {"sb", components["sd"][1].get<double>()},
            {"R[1,2]", components["correlation"][0][1].get<double>()},
            {"sigma", fit["residual_sd"].get<double>()}};
        for (const auto& entry : expected) {
            const mlec::ParameterEstimate& e = estimate(r, entry.first);
            INFO(entry.first << " = " << e.estimate << ", reference " << entry.second);
            CHECK(std::abs(e.estimate - entry.second) <= 1e-4 * std::abs(entry.second));
        }
        // Both conditional on the variance parameters (lmer's by definition,
        // glmmTMB's as the fixed effects' block of its joint precision).
        for (int k = 0; k < 2; ++k) {
            const mlec::ParameterEstimate& e = estimate(r, k == 0 ? "b0" : "b1");
            const double se = fit["fixed_effects"][k]["std_error"].get<double>();
            REQUIRE(e.std_error);
            INFO(e.name << " SE " << *e.std_error << ", reference " << se);
            CHECK(std::abs(*e.std_error - se) <= 1e-5 * se);
        }
    }
    // The conditional modes and SDs: lmer's, given the fixed effects too
    // (the inverse of H's block of the random effects).
    for (const json& fit : all["fits"]) {
        if (fit["id"] != "lmer_REML") continue;
        const json& modes = fit["conditional_modes"][0];
        REQUIRE(r.random_effects.size() == 2);
        const char* terms[] = {"(Intercept)", "Days"};
        for (std::size_t e = 0; e < 2; ++e) {
            const json& mode = modes["mode"][terms[e]];
            const json& sd = modes["cond_sd"][terms[e]];
            REQUIRE(r.random_effects[e].levels.size() == mode.size());
            for (std::size_t k = 0; k < mode.size(); ++k) {
                const mlec::RandomEffectLevel& level = r.random_effects[e].levels[k];
                INFO(r.random_effects[e].name << "[" << level.level << "] " << level.mode << " SD " << level.std_error);
                CHECK(std::abs(level.mode - mode[k].get<double>()) <= 1e-5 * sd[k].get<double>());
                CHECK(level.std_error == Approx(sd[k].get<double>()).epsilon(1e-5));
            }
        }
    }
    CHECK(r.reml);
    CHECK(r.n_params == 6);
    CHECK(mlec::text_report(r).starts_with("REML fit of m.mle to d.csv\n"));
}

TEST_CASE("a fixed effect that REML integrates out cannot be held or started, by name") {
    const Simulated d = simulate(1, 30, 0, 0);
    Bound b = bind_reml("y ~ normal(b0 + b1*x1, sigma)\n", d.csv);
    REQUIRE(b.problem);
    for (int start = 0; start < 2; ++start) {
        mlec::FitOptions options;
        (start ? options.start : options.fixed) = {{"b1", 2.0}};
        const mlec::FitResult r = mlec::fit(*b.problem, options);
        CHECK(r.status == mlec::FitStatus::invalid_options);
        CHECK(r.message == std::string("invalid fit options: cannot ") + (start ? "give a start value to" : "fix") +
                               " 'b1': it is a fixed effect, which REML (--reml) integrates out of the likelihood: it "
                               "cannot be held or started; fit by maximum likelihood to hold it");
    }
}

// A group parameter's entries are fixed effects too (lm's factor dummies):
// one flat effect of a level per subject, integrated out. Against lm's
// closed form with the dummies: sigma^2 = RSS / (n - p), the entries' and
// the slope's standard errors sigma sqrt((X'X)^-1), and the restricted
// log-likelihood (R's logLik(lm, REML = TRUE) gives -805.6504 here).
TEST_CASE("REML of a model with a group parameter gives lm's fit with the factor's dummies") {
    const auto dir = mlec::test::source_dir() / "models/mixed";
    const std::string csv = mlec::test::read_file(dir / "sleepstudy.csv");
    Bound b = bind_reml("param b[Subject]\nReaction ~ normal(b[Subject] + b1*Days, sigma)\n", csv);
    INFO(mlec::format(b.diagnostics));
    REQUIRE(b.problem);
    REQUIRE(b.problem->dimension() == 1);  // sigma alone
    const mlec::FitResult r = mlec::fit(*b.problem);
    INFO(mlec::text_report(r));
    REQUIRE(r.status == mlec::FitStatus::converged);
    // The design: a dummy per subject in order of first appearance (the
    // numeric levels sorted: the file lists them in order), then Days.
    std::vector<std::vector<double>> rows;
    std::istringstream lines(csv);
    std::string line;
    std::getline(lines, line);
    std::vector<double> subjects;
    while (std::getline(lines, line)) {
        std::istringstream cells(line);
        std::string y, days, subject;
        std::getline(cells, y, ',');
        std::getline(cells, days, ',');
        std::getline(cells, subject, ',');
        rows.push_back({std::stod(y), std::stod(days), std::stod(subject)});
        if (std::find(subjects.begin(), subjects.end(), rows.back()[2]) == subjects.end())
            subjects.push_back(rows.back()[2]);
    }
    std::sort(subjects.begin(), subjects.end());
    const auto n = static_cast<Eigen::Index>(rows.size()), p = static_cast<Eigen::Index>(subjects.size()) + 1;
    Eigen::MatrixXd x = Eigen::MatrixXd::Zero(n, p);
    Eigen::VectorXd y(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        const auto& row = rows[static_cast<std::size_t>(i)];
        y[i] = row[0];
        x(i, std::find(subjects.begin(), subjects.end(), row[2]) - subjects.begin()) = 1;
        x(i, p - 1) = row[1];
    }
    const Eigen::MatrixXd xtx = x.transpose() * x;
    const Eigen::VectorXd beta = xtx.ldlt().solve(x.transpose() * y);
    const double rss = (y - x * beta).squaredNorm();
    const double df = static_cast<double>(n - p), sigma = std::sqrt(rss / df);
    const Eigen::MatrixXd inverse = xtx.inverse();
    CHECK(estimate(r, "sigma").estimate == Approx(sigma).epsilon(1e-7));
    for (Eigen::Index k = 0; k < p; ++k) {
        const std::string name =
            k + 1 < p ? "b[" + std::to_string(static_cast<int>(subjects[static_cast<std::size_t>(k)])) + "]" : "b1";
        const mlec::ParameterEstimate& e = estimate(r, name);
        INFO(name);
        CHECK(e.integrated);
        CHECK(e.estimate == Approx(beta[k]).epsilon(1e-9));
        REQUIRE(e.std_error);
        CHECK(*e.std_error == Approx(sigma * std::sqrt(inverse(k, k))).epsilon(1e-7));
    }
    const double expected = -0.5 * (df * std::log(2 * M_PI * sigma * sigma) + df + std::log(xtx.determinant()));
    CHECK(r.log_likelihood == Approx(expected).epsilon(1e-11));
    CHECK(r.log_likelihood == Approx(-805.6504).epsilon(1e-7));
}

// REML at a boundary: singular.csv's correlation is 1 by REML as by ML.
// lme4: lmer(y ~ x + (x | g), read.csv("models/mixed/singular.csv"),
// REML = TRUE, control = lmerControl(optimizer = "bobyqa")) gives logLik
// -174.119357271, SDs 0.091452 and 0.175333, correlation 1.000.
TEST_CASE("REML of a block whose correlation is at 1 equals lmer's singular REML fit") {
    const auto dir = mlec::test::source_dir() / "models/mixed";
    Bound b = bind_reml(
        "param b0, b1, sa > 0, sb > 0, sigma > 0\nparam R corr[2]\n"
        "random (a, b)[g] ~ multi_normal(0, [sa, sb], R)\ny ~ normal(b0 + b1*x + a[g] + b[g]*x, sigma)\n",
        mlec::test::read_file(dir / "singular.csv"));
    INFO(mlec::format(b.diagnostics));
    REQUIRE(b.problem);
    const mlec::FitResult r = mlec::fit(*b.problem);
    INFO(mlec::text_report(r));
    REQUIRE(r.status == mlec::FitStatus::converged);
    CHECK(r.log_likelihood >= -174.119357271 - 1e-9 * 174.119357271);
    CHECK(r.log_likelihood == Approx(-174.119357271).epsilon(1e-9));
    const mlec::ParameterEstimate& rho = estimate(r, "R[1,2]");
    CHECK(rho.estimate == 1);
    CHECK(rho.at_boundary);
    CHECK(estimate(r, "sa").estimate == Approx(0.091452).epsilon(1e-4));
    CHECK(estimate(r, "sb").estimate == Approx(0.175333).epsilon(1e-4));
    CHECK(estimate(r, "b0").integrated);
}

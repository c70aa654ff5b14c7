// Fits whose likelihood has no finite maximum must say so — which parameter
// runs off, where to, and what the log-likelihood tends to — instead of
// presenting where the optimizer stopped as an estimate.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <random>

#include "inference/divergence.hpp"
#include "mlec/mlec.hpp"
#include "optim/objective.hpp"
#include "optim/scaled_hessian.hpp"

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
    CHECK(r.parameters[0].diverges_to == -std::numeric_limits<double>::infinity());
    CHECK(mlec::limit_text(r.parameters[0].diverges_to) == "-inf");
    REQUIRE(r.log_likelihood_limit);
    CHECK(std::abs(*r.log_likelihood_limit) < 1e-9);
    CHECK_FALSE(r.parameters[0].std_error);
}

TEST_CASE("a probability parameter runs to its bound when every outcome is 0") {
    const auto r = fit_text("y ~ bernoulli(p)\n", "y\n0\n0\n0\n0\n");
    CHECK(r.status == mlec::FitStatus::diverged);
    CHECK(r.parameters[0].diverges_to == 0.0);
    CHECK(mlec::limit_text(r.parameters[0].diverges_to) == "0");
    CHECK(r.message.find("p -> 0 (its lower bound)") != std::string::npos);
    bool on_bound = false;
    for (const auto& d : r.diagnostics)
        on_bound = on_bound || (d.kind == mlec::DiagnosticKind::on_bound && d.parameters[0] == "p");
    CHECK(on_bound);
}

TEST_CASE("constant data make sigma run to 0 and the likelihood unbounded") {
    const auto r = fit_text("y ~ normal(mu, sigma)\n", "y\n2\n2\n2\n");
    CHECK(r.status == mlec::FitStatus::diverged);
    CHECK_FALSE(r.log_likelihood_limit);  // no finite limit
    CHECK(r.message.find("sigma -> 0 (its lower bound), without bound") != std::string::npos);
    CHECK(r.parameters[0].name == "mu");
    CHECK_FALSE(r.parameters[0].diverging);
    // No maximum exists, so no estimate of mu either: where the optimizer
    // stopped is its last value.
    CHECK(std::isnan(r.parameters[0].estimate));
    CHECK(r.parameters[0].last_value == Approx(2).epsilon(1e-9));
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
    CHECK(r.parameters[0].bounds.lower == 0.0);
    CHECK(r.parameters[0].bounds.upper == std::numeric_limits<double>::infinity());
    CHECK_FALSE(r.parameters[0].bounds.simplex);
    CHECK(mlec::text_report(r).find("(free names that are not columns): rate > 0\n") != std::string::npos);
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

TEST_CASE("a probability running to its upper bound is diagnosed too") {
    const auto r = fit_text("y ~ bernoulli(p)\n", "y\n1\n1\n1\n1\n");
    CHECK(r.status == mlec::FitStatus::diverged);
    CHECK(r.parameters[0].diverges_to == 1.0);
    CHECK(mlec::limit_text(r.parameters[0].diverges_to) == "1");
    REQUIRE(r.log_likelihood_limit);
    CHECK(*r.log_likelihood_limit == 0);
}

TEST_CASE("sigma driven to the smallest double is still diagnosed as divergence") {
    // All outcomes 0 with a free mean: the optimizer runs sigma down to
    // where doubles end (1e-308) before it stops; the report must say why.
    const auto r = fit_text("y ~ normal(a + b*x, s)\n", "x,y\n0.5,0\n-1,0\n2,0\n1,0\n");
    CHECK(r.status == mlec::FitStatus::diverged);
    CHECK(r.message.find("s -> 0 (its lower bound), without bound") != std::string::npos);
}

TEST_CASE("a saddle point at the start is left for the optimum") {
    // y ~ normal(a*b, s): a = b = 0 is a stationary point; the optimum has
    // a*b = mean(y) and s the standard deviation (closed form). Only the
    // product is identified: a maximum whose a and b have no standard
    // errors, which is not a clean success (exit code 5).
    const auto r = fit_text("param a, b\ny ~ normal(a*b, s)\n", "y\n1.2\n0.1\n3.5\n0.7\n2.2\n0.4\n");
    const double mean = (1.2 + 0.1 + 3.5 + 0.7 + 2.2 + 0.4) / 6;
    REQUIRE(r.status == mlec::FitStatus::not_identified);
    CHECK(mlec::exit_code(r) == 5);
    CHECK_FALSE(r.converged);
    CHECK_FALSE(r.parameters[0].std_error);
    CHECK_FALSE(r.parameters[1].std_error);
    // s is identified: its standard error is sigma / sqrt(2n) (closed form).
    REQUIRE(r.parameters[2].std_error);
    CHECK(*r.parameters[2].std_error == Approx(r.parameters[2].estimate / std::sqrt(12.0)).epsilon(1e-6));
    CHECK(r.parameters[0].estimate * r.parameters[1].estimate == Approx(mean).epsilon(1e-8));
    double ss = 0;
    for (double y : {1.2, 0.1, 3.5, 0.7, 2.2, 0.4}) ss += (y - mean) * (y - mean);
    CHECK(r.parameters[2].estimate == Approx(std::sqrt(ss / 6)).epsilon(1e-8));
    // Only the product is identified: the report names the flat direction.
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics[0].kind == mlec::DiagnosticKind::flat_direction);
    CHECK(mlec::to_string(r.diagnostics[0].kind) == "flat_direction");
    CHECK(r.diagnostics[0].parameters == std::vector<std::string>{"a", "b"});
}

TEST_CASE("a gradient that overflows at the start is named, and nothing is reported as fitted") {
    const auto r = fit_text("y ~ normal(a + 1e308*b*x, s)\n", "x,y\n1,2\n2,3\n");
    CHECK(r.status == mlec::FitStatus::non_finite_start);
    CHECK(r.message ==
          "the log-likelihood is finite at the start values but its gradient is not (in b): a value overflows; "
          "rescale the data or give other start values");
    CHECK(std::isnan(r.log_likelihood));
    const std::string json = mlec::json_report(r);
    CHECK(json.find("\"log_likelihood\": null") != std::string::npos);
    CHECK(json.find("\"aic\": null") != std::string::npos);
    CHECK(mlec::text_report(r).find("log-likelihood: n/a (nothing was fitted)") != std::string::npos);
}

TEST_CASE("complete separation is named with its parameters and columns (the XOR table with interaction)") {
    const auto r =
        fit_text("y ~ bernoulli(sigmoid(w1*a + w2*b + w3*a*b + c))\n", "a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n");
    REQUIRE(r.status == mlec::FitStatus::diverged);
    REQUIRE(r.diagnostics.size() == 1);
    const auto& d = r.diagnostics[0];
    CHECK(d.kind == mlec::DiagnosticKind::separation);
    CHECK(mlec::to_string(d.kind) == "separation");
    CHECK(d.message.starts_with("complete separation in 'y ~ bernoulli(sigmoid(w1*a + w2*b + w3*a*b + c))'"));
    CHECK(d.parameters == std::vector<std::string>{"w1", "w2", "w3", "c"});
    CHECK(d.columns == std::vector<std::string>{"a", "b"});
}

TEST_CASE("quasi-complete separation names the rows decided exactly") {
    // x <= 3 fails, x >= 3 succeeds: the two rows at x = 3 stay undecided
    // (the classic quasi-complete pattern of Albert & Anderson, 1984).
    const auto r = fit_text("y ~ bernoulli(sigmoid(a + b*x))\n", "x,y\n1,0\n2,0\n3,0\n3,1\n4,1\n5,1\n");
    REQUIRE(r.status == mlec::FitStatus::diverged);
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics[0].kind == mlec::DiagnosticKind::separation);
    CHECK(r.diagnostics[0].message.find("quasi-complete separation") != std::string::npos);
    CHECK(r.diagnostics[0].message.find("4 of 6 rows (1, 2, 5, 6) lie strictly on their side") != std::string::npos);
    CHECK(r.diagnostics[0].columns == std::vector<std::string>{"x"});
    // The log-likelihood tends to 2 log(1/2) from the two undecided rows.
    REQUIRE(r.log_likelihood_limit);
    CHECK(*r.log_likelihood_limit == Approx(2 * std::log(0.5)).epsilon(1e-6));
}

TEST_CASE("complete separation of one covariate is found although Newton stops 'converged' far out") {
    // x <= 3 fails, x >= 4 succeeds. Newton reaches a relative gradient of
    // 5e-10 at a = -177, b = 51 (log-likelihood -2e-11): the first 32 units
    // of the probe change the linear predictor by only a sixth there, so it
    // must look further to see the gains die out. The same with the rows
    // repeated 2,000 times.
    for (int copies : {1, 2000}) {
        std::string csv = "x,y\n";
        for (int c = 0; c < copies; ++c) csv += "1,0\n2,0\n3,0\n4,1\n5,1\n6,1\n";
        const auto r = fit_text("y ~ bernoulli(sigmoid(a + b*x))\n", csv);
        INFO(copies << " copies");
        REQUIRE(r.status == mlec::FitStatus::diverged);
        REQUIRE(r.diagnostics.size() == 1);
        CHECK(r.diagnostics[0].kind == mlec::DiagnosticKind::separation);
        CHECK(r.diagnostics[0].message.rfind("complete separation", 0) == 0);
        REQUIRE(r.log_likelihood_limit);
        CHECK(*r.log_likelihood_limit == 0.0);
    }
}

TEST_CASE("quasi-complete separation is found with many rows, whose standard errors look merely large") {
    // The pattern above 100 times: Newton stops with standard errors about
    // 400 times the estimates (a Hessian condition of 4e11).
    std::string csv = "x,y\n";
    for (int c = 0; c < 100; ++c) csv += "1,0\n2,0\n3,0\n3,1\n4,1\n5,1\n";
    const auto r = fit_text("y ~ bernoulli(sigmoid(a + b*x))\n", csv);
    REQUIRE(r.status == mlec::FitStatus::diverged);
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics[0].message.find("quasi-complete separation") != std::string::npos);
    CHECK(r.diagnostics[0].message.find("400 of 600 rows (1, 2, 5, 6, 7, 8, 11, 12, ...)") != std::string::npos);
    // 200 undecided rows at p = 1/2.
    REQUIRE(r.log_likelihood_limit);
    CHECK(*r.log_likelihood_limit == Approx(200 * std::log(0.5)).epsilon(1e-6));
}

TEST_CASE("overlapping data are not called separated") {
    const auto r = fit_text("y ~ bernoulli(sigmoid(a + b*x))\n", "x,y\n1,0\n2,1\n3,0\n4,1\n5,0\n6,1\n");
    CHECK(r.status == mlec::FitStatus::converged);
    CHECK(r.diagnostics.empty());
}

TEST_CASE("nearly collinear covariates are reported as an ill-conditioned Hessian") {
    // x2 = x1 + 1e-6 * small wiggle: the fit exists but b1 and b2 are barely
    // separable, so the condition number is enormous.
    std::string csv = "x1,x2,y\n";
    const double ys[] = {0.3, 1.9, 2.2, 3.8, 4.1, 6.2, 6.8, 8.1};
    for (int i = 0; i < 8; ++i) {
        const double x1 = i, x2 = i + 1e-6 * ((i * 7) % 3 - 1);
        csv += std::to_string(x1) + "," + std::to_string(x2) + "," + std::to_string(ys[i]) + "\n";
    }
    const auto r = fit_text("y ~ normal(b0 + b1*x1 + b2*x2, s)\n", csv);
    bool found = false;
    for (const auto& d : r.diagnostics)
        found =
            found || d.kind == mlec::DiagnosticKind::ill_conditioned || d.kind == mlec::DiagnosticKind::flat_direction;
    INFO(mlec::text_report(r));
    CHECK(found);
}

namespace {

// n rows of x in {0, 1} and a zero-inflated Poisson count: rate
// exp(a + b x), structural-zero probability pi(x). At x = 1, `level` says
// what the rows hold: "healthy" (drawn like x = 0's, with another pi),
// "zeros" (every row 0: pi -> 1 or the rate -> 0), "no_zeros" (every row
// drawn from the count alone and at least 1: pi -> 0).
std::string zero_inflated_rows(std::mt19937& rng, const std::string& level) {
    std::uniform_real_distribution<double> u(0, 1);
    const double a = 0.5 + u(rng), b = u(rng) - 0.5;
    const double pi0 = 0.2 + 0.3 * u(rng), pi1 = 0.2 + 0.3 * u(rng);
    std::string csv = "x,y\n";
    for (int i = 0; i < 80; ++i) {
        const int x = i % 2;
        std::poisson_distribution<int> count(std::exp(a + b * x));
        int y = 0;
        if (x == 0 || level == "healthy") {
            y = u(rng) < (x ? pi1 : pi0) ? 0 : count(rng);
        } else if (level == "no_zeros") {
            while (y == 0) y = count(rng);
        }
        csv += std::to_string(x) + "," + std::to_string(y) + "\n";
    }
    return csv;
}

bool names_diverging(const mlec::FitResult& r, const std::string& name) {
    for (const auto& p : r.parameters)
        if (p.name == name && p.diverging) return true;
    return false;
}

}  // namespace

TEST_CASE("a zero model separated by a binary covariate is always diagnosed, a healthy one never (property)") {
    // The zero-inflated and hurdle Poisson alike: whichever parameter the
    // optimizer carries off (the zero model's d, or the count's b whose rate
    // at x = 1 then no longer matters), the fit must not leave converged.
    std::mt19937 rng(20261205);
    for (const char* dist : {"zero_inflated_poisson", "hurdle_poisson"}) {
        const std::string model = std::string("y ~ ") + dist + "(exp(a + b*x), sigmoid(c + d*x))\n";
        for (int trial = 0; trial < 12; ++trial) {
            for (const char* level : {"healthy", "zeros", "no_zeros"}) {
                const std::string csv = zero_inflated_rows(rng, level);
                const auto r = fit_text(model, csv);
                INFO(dist << ", x = 1 " << level << ", trial " << trial << "\n" << mlec::text_report(r) << csv);
                if (std::string(level) == "healthy") {
                    CHECK(r.status == mlec::FitStatus::converged);
                    continue;
                }
                REQUIRE(r.status == mlec::FitStatus::diverged);
                CHECK(mlec::exit_code(r) != 0);
                REQUIRE_FALSE(r.diagnostics.empty());
                CHECK(r.diagnostics[0].kind == mlec::DiagnosticKind::divergence);
                CHECK(r.diagnostics[0].message.find("no finite MLE exists") != std::string::npos);
                if (std::string(level) == "no_zeros") CHECK(names_diverging(r, "d"));
                if (std::string(level) == "zeros") CHECK((names_diverging(r, "b") || names_diverging(r, "d")));
            }
        }
    }
}

namespace {

// The negative log-likelihood of y ~ normal(a + b, exp(log_s)): only the sum
// a + b is identified, and the optimizer may carry a and b far apart.
class PairSum : public mlec::optim::Objective {
public:
    explicit PairSum(std::vector<double> y) : y_(std::move(y)) {}
    int dimension() const override { return 3; }
    double value(const Eigen::VectorXd& x) override {
        const double mu = x[0] + x[1], s = std::exp(x[2]);
        double f = 0;
        for (double y : y_) f += 0.5 * ((y - mu) / s) * ((y - mu) / s) + x[2];
        return f;
    }
    // (The divergence probe reads values only.)
    double value_gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) override {
        g = Eigen::VectorXd::Zero(3);
        return value(x);
    }
    double value_gradient_hessian(const Eigen::VectorXd& x, Eigen::VectorXd& g, Eigen::MatrixXd& h) override {
        h = Eigen::MatrixXd::Zero(3, 3);
        return value_gradient(x, g);
    }

private:
    std::vector<double> y_;
};

}  // namespace

TEST_CASE("an unidentified pair carried far apart is no divergence, however far (property)") {
    // The drift from the start to a = L + mean, b = -L is the unidentified
    // direction plus a part 1/L of its length along a + b: a ray that
    // crosses the optimum off its axis, rising quadratically on both sides,
    // by no more than rounding at t = 1 once L is large. Seen from behind
    // only, that rise looks like a likelihood levelling off ahead.
    const std::vector<double> y{1.2, 0.1, 3.5, 0.7, 2.2, 0.4};
    double mean = 0, ss = 0;
    for (double v : y) mean += v / 6;
    for (double v : y) ss += (v - mean) * (v - mean);
    PairSum f(y);
    mlec::inference::ProbeSetup setup{Eigen::VectorXd::Ones(3), {false, false, true}};
    for (int k = 8; k <= 40; ++k) {
        const double far = std::pow(10.0, k / 4.0);
        Eigen::VectorXd x(3);
        x << far + mean, -far, 0.5 * std::log(ss / 6);
        const auto div = mlec::inference::find_divergence(f, x, Eigen::VectorXd::Zero(3), {}, setup);
        INFO("a = " << x[0] << ", b = " << x[1]);
        CHECK_FALSE(div);
    }
}

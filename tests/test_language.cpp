// The model language's shapes, groups, simplexes, mixtures, report quantities
// and multi-start, each checked against a closed form.
#include <catch2/catch.hpp>
#include <cmath>
#include <sstream>

#include "mlec/mlec.hpp"

namespace {

struct Fit {
    std::optional<mlec::Problem> problem;
    mlec::FitResult result;
    std::string errors;
};

Fit fit_text(const std::string& model_text, const std::string& csv, mlec::FitOptions options = {},
             mlec::BindOptions bind = {}) {
    Fit f;
    mlec::Diagnostics ds;
    auto model = mlec::Model::from_text(model_text, "m.mle", ds);
    auto data = mlec::Data::from_csv_text(csv, "d.csv", ds);
    if (model && data) f.problem = mlec::Problem::bind(*model, *data, ds, bind);
    f.errors = mlec::format(ds);
    if (f.problem) f.result = mlec::fit(*f.problem, options);
    return f;
}

const mlec::ParameterEstimate& find(const std::vector<mlec::ParameterEstimate>& list, const std::string& name) {
    for (const auto& p : list)
        if (p.name == name) return p;
    FAIL("no estimate named " << name);
    return list.front();
}

// 3 categories with counts 2, 5, 3 (n = 10).
const char* category_csv = "y\n1\n2\n2\n3\n2\n1\n2\n3\n3\n2\n";

}  // namespace

TEST_CASE("a simplex estimates category frequencies with binomial standard errors") {
    // MLE p_k = n_k / n; observed information on the simplex gives
    // SE(p_k) = sqrt(p_k (1 - p_k) / n), the multinomial's.
    Fit f = fit_text("param p simplex[3]\ny ~ categorical(p)\n", category_csv);
    INFO(f.errors);
    REQUIRE(f.problem);
    INFO(mlec::text_report(f.result));
    REQUIRE(f.result.converged);
    CHECK(f.result.n_params == 2);  // K - 1 free coordinates
    const double counts[] = {2, 5, 3};
    for (int k = 0; k < 3; ++k) {
        const auto& p = find(f.result.parameters, "p[" + std::to_string(k + 1) + "]");
        const double expected = counts[k] / 10;
        CHECK(p.estimate == Approx(expected).epsilon(1e-8));
        REQUIRE(p.std_error);
        CHECK(*p.std_error == Approx(std::sqrt(expected * (1 - expected) / 10)).epsilon(1e-6));
        CHECK(*p.ci_lower > 0);
        CHECK(*p.ci_upper < 1);
    }
    // log L = sum n_k log p_k
    CHECK(f.result.log_likelihood == Approx(2 * std::log(0.2) + 5 * std::log(0.5) + 3 * std::log(0.3)).epsilon(1e-10));
}

TEST_CASE("ordered cut-points without covariates are the quantiles of the cumulative frequencies") {
    // With eta constant, P(y <= k) = F(c_k - eta) is a reparametrization of
    // the categories' frequencies: MLE F(c_k - eta) = g_k, the cumulative
    // frequency (0.2, 0.7), and SE(c_k) = sqrt(g_k (1 - g_k) / n) / F'(c_k - eta),
    // the binomial SE of g_k through the delta method.
    const double g[] = {0.2, 0.7};
    struct Variant {
        const char* model;
        double eta;
        bool logistic;
    };
    for (const Variant& v : {Variant{"param c ordered[2]\ny ~ ordered_logistic(0, c)\n", 0, true},
                             Variant{"param c positive_ordered[2]\ny ~ ordered_logistic(3, c)\n", 3, true},
                             Variant{"param c ordered[2]\ny ~ ordered_probit(0, c)\n", 0, false}}) {
        INFO(v.model);
        Fit f = fit_text(v.model, category_csv);
        INFO(f.errors);
        REQUIRE(f.problem);
        INFO(mlec::text_report(f.result));
        REQUIRE(f.result.converged);
        CHECK(f.result.n_params == 2);  // K free coordinates
        for (int k = 0; k < 2; ++k) {
            const auto& c = find(f.result.parameters, "c[" + std::to_string(k + 1) + "]");
            // logit(g_k), or qnorm(g_k) from R
            const double probit = k == 0 ? -0.8416212335729143 : 0.5244005127080407;
            const double z = v.logistic ? std::log(g[k] / (1 - g[k])) : probit;
            const double density =
                v.logistic ? g[k] * (1 - g[k]) : std::exp(-z * z / 2) / std::sqrt(2 * 3.14159265358979323846);
            CHECK(c.estimate == Approx(v.eta + z).epsilon(1e-8));
            REQUIRE(c.std_error);
            const double se = std::sqrt(g[k] * (1 - g[k]) / 10) / density;
            CHECK(*c.std_error == Approx(se).epsilon(1e-6));
            if (k == 1 && v.eta > 0) {
                // positive_ordered: the interval is built on the log scale
                const double zq = 1.959963984540054;
                CHECK(*c.ci_lower == Approx(c.estimate * std::exp(-zq * se / c.estimate)).epsilon(1e-9));
                CHECK(*c.ci_upper == Approx(c.estimate * std::exp(zq * se / c.estimate)).epsilon(1e-9));
            }
        }
        // log L = sum n_k log p_k at p = (0.2, 0.5, 0.3)
        CHECK(f.result.log_likelihood ==
              Approx(2 * std::log(0.2) + 5 * std::log(0.5) + 3 * std::log(0.3)).epsilon(1e-10));
    }
}

TEST_CASE("softmax of a vector literal gives the same fit as a simplex") {
    Fit f = fit_text("y ~ categorical(softmax([0, a, b]))\nreport p3 = exp(b) / (1 + exp(a) + exp(b))\n", category_csv);
    REQUIRE(f.problem);
    REQUIRE(f.result.converged);
    CHECK(find(f.result.parameters, "a").estimate == Approx(std::log(5.0 / 2)).epsilon(1e-8));
    CHECK(find(f.result.parameters, "b").estimate == Approx(std::log(3.0 / 2)).epsilon(1e-8));
    const auto& p3 = find(f.result.derived, "p3");
    CHECK(p3.estimate == Approx(0.3).epsilon(1e-8));
    CHECK(*p3.std_error == Approx(std::sqrt(0.3 * 0.7 / 10)).epsilon(1e-6));
}

TEST_CASE("report quantities get delta-method standard errors") {
    // y ~ poisson(lambda): lambda = mean 2, SE sqrt(lambda / n); a report of
    // log(lambda) has SE SE(lambda) / lambda = 1 / sqrt(n lambda).
    Fit f =
        fit_text("y ~ poisson(lambda)\nreport log_rate = log(lambda)\nreport twice = 2 * lambda\n", "y\n1\n2\n3\n2\n");
    REQUIRE(f.problem);
    REQUIRE(f.result.derived.size() == 2);
    const auto& lr = find(f.result.derived, "log_rate");
    CHECK(lr.estimate == Approx(std::log(2.0)).epsilon(1e-9));
    CHECK(*lr.std_error == Approx(1 / std::sqrt(4 * 2.0)).epsilon(1e-7));
    CHECK(*find(f.result.derived, "twice").std_error == Approx(2 * std::sqrt(2.0 / 4)).epsilon(1e-7));
    const std::string json = mlec::json_report(f.result);
    CHECK(json.find("\"derived\": [") != std::string::npos);
    CHECK(json.find("\"name\": \"log_rate\"") != std::string::npos);
    CHECK(mlec::text_report(f.result).find("reported quantities (delta-method standard errors)") != std::string::npos);
}

TEST_CASE("a matrix times a vector, dot and sum are the linear algebra they say") {
    // mu = sum(W * [x, 1]) + dot(v, [1, 2]) is linear in the parameters; at
    // the OLS solution with one free mean, only the total intercept is
    // identified, so pin everything but one entry with start values and
    // compare the NLL at a given theta with the formula.
    const std::string csv = "x,y\n1,2\n2,3\n3,5\n";
    mlec::Diagnostics ds;
    auto model = mlec::Model::from_text(
        "param W[2, 2], v[2]\nmu = sum(W * [x, 1]) + dot(v, [1, 2])\ny ~ normal(mu, 1)\n", "m.mle", ds);
    auto data = mlec::Data::from_csv_text(csv, "d.csv", ds);
    REQUIRE(model);
    REQUIRE(data);
    auto problem = mlec::Problem::bind(*model, *data, ds);
    INFO(mlec::format(ds));
    REQUIRE(problem);
    REQUIRE(problem->dimension() == 6);
    Eigen::VectorXd theta(6);
    theta << 0.5, -1, 2, 0.25, 3, -0.5;  // W row-major, then v
    double nll = 0;
    const double xs[] = {1, 2, 3}, ys[] = {2, 3, 5};
    for (int r = 0; r < 3; ++r) {
        const double mu = (0.5 * xs[r] - 1) + (2 * xs[r] + 0.25) + (3 * 1 - 0.5 * 2);
        nll += 0.5 * std::log(2 * M_PI) + 0.5 * (ys[r] - mu) * (ys[r] - mu);
    }
    CHECK(problem->nll(theta) == Approx(nll).epsilon(1e-13));
}

TEST_CASE("group parameters: integer levels sorted, text levels in order of appearance") {
    // Normal means by group: the MLE of each is its group's mean.
    Fit f = fit_text("param mu[g], s > 0\ny ~ normal(mu[g], s)\n", "g,y\n3,1\n1,2\n3,3\n10,4\n1,4\n10,8\n");
    REQUIRE(f.problem);
    REQUIRE(f.result.converged);
    REQUIRE(f.result.parameters.size() == 4);
    CHECK(f.result.parameters[0].name == "mu[1]");
    CHECK(f.result.parameters[1].name == "mu[3]");
    CHECK(f.result.parameters[2].name == "mu[10]");
    CHECK(f.result.parameters[0].estimate == Approx(3).epsilon(1e-9));
    CHECK(f.result.parameters[1].estimate == Approx(2).epsilon(1e-9));
    CHECK(f.result.parameters[2].estimate == Approx(6).epsilon(1e-9));

    Fit t = fit_text("param mu[color], s > 0\ny ~ normal(mu[color], s)\n", "color,y\nred,1\nblue,2\nred,3\nblue,6\n");
    REQUIRE(t.problem);
    CHECK(t.result.parameters[0].name == "mu[red]");
    CHECK(t.result.parameters[0].estimate == Approx(2).epsilon(1e-9));
    CHECK(t.result.parameters[1].name == "mu[blue]");
    CHECK(t.result.parameters[1].estimate == Approx(4).epsilon(1e-9));
}

TEST_CASE("a vector indexed by an integer column, and an index out of range") {
    Fit f = fit_text("param beta[2]\ny ~ normal(beta[k], 1)\n", "k,y\n1,1\n2,5\n1,3\n");
    REQUIRE(f.problem);
    CHECK(f.result.parameters[0].estimate == Approx(2).epsilon(1e-9));
    CHECK(f.result.parameters[1].estimate == Approx(5).epsilon(1e-9));
    Fit bad = fit_text("param beta[2]\ny ~ normal(beta[k], 1)\n", "k,y\n1,1\n3,5\n");
    CHECK_FALSE(bad.problem);
    CHECK(bad.errors ==
          "d.csv:3:1: error: row 2, column 'k': index of 'beta' must be a whole number from 1 to 2, found 3\n"
          "    3,5\n"
          "    ^\n");
}

TEST_CASE("a two-component mixture with a simplex of weights equals the scalar-weight form") {
    const std::string csv = "y\n-2.1\n-1.7\n-2.4\n1.9\n2.2\n2.5\n2.0\n-1.9\n";
    Fit a = fit_text(
        "param w in (0, 1), m1 = -1, m2 = 1, s1 > 0, s2 > 0\n"
        "y ~ mixture(w, normal(m1, s1), normal(m2, s2))\n",
        csv);
    Fit b = fit_text(
        "param w simplex[2], m1 = -1, m2 = 1, s1 > 0, s2 > 0\n"
        "y ~ mixture(w, normal(m1, s1), normal(m2, s2))\n",
        csv);
    REQUIRE(a.problem);
    REQUIRE(b.problem);
    REQUIRE(a.result.converged);
    REQUIRE(b.result.converged);
    CHECK(a.result.log_likelihood == Approx(b.result.log_likelihood).epsilon(1e-9));
    CHECK(find(a.result.parameters, "w").estimate == Approx(find(b.result.parameters, "w[1]").estimate).epsilon(1e-6));
    CHECK(find(a.result.parameters, "m2").estimate == Approx(find(b.result.parameters, "m2").estimate).epsilon(1e-6));
}

TEST_CASE("multi-start is reproducible from its seed and reports distinct optima") {
    const std::string model =
        "param W[2, 2], u[2], v[2], d\nh = tanh(W * [a, b] + u)\n"
        "y ~ bernoulli(sigmoid(dot(v, h) + d))\n";
    const std::string csv = "a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n";
    mlec::FitOptions o;
    o.starts = 8;
    o.seed = 7;
    Fit a = fit_text(model, csv, o), b = fit_text(model, csv, o);
    REQUIRE(a.problem);
    CHECK(a.result.starts == 8);
    REQUIRE(a.result.optima.size() == b.result.optima.size());
    int total = 0;
    for (std::size_t i = 0; i < a.result.optima.size(); ++i) {
        CHECK(a.result.optima[i].log_likelihood == b.result.optima[i].log_likelihood);
        CHECK(a.result.optima[i].starts == b.result.optima[i].starts);
        total += a.result.optima[i].starts;
        if (i > 0) CHECK(a.result.optima[i].log_likelihood < a.result.optima[i - 1].log_likelihood);
    }
    CHECK(total <= 8);
    CHECK(a.result.log_likelihood == b.result.log_likelihood);
}

TEST_CASE("dropping missing values leaves out incomplete rows and says how many") {
    mlec::BindOptions drop;
    drop.drop_missing = true;
    Fit f = fit_text("y ~ normal(mu, 1)\n", "x,y\n1,2\n2,\n3,4\n,NA\n", {}, drop);
    REQUIRE(f.problem);
    CHECK(f.problem->rows_dropped() == 2);
    CHECK(f.result.n_obs == 2);
    CHECK(f.result.parameters[0].estimate == Approx(3).epsilon(1e-9));
    Fit strict = fit_text("y ~ normal(mu, 1)\n", "y\n2\nNA\n");
    CHECK(strict.errors == "d.csv:3:1: error: row 2, column 'y': missing value\n    NA\n    ^^\n");
}

TEST_CASE("a name that looks like a column: an error when free, a warning when declared") {
    // (suggest.hpp's rule, through the whole binding; test_names.cpp walks
    // the rule itself.) Returns whether the model bound, and its warnings.
    auto bind = [](const std::string& model, const std::string& header) {
        mlec::Diagnostics ds;
        auto m = mlec::Model::from_text(model, "m.mle", ds);
        auto d = mlec::Data::from_csv_text(header + "\n1,2,3\n2,3,5\n3,5,6\n", "d.csv", ds);
        auto p = mlec::Problem::bind(*m, *d, ds);
        return std::make_pair(p.has_value(), p ? p->warnings().size() : 0);
    };
    CHECK(bind("y ~ normal(b0 + b10*x10, s)\n", "x10,weight,y") == std::make_pair(true, std::size_t{0}));
    for (const std::string typo : {"wieght", "x_10", "weigth", "weighs"}) {
        INFO(typo);
        CHECK(bind("y ~ normal(b0 + b1*" + typo + ", s)\n", "x10,weight,y") == std::make_pair(false, std::size_t{0}));
        CHECK(bind("param b1, " + typo + "\ny ~ normal(b0 + b1*" + typo + ", s)\n", "x10,weight,y") ==
              std::make_pair(true, std::size_t{1}));
    }
}

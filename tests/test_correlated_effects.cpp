// Correlated random effects and the correlation-matrix parameter they use
// (docs/language.md, "Random effects" and "Parameters"):
// - `param R corr[K]`: at random coordinates, R's entries are a unit
//   diagonal, positive definite matrix equal to L L' with L built from the
//   coordinates by the Stan reference manual's formula, computed here
//   independently (its sqrt(1 - sum) form; the checker builds the product
//   of sech form); for K = 2, R[1,2] = tanh(u). A start value round-trips.
// - `random (a, b)[g] ~ multi_normal(0, [sa, sb], R)`: the joint
//   evaluator's NLL at (theta, z) equals that of the same model written
//   with group parameters `param a[g], b[g]` at u = diag(sd) L z, L again
//   computed here, at random points: an independent check of the lowering.
// - Fits against R (models/mixed/): sleepstudy's `(Days | Subject)` against
//   lmer's maximum likelihood fit, Contraception's `(urban | district)`
//   (binomial) against glmmTMB's Laplace fit.
#include <catch2/catch.hpp>

#include <Eigen/Dense>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "grammar/parse.hpp"
#include "interpreter/checked_model.hpp"
#include "mlec/mlec.hpp"
#include "runtime/evaluator.hpp"
#include "support/bound_model.hpp"
#include "support/files.hpp"

namespace {

namespace rt = mlec::rt;
namespace interp = mlec::interp;
using nlohmann::json;

constexpr int levels_g = 7;

// y (counts), x, w and the grouping column g (text levels "s1".."s7").
struct Data {
    std::vector<std::string> header{"y", "x", "w", "g"};
    std::map<std::string, std::vector<double>> numbers;
    interp::Levels g;
    std::size_t rows = 0;
};

Data make_data(std::size_t rows) {
    std::mt19937 rng(11);
    std::normal_distribution<double> normal;
    std::uniform_int_distribution<int> pick(1, levels_g);
    std::poisson_distribution<int> count(2.0);
    Data d;
    d.rows = rows;
    for (int k = 1; k <= levels_g; ++k) d.g.names.push_back(std::string("s").append(std::to_string(k)));
    for (std::size_t r = 0; r < rows; ++r) {
        d.numbers["y"].push_back(count(rng));
        d.numbers["x"].push_back(normal(rng));
        d.numbers["w"].push_back(1 + 0.5 * normal(rng));
        d.g.codes.push_back(r < levels_g ? static_cast<double>(r + 1) : pick(rng));  // every level has rows
    }
    return d;
}

struct Checked {
    interp::CheckedModel model;
    std::vector<std::vector<double>> columns;  // the graph's data columns
};

Checked check(const std::string& text, const Data& d) {
    const mlec::SourceText source("m.mle", text);
    const mlec::ParseResult parsed = mlec::parse_model(source);
    INFO(mlec::format(parsed.diagnostics));
    REQUIRE(parsed.model);
    const interp::LevelsSource levels = [&d](int, mlec::Diagnostics&) -> std::optional<interp::Levels> { return d.g; };
    interp::CheckResult checked = interp::check_model(source, *parsed.model, d.header, "d.csv", levels);
    INFO(mlec::format(checked.diagnostics));
    REQUIRE(checked.model);
    Checked out{std::move(*checked.model), {}};
    for (const interp::ColumnInfo& c : out.model.columns)
        out.columns.push_back(c.categorical ? c.codes : d.numbers.at(c.name));
    return out;
}

std::vector<std::span<const double>> spans_of(const Checked& c) {
    std::vector<std::span<const double>> spans;
    for (const auto& column : c.columns) spans.emplace_back(column.data(), column.size());
    return spans;
}

double nll(const Checked& c, const Eigen::VectorXd& theta, const Eigen::VectorXd& z, std::size_t rows) {
    rt::Evaluator evaluator(c.model.graph, spans_of(c), rows, 64, 1, {}, rt::Coordinates::parameters_and_effects);
    evaluator.set_effects(z);
    return evaluator.nll(theta);
}

// The value of every estimand at theta (a model without random effects).
std::map<std::string, double> estimates(const Checked& c, const Eigen::VectorXd& theta, std::size_t rows) {
    rt::Evaluator evaluator(c.model.graph, spans_of(c), rows);
    std::map<std::string, double> out;
    Eigen::VectorXd gradient;
    for (const interp::Estimand& e : c.model.estimands)
        out[e.name] = evaluator.invariant_gradient(theta, e.node, gradient);
    return out;
}

// The Cholesky factor of R from the coordinates x (R[1,2], R[1,3], ...,
// R[2,3], ... in row order; x of R[j,i] is atanh of L's CPC_ij), as the
// Stan reference manual writes it: L[i,j] = CPC_ij sqrt(1 - sum_{k<j}
// L[i,k]^2), L[i,i] = sqrt(1 - sum_{k<i} L[i,k]^2).
Eigen::MatrixXd stan_cholesky(const std::vector<double>& x, int k) {
    Eigen::MatrixXd cpc = Eigen::MatrixXd::Zero(k, k);
    std::size_t next = 0;
    for (int j = 0; j < k; ++j)
        for (int i = j + 1; i < k; ++i) cpc(i, j) = std::tanh(x[next++]);
    Eigen::MatrixXd l = Eigen::MatrixXd::Zero(k, k);
    l(0, 0) = 1;
    for (int i = 1; i < k; ++i) {
        double sum = 0;
        for (int j = 0; j < i; ++j) {
            l(i, j) = cpc(i, j) * std::sqrt(1 - sum);
            sum += l(i, j) * l(i, j);
        }
        l(i, i) = std::sqrt(1 - sum);
    }
    return l;
}

std::string entry(int i, int j) {
    return std::string("R[").append(std::to_string(i)).append(",").append(std::to_string(j)).append("]");
}

// A model whose only parameters are R's coordinates (and m): R's
// correlations enter a term, so each coordinate is used.
std::string corr_model(int k, const std::string& start = "") {
    std::string text = std::string("param R corr[").append(std::to_string(k)).append("]").append(start);
    text.append("\nw ~ normal(m");
    for (int i = 1; i <= k; ++i)
        for (int j = i + 1; j <= k; ++j) text.append(" + ").append(entry(i, j)).append(" * x");
    return text + ", 1)\n";
}

const char* correlated_model =
    "param sa > 0, sb > 0, sigma > 0\n"
    "param R corr[2]\n"
    "random (a, b)[g] ~ multi_normal(0, [sa, sb], R)\n"
    "y ~ poisson(exp(m + a[g] + b[g] * x))\n"
    "w ~ normal(c + a[g], sigma)\n";

const char* correlated_model_3 =
    "param s1 > 0, s2 > 0, s3 > 0, sigma > 0\n"
    "param Q corr[3]\n"
    "random (a, b, c)[g] ~ multi_normal(0, [s1, s2, s3], Q)\n"
    "y ~ poisson(exp(m + a[g] + b[g] * x))\n"
    "w ~ normal(k + c[g] * x + a[g], sigma)\n";

// The same likelihoods with the effects as group parameters.
const char* group_model =
    "param a[g], b[g], sigma > 0\n"
    "y ~ poisson(exp(m + a[g] + b[g] * x))\n"
    "w ~ normal(c + a[g], sigma)\n";

const char* group_model_3 =
    "param a[g], b[g], c[g], sigma > 0\n"
    "y ~ poisson(exp(m + a[g] + b[g] * x))\n"
    "w ~ normal(k + c[g] * x + a[g], sigma)\n";

// theta from values on the user's scale by parameter name (a corr's
// coordinates given as such).
Eigen::VectorXd theta_of(const interp::CheckedModel& m, const std::map<std::string, double>& values) {
    Eigen::VectorXd theta(static_cast<Eigen::Index>(m.parameters.size()));
    for (std::size_t i = 0; i < m.parameters.size(); ++i) {
        const interp::ParameterInfo& p = m.parameters[i];
        INFO(p.name);
        REQUIRE(values.count(p.name));
        theta[static_cast<Eigen::Index>(i)] = p.bounds.to_unconstrained(values.at(p.name));
    }
    return theta;
}

}  // namespace

TEST_CASE("a corr[K] parameter is a correlation matrix L L' at any coordinates") {
    const Data d = make_data(30);
    std::mt19937 rng(3);
    std::normal_distribution<double> normal(0.0, 1.5);
    for (int k = 2; k <= 5; ++k) {
        const Checked c = check(corr_model(k), d);
        const auto pairs = static_cast<std::size_t>(k * (k - 1) / 2);
        REQUIRE(c.model.parameters.size() == pairs + 1);  // the coordinates and m: K(K-1)/2 in AIC and BIC
        for (int point = 0; point < 20; ++point) {
            INFO("K = " << k << ", point " << point);
            std::vector<double> x;
            for (std::size_t i = 0; i < pairs; ++i) x.push_back(normal(rng));
            Eigen::VectorXd theta(static_cast<Eigen::Index>(pairs + 1));
            std::size_t next = 0;
            for (std::size_t i = 0; i < c.model.parameters.size(); ++i)
                theta[static_cast<Eigen::Index>(i)] = c.model.parameters[i].name == "m" ? 0.5 : x[next++];
            const std::map<std::string, double> values = estimates(c, theta, d.rows);
            const Eigen::MatrixXd l = stan_cholesky(x, k);
            const Eigen::MatrixXd expected = l * l.transpose();
            Eigen::MatrixXd r = Eigen::MatrixXd::Identity(k, k);
            for (int i = 0; i < k; ++i)
                for (int j = i + 1; j < k; ++j) {
                    REQUIRE(values.count(entry(i + 1, j + 1)));
                    r(i, j) = r(j, i) = values.at(entry(i + 1, j + 1));
                    CHECK(r(i, j) == Approx(expected(i, j)).margin(1e-14));
                    CHECK(std::abs(r(i, j)) < 1);
                }
            CHECK(expected.diagonal().isApproxToConstant(1.0, 1e-14));  // L's rows have unit length
            CHECK(Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(r).eigenvalues().minCoeff() > 0);
            if (k == 2) CHECK(values.at("R[1,2]") == Approx(std::tanh(x[0])).epsilon(1e-15));
        }
    }
}

TEST_CASE("a corr[K] parameter's coordinates are named after its correlations, and its entries are estimands") {
    const Data d = make_data(30);
    const Checked c = check(corr_model(3), d);
    std::vector<std::string> coordinates, corr_estimands;
    for (const interp::ParameterInfo& p : c.model.parameters) coordinates.push_back(p.name);
    for (const interp::Estimand& e : c.model.estimands)
        if (e.name.starts_with("R[")) {
            corr_estimands.push_back(e.name);
            CHECK(e.bounds.lower == -1);
            CHECK(e.bounds.upper == 1);
        }
    CHECK(coordinates == std::vector<std::string>{"atanh(cpc R[1,2])", "atanh(cpc R[1,3])", "atanh(cpc R[2,3])", "m"});
    CHECK(corr_estimands == std::vector<std::string>{"R[1,2]", "R[1,3]", "R[2,3]"});
}

TEST_CASE("a corr[K] start value gives back its correlations") {
    const Data d = make_data(30);
    // R[1,2] .. R[3,4]: positive definite, eigenvalues 0.26 to 1.47 (R's
    // eigen()); with R[1,3] = -0.5 and R[1,4] = 0.6 it is not, and the
    // checker refuses it (tests/cases/corr_start_not_positive_definite).
    const std::vector<double> start{0.3, -0.4, 0.2, 0.1, -0.2, 0.25};
    const Checked c = check(corr_model(4, " = [0.3, -0.4, 0.2, 0.1, -0.2, 0.25]"), d);
    Eigen::VectorXd theta(static_cast<Eigen::Index>(c.model.parameters.size()));
    for (std::size_t i = 0; i < c.model.parameters.size(); ++i)
        theta[static_cast<Eigen::Index>(i)] = c.model.parameters[i].start;
    const std::map<std::string, double> values = estimates(c, theta, d.rows);
    std::size_t next = 0;
    for (int i = 1; i <= 4; ++i)
        for (int j = i + 1; j <= 4; ++j) CHECK(values.at(entry(i, j)) == Approx(start[next++]).margin(1e-14));
    // The default start is the identity: every coordinate 0.
    const Checked identity = check(corr_model(4), d);
    for (const interp::ParameterInfo& p : identity.model.parameters) CHECK(p.start == 0);
}

TEST_CASE("correlated effects are one graph effect per name on the column, recorded with their scales") {
    const Data d = make_data(60);
    const Checked c = check(correlated_model_3, d);
    const rt::Graph& graph = c.model.graph;
    REQUIRE(graph.effects().size() == 3);
    REQUIRE(c.model.random_effects.size() == 3);
    CHECK(graph.effect_size() == 3 * levels_g);
    std::map<std::string, int> user_node;
    for (const interp::ParameterInfo& p : c.model.parameters) user_node[p.name] = p.user_node;
    const std::vector<std::string> names{"a", "b", "c"}, scales{"s1", "s2", "s3"};
    for (std::size_t m = 0; m < 3; ++m) {
        const interp::RandomEffect& r = c.model.random_effects[m];
        INFO(r.name);
        CHECK(r.name == names[m]);
        CHECK(r.column == "g");
        CHECK(r.block == 0);
        CHECK(r.scale_node == user_node.at(scales[m]));
        CHECK(r.level_names == d.g.names);
        CHECK(graph.node(r.effect_node).kind == rt::NodeKind::effect);
        CHECK(graph.effects().at(static_cast<std::size_t>(r.effect)).levels == levels_g);
    }
    // Independent effects stay unblocked, u = s z.
    const Checked single = check("random u[g] ~ normal(0, s)\ny ~ poisson(exp(m + u[g]))\n", d);
    CHECK(single.model.random_effects.at(0).block == -1);
    CHECK(single.model.random_effects.at(0).coefficients ==
          std::vector<int>{single.model.random_effects.at(0).scale_node});
}

TEST_CASE("a correlated effect's coefficients on its block's z are diag(sd) L's row") {
    const Data d = make_data(60);
    const Checked c = check(correlated_model_3, d);
    std::mt19937 rng(29);
    std::normal_distribution<double> normal;
    std::uniform_real_distribution<double> scale(0.2, 1.5);
    for (int point = 0; point < 10; ++point) {
        INFO("point " << point);
        std::map<std::string, double> values{{"m", normal(rng)}, {"k", normal(rng)}, {"sigma", scale(rng)}};
        std::vector<double> sd{scale(rng), scale(rng), scale(rng)}, x{normal(rng), normal(rng), normal(rng)};
        for (int m = 0; m < 3; ++m)
            values[std::string("s").append(std::to_string(m + 1))] = sd[static_cast<std::size_t>(m)];
        values["atanh(cpc Q[1,2])"] = x[0];
        values["atanh(cpc Q[1,3])"] = x[1];
        values["atanh(cpc Q[2,3])"] = x[2];
        const Eigen::VectorXd theta = theta_of(c.model, values);
        const Eigen::MatrixXd l = stan_cholesky(x, 3);
        rt::Evaluator evaluator(c.model.graph, spans_of(c), d.rows, 64, 1, {}, rt::Coordinates::parameters_and_effects);
        evaluator.set_effects(Eigen::VectorXd::Zero(c.model.graph.effect_size()));
        Eigen::VectorXd gradient;
        for (std::size_t m = 0; m < 3; ++m) {
            const interp::RandomEffect& r = c.model.random_effects[m];
            REQUIRE(r.coefficients.size() == m + 1);
            for (std::size_t j = 0; j <= m; ++j) {
                const double expected = sd[m] * l(static_cast<Eigen::Index>(m), static_cast<Eigen::Index>(j));
                CHECK(evaluator.invariant_gradient(theta, r.coefficients[j], gradient) ==
                      Approx(expected).margin(1e-14));
            }
        }
    }
}

TEST_CASE("the correlated effects' NLL equals the group parameters' at u = diag(sd) L z") {
    const Data d = make_data(300);
    std::mt19937 rng(23);
    std::normal_distribution<double> normal;
    std::uniform_real_distribution<double> scale(0.2, 1.5);
    for (const int k : {2, 3}) {
        const Checked random = check(k == 2 ? correlated_model : correlated_model_3, d);
        const Checked group = check(k == 2 ? group_model : group_model_3, d);
        REQUIRE(group.model.graph.effects().empty());
        const std::string corr = k == 2 ? "R" : "Q";
        for (int point = 0; point < 6; ++point) {
            INFO("K = " << k << ", point " << point);
            std::map<std::string, double> values{
                {"m", 0.3 + 0.2 * normal(rng)}, {"c", normal(rng)}, {"k", normal(rng)}, {"sigma", scale(rng)}};
            std::vector<double> sd, x;
            for (int m = 0; m < k; ++m) sd.push_back(scale(rng));
            for (int i = 1; i <= k; ++i)
                for (int j = i + 1; j <= k; ++j) {
                    x.push_back(normal(rng));
                    values[std::string("atanh(cpc ").append(corr).append(entry(i, j).substr(1)).append(")")] = x.back();
                }
            if (k == 2) {
                values["sa"] = sd[0];
                values["sb"] = sd[1];
            } else {
                for (int m = 0; m < 3; ++m)
                    values[std::string("s").append(std::to_string(m + 1))] = sd[static_cast<std::size_t>(m)];
            }
            std::map<std::string, double> group_values{{"sigma", values["sigma"]}};
            for (const char* name : {"m", "c", "k"})
                if (values.count(name)) group_values[name] = values[name];
            const Eigen::MatrixXd l = stan_cholesky(x, k);
            Eigen::VectorXd z(random.model.graph.effect_size());
            for (int level = 0; level < levels_g; ++level) {
                Eigen::VectorXd zl(k);
                for (int m = 0; m < k; ++m) zl[m] = normal(rng);
                const Eigen::VectorXd u = Eigen::Map<const Eigen::VectorXd>(sd.data(), k).asDiagonal() * (l * zl);
                for (int m = 0; m < k; ++m) {
                    const interp::RandomEffect& r = random.model.random_effects[static_cast<std::size_t>(m)];
                    const rt::Effect& effect = random.model.graph.effects()[static_cast<std::size_t>(r.effect)];
                    z[effect.first + level] = zl[m];
                    group_values[r.name + "[" + r.level_names[static_cast<std::size_t>(level)] + "]"] = u[m];
                }
            }
            // (the group model has only the parameters its text uses)
            std::map<std::string, double> used;
            for (const interp::ParameterInfo& p : group.model.parameters) used[p.name] = group_values.at(p.name);
            const double expected = nll(group, theta_of(group.model, used), Eigen::VectorXd(), d.rows);
            std::map<std::string, double> random_used;
            for (const interp::ParameterInfo& p : random.model.parameters) random_used[p.name] = values.at(p.name);
            const double actual = nll(random, theta_of(random.model, random_used), z, d.rows);
            REQUIRE(std::isfinite(expected));
            CHECK(actual == Approx(expected).epsilon(1e-12));
        }
    }
}

namespace {

mlec::FitResult fit_model(const std::string& model, const std::string& data) {
    const auto dir = mlec::test::source_dir() / "models/mixed";
    mlec::Diagnostics ds;
    auto m = mlec::Model::from_text(mlec::test::read_file(dir / (model + ".mle")), model + ".mle", ds);
    auto d = mlec::Data::from_csv_text(mlec::test::read_file(dir / (data + ".csv")), data + ".csv", ds);
    INFO(mlec::format(ds));
    REQUIRE(m);
    REQUIRE(d);
    auto p = mlec::Problem::bind(*m, *d, ds);
    INFO(mlec::format(ds));
    REQUIRE(p);
    return mlec::fit(*p);
}

const json& reference_fit(const json& all, const std::string& id) {
    for (const json& fit : all["fits"])
        if (fit["id"] == id) return fit;
    FAIL("no fit " << id);
    return all;
}

using mlec::test::estimate;

// The fit against a reference: the log-likelihood at or above `loglik_fit`'s
// within 1e-6 relative; the fixed effects (named as the model names them,
// in R's order), the two scales and the correlation of the one correlated
// block to 1e-4 relative against `estimate_fit`; the fixed effects'
// standard errors to 1e-3 relative against `se_fit`'s.
void check_against(const mlec::FitResult& r, const json& loglik_fit, const json& estimate_fit, const json& se_fit,
                   const std::vector<std::string>& fixed, const std::vector<std::string>& block) {
    INFO(mlec::text_report(r));
    REQUIRE(r.status == mlec::FitStatus::converged);
    const double reference = loglik_fit["log_likelihood"].get<double>();
    CHECK(r.log_likelihood >= reference - 1e-6 * std::abs(reference));
    const json& components = estimate_fit["variance_components"][0];
    std::vector<std::pair<std::string, double>> expected{{block[0], components["sd"][0].get<double>()},
                                                         {block[1], components["sd"][1].get<double>()},
                                                         {block[2], components["correlation"][0][1].get<double>()}};
    for (std::size_t k = 0; k < fixed.size(); ++k)
        expected.emplace_back(fixed[k], estimate_fit["fixed_effects"][k]["estimate"].get<double>());
    if (estimate_fit.contains("residual_sd")) expected.emplace_back("sigma", estimate_fit["residual_sd"].get<double>());
    for (const auto& [name, value] : expected) {
        const mlec::ParameterEstimate& e = estimate(r, name);
        INFO(name << " = " << e.estimate << ", reference " << value);
        CHECK(std::abs(e.estimate - value) <= 1e-4 * std::abs(value));
        CHECK(e.std_error.has_value());
    }
    for (std::size_t k = 0; k < fixed.size(); ++k) {
        const double se = se_fit["fixed_effects"][k]["std_error"].get<double>();
        const mlec::ParameterEstimate& e = estimate(r, fixed[k]);
        REQUIRE(e.std_error.has_value());
        INFO(fixed[k] << " SE " << *e.std_error << ", reference " << se);
        CHECK(std::abs(*e.std_error - se) <= 1e-3 * se);
    }
    // AIC counts the correlation matrix's one coordinate: R's df.
    CHECK(r.aic == Approx(2.0 * loglik_fit["df"].get<double>() - 2.0 * r.log_likelihood).epsilon(1e-12));
}

json expected_of(const std::string& name) {
    return json::parse(mlec::test::read_file(mlec::test::source_dir() / "models/mixed" / (name + ".expected.json")));
}

}  // namespace

// A linear mixed model: the Laplace approximation is exact. Estimates and
// log-likelihood against lmer ML; the fixed effects' standard errors
// against glmmTMB ML's, which come, as ours do, from the Hessian of the
// marginal likelihood in all parameters (lmer's are conditional on the
// variance parameters; here the two agree to 1e-6, the JSON's notes).
TEST_CASE("sleepstudy with correlated random intercepts and slopes equals lmer's maximum likelihood fit") {
    const json all = expected_of("sleepstudy");
    const mlec::FitResult r = fit_model("sleepstudy", "sleepstudy");
    check_against(r, reference_fit(all, "lmer_ML"), reference_fit(all, "lmer_ML"), reference_fit(all, "glmmTMB_ML"),
                  {"b0", "b1"}, {"sa", "sb", "R[1,2]"});
    // L-BFGS runs R[1,2]'s coordinate out toward 1, where the likelihood is
    // flat in it (-880.40); the optimizer goes on from beside that plateau
    // (optim/optimize.cpp, escape_saddle) rather than by Newton from the start.
    CHECK(r.method == mlec::Method::lbfgs);
    CHECK(std::find_if(r.notes.begin(), r.notes.end(), [](const std::string& n) {
              return n.starts_with("L-BFGS stopped at a point that is not a maximum (log-likelihood -880.4026725)");
          }) != r.notes.end());
}

// A binomial GLMM: glmmTMB's Laplace value is the Laplace approximation
// (models/mixed/README.md), so everything against glmmTMB. The factors'
// treatment contrasts are 0/1 columns of Contraception_indicators.csv
// (reference/Contraception_indicators.R checks that glmmTMB fits them to
// the factor fit's values).
TEST_CASE("Contraception, binomial with a correlated random intercept and urban effect, equals glmmTMB's Laplace fit") {
    const json all = expected_of("Contraception");
    const json& tmb = reference_fit(all, "glmmTMB_Laplace");
    check_against(fit_model("Contraception", "Contraception_indicators"), tmb, tmb, tmb,
                  {"b0", "bu", "ba", "ba2", "b1", "b2", "b3"}, {"sa", "sb", "R[1,2]"});
}

// Three correlated effects: a corr[3] and the lowering's every L entry.
TEST_CASE("sleepstudy with three correlated effects per subject equals lmer's maximum likelihood fit") {
    // models/mixed/reference/sleepstudy_quadratic.R prints these.
    const double log_likelihood = -868.80882958207553;
    const std::vector<std::pair<std::string, double>> expected{
        {"b0", 295.7274574652734},      {"b1", 47.102786818179759},       {"b2", 6.824702130682879},
        {"s1", 39.921431935106234},     {"s2", 26.370222811249512},       {"s3", 28.341938239687046},
        {"Q[1,2]", 0.6831580726927321}, {"Q[1,3]", -0.41927601143955362}, {"Q[2,3]", -0.025031219134031508},
        {"sigma", 22.76308447022825}};
    const mlec::FitResult r = fit_model("sleepstudy_quadratic", "sleepstudy");
    INFO(mlec::text_report(r));
    REQUIRE(r.status == mlec::FitStatus::converged);
    CHECK(r.log_likelihood >= log_likelihood - 1e-6 * std::abs(log_likelihood));
    for (const auto& [name, value] : expected) {
        const mlec::ParameterEstimate& e = estimate(r, name);
        INFO(name << " = " << e.estimate << ", lmer " << value);
        CHECK(std::abs(e.estimate - value) <= 1e-4 * std::abs(value));
        CHECK(e.std_error.has_value());
    }
    CHECK(r.aic == Approx(2.0 * 10 - 2.0 * r.log_likelihood).epsilon(1e-12));  // lmer's df 10
    // L-BFGS runs three CPC coordinates out to +-1 (-875.14); the optimizer
    // moves those plateau coordinates back together and goes on from there.
    CHECK(r.method == mlec::Method::lbfgs);
    CHECK(std::find_if(r.notes.begin(), r.notes.end(), [](const std::string& n) {
              return n.starts_with("L-BFGS stopped at a point that is not a maximum (log-likelihood -875.14");
          }) != r.notes.end());
}

// Entry m of a correlated block has the mode sum_j c_j z_hat_j and the
// variance sum_jk c_j c_k (H^-1)_jk over the block's z at the level, c =
// RandomEffect::coefficients (inference/conditional_modes.cpp); the slopes
// b combine both z's of a subject.
TEST_CASE("sleepstudy's correlated conditional modes and SDs equal lmer's") {
    const json all = expected_of("sleepstudy");
    const json& modes = reference_fit(all, "lmer_ML")["conditional_modes"][0];
    const mlec::FitResult r = fit_model("sleepstudy", "sleepstudy");
    REQUIRE(r.status == mlec::FitStatus::converged);
    REQUIRE(r.random_effects.size() == 2);
    for (const mlec::RandomEffectModes& effect : r.random_effects) {
        const std::string term = effect.name == "a" ? "(Intercept)" : "Days";
        REQUIRE(effect.levels.size() == modes["levels"].size());
        for (std::size_t k = 0; k < effect.levels.size(); ++k) {
            INFO(effect.name << "[" << effect.levels[k].level << "]");
            const double mode = modes["mode"][term][k].get<double>();
            const double sd = modes["cond_sd"][term][k].get<double>();
            CHECK(std::abs(effect.levels[k].mode - mode) <= 1e-5 * std::max(1.0, std::abs(mode)));
            CHECK(effect.levels[k].std_error == Approx(sd).epsilon(1e-5));
        }
    }
}

TEST_CASE("an entry of a correlation matrix cannot be fixed or started alone, and the message says why") {
    const auto dir = mlec::test::source_dir() / "models/mixed";
    const mlec::test::Bound b = mlec::test::bind_model(mlec::test::read_file(dir / "sleepstudy.mle"),
                                                       mlec::test::read_file(dir / "sleepstudy.csv"));
    mlec::FitOptions options;
    options.fixed = {{"R[1,2]", 0.0}};
    mlec::Diagnostics ds;
    CHECK_FALSE(mlec::check_parameter_values(*b.problem, options, ds));
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].message ==
          "cannot fix 'R[1,2]': it is an entry of the correlation matrix R, which the optimizer moves through its "
          "canonical partial correlations: no entry can be held or started on its own; give the matrix a start "
          "value in the model, as in 'param R corr[2] = [0.3]'");
}

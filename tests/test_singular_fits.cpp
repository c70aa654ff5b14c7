// Singular fits as a class: data whose groups carry no variation of their
// own must give a random effect's SD estimated at exactly 0, and then the
// fit must be the model's without the effect.
//
// The construction: every group holds the same rows (x, y), so the fit
// without the effect leaves every group the same sum of score residuals,
// which is 0 since their total is (the intercept's score equation). Near
// s = 0 the Laplace log-likelihood is L(0) + s^2/2 sum_g [(sum_i r_i)^2 -
// sum_i w_i] + O(s^4) (r the score residuals, w the weights -d2 l/d eta2),
// so with every group's sum 0 it falls as s leaves 0: the maximum is at 0.
// The reference is the model without `random` fitted by the plain
// likelihood, a path with no Laplace approximation at all.
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <random>
#include <sstream>
#include <tuple>

#include "mlec/mlec.hpp"
#include "support/bound_model.hpp"
#include "support/files.hpp"

namespace {

// The data: `base` rows (x, y) drawn by `draw` from a standard normal x, repeated in
// each of `groups` groups (shuffled within each, so no order is shared).
template <class Draw>
std::string replicated_rows(int base, int groups, std::uint64_t seed, Draw draw) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal;
    std::vector<std::pair<double, double>> rows;
    for (int i = 0; i < base; ++i) {
        const double x = normal(rng);
        rows.push_back(draw(i, x, rng));
    }
    std::ostringstream csv;
    csv.precision(17);
    csv << "x,y,g\n";
    for (int g = 1; g <= groups; ++g) {
        std::shuffle(rows.begin(), rows.end(), rng);
        for (const auto& row : rows) csv << row.first << "," << row.second << "," << g << "\n";
    }
    return csv.str();
}

mlec::FitResult fit(const std::string& model, const std::string& csv) {
    return mlec::fit(*mlec::test::bind_model(model, csv).problem);
}

std::string with(std::string text, const std::string& effect) {
    const std::size_t at = text.find("{u}");
    return text.replace(at, 3, effect);
}

void check_singular(const std::string& declarations, const char* outcome, const std::string& csv) {
    const mlec::FitResult mixed =
        fit(declarations + ", s > 0\nrandom u[g] ~ normal(0, s)\n" + with(outcome, " + u[g]") + "\n", csv);
    const mlec::FitResult plain = fit(declarations + "\n" + with(outcome, "") + "\n", csv);
    INFO(mlec::text_report(mixed));
    INFO(mlec::text_report(plain));
    REQUIRE(plain.status == mlec::FitStatus::converged);
    REQUIRE(mixed.status == mlec::FitStatus::converged);
    REQUIRE(!mixed.diagnostics.empty());
    CHECK(mixed.diagnostics[0].kind == mlec::DiagnosticKind::singular_fit);
    CHECK(mixed.log_likelihood == Approx(plain.log_likelihood).epsilon(1e-10));
    CHECK(mixed.n_params == plain.n_params + 1);
    for (const mlec::ParameterEstimate& p : mixed.parameters) {
        if (p.name == "s") {
            CHECK(p.at_zero);
            CHECK(p.estimate == 0);
            CHECK_FALSE(p.std_error);
            REQUIRE(p.ci_upper);
            CHECK(*p.ci_upper > 0);
            continue;
        }
        const auto same = std::find_if(plain.parameters.begin(), plain.parameters.end(),
                                       [&](const mlec::ParameterEstimate& q) { return q.name == p.name; });
        REQUIRE(same != plain.parameters.end());
        INFO(p.name);
        CHECK(p.estimate == Approx(same->estimate).epsilon(1e-6).margin(1e-9));
        REQUIRE(p.std_error);
        REQUIRE(same->std_error);
        CHECK(*p.std_error == Approx(*same->std_error).epsilon(1e-5));
    }
}

}  // namespace

TEST_CASE("groups that repeat the same rows give an SD of 0 and the fit without the effect, for every family") {
    for (std::uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
        for (int groups : {4, 9, 25}) {
            INFO("seed " << seed << ", " << groups << " groups");
            check_singular("param sigma > 0", "y ~ normal(b0 + b1*x{u}, sigma)",
                           replicated_rows(7, groups, seed, [](int, double x, std::mt19937_64& rng) {
                               return std::make_pair(x, 1 + 0.5 * x + std::normal_distribution<double>(0, 2)(rng));
                           }));
            check_singular("param b1 = 0", "y ~ poisson(exp(b0 + b1*x{u}))",
                           replicated_rows(8, groups, seed, [](int, double x, std::mt19937_64& rng) {
                               return std::make_pair(
                                   x,
                                   static_cast<double>(std::poisson_distribution<int>(std::exp(0.5 + 0.3 * x))(rng)));
                           }));
            // (a failure and a success at x = -3 and at x = 3: no value of x
            // separates them, so the fit without the effect has a maximum)
            check_singular("param b1 = 0", "y ~ bernoulli(sigmoid(b0 + b1*x{u}))",
                           replicated_rows(10, groups, seed, [](int i, double x, std::mt19937_64& rng) {
                               if (i < 4) return std::make_pair(i < 2 ? -3.0 : 3.0, static_cast<double>(i % 2));
                               return std::make_pair(
                                   x, std::bernoulli_distribution(1 / (1 + std::exp(-x)))(rng) ? 1.0 : 0.0);
                           }));
        }
    }
}

// A scale written as an expression of one parameter that is 0 exactly when
// the parameter is (a positive multiple, a positive power) is the same
// model: the same maximum and, at 0, the same singular fit, the parameter
// held at 0 (interpreter/check_random_effects.cpp, scale_parameter). The
// data: models/mixed/singular.csv (no group variation: the SD's maximum is
// 0) and weak_groups.csv (little: above 0).
TEST_CASE("a scale written as 1000*s, s/1000 or sqrt(v) gives the fit of s itself, singular or not") {
    const std::vector<std::tuple<std::string, std::function<double(double)>>> scales{
        {"1000*s", [](double s) { return 1000 * s; }},
        {"s/1000", [](double s) { return s / 1000; }},
        {"s*1000", [](double s) { return s * 1000; }},
        {"sqrt(s)", [](double s) { return std::sqrt(s); }},
        {"2*s^2", [](double s) { return 2 * s * s; }}};
    for (const char* data : {"singular.csv", "weak_groups.csv"}) {
        INFO(data);
        const std::string csv = mlec::test::read_file(mlec::test::source_dir() / "models/mixed" / data);
        const auto model = [](const std::string& scale) {
            return "param s > 0, sigma > 0\nrandom u[g] ~ normal(0, " + scale +
                   ")\ny ~ normal(b0 + b1*x + u[g], sigma)\n";
        };
        const mlec::FitResult base = fit(model("s"), csv);
        INFO(mlec::text_report(base));
        REQUIRE(base.status == mlec::FitStatus::converged);
        const bool singular = std::string(data) == "singular.csv";
        for (const auto& [scale, of] : scales) {
            INFO(scale);
            const mlec::FitResult r = fit(model(scale), csv);
            INFO(mlec::text_report(r));
            REQUIRE(r.status == mlec::FitStatus::converged);
            CHECK(mlec::exit_code(r) == 0);
            CHECK(r.log_likelihood == Approx(base.log_likelihood).epsilon(0).margin(1e-9));
            CHECK(r.n_params == base.n_params);
            REQUIRE(r.diagnostics.size() == base.diagnostics.size());
            for (std::size_t i = 0; i < r.diagnostics.size(); ++i)
                CHECK(r.diagnostics[i].kind == base.diagnostics[i].kind);
            const auto s_of = [](const mlec::FitResult& f) {
                for (const mlec::ParameterEstimate& p : f.parameters)
                    if (p.name == "s") return p;
                FAIL("no s");
                return f.parameters.front();
            };
            const mlec::ParameterEstimate s = s_of(r), s_base = s_of(base);
            CHECK(s.at_zero == singular);
            CHECK(s_base.at_zero == singular);
            CHECK(s.random_scale);
            CHECK(of(s.estimate) == Approx(s_base.estimate).epsilon(1e-5).margin(1e-12));
            if (singular) {
                CHECK(s.estimate == 0);
                REQUIRE(s.ci_upper);
                REQUIRE(s_base.ci_upper);
                CHECK(of(*s.ci_upper) == Approx(*s_base.ci_upper).epsilon(1e-5));
            }
        }
    }
}

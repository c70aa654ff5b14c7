// Group parameters with many levels profiled out (interp::
// profile_group_parameters): the fit maximizes the profile likelihood with
// the group entries solved for by the sparse inner Newton, and must give the
// dense fit's answer — the same maximum, estimates and standard errors (the
// full inverse Hessian's) — while a level whose data push its entry to
// infinity is reported as a divergence, never as an estimate.
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <random>
#include <sstream>

#include "mlec/mlec.hpp"
#include "support/bound_model.hpp"
#include "support/csv_cells.hpp"

namespace {

using mlec::test::Bound;

Bound bind_text(const std::string& model, const std::string& csv) { return mlec::test::bind_model(model, csv); }

enum class Family { poisson, bernoulli, normal };

// `groups` levels of `rows` rows, y from the family with a level effect
// and a slope on x. Bernoulli levels `separated` (1-based) get all-0 or
// all-1 outcomes, alternately.
std::string simulate(unsigned seed, Family family, int groups, int rows, const std::vector<int>& separated = {}) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> normal;
    std::uniform_real_distribution<double> uniform;
    std::ostringstream csv;
    csv.precision(17);
    csv << "y,x,g\n";
    for (int g = 1; g <= groups; ++g) {
        const double a = 0.5 * normal(rng);
        const auto sep = std::find(separated.begin(), separated.end(), g);
        for (int r = 0; r < rows; ++r) {
            const double x = normal(rng), eta = a + 0.4 * x;
            double y = 0;
            if (family == Family::poisson) y = std::poisson_distribution<int>(std::exp(1 + eta))(rng);
            if (family == Family::bernoulli) y = uniform(rng) < 1 / (1 + std::exp(-eta)) ? 1 : 0;
            if (family == Family::normal) y = 3 + eta + 0.7 * normal(rng);
            if (sep != separated.end()) y = (sep - separated.begin()) % 2;
            csv << y << "," << x << "," << g << "\n";
        }
    }
    return csv.str();
}

std::string model_of(Family family, const std::string& declaration) {
    const std::string head = "param " + declaration + "\n";
    switch (family) {
        case Family::poisson: return head + "y ~ poisson_log(u[g] + c*x)\n";
        case Family::bernoulli: return head + "y ~ bernoulli_logit(u[g] + c*x)\n";
        case Family::normal: return head + "param sigma > 0\ny ~ normal(u[g] + c*x, sigma)\n";
    }
    return {};
}

}  // namespace

// The dense fit: the same model with u bounded far from its values (so it
// stays a coordinate of theta), whose maximum and standard errors on u's
// own scale are the same.
TEST_CASE("profiled group parameters give the dense fit's maximum, estimates and standard errors") {
    for (const Family family : {Family::poisson, Family::bernoulli, Family::normal}) {
        // (one data set per family: the dense fits of 200 parameters are
        // the suite's slowest under the sanitizers)
        for (unsigned seed = 1; seed <= 1; ++seed) {
            // (bernoulli: 20 rows per level, so that no level is separated)
            const std::string csv = simulate(seed, family, 200, family == Family::bernoulli ? 20 : 6);
            const Bound profiled = bind_text(model_of(family, "u[g]"), csv);
            const Bound dense = bind_text(model_of(family, "u[g] > -1000"), csv);
            REQUIRE(profiled.problem->dimension() == (family == Family::normal ? 2 : 1));
            const mlec::FitResult a = mlec::fit(*profiled.problem);
            const mlec::FitResult b = mlec::fit(*dense.problem);
            INFO("family " << static_cast<int>(family) << " seed " << seed);
            REQUIRE(a.status == mlec::FitStatus::converged);
            REQUIRE(b.status == mlec::FitStatus::converged);
            CHECK(a.log_likelihood == Approx(b.log_likelihood).epsilon(1e-12));
            CHECK(a.n_params == b.n_params);
            CHECK(a.aic == Approx(b.aic).epsilon(1e-12));
            REQUIRE(a.parameters.size() == b.parameters.size());
            for (std::size_t i = 0; i < a.parameters.size(); ++i) {
                const mlec::ParameterEstimate &x = a.parameters[i], &y = b.parameters[i];
                INFO(x.name << " " << x.estimate << " against " << y.estimate);
                CHECK(x.name == y.name);
                CHECK(std::abs(x.estimate - y.estimate) <= 1e-7 * (1 + std::abs(y.estimate)));
                REQUIRE(x.std_error);
                REQUIRE(y.std_error);
                CHECK(*x.std_error == Approx(*y.std_error).epsilon(1e-6));
            }
            // Predictions: the dense fit's delta method over all 200+ parameters
            // against the profiled one's H_uu^-1 + W S^-1 W' (conditional_errors).
            mlec::Diagnostics ds;
            const auto newdata = mlec::Data::from_csv_text("x,g\n0.5,1\n-1.2,17\n2,200\n", "new.csv", ds);
            REQUIRE(newdata);
            const auto from_profiled = mlec::predict_csv(*profiled.problem, a, *newdata, ds);
            const auto from_dense = mlec::predict_csv(*dense.problem, b, *newdata, ds);
            REQUIRE(from_profiled);
            REQUIRE(from_dense);
            CHECK(ds.empty());
            const auto pc = mlec::test::csv_cells(*from_profiled), dc = mlec::test::csv_cells(*from_dense);
            REQUIRE(pc.size() == 4);
            REQUIRE(dc.size() == 4);
            for (std::size_t r = 1; r < 4; ++r)
                for (std::size_t k = 1; k < pc[r].size(); ++k) {
                    INFO("row " << r << ", " << pc[0][k] << ": " << pc[r][k] << " against " << dc[r][k]);
                    CHECK(std::stod(pc[r][k]) == Approx(std::stod(dc[r][k])).epsilon(1e-6));
                }
        }
    }
}

TEST_CASE("a profiled group entry whose level is separated is reported as diverging, never estimated") {
    const std::vector<int> separated{3, 50, 51, 199};
    const std::string csv = simulate(7, Family::bernoulli, 200, 6, separated);
    // Every level whose outcomes are all 0 (to -inf) or all 1 (to +inf):
    // the four made so, and those of 6 rows that came out so.
    std::map<int, std::pair<int, int>> counts;  // level -> (rows, ones)
    std::istringstream lines(csv);
    std::string line;
    std::getline(lines, line);
    while (std::getline(lines, line)) {
        const int g = std::stoi(line.substr(line.rfind(',') + 1));
        counts[g].first += 1;
        counts[g].second += line[0] == '1' ? 1 : 0;
    }
    std::map<std::string, int> expected;
    for (const auto& [g, c] : counts)
        if (c.second == 0 || c.second == c.first) expected["u[" + std::to_string(g) + "]"] = c.second == 0 ? -1 : 1;
    REQUIRE(expected.size() >= 4);
    // The same decision in any units of the entries (u written 1e-6 u: its
    // estimates and standard errors a million times larger).
    for (const char* written : {"u[g]", "1e-6*u[g]"}) {
        INFO(written);
        std::string model = "param u[g]\ny ~ bernoulli_logit(" + std::string(written) + " + c*x)\n";
        const Bound b = bind_text(model, csv);
        const mlec::FitResult r = mlec::fit(*b.problem);
        CHECK(r.status == mlec::FitStatus::diverged);
        CHECK(mlec::exit_code(r) == 4);
        std::map<std::string, int> diverging;
        std::vector<std::string> names;
        for (const mlec::ParameterEstimate& e : r.parameters) {
            if (!e.diverging) {
                CHECK(std::isfinite(e.estimate));
                CHECK(e.conditional_on_limit);
                continue;
            }
            diverging[e.name] = e.direction;
            names.push_back(e.name);
            CHECK(std::isnan(e.estimate));
            CHECK_FALSE(e.std_error);
        }
        CHECK(diverging == expected);
        REQUIRE(r.diagnostics.size() == 1);
        CHECK(r.diagnostics[0].kind == mlec::DiagnosticKind::divergence);
        CHECK(r.diagnostics[0].parameters == names);
    }
}

TEST_CASE("a profiled group entry cannot be held or started, by name") {
    const Bound b = bind_text(model_of(Family::poisson, "u[g]"), simulate(1, Family::poisson, 250, 6));
    mlec::FitOptions options;
    options.fixed = {{"u[3]", 1.0}};
    const mlec::FitResult r = mlec::fit(*b.problem, options);
    CHECK(r.status == mlec::FitStatus::invalid_options);
    CHECK(r.message ==
          "invalid fit options: cannot fix 'u[3]': it is an entry of a group parameter with many levels, which the "
          "fit profiles out (Newton's method over them for each value of the others): its entries cannot be held "
          "or started");
}

// Mixed models fitted through the public API, the random effects integrated
// out by the Laplace approximation, against R (models/mixed/: the data
// exported from lme4's packages, the reference fits of lme4 and glmmTMB and
// their scripts in models/mixed/reference/): the maximized log-likelihood
// at or above the references' within 1e-6 relative (the better optimum
// wins), the fixed effects and the random effects' scales to 1e-4.
#include <catch2/catch.hpp>
#include <random>
#include <sstream>
#include <tuple>

#include <nlohmann/json.hpp>

#include "mlec/mlec.hpp"
#include "support/bound_model.hpp"
#include "support/csv_cells.hpp"
#include "support/files.hpp"

namespace {

using nlohmann::json;

struct Expected {
    double log_likelihood = 0;
    std::vector<std::pair<std::string, double>> estimates;  // mlec's name, the reference's value
};

// A reference fit of models/mixed/NAME.expected.json: its fixed effects in
// R's order named as the model names them, its scales by grouping column.
Expected from_json(const std::string& name, const std::string& fit_id, const std::vector<std::string>& fixed,
                   const std::vector<std::pair<std::string, std::string>>& scales) {
    const json all =
        json::parse(mlec::test::read_file(mlec::test::source_dir() / "models/mixed" / (name + ".expected.json")));
    for (const json& fit : all["fits"]) {
        if (fit["id"] != fit_id) continue;
        Expected e;
        e.log_likelihood = fit["log_likelihood"].get<double>();
        REQUIRE(fit["fixed_effects"].size() == fixed.size());
        for (std::size_t k = 0; k < fixed.size(); ++k)
            e.estimates.emplace_back(fixed[k], fit["fixed_effects"][k]["estimate"].get<double>());
        for (const auto& [parameter, group] : scales) {
            bool found = false;
            for (const json& v : fit["variance_components"])
                if (v["group"] == group) {
                    e.estimates.emplace_back(parameter, v["sd"][0].get<double>());
                    found = true;
                }
            REQUIRE(found);
        }
        return e;
    }
    FAIL("no fit " << fit_id << " in " << name);
    return {};
}

mlec::FitResult fit(const std::string& model, const std::string& data, const mlec::FitOptions& options = {}) {
    const auto dir = mlec::test::source_dir() / "models/mixed";
    const mlec::test::Bound b = mlec::test::bind_model(mlec::test::read_file(dir / (model + ".mle")),
                                                       mlec::test::read_file(dir / (data + ".csv")));
    return mlec::fit(*b.problem, options);
}

void check(const mlec::FitResult& r, const Expected& e) {
    INFO(mlec::text_report(r));
    CHECK(r.status == mlec::FitStatus::converged);
    CHECK(r.log_likelihood >= e.log_likelihood - 1e-6 * std::abs(e.log_likelihood));
    for (const auto& entry : e.estimates) {
        // (Not a structured binding: clang 14 cannot capture one in the lambda.)
        const std::string& name = entry.first;
        const double value = entry.second;
        const auto it = std::find_if(r.parameters.begin(), r.parameters.end(),
                                     [&](const mlec::ParameterEstimate& p) { return p.name == name; });
        REQUIRE(it != r.parameters.end());
        INFO(name << " = " << it->estimate << ", reference " << value);
        CHECK(std::abs(it->estimate - value) <= 1e-4 * std::max(1.0, std::abs(value)));
        CHECK(it->std_error.has_value());
    }
}

using mlec::test::csv_cells;

using mlec::test::estimate;

}  // namespace

TEST_CASE("sleepstudy with independent random intercepts and slopes equals lmer's maximum likelihood fit") {
    // models/mixed/reference/sleepstudy_independent.R prints these.
    const Expected e{-876.00162756994143,
                     {{"b0", 251.40510484848343},
                      {"b1", 10.46728595959646},
                      {"s0", 24.171266552938473},
                      {"s1", 5.7994085919380698},
                      {"sigma", 25.556134548177127}}};
    // From sigma's default start of 1, far below the data's scale, the
    // first Newton steps carry s0 toward 0, where the Laplace likelihood is
    // even in s0 and flat on its log scale: the fit starts s0 again from
    // there (inference/fit_start.cpp, escape_zero_scales) and reaches lmer's
    // optimum, as it does from a start of sigma on the data's scale.
    check(fit("sleepstudy_independent", "sleepstudy"), e);
    mlec::FitOptions options;
    options.start = {{"sigma", 30}};
    check(fit("sleepstudy_independent", "sleepstudy", options), e);
}

// (level, lmer's conditional mode, its conditional SD)
using Modes = std::vector<std::tuple<std::string, double, double>>;

void check_modes(const mlec::RandomEffectModes& fitted, const Modes& expected, double tolerance) {
    REQUIRE(fitted.levels.size() == expected.size());
    for (std::size_t k = 0; k < expected.size(); ++k) {
        const mlec::RandomEffectLevel& level = fitted.levels[k];
        INFO(fitted.name << "[" << level.level << "] mode " << level.mode << " SD " << level.std_error);
        CHECK(level.level == std::get<0>(expected[k]));
        CHECK(std::abs(level.mode - std::get<1>(expected[k])) <= tolerance * std::max(1.0, std::get<2>(expected[k])));
        if (std::get<2>(expected[k]) > 0) CHECK(level.std_error == Approx(std::get<2>(expected[k])).epsilon(tolerance));
    }
}

TEST_CASE("the conditional modes and SDs equal lmer's ranef(condVar = TRUE) for sleepstudy") {
    // models/mixed/reference/sleepstudy_independent.R prints these; the
    // likelihood is normal in the effects, so both are exact.
    const Modes intercepts{
        {"308", 1.854655954566502, 12.093250714233646},   {"309", -40.022307421958438, 12.093250714233646},
        {"310", -38.723163168402181, 12.093250714233646}, {"330", 23.90331952546374, 12.093250714233646},
        {"331", 22.39632178595372, 12.093250714233646},   {"332", 9.0520010078344946, 12.093250714233646},
        {"333", 16.851223390460305, 12.093250714233646},  {"334", -7.2801936549061237, 12.093250714233646},
        {"335", 0.13854398194618428, 12.093250714233646}, {"337", 34.513387128478549, 12.093250714233646},
        {"349", -25.263101695714678, 12.093250714233646}, {"350", -13.36122041309873, 12.093250714233646},
        {"351", 4.7105357761795377, 12.093250714233646},  {"352", 20.709484719173414, 12.093250714233646},
        {"369", 3.2373319965081122, 12.093250714233646},  {"370", -25.826158447826323, 12.093250714233646},
        {"371", 0.85048823281582098, 12.093250714233646}, {"372", 12.258851302539989, 12.093250714233646}};
    const Modes slopes{
        {"308", 9.2364346335057785, 2.3110966689249461},   {"309", -8.6174729659199549, 2.3110966689249461},
        {"310", -5.4343800246389389, 2.3110966689249461},  {"330", -4.8581939770662697, 2.3110966689249461},
        {"331", -3.1048405149898253, 2.3110966689249461},  {"332", -0.28215982508539167, 2.3110966689249461},
        {"333", -0.24101193339537336, 2.3110966689249461}, {"334", 1.0862629777453852, 2.3110966689249461},
        {"335", -10.79819623831167, 2.3110966689249461},   {"337", 8.6314625077713902, 2.3110966689249461},
        {"349", 1.2030595063439582, 2.3110966689249461},   {"350", 6.655471162958686, 2.3110966689249461},
        {"351", -3.0327231926103733, 2.3110966689249461},  {"352", 3.5309136217789976, 2.3110966689249461},
        {"369", 0.87278322788826579, 2.3110966689249461},  {"370", 4.8682371082257747, 2.3110966689249461},
        {"371", -0.9932029943787869, 2.3110966689249461},  {"372", 1.2775569201715566, 2.3110966689249461}};
    const mlec::FitResult r = fit("sleepstudy_independent", "sleepstudy");
    REQUIRE(r.status == mlec::FitStatus::converged);
    REQUIRE(r.random_effects.size() == 2);
    CHECK(r.random_effects[0].name == "a");
    CHECK(r.random_effects[0].column == "Subject");
    check_modes(r.random_effects[0], intercepts, 1e-6);
    CHECK(r.random_effects[1].name == "b");
    check_modes(r.random_effects[1], slopes, 1e-6);
    CHECK(mlec::json_report(r).find(
              "\"random_effects\": [\n    {\"name\": \"a\", \"column\": \"Subject\", \"levels\": [\n      "
              "{\"level\": \"308\", \"mode\": 1.85465") != std::string::npos);
}

TEST_CASE("the conditional modes equal glmmTMB's for cbpp, a binomial model") {
    // glmmTMB's modes are at the same Laplace estimate; its conditional
    // SDs add the parameters' uncertainty (TMB's sdreport), lme4's do not
    // and mlec's do not, so only the modes are compared.
    const json all = json::parse(mlec::test::read_file(mlec::test::source_dir() / "models/mixed/cbpp.expected.json"));
    Modes expected;
    for (const json& f : all["fits"]) {
        if (f["id"] != "glmmTMB_Laplace") continue;
        const json& modes = f["conditional_modes"][0];
        for (std::size_t k = 0; k < modes["levels"].size(); ++k)
            expected.emplace_back(modes["levels"][k].get<std::string>(), modes["mode"]["(Intercept)"][k].get<double>(),
                                  0.0);
    }
    const mlec::FitResult r = fit("cbpp", "cbpp");
    REQUIRE(r.random_effects.size() == 1);
    check_modes(r.random_effects[0], expected, 1e-5);
    // The SDs: |s| sqrt((H^-1)_jj), all positive and below s (the data
    // narrow every herd's effect).
    for (const mlec::RandomEffectLevel& level : r.random_effects[0].levels) {
        CHECK(level.std_error > 0);
        CHECK(level.std_error < r.parameters.back().estimate);
    }
}

TEST_CASE("a singular fit: the SD estimated at 0 as lmer estimates it, with lme4's one-sided profile interval") {
    // models/mixed/reference/singular.R writes the data and prints these.
    const mlec::FitResult r = fit("singular", "singular");
    INFO(mlec::text_report(r));
    REQUIRE(r.status == mlec::FitStatus::converged);
    CHECK(mlec::exit_code(r) == 0);
    CHECK(r.log_likelihood >= -171.46284995625899 - 1e-6 * 171.46);
    CHECK(r.log_likelihood == Approx(-171.46284995625899).epsilon(1e-9));
    const std::vector<std::tuple<std::string, double, double>> fixed{{"b0", 1.0289030267679988, 0.092249013961865939},
                                                                     {"b1", 0.55584362969217671, 0.093536937728921382}};
    for (const auto& entry : fixed) {
        const mlec::ParameterEstimate& p = estimate(r, std::get<0>(entry));
        CHECK(p.estimate == Approx(std::get<1>(entry)).epsilon(1e-6));
        REQUIRE(p.std_error);
        CHECK(*p.std_error == Approx(std::get<2>(entry)).epsilon(1e-5));
    }
    CHECK(estimate(r, "sigma").estimate == Approx(1.0099679016101577).epsilon(1e-6));
    const mlec::ParameterEstimate& s = estimate(r, "s");
    CHECK(s.at_zero);
    CHECK_FALSE(s.fixed);
    CHECK(s.estimate == 0);
    CHECK_FALSE(s.std_error);
    REQUIRE(s.ci_lower);
    CHECK(*s.ci_lower == 0);
    // lme4 interpolates its profile by splines; mlec finds the root to 1e-7.
    REQUIRE(s.ci_upper);
    CHECK(*s.ci_upper == Approx(0.40566850131383198).epsilon(1e-5));
    // s counts as a parameter, as in lmer's df = 4.
    CHECK(r.n_params == 4);
    CHECK(r.aic == Approx(2 * 4 - 2 * r.log_likelihood).epsilon(1e-14));
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics[0].kind == mlec::DiagnosticKind::singular_fit);
    CHECK(r.diagnostics[0].message ==
          "the standard deviation s of random effect 'u[g]' is estimated at 0 (a singular fit): the levels differ "
          "by no more than the rest of the model explains, and the fit is the model's without that effect; s has "
          "no standard error on its boundary, and its profile interval is one-sided, [0, 0.4057]");
}

TEST_CASE("cbpp, binomial with a random intercept per herd, equals glmmTMB's Laplace fit") {
    check(fit("cbpp", "cbpp"), from_json("cbpp", "glmmTMB_Laplace", {"b0", "b2", "b3", "b4"}, {{"s", "herd"}}));
}

// The factors' treatment contrasts are 0/1 columns of NAME_indicators.csv
// (reference/NAME_indicators.R checks that glmmTMB fits them to the factor
// fit's values).
TEST_CASE("VerbAgg, binomial with crossed random intercepts per person and item, equals glmmTMB's Laplace fit") {
    check(fit("VerbAgg", "VerbAgg_indicators"),
          from_json("VerbAgg", "glmmTMB_Laplace", {"b0", "b_anger", "b_male", "b_scold", "b_shout", "b_self"},
                    {{"s_id", "id"}, {"s_item", "item"}}));
}

TEST_CASE("Salamanders, negative binomial with a random intercept per site, equals glmmTMB's Laplace fit") {
    Expected e = from_json("Salamanders", "glmmTMB_Laplace", {"b0", "bno"}, {{"s", "site"}});
    const json all =
        json::parse(mlec::test::read_file(mlec::test::source_dir() / "models/mixed/Salamanders.expected.json"));
    for (const json& f : all["fits"])
        if (f["id"] == "glmmTMB_Laplace") e.estimates.emplace_back("size", f["nbinom2_size"].get<double>());
    REQUIRE(e.estimates.size() == 4);
    check(fit("Salamanders", "Salamanders_indicators"), e);
}

// The largest crossed design (q = 4114 effects): its fixed effects profiled
// first (inference/linear_profile.cpp), the selected inverse computed on a
// second thread while the modes are polished (runtime/laplace.cpp); every
// number the same for any thread count.
TEST_CASE("InstEval, three crossed random intercepts over 73,421 rows, equals lmer's ML fit for any thread count",
          "[large]") {
    const auto dir = mlec::test::source_dir() / "models/mixed";
    const std::string model = mlec::test::read_file(dir / "InstEval.mle");
    const std::string csv = mlec::test::read_file(dir / "InstEval.csv");
    std::vector<mlec::FitResult> fits;
    for (const int threads : {1, 2}) {
        mlec::BindOptions options;
        options.threads = threads;
        const mlec::test::Bound b = mlec::test::bind_model(model, csv, options);
        fits.push_back(mlec::fit(*b.problem));
    }
    check(fits[0], from_json("InstEval", "lmer_ML",
                             {"b0", "b_service", "lec2", "lec3", "lec4", "lec5", "lec6", "stu4", "stu6", "stu8"},
                             {{"s_s", "s"}, {"s_d", "d"}, {"s_dept", "dept"}}));
    CHECK(fits[1].log_likelihood == fits[0].log_likelihood);
    REQUIRE(fits[1].parameters.size() == fits[0].parameters.size());
    for (std::size_t i = 0; i < fits[0].parameters.size(); ++i) {
        INFO(fits[0].parameters[i].name);
        CHECK(fits[1].parameters[i].estimate == fits[0].parameters[i].estimate);
        CHECK(fits[1].parameters[i].std_error == fits[0].parameters[i].std_error);
    }
}

// The same paths as InstEval's on a design small enough for the sanitizer
// build: 6000 rows (three blocks of rows, so two evaluator threads and the
// selected inverse beside the modes' polish), two crossed intercepts.
TEST_CASE("a crossed linear mixed model fits the same with one thread and with two") {
    std::mt19937 rng(11);
    std::normal_distribution<double> normal;
    std::vector<double> ua(150), ub(40);
    for (double& u : ua) u = 0.5 * normal(rng);
    for (double& u : ub) u = 0.8 * normal(rng);
    std::ostringstream csv;
    csv << "y,x,a,b\n";
    for (int r = 0; r < 6000; ++r) {
        const int a = static_cast<int>(rng() % 150), b = static_cast<int>(rng() % 40);
        const double x = normal(rng);
        csv << 1 + 0.5 * x + ua[static_cast<std::size_t>(a)] + ub[static_cast<std::size_t>(b)] + normal(rng) << ',' << x
            << ",a" << a << ",b" << b << '\n';
    }
    const std::string model =
        "param b0, b1, sa > 0, sb > 0, sigma > 0\nrandom u[a] ~ normal(0, sa)\nrandom v[b] ~ normal(0, sb)\n"
        "y ~ normal(b0 + b1*x + u[a] + v[b], sigma)\n";
    std::vector<mlec::FitResult> fits;
    for (const int threads : {1, 2}) {
        mlec::BindOptions options;
        options.threads = threads;
        const mlec::test::Bound b = mlec::test::bind_model(model, csv.str(), options);
        fits.push_back(mlec::fit(*b.problem));
    }
    INFO(mlec::text_report(fits[0]));
    REQUIRE(fits[0].status == mlec::FitStatus::converged);
    CHECK(estimate(fits[0], "b1").estimate == Approx(0.5).margin(0.05));
    CHECK(fits[1].log_likelihood == fits[0].log_likelihood);
    for (std::size_t i = 0; i < fits[0].parameters.size(); ++i) {
        INFO(fits[0].parameters[i].name);
        CHECK(fits[1].parameters[i].estimate == fits[0].parameters[i].estimate);
        CHECK(fits[1].parameters[i].std_error == fits[0].parameters[i].std_error);
    }
}

TEST_CASE("grouseticks, Poisson with three nested random intercepts, equals glmmTMB's Laplace fit") {
    check(fit("grouseticks", "grouseticks"),
          from_json("grouseticks", "glmmTMB_Laplace", {"b0", "b96", "b97", "bh"},
                    {{"s_brood", "BROOD"}, {"s_index", "INDEX"}, {"s_location", "LOCATION"}}));
}

// Per data row (cells of a simulated CSV: Reaction, Days, Subject), the
// conditional mean b0 + b1 d + a + b d at the subject's modes.
static std::vector<double> conditional_means(const mlec::FitResult& r,
                                             const std::vector<std::vector<std::string>>& cells, double b0, double b1) {
    REQUIRE(r.random_effects.size() == 2);
    auto mode = [&](std::size_t effect, const std::string& level) {
        for (const mlec::RandomEffectLevel& l : r.random_effects[effect].levels)
            if (l.level == level) return l.mode;
        FAIL("no level " << level);
        return 0.0;
    };
    std::vector<double> out;
    for (std::size_t row = 1; row < cells.size(); ++row) {
        const double days = std::stod(cells[row][1]);
        out.push_back(b0 + b1 * days + mode(0, cells[row][2]) + mode(1, cells[row][2]) * days);
    }
    return out;
}

// simulate draws new effects for every level, so a subject's outcomes on
// days 0 and 9 vary over replicates with the marginal covariance
//     [sa^2 + sigma^2,  sa^2 + 9 R sa sb; ., sa^2 + 18 R sa sb + 81 sb^2 + sigma^2]
// about b0 + b1 d; given the fitted modes (fitted_effects), only by sigma^2
// about the conditional mean. Checked over 300 replicates (5400 pairs) to
// five standard errors of the sample moments.
TEST_CASE("simulate draws new random effects from their fitted distribution, or uses the fitted ones") {
    const auto dir = mlec::test::source_dir() / "models/mixed";
    const mlec::test::Bound b = mlec::test::bind_model(mlec::test::read_file(dir / "sleepstudy.mle"),
                                                       mlec::test::read_file(dir / "sleepstudy.csv"));
    const mlec::FitResult r = mlec::fit(*b.problem);
    REQUIRE(r.status == mlec::FitStatus::converged);
    const double b0 = estimate(r, "b0").estimate, b1 = estimate(r, "b1").estimate, sa = estimate(r, "sa").estimate,
                 sb = estimate(r, "sb").estimate, rho = estimate(r, "R[1,2]").estimate,
                 sigma = estimate(r, "sigma").estimate;
    const int replicates = 300;
    for (const bool fitted : {false, true}) {
        INFO("fitted effects: " << fitted);
        mlec::SimulateOptions options;
        options.fitted_effects = fitted;
        // Per data row, the draws' sum and sum of squares about the expected mean.
        std::vector<double> mean_row;
        double s00 = 0, s99 = 0, s09 = 0;
        std::size_t pairs = 0;
        std::vector<double> sum, sq, conditional;
        for (int seed = 1; seed <= replicates; ++seed) {
            mlec::Diagnostics ds;
            const auto csv = mlec::simulate_csv(*b.problem, r, static_cast<std::uint64_t>(seed), ds, options);
            REQUIRE(csv);
            const auto cells = csv_cells(*csv);
            REQUIRE(cells.size() == 181);
            sum.resize(180, 0.0);
            sq.resize(180, 0.0);
            double y0 = 0;
            for (std::size_t row = 1; row < cells.size(); ++row) {
                const double y = std::stod(cells[row][0]), days = std::stod(cells[row][1]);
                const double centred = y - (b0 + b1 * days);
                sum[row - 1] += y;
                sq[row - 1] += y * y;
                if (days == 0) y0 = centred;
                if (days == 9) {
                    s00 += y0 * y0;
                    s99 += centred * centred;
                    s09 += y0 * centred;
                    ++pairs;
                }
            }
            if (seed == 1) conditional = conditional_means(r, cells, b0, b1);
        }
        const auto n = static_cast<double>(pairs);
        if (!fitted) {
            const double v0 = sa * sa + sigma * sigma, v9 = sa * sa + 18 * rho * sa * sb + 81 * sb * sb + sigma * sigma,
                         c09 = sa * sa + 9 * rho * sa * sb;
            CHECK(std::abs(s00 / n - v0) <= 5 * v0 * std::sqrt(2 / n));
            CHECK(std::abs(s99 / n - v9) <= 5 * v9 * std::sqrt(2 / n));
            CHECK(std::abs(s09 / n - c09) <= 5 * std::sqrt((v0 * v9 + c09 * c09) / n));
        } else {
            // Every row: mean the conditional mean within 5 sigma / sqrt(N),
            // and the pooled variance sigma^2.
            double pooled = 0;
            for (std::size_t row = 0; row < sum.size(); ++row) {
                const double mean = sum[row] / replicates;
                CHECK(std::abs(mean - conditional[row]) <= 5 * sigma / std::sqrt(replicates));
                pooled += (sq[row] / replicates - mean * mean) / static_cast<double>(sum.size());
            }
            CHECK(std::abs(pooled - sigma * sigma) <= 5 * sigma * sigma * std::sqrt(2.0 / (180.0 * replicates)));
        }
    }
}

// The bootstrap refits the Laplace approximation to data drawn with new
// effects: its standard errors are the Wald ones' to sampling error (40
// replicates: about 11% relative for an SE), and no replicate is lost.
TEST_CASE("the parametric bootstrap of a mixed model draws new effects and refits the Laplace approximation") {
    mlec::FitOptions options;
    options.bootstrap = 40;
    const mlec::FitResult r = fit("sleepstudy_independent", "sleepstudy", options);
    REQUIRE(r.status == mlec::FitStatus::converged);
    CHECK(r.bootstrap_replicates == 40);
    CHECK(r.bootstrap_failed == 0);
    for (const char* name : {"b0", "b1", "sigma"}) {
        const mlec::ParameterEstimate& e = estimate(r, name);
        REQUIRE(e.boot_se);
        REQUIRE(e.std_error);
        INFO(name << " bootstrap SE " << *e.boot_se << ", Wald " << *e.std_error);
        CHECK(*e.boot_se > 0.6 * *e.std_error);
        CHECK(*e.boot_se < 1.5 * *e.std_error);
    }
}

TEST_CASE("predict with random effects: conditional on the fitted modes, or at the population level with errors") {
    const auto dir = mlec::test::source_dir() / "models/mixed";
    mlec::Diagnostics ds;
    auto m = mlec::Model::from_text(mlec::test::read_file(dir / "cbpp.mle"), "cbpp.mle", ds);
    auto d = mlec::Data::from_csv_text(mlec::test::read_file(dir / "cbpp.csv"), "cbpp.csv", ds);
    auto newdata = mlec::Data::from_csv_text("herd,size,period\n1,10,1\n14,20,4\n", "new.csv", ds);
    REQUIRE(m);
    REQUIRE(d);
    REQUIRE(newdata);
    auto p = mlec::Problem::bind(*m, *d, ds);
    REQUIRE(p);
    const mlec::FitResult r = mlec::fit(*p);
    REQUIRE(r.status == mlec::FitStatus::converged);
    const auto sigmoid = [](double x) { return 1 / (1 + std::exp(-x)); };
    const double b0 = estimate(r, "b0").estimate, b4 = estimate(r, "b4").estimate;
    // Herd 1 is the first level, herd 14 the 14th (the levels' order).
    const double u1 = r.random_effects[0].levels[0].mode, u14 = r.random_effects[0].levels[13].mode;
    REQUIRE(r.random_effects[0].levels[13].level == "14");

    mlec::Diagnostics conditional_ds;
    const std::optional<std::string> conditional = mlec::predict_csv(*p, r, *newdata, conditional_ds);
    REQUIRE(conditional);
    const std::vector<std::vector<std::string>> c = csv_cells(*conditional);
    REQUIRE(c.size() == 3);
    CHECK(c[0] == std::vector<std::string>{"row", "incidence_expected", "incidence_expected_se"});
    CHECK(std::stod(c[1][1]) == Approx(10 * sigmoid(b0 + u1)).epsilon(1e-12));
    CHECK(std::stod(c[2][1]) == Approx(20 * sigmoid(b0 + b4 + u14)).epsilon(1e-12));
    // (their standard errors: tests/test_conditional_predictions.cpp)
    CHECK(std::stod(c[1][2]) > 0);
    CHECK(conditional_ds.empty());

    mlec::Diagnostics population_ds;
    mlec::PredictOptions population;
    population.population = true;
    const std::optional<std::string> at_zero = mlec::predict_csv(*p, r, *newdata, population_ds, population);
    REQUIRE(at_zero);
    CHECK(population_ds.empty());
    const std::vector<std::vector<std::string>> z = csv_cells(*at_zero);
    REQUIRE(z.size() == 3);
    // Row 1 depends on b0 alone: its SE is 10 p (1 - p) SE(b0).
    const double p1 = sigmoid(b0);
    CHECK(std::stod(z[1][1]) == Approx(10 * p1).epsilon(1e-12));
    CHECK(std::stod(z[2][1]) == Approx(20 * sigmoid(b0 + b4)).epsilon(1e-12));
    const double se1 = std::stod(z[1][2]);
    CHECK(se1 == Approx(10 * p1 * (1 - p1) * *estimate(r, "b0").std_error).epsilon(1e-10));
}

TEST_CASE("an inner minimization that stops where the likelihood is not log-concave is named, with its level") {
    // u enters only squared: at u = 0 the integrand of every level is
    // stationary with negative curvature (its modes are at +-sqrt(y - b0)).
    std::string csv = "y,g\n";
    for (int g = 1; g <= 4; ++g)
        for (int i = 0; i < 3; ++i) csv += std::to_string(4.0 + g + 0.1 * i) + "," + std::to_string(g) + "\n";
    const mlec::test::Bound b = mlec::test::bind_model(
        "param s > 0, sigma > 0 = 0.5\nrandom u[g] ~ normal(0, s)\ny ~ normal(b0 + u[g]^2, sigma)\n", csv);
    const mlec::FitResult r = mlec::fit(*b.problem);
    CHECK(r.status == mlec::FitStatus::non_finite_start);
    CHECK(r.message ==
          "the Laplace approximation has no value at the start values: the likelihood is not log-concave in the "
          "random effects (at u[g] at level '4'): Newton's method over them stopped at a point where the curvature "
          "is negative, not at a mode (as with an effect that enters only squared, whose likelihood has two "
          "modes); write the effect so that the likelihood has one mode in it, or give other start values");
}

TEST_CASE("profile intervals of a mixed model equal lme4's, an SD's closed at 0 where its profile reaches 0") {
    // models/mixed/reference/weak_groups.R writes the data and prints these.
    // lme4 interpolates its profiles by splines, to about 2e-5 here: the
    // script's direct refit with b1 held at mlec's upper end gives the
    // deviance 3.8414588202 (the cutoff 3.8414588207), at lme4's 3.84181.
    mlec::FitOptions options;
    options.ci = mlec::CiMethod::profile;
    const mlec::FitResult r = fit("weak_groups", "weak_groups", options);
    INFO(mlec::text_report(r));
    REQUIRE(r.status == mlec::FitStatus::converged);
    CHECK(r.log_likelihood == Approx(-184.16324417076902).epsilon(1e-9));
    CHECK(estimate(r, "s").estimate == Approx(0.21398852743265551).epsilon(1e-5));
    const std::vector<std::tuple<std::string, double, double>> intervals{
        {"s", 0, 0.55245187447381783},
        {"sigma", 0.96627946021788536, 1.275170769689923},
        {"b0", 0.76830818626719766, 1.2286368779556842},
        {"b1", 0.13294652460344539, 0.63023969691560799}};
    for (const auto& entry : intervals) {
        const mlec::ParameterEstimate& p = estimate(r, std::get<0>(entry));
        INFO(p.name);
        REQUIRE(p.ci_lower);
        REQUIRE(p.ci_upper);
        CHECK(*p.ci_lower == Approx(std::get<1>(entry)).epsilon(5e-5));
        CHECK(*p.ci_upper == Approx(std::get<2>(entry)).epsilon(5e-5));
        CHECK_FALSE(p.ci_lower_open);
        CHECK_FALSE(p.ci_upper_open);
    }
    CHECK(std::find(r.notes.begin(), r.notes.end(),
                    "s: the profile interval reaches 0, where the random effect drops out; 0 is in the interval") !=
          r.notes.end());
}

// Singular fits of correlated random effects as a class
// (inference/fit_singular.cpp): a correlation of `(a, b)[g]` whose maximum
// is at +-1, and an SD of the block whose maximum is at 0, are estimates on
// the boundary, and the fit there is the reduced model's.
//
// The construction: every group has the same x, centred, and residuals
// orthogonal to (1, x) within each group. With such a balanced design the
// likelihood depends on the groups only through their least-squares lines
// (intercept, slope), whose covariance is Sigma + sigma^2 (X'X)^-1 with
// (X'X)^-1 diagonal; its maximum over positive semi-definite Sigma is the
// positive part of the groups' sample covariance less sigma^2 (X'X)^-1 in
// the metric of (X'X)^-1. So
//  - slopes that are k times the intercepts' deviations make that sample
//    covariance rank 1, and Sigma's maximum is rank 1: R[1,2] = sign(k);
//  - slopes all equal make it 0 in the slope: sb's maximum is 0, and R[1,2]
//    is not identified.
// The references are the reduced models, written without the correlation:
// u_b = k u_a (one effect), and the model without b.
#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "mlec/mlec.hpp"
#include "support/bound_model.hpp"
#include "support/files.hpp"

namespace {

using nlohmann::json;

// y = 1 + 0.5 x + c_g + k c_g x + k2 c_g x2 + e over `groups` groups of the
// same eight x in [-1.5, 1.5], x2 = x^2 - mean(x^2) (orthogonal to 1 and x,
// the x being symmetric), e orthogonal to (1, x, x2) in each group.
std::string balanced_rows(std::uint64_t seed, double k, double k2 = 0, int groups = 15) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal;
    constexpr std::size_t per_group = 8;
    std::vector<double> x(per_group), x2(per_group);
    double xx = 0, mean_square = 0;
    for (std::size_t i = 0; i < per_group; ++i) {
        x[i] = -1.5 + 3.0 * static_cast<double>(i) / (per_group - 1);
        xx += x[i] * x[i];
        mean_square += x[i] * x[i] / per_group;
    }
    double x2x2 = 0;
    for (std::size_t i = 0; i < per_group; ++i) {
        x2[i] = x[i] * x[i] - mean_square;
        x2x2 += x2[i] * x2[i];
    }
    std::ostringstream csv;
    csv.precision(17);
    csv << "y,x,x2,g\n";
    for (int g = 1; g <= groups; ++g) {
        const double c = normal(rng);
        std::vector<double> e(per_group);
        double mean = 0, ex = 0, ex2 = 0;
        for (double& v : e) v = normal(rng);
        for (std::size_t i = 0; i < per_group; ++i) {
            mean += e[i] / per_group;
            ex += e[i] * x[i];
            ex2 += e[i] * x2[i];
        }
        for (std::size_t i = 0; i < per_group; ++i) {
            const double ei = e[i] - mean - ex / xx * x[i] - ex2 / x2x2 * x2[i];
            csv << 1 + 0.5 * x[i] + c + k * c * x[i] + k2 * c * x2[i] + ei << "," << x[i] << "," << x2[i] << "," << g
                << "\n";
        }
    }
    return csv.str();
}

// Rank 2: y = 1 + 0.5 x + 0.2 x2 + a_g + b_g x + (0.5 a_g - 0.8 b_g) x2 + e,
// a_g ~ N(0, 1), b_g ~ N(0, 0.7^2), nine x in [-1.5, 1.5], e orthogonal to
// (1, x, x2) in each of 20 groups: the groups' least-squares coefficients
// span a plane.
std::string rank_two_rows(std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal;
    constexpr std::size_t per_group = 9;
    std::vector<double> x(per_group), x2(per_group);
    double xx = 0, mean_square = 0, x2x2 = 0;
    for (std::size_t i = 0; i < per_group; ++i) {
        x[i] = -1.5 + 3.0 * static_cast<double>(i) / (per_group - 1);
        xx += x[i] * x[i];
        mean_square += x[i] * x[i] / per_group;
    }
    for (std::size_t i = 0; i < per_group; ++i) {
        x2[i] = x[i] * x[i] - mean_square;
        x2x2 += x2[i] * x2[i];
    }
    std::ostringstream csv;
    csv.precision(17);
    csv << "y,x,x2,g\n";
    for (int g = 1; g <= 20; ++g) {
        const double a = normal(rng), b = 0.7 * normal(rng);
        std::vector<double> e(per_group);
        double mean = 0, ex = 0, ex2 = 0;
        for (double& v : e) v = normal(rng);
        for (std::size_t i = 0; i < per_group; ++i) {
            mean += e[i] / per_group;
            ex += e[i] * x[i];
            ex2 += e[i] * x2[i];
        }
        for (std::size_t i = 0; i < per_group; ++i) {
            const double ei = e[i] - mean - ex / xx * x[i] - ex2 / x2x2 * x2[i];
            csv << 1 + 0.5 * x[i] + 0.2 * x2[i] + a + b * x[i] + (0.5 * a - 0.8 * b) * x2[i] + ei << "," << x[i] << ","
                << x2[i] << "," << g << "\n";
        }
    }
    return csv.str();
}

const std::string correlated =
    "param b0, b1, sa > 0, sb > 0, sigma > 0\n"
    "param R corr[2]\n"
    "random (a, b)[g] ~ multi_normal(0, [sa, sb], R)\n"
    "y ~ normal(b0 + b1*x + a[g] + b[g]*x, sigma)\n";
// R[1,2] = +-1: b = k a with k = +-sb/sa.
const std::string one_effect =
    "param b0, b1, sa > 0, sigma > 0, k\n"
    "random a[g] ~ normal(0, sa)\n"
    "y ~ normal(b0 + b1*x + a[g] + k*a[g]*x, sigma)\n";
// sb = 0: no b.
const std::string intercept_only =
    "param b0, b1, sa > 0, sigma > 0\n"
    "random a[g] ~ normal(0, sa)\n"
    "y ~ normal(b0 + b1*x + a[g], sigma)\n";

// Three effects; rank 1: b = k a, c = k2 a.
const std::string three =
    "param b0, b1, b2, sa > 0, sb > 0, sc > 0, sigma > 0\n"
    "param R corr[3]\n"
    "random (a, b, c)[g] ~ multi_normal(0, [sa, sb, sc], R)\n"
    "y ~ normal(b0 + b1*x + b2*x2 + a[g] + b[g]*x + c[g]*x2, sigma)\n";
const std::string three_as_one =
    "param b0, b1, b2, sa > 0, sigma > 0, k, k2\n"
    "random a[g] ~ normal(0, sa)\n"
    "y ~ normal(b0 + b1*x + b2*x2 + a[g] + k*a[g]*x + k2*a[g]*x2, sigma)\n";

mlec::FitResult fit(const std::string& model, const std::string& csv) {
    return mlec::fit(*mlec::test::bind_model(model, csv).problem);
}

using mlec::test::estimate;

bool has_singular_diagnostic(const mlec::FitResult& r, const std::string& parameter) {
    for (const mlec::FitDiagnostic& d : r.diagnostics)
        if (d.kind == mlec::DiagnosticKind::singular_fit &&
            std::find(d.parameters.begin(), d.parameters.end(), parameter) != d.parameters.end())
            return true;
    return false;
}

void check_same(const mlec::FitResult& r, const mlec::FitResult& reduced, const std::vector<std::string>& names) {
    for (const std::string& name : names) {
        INFO(name);
        const mlec::ParameterEstimate& p = estimate(r, name);
        const mlec::ParameterEstimate& q = estimate(reduced, name);
        CHECK(p.estimate == Approx(q.estimate).epsilon(1e-5).margin(1e-8));
        REQUIRE(p.std_error);
        REQUIRE(q.std_error);
        CHECK(*p.std_error == Approx(*q.std_error).epsilon(1e-4));
    }
}

}  // namespace

TEST_CASE("intercepts and slopes on a line give a correlation of +-1 and the one-effect model's fit") {
    for (std::uint64_t seed : {1u, 2u, 3u, 4u})
        for (double k : {0.6, -0.6, 2.0}) {
            INFO("seed " << seed << ", k " << k);
            const std::string csv = balanced_rows(seed, k);
            const mlec::FitResult r = fit(correlated, csv);
            const mlec::FitResult reduced = fit(one_effect, csv);
            INFO(mlec::text_report(r));
            INFO(mlec::text_report(reduced));
            REQUIRE(reduced.status == mlec::FitStatus::converged);
            REQUIRE(r.status == mlec::FitStatus::converged);
            CHECK(mlec::exit_code(r) == 0);
            CHECK(r.log_likelihood == Approx(reduced.log_likelihood).epsilon(0).margin(1e-8));
            const double sign = k > 0 ? 1 : -1;
            const mlec::ParameterEstimate& corr = estimate(r, "R[1,2]");
            CHECK(corr.at_boundary);
            CHECK(corr.estimate == sign);
            CHECK_FALSE(corr.std_error);
            // one-sided, from the bound
            REQUIRE(corr.ci_lower);
            REQUIRE(corr.ci_upper);
            CHECK((sign > 0 ? *corr.ci_upper : *corr.ci_lower) == sign);
            CHECK(std::abs(sign > 0 ? *corr.ci_lower : *corr.ci_upper) < 1);
            CHECK(has_singular_diagnostic(r, "R[1,2]"));
            check_same(r, reduced, {"b0", "b1", "sa", "sigma"});
            CHECK(estimate(r, "sb").estimate ==
                  Approx(std::abs(estimate(reduced, "k").estimate) * estimate(reduced, "sa").estimate).epsilon(1e-5));
            // R[1,2] counts as a parameter (lmer's df), as k does
            CHECK(r.n_params == reduced.n_params + 1);
        }
}

TEST_CASE("slopes that do not vary give the slope's SD 0, its correlation not identified, the intercept model's fit") {
    for (std::uint64_t seed : {1u, 2u, 3u, 4u}) {
        INFO("seed " << seed);
        const std::string csv = balanced_rows(seed, 0);
        const mlec::FitResult r = fit(correlated, csv);
        const mlec::FitResult reduced = fit(intercept_only, csv);
        INFO(mlec::text_report(r));
        INFO(mlec::text_report(reduced));
        REQUIRE(reduced.status == mlec::FitStatus::converged);
        REQUIRE(r.status == mlec::FitStatus::converged);
        CHECK(mlec::exit_code(r) == 0);
        CHECK(r.log_likelihood == Approx(reduced.log_likelihood).epsilon(0).margin(1e-8));
        const mlec::ParameterEstimate& sb = estimate(r, "sb");
        CHECK(sb.at_zero);
        CHECK(sb.at_boundary);
        CHECK(sb.estimate == 0);
        CHECK_FALSE(sb.std_error);
        REQUIRE(sb.ci_upper);
        CHECK(*sb.ci_upper > 0);
        const mlec::ParameterEstimate& corr = estimate(r, "R[1,2]");
        CHECK(corr.not_identified);
        CHECK(std::isnan(corr.estimate));
        CHECK_FALSE(corr.std_error);
        CHECK_FALSE(corr.ci_lower);
        CHECK(has_singular_diagnostic(r, "sb"));
        CHECK(has_singular_diagnostic(r, "R[1,2]"));
        check_same(r, reduced, {"b0", "b1", "sa", "sigma"});
        // sb counts (on its boundary) and so does R[1,2], not identified: lmer's df
        CHECK(r.n_params == reduced.n_params + 2);
        const json j = json::parse(mlec::json_report(r));
        for (const json& p : j["parameters"])
            if (p["name"] == "R[1,2]") {
                CHECK(p["estimate"].is_null());
                CHECK(p["not_identified"] == true);
            }
    }
}

TEST_CASE("three effects on a line give a correlation matrix of rank 1 and the one-effect model's fit") {
    for (std::uint64_t seed : {1u, 2u})
        for (const auto& [k, k2] : {std::pair{0.6, 0.4}, std::pair{-0.6, 0.5}}) {
            INFO("seed " << seed << ", k " << k << ", k2 " << k2);
            const std::string csv = balanced_rows(seed, k, k2);
            const mlec::FitResult r = fit(three, csv);
            const mlec::FitResult reduced = fit(three_as_one, csv);
            INFO(mlec::text_report(r));
            INFO(mlec::text_report(reduced));
            REQUIRE(reduced.status == mlec::FitStatus::converged);
            REQUIRE(r.status == mlec::FitStatus::converged);
            CHECK(mlec::exit_code(r) == 0);
            CHECK(r.log_likelihood == Approx(reduced.log_likelihood).epsilon(0).margin(1e-8));
            // R[1,2] = sign(k), R[1,3] = sign(k2), R[2,3] their product
            const double s12 = k > 0 ? 1 : -1, s13 = k2 > 0 ? 1 : -1;
            for (const auto& [name, value] :
                 {std::pair{"R[1,2]", s12}, std::pair{"R[1,3]", s13}, std::pair{"R[2,3]", s12 * s13}}) {
                INFO(name);
                const mlec::ParameterEstimate& corr = estimate(r, name);
                CHECK(corr.at_boundary);
                CHECK(corr.estimate == value);
                CHECK_FALSE(corr.std_error);
            }
            check_same(r, reduced, {"b0", "b1", "b2", "sa", "sigma"});
            CHECK(estimate(r, "sb").estimate ==
                  Approx(std::abs(estimate(reduced, "k").estimate) * estimate(reduced, "sa").estimate).epsilon(1e-5));
            CHECK(estimate(r, "sc").estimate ==
                  Approx(std::abs(estimate(reduced, "k2").estimate) * estimate(reduced, "sa").estimate).epsilon(1e-5));
            // lmer's df: every covariance parameter, the CPC left idle too
            CHECK(r.n_params == 10);
        }
}

TEST_CASE("a third effect that is a combination of two gives a partial correlation of +-1 and the two-effect fit") {
    // (c = k a + m b: CPC_32 = +-1, no single correlation +-1)
    const std::string two =
        "param b0, b1, b2, sa > 0, sb > 0, sigma > 0, k, m\n"
        "param R corr[2]\n"
        "random (a, b)[g] ~ multi_normal(0, [sa, sb], R)\n"
        "y ~ normal(b0 + b1*x + b2*x2 + a[g] + b[g]*x + (k*a[g] + m*b[g])*x2, sigma)\n";
    for (std::uint64_t seed : {1u, 2u, 3u}) {
        INFO("seed " << seed);
        const std::string csv = rank_two_rows(seed);
        const mlec::FitResult r = fit(three, csv);
        const mlec::FitResult reduced = fit(two, csv);
        INFO(mlec::text_report(r));
        INFO(mlec::text_report(reduced));
        REQUIRE(reduced.status == mlec::FitStatus::converged);
        REQUIRE(r.status == mlec::FitStatus::converged);
        CHECK(mlec::exit_code(r) == 0);
        CHECK(r.log_likelihood == Approx(reduced.log_likelihood).epsilon(0).margin(1e-8));
        CHECK(r.n_params == 10);  // lmer's df
        REQUIRE(!r.diagnostics.empty());
        CHECK(r.diagnostics[0].kind == mlec::DiagnosticKind::singular_fit);
        for (const char* name : {"R[1,2]", "R[1,3]", "R[2,3]"}) {
            INFO(name);
            CHECK_FALSE(estimate(r, name).at_boundary);
            CHECK(std::abs(estimate(r, name).estimate) < 1);
        }
        CHECK(estimate(r, "R[1,2]").estimate == Approx(estimate(reduced, "R[1,2]").estimate).epsilon(1e-5));
        check_same(r, reduced, {"b0", "b1", "b2", "sa", "sb", "sigma"});
    }
}

namespace {

struct Reference {
    double log_likelihood;
    std::vector<std::pair<std::string, double>> estimates;  // mlec's name, lmer's value
    std::optional<std::pair<double, double>> correlation_interval;
};

// models/mixed/singular_blocks.expected.json (reference/singular_blocks.R):
// lmer's ML fit of y ~ x + (x | g) to `data`.
Reference reference(const std::string& data) {
    const json all =
        json::parse(mlec::test::read_file(mlec::test::source_dir() / "models/mixed/singular_blocks.expected.json"));
    for (const json& f : all["fits"]) {
        if (f["data"] != data) continue;
        Reference out;
        out.log_likelihood = f["log_likelihood"].get<double>();
        out.estimates = {{"b0", f["fixed_effects"][0]["estimate"].get<double>()},
                         {"b1", f["fixed_effects"][1]["estimate"].get<double>()},
                         {"sa", f["variance_components"][0]["sd"][0].get<double>()},
                         {"sb", f["variance_components"][0]["sd"][1].get<double>()},
                         {"sigma", f["residual_sd"].get<double>()}};
        if (f.contains("correlation_profile_interval"))
            out.correlation_interval = std::make_pair(f["correlation_profile_interval"][0].get<double>(),
                                                      f["correlation_profile_interval"][1].get<double>());
        return out;
    }
    FAIL("no fit of " << data);
    return {};
}

mlec::FitResult fit_file(const std::string& data) {
    return fit(correlated, mlec::test::read_file(mlec::test::source_dir() / "models/mixed" / data));
}

void check_reference(const mlec::FitResult& r, const Reference& e) {
    INFO(mlec::text_report(r));
    REQUIRE(r.status == mlec::FitStatus::converged);
    CHECK(mlec::exit_code(r) == 0);
    CHECK(r.log_likelihood >= e.log_likelihood - 1e-6 * std::abs(e.log_likelihood));
    for (const auto& [name, value] : e.estimates) {
        INFO(name);
        CHECK(estimate(r, name).estimate == Approx(value).epsilon(1e-4).margin(1e-4));
    }
}

}  // namespace

TEST_CASE("singular.csv with (x | g): the correlation at 1 as lmer (bobyqa) estimates it, lmer's default stops below") {
    const mlec::FitResult r = fit_file("singular.csv");
    const Reference e = reference("singular.csv");
    check_reference(r, e);
    // lmer's default optimizer stops at -171.39892 (the intercept's SD at 0)
    CHECK(r.log_likelihood > -171.39892);
    const mlec::ParameterEstimate& corr = estimate(r, "R[1,2]");
    CHECK(corr.at_boundary);
    CHECK(corr.estimate == 1);
    // the profile stays within the cutoff down to -1: the whole range
    REQUIRE(e.correlation_interval);
    REQUIRE(corr.ci_lower);
    REQUIRE(corr.ci_upper);
    CHECK(*corr.ci_lower == e.correlation_interval->first);
    CHECK(*corr.ci_upper == e.correlation_interval->second);
    REQUIRE(!r.diagnostics.empty());
    CHECK(r.diagnostics[0].kind == mlec::DiagnosticKind::singular_fit);
    CHECK(r.n_params == 6);  // lmer's df
}

TEST_CASE("unit_correlation.csv: the correlation at -1 and its one-sided profile interval as lme4's deviance gives") {
    const mlec::FitResult r = fit_file("unit_correlation.csv");
    const Reference e = reference("unit_correlation.csv");
    check_reference(r, e);
    const mlec::ParameterEstimate& corr = estimate(r, "R[1,2]");
    CHECK(corr.at_boundary);
    CHECK(corr.estimate == -1);
    REQUIRE(e.correlation_interval);
    REQUIRE(corr.ci_lower);
    REQUIRE(corr.ci_upper);
    CHECK(*corr.ci_lower == -1);
    CHECK(*corr.ci_upper == Approx(e.correlation_interval->second).epsilon(1e-5));
    // the reports: the JSON's flag, the text's "boundary" in place of a standard error
    const json j = json::parse(mlec::json_report(r));
    for (const json& p : j["parameters"])
        if (p["name"] == "R[1,2]") {
            CHECK(p["estimate"] == -1);
            CHECK(p["at_boundary"] == true);
            CHECK(p["std_error"].is_null());
        }
    CHECK(mlec::text_report(r).find("\nR[1,2]            -1   boundary") != std::string::npos);
}

TEST_CASE("zero_slope.csv: the slope's SD at 0 as lmer estimates it, the correlation not identified") {
    const mlec::FitResult r = fit_file("zero_slope.csv");
    check_reference(r, reference("zero_slope.csv"));
    CHECK(estimate(r, "sb").at_zero);
    CHECK(estimate(r, "R[1,2]").not_identified);
    CHECK(mlec::text_report(r).find("\nR[1,2]           n/a  not identified\n") != std::string::npos);
}

TEST_CASE("a block's SDs written as multiples of parameters give the same singular fit") {
    const auto model = [](const std::string& sd) {
        return "param b0, b1, sa > 0, sb > 0, sigma > 0\nparam R corr[2]\nrandom (a, b)[g] ~ multi_normal(0, " + sd +
               ", R)\ny ~ normal(b0 + b1*x + a[g] + b[g]*x, sigma)\n";
    };
    for (const char* data : {"singular.csv", "zero_slope.csv", "unit_correlation.csv"}) {
        INFO(data);
        const std::string csv = mlec::test::read_file(mlec::test::source_dir() / "models/mixed" / data);
        const mlec::FitResult base = fit(model("[sa, sb]"), csv);
        REQUIRE(base.status == mlec::FitStatus::converged);
        for (const char* sd : {"[1000*sa, sb]", "[sa, sb/1000]", "[sa, 1000*sb]", "[sqrt(sa), sb]"}) {
            INFO(sd);
            const mlec::FitResult r = fit(model(sd), csv);
            INFO(mlec::text_report(r));
            REQUIRE(r.status == mlec::FitStatus::converged);
            CHECK(r.log_likelihood == Approx(base.log_likelihood).epsilon(0).margin(1e-8));
            CHECK(r.n_params == base.n_params);
            for (const char* name : {"R[1,2]", "sb"}) {
                INFO(name);
                CHECK(estimate(r, name).at_boundary == estimate(base, name).at_boundary);
                CHECK(estimate(r, name).not_identified == estimate(base, name).not_identified);
            }
        }
    }
}

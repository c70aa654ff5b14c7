// The trust examples (tests/reference/trust/README.md): six small data sets
// on which a correct answer was once reported as a failure, because a
// decision depended on the units of columns or parameters. Each is fitted
// with Newton and with L-BFGS and compared with R's answer in
// tests/reference/trust/NAME.expected.json (made by reference.R there):
// estimates to 1e-6 relative, standard errors (observed information, the
// ML sigma for the normal models) to 1e-4, the log-likelihood, the status
// and mlec::exit_code.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numbers>

#include "mlec/mlec.hpp"
#include "support/files.hpp"

namespace {

using nlohmann::json;

std::filesystem::path trust_dir() { return mlec::test::source_dir() / "tests/reference/trust"; }

json expected(const std::string& name) {
    return json::parse(mlec::test::read_file(trust_dir() / (name + ".expected.json")));
}

struct Fitted {
    std::optional<mlec::Model> model;
    std::optional<mlec::Problem> problem;
    mlec::FitResult result;
};

// Fitted is returned by pointer: the Problem keeps a pointer to its Model.
std::unique_ptr<Fitted> fit_example(const json& e, mlec::Method method) {
    auto f = std::make_unique<Fitted>();
    mlec::Diagnostics ds;
    f->model = mlec::Model::from_file((trust_dir() / e["model"].get<std::string>()).string(), ds);
    REQUIRE(f->model);
    auto data = mlec::Data::from_csv_file((trust_dir() / e["data"].get<std::string>()).string(), ds);
    REQUIRE(data);
    f->problem = mlec::Problem::bind(*f->model, *data, ds);
    INFO(mlec::format(ds));
    REQUIRE(f->problem);
    mlec::FitOptions options;
    options.method = method;
    f->result = mlec::fit(*f->problem, options);
    return f;
}

void check_rel(double actual, double expected, double rel) {
    INFO("actual " << actual << ", expected " << expected << ", relative tolerance " << rel);
    CHECK(std::abs(actual - expected) <= rel * std::abs(expected));
}

const mlec::ParameterEstimate& parameter(const mlec::FitResult& r, const std::string& name) {
    auto it = std::find_if(r.parameters.begin(), r.parameters.end(),
                           [&](const mlec::ParameterEstimate& p) { return p.name == name; });
    INFO("parameter " << name);
    REQUIRE(it != r.parameters.end());
    return *it;
}

bool has_diagnostic(const mlec::FitResult& r, const std::string& kind) {
    return std::any_of(r.diagnostics.begin(), r.diagnostics.end(),
                       [&](const mlec::FitDiagnostic& d) { return mlec::to_string(d.kind) == kind; });
}

void check_diagnostics(const mlec::FitResult& r, const json& e) {
    if (e.contains("diagnostics"))
        for (const auto& kind : e["diagnostics"]) {
            INFO("diagnostic " << kind.get<std::string>() << " expected");
            CHECK(has_diagnostic(r, kind.get<std::string>()));
        }
    if (e.contains("diagnostics_absent"))
        for (const auto& kind : e["diagnostics_absent"]) {
            INFO("diagnostic " << kind.get<std::string>() << " not expected");
            CHECK_FALSE(has_diagnostic(r, kind.get<std::string>()));
        }
}

void check_status(const mlec::FitResult& r, const json& e) {
    CHECK(mlec::to_string(r.status) == e["status"].get<std::string>());
    CHECK(mlec::exit_code(r) == e["exit_code"].get<int>());
    CHECK(r.n_obs == e["n_obs"].get<std::size_t>());
}

const mlec::Method methods[] = {mlec::Method::newton, mlec::Method::lbfgs};
const char* method_name(mlec::Method m) { return m == mlec::Method::newton ? "newton" : "lbfgs"; }

}  // namespace

TEST_CASE("trust examples with a regular maximum: R's estimates, standard errors and log-likelihood") {
    for (const char* name : {"scaled_poisson", "scaled_poisson_60", "decay", "saturation"}) {
        const json e = expected(name);
        REQUIRE(e["status"] == "converged");
        for (mlec::Method method : methods) {
            INFO(name << " with " << method_name(method));
            const auto f = fit_example(e, method);
            const mlec::FitResult& r = f->result;
            INFO(mlec::text_report(r));
            check_status(r, e);
            CHECK(r.converged);
            check_rel(r.log_likelihood, e["log_likelihood"].get<double>(), 1e-9);
            REQUIRE(r.parameters.size() == e["parameters"].size());
            for (const auto& p : e["parameters"]) {
                const auto& q = parameter(r, p["name"].get<std::string>());
                INFO("parameter " << q.name);
                check_rel(q.estimate, p["estimate"].get<double>(), 1e-6);
                REQUIRE(q.std_error);
                check_rel(*q.std_error, p["std_error"].get<double>(), 1e-4);
                CHECK_FALSE(q.diverging);
                CHECK_FALSE(q.conditional_on_limit);
            }
            check_diagnostics(r, e);
        }
    }
}

TEST_CASE("trust example 'exact': data without noise are an exact fit at the true values") {
    const json e = expected("exact");
    const double rel = e["estimate_rel_tolerance"].get<double>();
    const auto& truth = e["true_values"];
    // The model is the same under any permutation of the pairs (a_j, k_j).
    std::vector<std::pair<std::string, std::string>> pairs;
    for (const auto& p : e["exchangeable_pairs"]) pairs.emplace_back(p[0].get<std::string>(), p[1].get<std::string>());
    REQUIRE(pairs.size() == 3);
    for (mlec::Method method : methods) {
        INFO("exact with " << method_name(method));
        const auto f = fit_example(e, method);
        const mlec::FitResult& r = f->result;
        INFO(mlec::text_report(r));
        check_status(r, e);
        check_diagnostics(r, e);
        for (const auto& p : r.parameters) {
            INFO("parameter " << p.name);
            CHECK(p.std_error);
        }
        const auto& sigma = parameter(r, "sigma");
        CHECK(sigma.estimate > 0);
        CHECK(sigma.estimate < e["sigma_below"].get<double>());
        // The log-likelihood is the normal one at the ML sigma,
        // -n/2 (log(2 pi sigma^2) + 1), with mlec's own sigma: R's value
        // would depend on how the residuals' round-off falls. The residuals
        // (about 1e-13) are computed from values near 1, so their sum of
        // squares is known to about 1e-3, and sigma with it: a relative
        // error e in sigma moves the log-likelihood by n e^2 from the
        // formula (3e-4 here); 0.01 allows e up to 2%.
        const double n = static_cast<double>(r.n_obs);
        const double at_sigma = -n / 2 * (std::log(2 * std::numbers::pi * sigma.estimate * sigma.estimate) + 1);
        INFO("log-likelihood " << r.log_likelihood << ", normal at the ML sigma " << at_sigma);
        CHECK(std::abs(r.log_likelihood - at_sigma) < 0.01);
        // Match each fitted pair to the true pair of the nearest rate.
        std::vector<bool> used(pairs.size(), false);
        for (const auto& [a, k] : pairs) {
            const auto& fa = parameter(r, a);
            const auto& fk = parameter(r, k);
            std::size_t best = pairs.size();
            for (std::size_t j = 0; j < pairs.size(); ++j) {
                if (used[j]) continue;
                const double tk = truth[pairs[j].second].get<double>();
                if (best == pairs.size() ||
                    std::abs(fk.estimate - tk) < std::abs(fk.estimate - truth[pairs[best].second].get<double>()))
                    best = j;
            }
            REQUIRE(best < pairs.size());
            used[best] = true;
            INFO("fitted (" << a << ", " << k << ") matched to the true (" << pairs[best].first << ", "
                            << pairs[best].second << ")");
            check_rel(fa.estimate, truth[pairs[best].first].get<double>(), rel);
            check_rel(fk.estimate, truth[pairs[best].second].get<double>(), rel);
        }
    }
}

TEST_CASE("trust example 'separation': a[c] diverges, the others are the limit fit's") {
    const json e = expected("separation");
    for (mlec::Method method : methods) {
        INFO("separation with " << method_name(method));
        const auto f = fit_example(e, method);
        const mlec::FitResult& r = f->result;
        INFO(mlec::text_report(r));
        check_status(r, e);
        CHECK_FALSE(r.converged);
        check_diagnostics(r, e);
        REQUIRE(r.log_likelihood_limit);
        check_rel(*r.log_likelihood_limit, e["log_likelihood_limit"].get<double>(), 1e-9);
        CHECK(std::isnan(r.aic));
        CHECK(std::isnan(r.bic));
        REQUIRE(r.parameters.size() == e["diverging"].size() + e["parameters"].size());
        for (const auto& [name, to] : e["diverging"].items()) {
            const auto& q = parameter(r, name);
            INFO("parameter " << name);
            CHECK(q.diverging);
            CHECK(mlec::limit_text(q.diverges_to) == to.get<std::string>());
            CHECK(q.direction == (to == "+inf" ? 1 : -1));
            CHECK(std::isnan(q.estimate));
            CHECK(std::isfinite(q.last_value));
            CHECK_FALSE(q.std_error);
            CHECK_FALSE(q.conditional_on_limit);
        }
        for (const auto& p : e["parameters"]) {
            const auto& q = parameter(r, p["name"].get<std::string>());
            INFO("parameter " << q.name);
            CHECK_FALSE(q.diverging);
            CHECK(q.conditional_on_limit == p["conditional_on_limit"].get<bool>());
            check_rel(q.estimate, p["estimate"].get<double>(), 1e-6);
            REQUIRE(q.std_error);
            check_rel(*q.std_error, p["std_error"].get<double>(), 1e-4);
        }
    }
}

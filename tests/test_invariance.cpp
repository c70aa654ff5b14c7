// Invariance to units, as a property of every model: writing a parameter as
// b = c * b' (b' = b / c, its bounds and start divided by c too), or a data
// column x as c * x (the coefficient it multiplies then b / c), is the same
// model. For factors c from 1e-6 to 1e6 the fit must not change its status
// or its diagnostics, and every estimate and standard error must change only
// by that factor: to 1e-8 relative (estimates near 0 on the scale of their
// standard error: within 1e-8 standard errors).
//
// Every scalar parameter of every model in models/ (and the reference fits
// in tests/reference/, when present) is rewritten in turn; the column cases
// are listed below.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "grammar/parse.hpp"
#include "mlec/mlec.hpp"
#include "problem/impl.hpp"
#include "support/files.hpp"

namespace {

namespace fs = std::filesystem;

constexpr double factors[] = {1e-6, 1e-3, 1e3, 1e6};
constexpr double tolerance = 1e-8;

std::string number(double x) {
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%.17g", x);
    return buffer;
}

struct Case {
    std::string name;
    std::string model;
    std::string data;
};

// Each model beside its data: NAME.mle with NAME.csv, or with the data its
// expected result names.
std::vector<Case> cases() {
    std::vector<Case> out;
    for (const fs::path& dir :
         {mlec::test::source_dir() / "models", mlec::test::source_dir() / "tests/reference/trust"}) {
        if (!fs::exists(dir)) continue;
        std::vector<fs::path> models;
        for (const auto& e : fs::directory_iterator(dir))
            if (e.path().extension() == ".mle") models.push_back(e.path());
        std::sort(models.begin(), models.end());
        for (const fs::path& m : models) {
            fs::path csv = m;
            csv.replace_extension(".csv");
            if (!fs::exists(csv)) csv = dir / "xor.csv";  // xor_interaction, xor_net
            out.push_back({m.stem().string(), mlec::test::read_file(m), mlec::test::read_file(csv)});
        }
    }
    return out;
}

struct Fit {
    std::optional<mlec::Model> model;
    std::optional<mlec::Data> data;
    std::optional<mlec::Problem> problem;
    mlec::FitResult result;
};

std::unique_ptr<Fit> fit(const std::string& model_text, const std::string& csv) {
    auto f = std::make_unique<Fit>();
    mlec::Diagnostics ds;
    f->model = mlec::Model::from_text(model_text, "model.mle", ds);
    f->data = mlec::Data::from_csv_text(csv, "data.csv", ds);
    INFO(model_text << "\n" << mlec::format(ds));
    REQUIRE(f->model);
    REQUIRE(f->data);
    f->problem = mlec::Problem::bind(*f->model, *f->data, ds);
    INFO(mlec::format(ds));
    REQUIRE(f->problem);
    f->result = mlec::fit(*f->problem);
    return f;
}

// The model with parameter `info.name` written as c * name__s: the new
// parameter declared with the old one's bounds and start divided by c, a
// local of the old name defined from it, and the old declaration (if any)
// renamed out of the way (declared but unused: a warning only).
std::string reparametrized(const std::string& text, const mlec::interp::ParameterInfo& info, double c) {
    std::string out = text;
    mlec::SourceText source("model.mle", text);
    const mlec::ParseResult parsed = mlec::parse_model(source);
    REQUIRE(parsed.model);
    for (const auto& s : parsed.model->statements)
        if (const auto* p = std::get_if<mlec::ast::Param>(&s.node))
            for (const auto& d : p->decls)
                if (d.name == info.name)
                    out.replace(d.name_span.begin, d.name_span.end - d.name_span.begin, info.name + "__unused");
    const std::string scaled = info.name + "__s";
    std::string declaration = "param " + scaled;
    const auto& b = info.bounds;
    if (b.has_lower() && b.has_upper()) declaration += " in (" + number(b.lower / c) + ", " + number(b.upper / c) + ")";
    else if (b.has_lower()) declaration += " > " + number(b.lower / c);
    else if (b.has_upper()) declaration += " < " + number(b.upper / c);
    declaration += " = " + number(info.start / c);
    return declaration + "\n" + info.name + " = " + number(c) + " * " + scaled + "\n" + out;
}

// Column `column` of a CSV multiplied by c.
std::string scaled_column(const std::string& csv, const std::string& column, double c) {
    std::istringstream in(csv);
    std::string line, out;
    std::getline(in, line);
    out += line + "\n";
    std::vector<std::string> header;
    {
        std::istringstream h(line);
        for (std::string cell; std::getline(h, cell, ',');) header.push_back(cell);
    }
    const auto at = std::find(header.begin(), header.end(), column) - header.begin();
    REQUIRE(at < static_cast<long>(header.size()));
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        std::istringstream row(line);
        std::string cell, rebuilt;
        for (long k = 0; std::getline(row, cell, ','); ++k) {
            if (k == at) cell = number(std::stod(cell) * c);
            rebuilt += (k ? "," : "") + cell;
        }
        out += rebuilt + "\n";
    }
    return out;
}

std::vector<mlec::DiagnosticKind> kinds(const mlec::FitResult& r) {
    std::vector<mlec::DiagnosticKind> out;
    for (const auto& d : r.diagnostics) out.push_back(d.kind);
    std::sort(out.begin(), out.end());
    return out;
}

bool exact_fit(const mlec::FitResult& r) {
    for (const auto& d : r.diagnostics)
        if (d.kind == mlec::DiagnosticKind::exact_fit) return true;
    return false;
}

// `changed` is `original` with `rescaled` (a parameter entry) divided by c.
void check_same_fit(const mlec::FitResult& original, const mlec::FitResult& changed,
                    const std::map<std::string, std::pair<std::string, double>>& rescaled) {
    CHECK(mlec::to_string(changed.status) == mlec::to_string(original.status));
    CHECK(kinds(changed) == kinds(original));
    CHECK(mlec::exit_code(changed) == mlec::exit_code(original));
    // An exact fit's sigma, log-likelihood and standard errors are the
    // rounding of the data: they agree only to that rounding.
    const bool rounding = exact_fit(original);
    if (std::isfinite(original.log_likelihood) && !rounding)
        CHECK(std::abs(changed.log_likelihood - original.log_likelihood) <=
              tolerance * std::max(1.0, std::abs(original.log_likelihood)));
    std::map<std::string, const mlec::ParameterEstimate*> by_name;
    for (const auto& e : changed.parameters) by_name[e.name] = &e;
    for (const auto& e : original.parameters) {
        std::string name = e.name;
        double factor = 1;
        if (auto it = rescaled.find(e.name); it != rescaled.end()) std::tie(name, factor) = it->second;
        INFO("parameter " << e.name << " (as " << name << ", factor " << factor << ")");
        REQUIRE(by_name.count(name));
        const mlec::ParameterEstimate& x = *by_name[name];
        CHECK(x.diverging == e.diverging);
        CHECK(x.conditional_on_limit == e.conditional_on_limit);
        CHECK(std::isnan(x.estimate) == std::isnan(e.estimate));
        CHECK(x.std_error.has_value() == e.std_error.has_value());
        if (std::isnan(e.estimate) || (rounding && e.name == "sigma")) continue;
        const double se = e.std_error ? *e.std_error : 0.0;
        INFO("estimate " << e.estimate << " vs " << x.estimate * factor << ", se " << se);
        CHECK(std::abs(x.estimate * factor - e.estimate) <= tolerance * std::max(std::abs(e.estimate), se));
        if (e.std_error && x.std_error && !rounding) {
            INFO("standard error " << se << " vs " << *x.std_error * factor);
            CHECK(std::abs(*x.std_error * factor - se) <= tolerance * se);
        }
    }
}

}  // namespace

// xor_net starts with every weight at 0: a saddle where every coordinate
// has zero curvature and zero gradient, so nothing at the start says how
// large a step in any of them is, and no method can take the same first
// step in every parametrization. Its likelihood rises to infinity along
// many rays, and which one the fit follows depends on that step: the
// status (diverged, exit 4) must agree, the ray need not.
bool status_only(const std::string& name) { return name == "xor_net"; }

// The exact fit (tests/reference/trust/exact) is left out: its sigma comes
// out at 1e-13, where each row's residual y - mu is computed to a few
// digits only, so the log-likelihood and its derivatives are rounding noise
// at the level of 1e-3, and whether a fit ends converged or stalled there
// depends on how the rounding falls (test_trust_examples checks it from its
// published start values).
bool left_out(const std::string& name) { return name == "exact"; }

TEST_CASE("rescaling any parameter by 1e-6 ... 1e6 changes nothing but its own values") {
    const auto all = cases();
    REQUIRE(all.size() >= 15);
    for (const Case& k : all) {
        if (left_out(k.name)) continue;
        SECTION(k.name) {
            const auto original = fit(k.model, k.data);
            for (const auto& info : original->problem->impl().model.parameters) {
                // Scalar parameters: vector, group and simplex entries are
                // written through their whole declaration.
                if (info.name.find_first_of("[(/") != std::string::npos) continue;
                for (double c : factors) {
                    INFO(k.name << ": " << info.name << " = " << c << " * " << info.name << "__s");
                    const std::string text = reparametrized(k.model, info, c);
                    const auto changed = fit(text, k.data);
                    if (status_only(k.name)) {
                        CHECK(changed->result.status == original->result.status);
                        continue;
                    }
                    check_same_fit(original->result, changed->result, {{info.name, {info.name + "__s", c}}});
                }
            }
        }
    }
}

TEST_CASE("rescaling a data column by 1e-6 ... 1e6 changes only the coefficient it meets") {
    struct ColumnCase {
        const char* model;
        const char* data;
        const char* column;
        const char* coefficient;
    };
    const ColumnCase column_cases[] = {
        {"logistic.mle", "logistic.csv", "x1", "b1"},
        {"poisson.mle", "poisson.csv", "x2", "b2"},
        {"gamma.mle", "gamma.csv", "x1", "b1"},
        {"negbin.mle", "negbin.csv", "x2", "b2"},
        {"linear.mle", "linear.csv", "x1", "b1"},
        {"nonlinear.mle", "nonlinear.csv", "x", "b2"},
        {"beta_regression.mle", "beta_regression.csv", "x", "b1"},
        {"poisson_group.mle", "poisson_group.csv", "x", "b"},
    };
    const fs::path dir = mlec::test::source_dir() / "models";
    for (const ColumnCase& k : column_cases) {
        SECTION(k.model) {
            const std::string model = mlec::test::read_file(dir / k.model);
            const std::string csv = mlec::test::read_file(dir / k.data);
            const auto original = fit(model, csv);
            for (double c : factors) {
                INFO(k.column << " * " << c);
                const auto changed = fit(model, scaled_column(csv, k.column, c));
                check_same_fit(original->result, changed->result, {{k.coefficient, {k.coefficient, c}}});
            }
        }
    }
}

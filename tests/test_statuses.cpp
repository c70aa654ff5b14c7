// Every status a fit can end with, each from a small model whose answer is
// known, through the library (mlec::fit, mlec::exit_code) and through the
// command (its exit code and the report's status line); and `mlec compare`'s
// exit code when a model has no maximum or withholds standard errors.
// Elsewhere: usage, model and data errors (exit 1, 2, 3) in test_cli and
// test_bad_input; `cancelled` in test_embedding and the C API's test;
// invalid options in the C API's test (MLEC_ERROR_USAGE).
//
// No case reaches `line_search_failed` honestly: the only natural way found
// (a maximum on the edge of a uniform outcome's support, where the
// likelihood drops to 0) is a maximum, so that status would be wrong there.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "mlec/mlec.hpp"
#include "support/command.hpp"
#include "support/files.hpp"

namespace {

namespace fs = std::filesystem;

using Run = mlec::test::CommandRun;

void write(const std::string& name, const std::string& bytes) { mlec::test::write_scratch(name, bytes); }

// The mlec command with `args`, run in the scratch directory so that file
// names in the report are bare.
Run run(const std::vector<std::string>& args) { return mlec::test::run_command(mlec::test::scratch_dir(), args); }

// A model and data bound in memory; the Model outlives the Problem.
struct Bound {
    std::optional<mlec::Model> model;
    std::optional<mlec::Problem> problem;
};

std::unique_ptr<Bound> bind_text(const std::string& model_text, const std::string& csv) {
    auto b = std::make_unique<Bound>();
    mlec::Diagnostics ds;
    b->model = mlec::Model::from_text(model_text, "m.mle", ds);
    REQUIRE(b->model);
    auto data = mlec::Data::from_csv_text(csv, "d.csv", ds);
    REQUIRE(data);
    b->problem = mlec::Problem::bind(*b->model, *data, ds);
    INFO(mlec::format(ds));
    REQUIRE(b->problem);
    return b;
}

bool has_diagnostic(const mlec::FitResult& r, const std::string& kind) {
    return std::any_of(r.diagnostics.begin(), r.diagnostics.end(),
                       [&](const mlec::FitDiagnostic& d) { return mlec::to_string(d.kind) == kind; });
}

// The status line of the text report: "status: NAME: message" for a
// converged fit, "status: NAME (NOT converged): message" otherwise.
std::string status_line(const std::string& status, const std::string& message) {
    return "status: " + status + (status == "converged" ? "" : " (NOT converged)") + ": " + message;
}

// One status through both interfaces: the library's status, exit code and
// message (whole, or its start where numbers in it depend on the path the
// optimizer took), then the command on the same files, whose status line
// and exit code must be the library's.
struct Case {
    std::string model;
    std::string csv;
    std::vector<std::string> cli_options;
    mlec::FitOptions options;
    std::string status;
    int exit_code;
    std::string message;  // the whole message, or its start when `prefix`
    bool prefix = false;
};

mlec::FitResult check_case(const Case& c) {
    auto b = bind_text(c.model, c.csv);
    const mlec::FitResult r = mlec::fit(*b->problem, c.options);
    INFO(mlec::text_report(r));
    CHECK(mlec::to_string(r.status) == c.status);
    CHECK(mlec::exit_code(r) == c.exit_code);
    CHECK(r.converged == (c.status == "converged"));
    CHECK(mlec::found_maximum(r) == (c.exit_code != 4));
    if (c.prefix) CHECK(r.message.starts_with(c.message));
    else CHECK(r.message == c.message);

    write("m.mle", c.model);
    write("d.csv", c.csv);
    std::vector<std::string> args{"m.mle", "d.csv"};
    args.insert(args.end(), c.cli_options.begin(), c.cli_options.end());
    const Run cli = run(args);
    INFO(cli.out << cli.err);
    CHECK(cli.exit_code == c.exit_code);
    CHECK(cli.line("status: ") == status_line(c.status, r.message));
    return r;
}

}  // namespace

TEST_CASE("converged: a normal sample, exit code 0") {
    const mlec::FitResult r =
        check_case({"y ~ normal(mu, s)\n", "y\n1\n2\n3\n", {}, {}, "converged", 0, "converged after ", true});
    for (const auto& p : r.parameters) CHECK(p.std_error);
    CHECK(std::isfinite(r.aic));
}

TEST_CASE("not_identified: only the sum a + b is identified, exit code 5") {
    const std::string csv = "y\n1.2\n0.1\n3.5\n0.7\n2.2\n0.4\n";
    Case c{"param a, b\ny ~ normal(a + b, s)\n", csv, {}, {}, "not_identified", 5, "a maximum after ", true};
    const mlec::FitResult r = check_case(c);
    CHECK(r.message.ends_with(
        "; but the data do not identify a, b (a flat direction): their standard errors are withheld"));
    REQUIRE(r.parameters.size() == 3);
    const auto &a = r.parameters[0], &b = r.parameters[1], &s = r.parameters[2];
    CHECK(a.name == "a");
    CHECK(b.name == "b");
    CHECK(s.name == "s");
    CHECK_FALSE(a.std_error);
    CHECK_FALSE(b.std_error);
    // The sum is the mean; s is identified, with sigma / sqrt(2n) as its
    // standard error (closed form).
    CHECK(a.estimate + b.estimate == Approx(8.1 / 6).epsilon(1e-9));
    REQUIRE(s.std_error);
    CHECK(*s.std_error == Approx(s.estimate / std::sqrt(12.0)).epsilon(1e-8));
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics[0].kind == mlec::DiagnosticKind::flat_direction);
    CHECK(r.diagnostics[0].parameters == std::vector<std::string>{"a", "b"});
    // A maximum: AIC and BIC exist.
    CHECK(std::isfinite(r.aic));
}

TEST_CASE("a stationary start whose negative curvature leaves the domain on one side is left on the other") {
    // The likelihood of a is 0 for a > 0 (y = 1 lies above the uniform's
    // upper end 1 - 2a) and for a <= 0 its NLL is log(1 - 2a) + (a + 2)^2 / 2
    // + const: gradient -2 + 2 = 0 at a = 0, curvature -4 + 1 = -3. So a = 0
    // is a stationary point where the likelihood rises towards a < 0, to its
    // maximum at a = -1.5, where (a + 2)(1 - 2a) = 2. The step along the
    // negative curvature has no gradient to choose its side; when the first
    // side leaves the domain, the other is tried.
    const std::string model = "param a = 0\ny ~ uniform(0, 1 - 2*a)\nz ~ normal(a, 1)\n";
    const std::string csv = "y,z\n1,-2\n";
    auto b = bind_text(model, csv);
    const mlec::FitResult r = mlec::fit(*b->problem);
    CHECK(r.status == mlec::FitStatus::converged);
    CHECK(mlec::exit_code(r) == 0);
    REQUIRE(r.parameters.size() == 1);
    CHECK(r.parameters[0].estimate == Approx(-1.5).epsilon(1e-9));
}

TEST_CASE("not_a_maximum: a kink where the Hessian sees a saddle, exit code 4") {
    // y ~ laplace(m, s) on 1, 2, 4: the NLL n log s + sum |y - m| / s has a
    // kink at m = 2 (the median): there its curvature in m is 0 and the
    // cross term sum sign(y - m) / s^2 makes the Hessian indefinite, and no
    // step of the quadratic model raises the likelihood. Newton stops short
    // of it; L-BFGS from the same start (the automatic method's second
    // path) reaches the maximum m = 2, s = mean |y - m| = 1, where the
    // Hessian is still indefinite: no regular maximum, no standard errors.
    const std::string model = "y ~ laplace(m, s)\n";
    const std::string csv = "y\n1\n2\n4\n";
    const mlec::FitResult r = check_case(
        {model,
         csv,
         {},
         {},
         "not_a_maximum",
         4,
         "not a regular maximum: the optimizer stopped where the Hessian has clearly negative curvature, yet no step "
         "raises the likelihood: a saddle point, or a kink where the likelihood is not smooth (|y - m| of a laplace "
         "at a data value: possibly the maximum, but curvature gives it no standard error); try other start values "
         "(--starts N)"});
    REQUIRE(r.parameters.size() == 2);
    CHECK_FALSE(r.parameters[0].std_error);
    CHECK_FALSE(r.parameters[1].std_error);
    CHECK(has_diagnostic(r, "not_positive_definite"));
    CHECK(std::isnan(r.aic));
    // Where it stopped: at the kink, the maximum (2, 1) (s on its log
    // scale), to the precision a non-smooth point allows (how close depends
    // on the build's floating-point path); the NLL there is the maximum's.
    REQUIRE(r.theta.size() == 2);
    CHECK(r.theta[0] == Approx(2).margin(1e-4));
    CHECK(r.theta[1] == Approx(0).margin(1e-4));
    auto b = bind_text(model, csv);
    Eigen::VectorXd at(2);
    at << 2, 0;
    CHECK(b->problem->nll(r.theta) == Approx(b->problem->nll(at)).epsilon(1e-9));
    CHECK(r.method == mlec::Method::lbfgs);
    CHECK(mlec::text_report(r).find(" (lbfgs)\n") != std::string::npos);
}

TEST_CASE("diverged: all-zero Poisson counts, exit code 4") {
    const mlec::FitResult r = check_case(
        {"y ~ poisson(exp(a))\n",
         "y\n0\n0\n0\n",
         {},
         {},
         "diverged",
         4,
         "no finite maximum likelihood estimate: the log-likelihood keeps increasing as a -> -inf, towards 0: the "
         "likelihood tends to 1, the model reproducing every observation with certainty (as with perfectly "
         "separated data, or a rate of 0 for all-zero counts)"});
    REQUIRE(r.parameters.size() == 1);
    CHECK(r.parameters[0].diverges_to == -std::numeric_limits<double>::infinity());
    CHECK(std::isnan(r.parameters[0].estimate));
    CHECK(has_diagnostic(r, "divergence"));
}

TEST_CASE("max_iterations: one Newton iteration on a nonlinear model, exit code 4") {
    const fs::path models = mlec::test::source_dir() / "models";
    mlec::FitOptions one;
    one.max_iterations = 1;
    const mlec::FitResult r = check_case({mlec::test::read_file(models / "nonlinear.mle"),
                                          mlec::test::read_file(models / "nonlinear.csv"),
                                          {"--max-iterations", "1"},
                                          one,
                                          "max_iterations",
                                          4,
                                          "did not converge: stopped after 1 iteration, the estimate still ",
                                          true});
    CHECK(r.iterations == 1);
    CHECK(r.message.ends_with("raise --max-iterations or give start values nearer the estimate"));
    CHECK(std::isnan(r.aic));
}

TEST_CASE("non_finite_start: the log of a negative start value, exit code 4") {
    const mlec::FitResult r =
        check_case({"param a = -1\ny ~ normal(log(a), 1)\n",
                    "y\n0.5\n1.5\n",
                    {},
                    {},
                    "non_finite_start",
                    4,
                    "the log-likelihood is not finite at the start values: row 1 of d.csv gives log p = -inf in "
                    "'y ~ normal(log(a), 1)' (outcome = 0.5, mu = n/a, sigma = 1); give start values with "
                    "'param name = value'"});
    CHECK(r.iterations == 0);
    CHECK(std::isnan(r.log_likelihood));
}

TEST_CASE("invalid_options: nothing is fitted, and the command refuses the same options as a usage error") {
    auto b = bind_text("y ~ normal(mu, s)\n", "y\n1\n2\n3\n");
    mlec::FitOptions none;
    none.max_iterations = 0;
    const mlec::FitResult r = mlec::fit(*b->problem, none);
    CHECK(mlec::to_string(r.status) == "invalid_options");
    CHECK(r.message == "invalid fit options: max_iterations must be at least 1");
    CHECK_FALSE(r.converged);
    CHECK_FALSE(mlec::found_maximum(r));
    // A usage error, 1, as the command (and the C API, MLEC_ERROR_USAGE)
    // treat the same options.
    CHECK(mlec::exit_code(r) == 1);
    write("m.mle", "y ~ normal(mu, s)\n");
    write("d.csv", "y\n1\n2\n3\n");
    const Run cli = run({"m.mle", "d.csv", "--max-iterations", "0"});
    CHECK(cli.exit_code == 1);
    CHECK(cli.err.starts_with("mlec: error: --max-iterations takes a positive whole number\n"));
}

TEST_CASE("compare: the worst of the fits' exit codes, and models without a maximum left out") {
    // Counts of two groups, group 1 all zeros: one rate fits (converged),
    // exp(a + b) identifies only a + b (not_identified), a rate per group
    // diverges for group 1.
    write("d.csv", "g,y\n1,0\n1,0\n2,1\n2,3\n2,2\n1,0\n");
    write("one.mle", "y ~ poisson(exp(a))\n");
    write("sum.mle", "param a, b\ny ~ poisson(exp(a + b))\n");
    write("groups.mle", "param e[g]\ny ~ poisson(exp(e[g]))\n");
    struct Expect {
        std::vector<std::string> models;
        int exit_code;
        std::vector<std::string> left_out;
    };
    const std::vector<Expect> cases = {
        {{"one.mle", "one.mle"}, 0, {}},
        {{"one.mle", "sum.mle"}, 5, {}},
        {{"one.mle", "groups.mle"}, 4, {"groups.mle (diverged: left out)"}},
        {{"one.mle", "sum.mle", "groups.mle"}, 4, {"groups.mle (diverged: left out)"}},
    };
    for (const Expect& e : cases) {
        std::vector<std::string> args{"compare"};
        args.insert(args.end(), e.models.begin(), e.models.end());
        args.push_back("d.csv");
        const Run r = run(args);
        INFO(r.out << r.err);
        CHECK(r.exit_code == e.exit_code);
        CHECK(r.out.starts_with("Comparison of " + std::to_string(e.models.size()) + " models on 6 observations\n"));
        for (const std::string& line : e.left_out) {
            CHECK(r.line(line).starts_with(line));
            const std::string model = line.substr(0, line.find(' '));
            CHECK(r.out.find("  " + model +
                             " found no maximum (diverged): it is left out of the Akaike weights "
                             "and likelihood-ratio tests\n") != std::string::npos);
        }
        if (e.left_out.empty()) CHECK(r.out.find("left out") == std::string::npos);
    }

    // A model stopped where there is no maximum (not_a_maximum: a laplace
    // location at a kink) is left out the same way.
    write("y.csv", "y\n1\n2\n4\n");
    write("laplace.mle", "y ~ laplace(m, s)\n");
    write("normal.mle", "y ~ normal(m, s)\n");
    const Run r = run({"compare", "laplace.mle", "normal.mle", "y.csv"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 4);
    CHECK(r.line("laplace.mle ").starts_with("laplace.mle (not_a_maximum: left out)"));
    CHECK(r.out.find("  laplace.mle found no maximum (not_a_maximum): it is left out of the Akaike weights and "
                     "likelihood-ratio tests\n") != std::string::npos);
}

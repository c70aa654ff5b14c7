// The corpora of the model-driven fuzz targets (fuzz/corpus/model and fit),
// replayed in the ordinary builds: every input goes through what its target
// does with it (fuzz/model_input.hpp), so the sanitizer build checks the
// reproducers of past findings with GCC's sanitizers and the helpers'
// preconditions, and the Release build checks the fits' promises.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "fuzz/model_input.hpp"
#include "support/files.hpp"

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> corpus(const std::string& kind) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(mlec::test::source_dir() / "fuzz" / "corpus" / kind))
        files.push_back(entry.path());
    return files;
}

}  // namespace

TEST_CASE("every input of fuzz_model's corpus is parsed, bound and evaluated") {
    int bound = 0;
    for (const fs::path& file : corpus("model")) {
        INFO(file.filename().string());
        bound += mlec::fuzz::evaluate_input(mlec::test::read_file(file)) ? 1 : 0;
    }
    // Most of the inputs are errors on purpose (the golden error cases, and
    // the example models, whose undeclared products of missing columns are
    // errors); 22 bind to the table.
    CHECK(bound >= 20);
}

TEST_CASE("every input of fuzz_fit's corpus is fitted and keeps the results' promises") {
    int fitted = 0;
    for (const fs::path& file : corpus("fit")) {
        INFO(file.filename().string());
        bool this_one = false;
        CHECK(mlec::fuzz::fit_input(mlec::test::read_file(file), this_one).empty());
        fitted += this_one ? 1 : 0;
    }
    // The seeds are models over the table's columns (36 bind), and the
    // example models as they are, most of them errors here (a product of
    // two names that are not columns is refused as unidentified).
    CHECK(fitted >= 35);
}

TEST_CASE("a beta argument of -3e19 at the start values gives NLL +inf and zero derivatives") {
    // fuzz/corpus/model/crash_beta_negative_argument.mle: the partials in
    // a and b were computed for the rows outside the domain too, and
    // polygamma_diff converted -3e19 to int.
    mlec::Diagnostics ds;
    const auto model = mlec::Model::from_text("p ~ beta(a, b - 3e19)\n", "beta.mle", ds);
    REQUIRE(model);
    const auto problem = mlec::fuzz::bind_to_table(*model, ds, false);
    REQUIRE(problem);
    const Eigen::VectorXd theta = problem->start();
    Eigen::VectorXd gradient;
    Eigen::MatrixXd hessian;
    CHECK(problem->nll_gradient_hessian(theta, gradient, hessian) == std::numeric_limits<double>::infinity());
    CHECK(gradient.isZero(0));
    CHECK(hessian.isZero(0));
    // Near the domain's edge the same model is finite.
    Eigen::VectorXd inside = theta;
    inside[1] = 3e19 + 1e5;  // b - 3e19 = 1e5 (b is unbounded: theta is b itself)
    CHECK(std::isfinite(problem->nll(inside)));
}

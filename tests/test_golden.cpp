// Golden tests of semantic and data errors: each tests/cases/NAME.mle (other
// than the parser's parse_*.mle) is bound to NAME.csv, or to default.csv when
// there is none, and every diagnostic (errors, then warnings) must equal
// NAME.expect byte for byte — the exact text the mlec command prints. The
// legal_*.mle cases are models that must stay legal: they bind with no
// diagnostic at all (their .expect files are empty). A case whose name has
// "reml_" in it is bound with BindOptions::reml.
#include <catch2/catch.hpp>

#include "mlec/mlec.hpp"
#include "support/files.hpp"

namespace {

std::string run_case(const std::filesystem::path& mle) {
    namespace fs = std::filesystem;
    const fs::path dir = mle.parent_path();
    fs::path csv = mle;
    csv.replace_extension(".csv");
    if (!fs::exists(csv)) csv = dir / "default.csv";
    mlec::Diagnostics ds;
    auto model = mlec::Model::from_text(mlec::test::read_file(mle), mle.filename().string(), ds);
    if (!model) return mlec::format(ds);
    auto data = mlec::Data::from_csv_text(mlec::test::read_file(csv), csv.filename().string(), ds);
    if (!data) return mlec::format(ds);
    mlec::BindOptions options;
    options.reml = mle.filename().string().find("reml_") != std::string::npos;
    auto problem = mlec::Problem::bind(*model, *data, ds, options);
    if (!problem) return mlec::format(ds);
    return mlec::format(problem->warnings());
}

}  // namespace

TEST_CASE("semantic and data errors match their golden text") {
    namespace fs = std::filesystem;
    std::vector<fs::path> cases;
    for (const auto& e : fs::directory_iterator(mlec::test::source_dir() / "tests/cases")) {
        const auto& p = e.path();
        if (p.extension() == ".mle" && !p.filename().string().starts_with("parse_")) cases.push_back(p);
    }
    std::sort(cases.begin(), cases.end());
    REQUIRE(cases.size() >= 20);
    for (const auto& mle : cases) {
        SECTION(mle.filename().string()) {
            fs::path expect = mle;
            expect.replace_extension(".expect");
            REQUIRE(fs::exists(expect));
            const std::string actual = run_case(mle);
            const bool legal = mle.filename().string().starts_with("legal_");
            CHECK(actual.empty() == legal);
            CHECK(actual == mlec::test::read_file(expect));
        }
    }
}

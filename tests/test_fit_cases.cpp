// Golden fit cases: each tests/fit_cases/NAME.mle is fitted to NAME.csv by
// the mlec command, and its exit code, status line and diagnostics must
// equal NAME.expect byte for byte. They hold the fits whose likelihood has
// no finite maximum although no binary outcome is separated (zero-inflated
// and hurdle zero models, a likelihood written through ifelse, an empty
// ordinal category): each must end with a non-zero exit and name what runs
// off. (Where the optimizer stopped is no estimate, so the expect files
// hold no estimates.)
#include <catch2/catch.hpp>
#include <sstream>

#include "support/command.hpp"
#include "support/files.hpp"

namespace {

// "exit N", the status line, and the diagnostics block as printed.
std::string summary(const mlec::test::CommandRun& run) {
    std::string out = "exit " + std::to_string(run.exit_code) + "\n";
    std::istringstream lines(run.out);
    bool in_diagnostics = false;
    for (std::string line; std::getline(lines, line);) {
        if (line.starts_with("status: ")) out.append(line).append("\n");
        if (line == "diagnostics:") {
            in_diagnostics = true;
            out.append(line).append("\n");
            continue;
        }
        if (in_diagnostics && line.starts_with("  [")) {
            out.append(line).append("\n");
            continue;
        }
        in_diagnostics = false;
    }
    return out;
}

}  // namespace

TEST_CASE("fits with no finite maximum name what runs off and exit non-zero (golden)") {
    namespace fs = std::filesystem;
    const fs::path dir = mlec::test::source_dir() / "tests/fit_cases";
    std::vector<fs::path> cases;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".mle") cases.push_back(e.path());
    std::sort(cases.begin(), cases.end());
    REQUIRE(cases.size() >= 5);
    for (const auto& mle : cases) {
        SECTION(mle.filename().string()) {
            fs::path csv = mle;
            csv.replace_extension(".csv");
            fs::path expect = mle;
            expect.replace_extension(".expect");
            REQUIRE(fs::exists(expect));
            const auto run = mlec::test::run_command(dir, {mle.filename().string(), csv.filename().string()});
            INFO(run.out << run.err);
            CHECK(run.exit_code != 0);
            CHECK(summary(run) == mlec::test::read_file(expect));
        }
    }
}

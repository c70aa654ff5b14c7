// Golden tests of parse errors: every tests/cases/parse_*.mle is parsed and
// its formatted diagnostics must equal parse_*.expect byte for byte, like
// Lua's testes/errors.lua asserts whole messages. The file name in the
// diagnostics is the bare name, so the .expect files do not depend on where
// the repository lives.

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "grammar/parse.hpp"
#include "grammar/source_text.hpp"
#include "mlec/diagnostic.hpp"

namespace {

namespace fs = std::filesystem;

std::string read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::vector<fs::path> parse_cases() {
    std::vector<fs::path> cases;
    const fs::path folder = fs::path(MLEC_SOURCE_DIR) / "tests" / "cases";
    for (const fs::directory_entry& entry : fs::directory_iterator(folder)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("parse_", 0) == 0 && entry.path().extension() == ".mle") {
            cases.push_back(entry.path());
        }
    }
    std::sort(cases.begin(), cases.end());
    return cases;
}

}  // namespace

TEST_CASE("every malformed model in tests/cases gives its expected message") {
    const std::vector<fs::path> cases = parse_cases();
    REQUIRE(cases.size() >= 20);
    for (const fs::path& model : cases) {
        fs::path expect = model;
        expect.replace_extension(".expect");
        INFO(model.filename().string());
        REQUIRE(fs::exists(expect));
        const mlec::ParseResult result =
            mlec::parse_model(mlec::SourceText(model.filename().string(), read_bytes(model)));
        // Each case is one mistake: exactly one error, and no tree.
        CHECK(result.diagnostics.size() == 1);
        CHECK(!result.model);
        CHECK(mlec::format(result.diagnostics) == read_bytes(expect));
    }
}

// The layers of the library (docs/architecture.md) as the build declares
// them: CMakeLists.txt lists each folder with the layers it may use and
// writes that list to layers.txt in the build folder. These tests read every
// source file and fail on an #include that reaches a layer its folder may
// not use, a folder of C++ sources that is no layer, a public header or the
// CLI that includes the library's insides, and a namespace that does not
// follow its folder.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

const fs::path source_dir = MLEC_SOURCE_DIR;

// layer -> the layers (and `public`, the public API) it may include.
using LayerTable = std::map<std::string, std::set<std::string>>;

LayerTable read_layers() {
    std::ifstream in(MLEC_LAYERS_FILE);
    REQUIRE(in);
    LayerTable table;
    std::string line;
    while (std::getline(in, line)) {
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::set<std::string>& uses = table[line.substr(0, colon)];
        std::stringstream rest(line.substr(colon + 1));
        for (std::string used; std::getline(rest, used, ';');)
            if (!used.empty()) uses.insert(used);
    }
    return table;
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// The quoted includes of a source text ("runtime/graph.hpp"); angle-bracket
// includes are other libraries'.
std::vector<std::string> quoted_includes(const std::string& text) {
    static const std::regex include(R"re(^\s*#\s*include\s*"([^"]+)")re", std::regex::multiline);
    std::vector<std::string> out;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), include); it != std::sregex_iterator(); ++it)
        out.push_back((*it)[1]);
    return out;
}

// Why a file of layer `layer` may not include `header`, or "" when it may.
std::string include_violation(const LayerTable& table, const std::string& layer, const std::string& header) {
    const std::string folder = header.substr(0, header.find('/'));
    if (header == "mlec/diagnostic.hpp") return "";
    const std::set<std::string>& uses = table.at(layer);
    if (folder == "mlec") return uses.count("public") ? "" : "the public API, which " + layer + "/ may not use";
    if (folder == layer || uses.count(folder)) return "";
    if (table.count(folder)) return "layer " + folder + "/, which " + layer + "/ may not use";
    return "a file in no layer";
}

std::vector<std::string> violations_in(const LayerTable& table, const std::string& layer, const std::string& text,
                                       const std::string& file) {
    std::vector<std::string> out;
    for (const std::string& header : quoted_includes(text)) {
        const std::string why = include_violation(table, layer, header);
        if (!why.empty()) out.push_back(file + " includes \"" + header + "\": " + why);
    }
    return out;
}

std::vector<fs::path> sources_under(const fs::path& folder) {
    std::vector<fs::path> out;
    if (!fs::exists(folder)) return out;
    for (const auto& entry : fs::recursive_directory_iterator(folder)) {
        const std::string ext = entry.path().extension().string();
        if (entry.is_regular_file() && (ext == ".cpp" || ext == ".hpp" || ext == ".h")) out.push_back(entry.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string repo_path(const fs::path& p) { return fs::relative(p, source_dir).generic_string(); }

}  // namespace

TEST_CASE("the layer table lists the library's folders with what each may use") {
    const LayerTable table = read_layers();
    for (const char* layer :
         {"grammar", "runtime", "data", "optim", "report", "interpreter", "problem", "inference", "mpi", "api"})
        CHECK(table.count(layer) == 1);
    // The foundations use no other layer; the pipeline's order holds.
    CHECK(table.at("runtime").empty());
    CHECK(table.at("optim").empty());
    CHECK(table.at("interpreter") == std::set<std::string>{"grammar", "runtime"});
    CHECK(table.at("inference").count("api") == 0);
}

TEST_CASE("the check finds an include that crosses a layer the wrong way") {
    const LayerTable table = read_layers();
    const std::string text =
        "#include <vector>\n#include \"runtime/graph.hpp\"\n  #include \"inference/fit_context.hpp\"\n"
        "#include \"mlec/diagnostic.hpp\"\n#include \"mlec/mlec.hpp\"\n";
    const std::vector<std::string> found = violations_in(table, "optim", text, "optim/x.cpp");
    REQUIRE(found.size() == 3);
    CHECK(found[0] == "optim/x.cpp includes \"runtime/graph.hpp\": layer runtime/, which optim/ may not use");
    CHECK(found[1] == "optim/x.cpp includes \"inference/fit_context.hpp\": layer inference/, which optim/ may not use");
    CHECK(found[2] == "optim/x.cpp includes \"mlec/mlec.hpp\": the public API, which optim/ may not use");
    CHECK(violations_in(table, "inference", text, "inference/x.cpp").empty());
}

TEST_CASE("no #include in the library crosses a layer the wrong way") {
    const LayerTable table = read_layers();
    std::vector<std::string> found;
    std::size_t files = 0;
    for (const auto& [layer, uses] : table) {
        for (const fs::path& file : sources_under(source_dir / layer)) {
            ++files;
            for (std::string& v : violations_in(table, layer, read_file(file), repo_path(file))) found.push_back(v);
        }
    }
    INFO("files checked: " << files);
    CHECK(files > 100);
    for (const std::string& v : found) FAIL_CHECK(v);
}

TEST_CASE("every folder of C++ sources is a layer, or one of the library's users") {
    const LayerTable table = read_layers();
    const std::set<std::string> users{"include", "cli", "tests", "bench", "fuzz", "python", "r", "examples"};
    for (const auto& entry : fs::directory_iterator(source_dir)) {
        const std::string name = entry.path().filename().string();
        if (!entry.is_directory() || name.starts_with(".") || name.starts_with("build") || users.count(name)) continue;
        if (sources_under(entry.path()).empty()) continue;
        INFO("folder " << name << "/ holds C++ sources");
        CHECK(table.count(name) == 1);
    }
}

TEST_CASE("the public headers, the CLI, and the Python and R packages include only the public API") {
    for (const char* folder : {"include/mlec", "cli", "python", "r/src"}) {
        for (const fs::path& file : sources_under(source_dir / folder)) {
            for (const std::string& header : quoted_includes(read_file(file))) {
                INFO(repo_path(file) << " includes \"" << header << "\"");
                CHECK((header.starts_with("mlec/") || header.starts_with(std::string(folder) + "/")));
            }
        }
    }
}

TEST_CASE("namespaces follow folders") {
    // The namespace of each layer's internals; `mlec` itself is where the
    // public API's functions are defined.
    const std::map<std::string, std::set<std::string>> own{{"grammar", {"grammar", "ast"}},
                                                           {"runtime", {"rt"}},
                                                           {"data", {"data"}},
                                                           {"optim", {"optim"}},
                                                           {"report", {"report"}},
                                                           {"interpreter", {"interp"}},
                                                           {"problem", {"problem"}},
                                                           {"inference", {"inference"}},
                                                           {"mpi", {"mpi"}},
                                                           {"api", {}}};
    static const std::regex declared(R"(^namespace mlec(::(\w+))?)", std::regex::multiline);
    for (const auto& [layer, names] : own) {
        for (const fs::path& file : sources_under(source_dir / layer)) {
            const std::string text = read_file(file);
            for (auto it = std::sregex_iterator(text.begin(), text.end(), declared); it != std::sregex_iterator();
                 ++it) {
                if (!(*it)[2].matched) continue;
                INFO(repo_path(file) << " declares namespace mlec::" << (*it)[2]);
                CHECK(names.count((*it)[2]) == 1);
            }
        }
    }
}

// The examples in the documentation run as tests, so that they cannot go
// stale: a model the docs show must still parse and bind, an output they
// show must still be what mlec prints.
//
// The convention: an HTML comment on the line before a code block (fenced
// with ```, or indented by at least four spaces) says how to check it.
// Markdown renderers hide the comment. The forms:
//
//   <!-- test: model -->         the block is model text, a whole model or
//                                statements from one: it must parse with no
//                                diagnostic (mlec::Model::from_text).
//   <!-- test: model DATA -->    the block is a whole model: it must parse
//                                and bind to DATA (a CSV file, its path from
//                                the repository root) with no error and no
//                                warning (mlec::Problem::bind).
//   <!-- test: model error -->   the block is exactly the message for the
//                                one-line model it quotes (its second line),
//                                named as in its first line
//                                ("NAME:1:COLUMN: error: ...").
//   <!-- test: mlec ARGS; in DIR; exit N; stderr -->
//                                the block is exactly what `mlec ARGS`
//                                prints (standard output, then standard
//                                error; with `stderr`, standard error
//                                alone), run from DIR (a folder of the
//                                repository; default: its root), and the
//                                command exits with N (default 0). The
//                                `in`, `exit` and `stderr` parts are
//                                optional.
//   <!-- test: skip -->          not an example (a formula, a sketch).
//
// Every code block of docs/language.md and docs/tutorial.md must carry one
// of these, so that a new example there cannot be added untested. The files
// read are README.md and docs/*.md.
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "mlec/mlec.hpp"
#include "support/files.hpp"

namespace {

namespace fs = std::filesystem;

struct Block {
    std::string file;       // e.g. docs/language.md
    int line = 0;           // 1-based line of the block's first line
    std::string directive;  // what follows "test:" (empty: none)
    std::string text;       // the block's lines without their indentation, each ending in '\n'
};

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = text.find('\n', start);
        lines.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return lines;
}

bool blank(const std::string& line) { return line.find_first_not_of(' ') == std::string::npos; }

std::size_t indentation(const std::string& line) {
    const std::size_t n = line.find_first_not_of(' ');
    return n == std::string::npos ? line.size() : n;
}

bool is_fence(const std::string& line) { return line.compare(indentation(line), 3, "```") == 0; }

// A fenced block from its opening fence; returns the index after its closing fence.
std::size_t read_fenced(const std::vector<std::string>& lines, std::size_t i, Block& block) {
    const std::size_t indent = indentation(lines[i]);
    for (++i; i < lines.size() && !is_fence(lines[i]); ++i)
        block.text += (lines[i].size() >= indent ? lines[i].substr(indent) : std::string()) + "\n";
    return i + 1;
}

// An indented block: the lines indented at least as far as its first (blank
// lines inside it kept, trailing ones dropped); returns the index after it.
std::size_t read_indented(const std::vector<std::string>& lines, std::size_t i, Block& block) {
    const std::size_t indent = indentation(lines[i]);
    std::size_t end = i;
    for (std::size_t k = i; k < lines.size() && (blank(lines[k]) || indentation(lines[k]) >= indent); ++k)
        if (!blank(lines[k])) end = k + 1;
    for (std::size_t k = i; k < end; ++k)
        block.text += (lines[k].size() >= indent ? lines[k].substr(indent) : std::string()) + "\n";
    return end;
}

// Every code block of a markdown file, with the directive before it. An
// indented block starts after a blank line (or a directive) at four or more
// spaces; deeper text that continues a list item follows no blank line.
std::vector<Block> blocks_of(const std::string& file) {
    static const std::regex directive_line(R"(^\s*<!-- test: (.*) -->\s*$)");
    const std::vector<std::string> lines = lines_of(mlec::test::read_file(mlec::test::source_dir() / file));
    std::vector<Block> blocks;
    std::string pending;  // a directive waiting for its block
    bool after_blank = true;
    for (std::size_t i = 0; i < lines.size();) {
        std::smatch m;
        if (std::regex_match(lines[i], m, directive_line)) {
            pending = m[1];
            after_blank = true;
            ++i;
            continue;
        }
        if (blank(lines[i])) {
            after_blank = true;
            ++i;
            continue;
        }
        const bool fenced = is_fence(lines[i]);
        if (fenced || (after_blank && indentation(lines[i]) >= 4)) {
            Block block{file, static_cast<int>(i) + 1, pending, ""};
            i = fenced ? read_fenced(lines, i, block) : read_indented(lines, i, block);
            blocks.push_back(std::move(block));
        } else {
            ++i;
        }
        pending.clear();
        after_blank = false;
    }
    return blocks;
}

std::vector<std::string> documentation_files() {
    std::vector<std::string> files{"README.md"};
    for (const auto& entry : fs::directory_iterator(mlec::test::source_dir() / "docs"))
        if (entry.path().extension() == ".md") files.push_back("docs/" + entry.path().filename().string());
    std::sort(files.begin(), files.end());
    return files;
}

std::string trim(const std::string& s) {
    const std::size_t a = s.find_first_not_of(' ');
    return a == std::string::npos ? "" : s.substr(a, s.find_last_not_of(' ') - a + 1);
}

void check_model(const Block& block, const std::string& data) {
    mlec::Diagnostics ds;
    auto model = mlec::Model::from_text(block.text, "example.mle", ds);
    CHECK(mlec::format(ds) == "");
    if (!model || data.empty()) return;
    auto table = mlec::Data::from_csv_file((mlec::test::source_dir() / data).string(), ds);
    REQUIRE(table);
    auto problem = mlec::Problem::bind(*model, *table, ds);
    CHECK(mlec::format(ds) == "");
    if (problem) CHECK(mlec::format(problem->warnings()) == "");
}

// "NAME:1:COLUMN: error: ..." and the quoted model line below it.
void check_model_error(const Block& block) {
    static const std::regex first_line(R"(^(.*):1:[0-9]+: error: .*)");
    const std::vector<std::string> lines = lines_of(block.text);
    std::smatch m;
    REQUIRE(lines.size() >= 2);
    REQUIRE(std::regex_match(lines[0], m, first_line));
    REQUIRE(lines[1].starts_with("    "));
    mlec::Diagnostics ds;
    CHECK_FALSE(mlec::Model::from_text(lines[1].substr(4), m[1], ds));
    CHECK(mlec::format(ds) == block.text);
}

// The same text, a number that prints all 17 significant digits (a CSV
// of predictions, written to round-trip) allowed to differ in its last
// few: a build without fused multiply-add (the sanitizer build) rounds
// differently. Everything else must match exactly, and a number of a
// text report (7 digits) can only match exactly.
bool same_output(const std::string& printed, const std::string& expected) {
    if (printed == expected) return true;
    static const std::regex number(R"([-+]?[0-9]+\.[0-9]{12,}(e[-+]?[0-9]+)?)");
    const std::string shape = std::regex_replace(printed, number, "#");
    if (shape != std::regex_replace(expected, number, "#")) return false;
    auto a = std::sregex_iterator(printed.begin(), printed.end(), number);
    auto b = std::sregex_iterator(expected.begin(), expected.end(), number);
    for (; a != std::sregex_iterator() && b != std::sregex_iterator(); ++a, ++b) {
        const double x = std::stod(a->str()), y = std::stod(b->str());
        if (!(std::abs(x - y) <= 1e-12 * std::max(std::abs(x), std::abs(y)))) return false;
    }
    return true;
}

struct Command {
    std::string args;
    std::string dir;
    int exit_code = 0;
    bool stderr_only = false;
};

Command parse_command(const std::string& directive) {
    Command c;
    std::size_t start = 0;
    bool first = true;
    while (start <= directive.size()) {
        std::size_t end = directive.find(';', start);
        if (end == std::string::npos) end = directive.size();
        const std::string part = trim(directive.substr(start, end - start));
        if (first) c.args = part.substr(std::string("mlec").size());
        else if (part.starts_with("in ")) c.dir = trim(part.substr(3));
        else if (part.starts_with("exit ")) c.exit_code = std::stoi(part.substr(5));
        else if (part == "stderr") c.stderr_only = true;
        else FAIL("unknown part of a test directive: '" << part << "'");
        first = false;
        start = end + 1;
    }
    return c;
}

void check_command(const Block& block) {
    const Command c = parse_command(block.directive);
    const fs::path scratch = fs::temp_directory_path() / ("mlec_docs_examples_" + std::to_string(getpid()));
    fs::create_directories(scratch);
    const fs::path out = scratch / "out", err = scratch / "err";
    const std::string shell = "cd '" + (mlec::test::source_dir() / c.dir).string() + "' && '" + MLEC_BINARY + "'" +
                              c.args + " >'" + out.string() + "' 2>'" + err.string() + "'";
    const int status = std::system(shell.c_str());
    const std::string printed = (c.stderr_only ? "" : mlec::test::read_file(out)) + mlec::test::read_file(err);
    fs::remove_all(scratch);
    INFO("mlec" << c.args << (c.dir.empty() ? "" : " (in " + c.dir + ")"));
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == c.exit_code);
    INFO("printed:\n" << printed);
    CHECK(same_output(printed, block.text));
}

void check_block(const Block& block) {
    INFO(block.file << ":" << block.line << ": <!-- test: " << block.directive << " -->\n" << block.text);
    const std::string& d = block.directive;
    if (d == "skip") return;
    if (d == "model error") return check_model_error(block);
    if (d == "model" || d.starts_with("model ")) return check_model(block, trim(d.substr(5)));
    if (d.starts_with("mlec ")) return check_command(block);
    FAIL("unknown test directive");
}

}  // namespace

TEST_CASE("every example with a test directive in README.md and docs/ holds") {
    int checked = 0;
    for (const std::string& file : documentation_files()) {
        for (const Block& block : blocks_of(file)) {
            if (block.directive.empty()) continue;
            check_block(block);
            ++checked;
        }
    }
    // So that a change to the convention or the reader cannot quietly test nothing.
    CHECK(checked >= 14);
}

TEST_CASE("every code block of docs/language.md and docs/tutorial.md says how it is tested") {
    for (const char* file : {"docs/language.md", "docs/tutorial.md"}) {
        const std::vector<Block> blocks = blocks_of(file);
        CHECK(blocks.size() >= 8);
        for (const Block& block : blocks) {
            INFO(file << ":" << block.line << ":\n" << block.text);
            CHECK_FALSE(block.directive.empty());
        }
    }
}

// What `mlec ARGS` prints on standard output, run from the repository root.
std::string output_of(const std::string& args) {
    const fs::path scratch = fs::temp_directory_path() / ("mlec_docs_output_" + std::to_string(getpid()));
    fs::create_directories(scratch);
    const std::string shell = "cd '" + mlec::test::source_dir().string() + "' && '" + MLEC_BINARY + "' " + args +
                              " >'" + (scratch / "out").string() + "' 2>/dev/null";
    const int status = std::system(shell.c_str());
    const std::string printed = mlec::test::read_file(scratch / "out");
    fs::remove_all(scratch);
    CHECK(WIFEXITED(status));
    return printed;
}

TEST_CASE("the tutorial's convergence plot is what --plot draws") {
    const fs::path scratch = fs::temp_directory_path() / ("mlec_tutorial_plot_" + std::to_string(getpid()));
    output_of("models/xor.mle models/xor.csv --start w1=2 --start w2=-1 --start c=1 --plot '" + scratch.string() + "'");
    const std::string drawn = mlec::test::read_file(scratch / "convergence.svg");
    fs::remove_all(scratch);
    CHECK(drawn == mlec::test::read_file(mlec::test::source_dir() / "docs/tutorial/convergence.svg"));
}

TEST_CASE("the tutorial's table of L = exp(-NLL) holds the trace's numbers") {
    const std::string tutorial = mlec::test::read_file(mlec::test::source_dir() / "docs/tutorial.md");
    std::string trace;
    for (const Block& block : blocks_of("docs/tutorial.md"))
        if (block.directive.find("--trace") != std::string::npos) trace = block.text;
    REQUIRE_FALSE(trace.empty());
    // Iteration 0 is the start: the NLL with every weight held there.
    const std::string start = output_of("models/xor.mle models/xor.csv --fix w1=2 --fix w2=-1 --fix c=1");
    static const std::regex row(R"(\| ([0-9]+) \| ([0-9]+\.[0-9]+) \| ([0-9]+\.[0-9]+) \|)");
    int rows = 0;
    for (auto it = std::sregex_iterator(tutorial.begin(), tutorial.end(), row); it != std::sregex_iterator(); ++it) {
        const std::smatch& m = *it;
        INFO(m.str());
        const double nll = std::stod(m[2].str()), shown = std::stod(m[3].str());
        CHECK(std::abs(std::exp(-nll) - shown) <= 5e-7);
        if (m[1].str() == "0") CHECK(start.find("log-likelihood: -" + m[2].str() + " ") != std::string::npos);
        else CHECK(trace.find("iteration    " + m[1].str() + "  NLL " + m[2].str() + " ") != std::string::npos);
        ++rows;
    }
    CHECK(rows == 5);
}

TEST_CASE("the reader finds fenced and indented blocks and their directives") {
    // The reader is the test's own machinery: check it on known text.
    const fs::path scratch = fs::temp_directory_path() / ("mlec_docs_reader_" + std::to_string(getpid()));
    fs::create_directories(scratch);
    {
        std::ofstream md(scratch / "sample.md", std::ios::binary);
        md << "Text\n\n<!-- test: model -->\n    y ~ normal(mu, s)\n\n      z ~ x\n\n- a list item\n"
              "  continued\n\n<!-- test: skip -->\n```\nraw\n```\n";
    }
    // blocks_of reads paths relative to the source tree; give it an absolute one.
    const std::vector<Block> blocks = blocks_of((scratch / "sample.md").string());
    fs::remove_all(scratch);
    REQUIRE(blocks.size() == 2);
    CHECK(blocks[0].directive == "model");
    CHECK(blocks[0].line == 4);
    CHECK(blocks[0].text == "y ~ normal(mu, s)\n\n  z ~ x\n");
    CHECK(blocks[1].directive == "skip");
    CHECK(blocks[1].text == "raw\n");
}

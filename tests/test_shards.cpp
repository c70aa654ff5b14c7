// Data::from_csv_files: the rows of several files (shards of one data set)
// are one table. A fit to the shards must be the fit to the file they were
// cut from, to the last bit; group levels are the whole table's; errors name
// the shard, its line and the row within it.
#include <catch2/catch.hpp>

#include <unistd.h>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "mlec/mlec.hpp"

namespace {

namespace fs = std::filesystem;
using mlec::Data;
using mlec::Diagnostics;
using mlec::Model;
using mlec::Problem;

const fs::path& work_dir() {
    static const fs::path path = [] {
        fs::path p = fs::temp_directory_path() / ("mlec_test_shards_" + std::to_string(getpid()));
        fs::create_directories(p);
        return p;
    }();
    return path;
}

std::string write(const std::string& name, const std::string& text) {
    const fs::path path = work_dir() / name;
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
}

// SplitMix64: the same data on every platform.
struct Rng {
    std::uint64_t state = 12345;
    std::uint64_t next() {
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
};

constexpr std::size_t data_rows = 6000;
constexpr std::size_t cut_1 = 1234, cut_2 = 4321;  // shards of rows [0, 1234), [1234, 4321), [4321, 6000)

// Header and rows (each ending in "\n"). g: text levels, g0 and g5 only in
// the third shard; h: whole-number levels, 10 and 40 in the first shard, 5
// first in the second, 7 only in the third (so ascending order is not the
// order of appearance, nor the order of the texts).
std::pair<std::string, std::vector<std::string>> make_rows() {
    Rng rng;
    std::vector<std::string> rows;
    for (std::size_t r = 0; r < data_rows; ++r) {
        int g = static_cast<int>(rng.next() % 6);
        if (r < cut_2 + 100 && (g == 0 || g == 5)) g = 1 + static_cast<int>(rng.next() % 4);
        int h = r < cut_1   ? (rng.next() % 2 ? 10 : 40)
                : r < cut_2 ? (rng.next() % 3 ? 10 : 5)
                            : (rng.next() % 2 ? 7 : 40);
        const double x = rng.uniform() * 4 - 2;
        const double eta = 0.3 * g - 0.8 + 1.1 * x;
        const int y = rng.uniform() < 1 / (1 + std::exp(-eta)) ? 1 : 0;
        const int c = static_cast<int>(rng.next() % static_cast<std::uint64_t>(2 + h / 5));
        std::ostringstream line;
        line.precision(17);
        line << r << ",g" << g << ',' << h << ',' << x << ',' << y << ',' << c << '\n';
        rows.push_back(line.str());
    }
    return {"id,g,h,x,y,c\n", rows};
}

std::string join(const std::vector<std::string>& rows, std::size_t begin, std::size_t end) {
    std::string out;
    for (std::size_t r = begin; r < end; ++r) out += rows[r];
    return out;
}

// The whole file and its three shards (each with the header).
struct Files {
    std::string whole;
    std::vector<std::string> shards;
};
const Files& files() {
    static const Files f = [] {
        const auto [header, rows] = make_rows();
        Files out;
        out.whole = write("whole.csv", header + join(rows, 0, rows.size()));
        out.shards = {write("part-1.csv", header + join(rows, 0, cut_1)),
                      write("part-2.csv", header + join(rows, cut_1, cut_2)),
                      // blank lines ending a shard end it, as they end a file
                      write("part-3.csv", header + join(rows, cut_2, rows.size()) + "\n\n")};
        return out;
    }();
    return f;
}

// The JSON report without its "data" line (the data's name).
std::string report_without_name(const std::string& json) {
    std::istringstream in(json);
    std::string line, out;
    while (std::getline(in, line))
        if (line.find("\"data\":") == std::string::npos) out += line + "\n";
    return out;
}

struct Fitted {
    std::vector<std::string> names;
    std::string json;
    std::string data_name;
};
Fitted fit(const std::string& model_text, std::optional<Data> data) {
    Diagnostics ds;
    REQUIRE(data);
    auto model = Model::from_text(model_text, "m.mle", ds);
    REQUIRE(model);
    auto problem = Problem::bind(*model, *data, ds);
    INFO(mlec::format(ds));
    REQUIRE(problem);
    const mlec::FitResult result = mlec::fit(*problem);
    CHECK(result.converged);
    CHECK(problem->observations() == data_rows);
    return {problem->parameter_names(), mlec::json_report(result), result.data_name};
}

const char* const logistic = "param a[g]\ny ~ bernoulli(sigmoid(a[g] + b*x))\n";
const char* const poisson = "param e[h]\nc ~ poisson(exp(b*x + e[h]))\n";

std::optional<Data> load_shards(const std::vector<std::string>& paths, Diagnostics& ds) {
    return Data::from_csv_files(paths, ds);
}

}  // namespace

TEST_CASE("a fit to three shards is the fit to the whole file, to the last bit") {
    Diagnostics ds;
    for (const char* model : {logistic, poisson}) {
        INFO(model);
        const Fitted whole = fit(model, Data::from_csv_file(files().whole, ds));
        const Fitted shards = fit(model, load_shards(files().shards, ds));
        // Estimates, standard errors and the log-likelihood are printed with
        // 17 significant digits: equal text is equal doubles.
        CHECK(report_without_name(shards.json) == report_without_name(whole.json));
        CHECK(shards.json != whole.json);  // the data are named by the shards
        CHECK(shards.data_name == files().shards[0] + ", " + files().shards[1] + ", " + files().shards[2]);
        CHECK(whole.json.find("\"log_likelihood\"") != std::string::npos);
    }
}

TEST_CASE("group levels of shards are those of the whole table") {
    Diagnostics ds;
    // Text levels in order of first appearance over all the rows, found here
    // from the rows themselves; g0 and g5 appear only in the third shard.
    const auto [header, rows] = make_rows();
    std::vector<std::string> expected;
    std::set<std::string> seen;
    for (const std::string& row : rows) {
        const std::string g = row.substr(row.find(',') + 1, 2);
        if (seen.insert(g).second) expected.push_back("a[" + g + "]");
    }
    REQUIRE(expected.size() == 6);
    const Fitted text = fit(logistic, load_shards(files().shards, ds));
    CHECK(std::vector<std::string>(text.names.begin(), text.names.begin() + 6) == expected);
    CHECK(expected.back().substr(2, 2) != "g1");
    // Whole numbers ascending, though "10" comes first and "7" last.
    const Fitted numbers = fit(poisson, load_shards(files().shards, ds));
    CHECK(std::vector<std::string>(numbers.names.begin(), numbers.names.begin() + 4) ==
          std::vector<std::string>{"e[5]", "e[7]", "e[10]", "e[40]"});
}

TEST_CASE("one file given as a list is that file") {
    Diagnostics ds;
    const Fitted one = fit(logistic, load_shards({files().whole}, ds));
    const Fitted whole = fit(logistic, Data::from_csv_file(files().whole, ds));
    CHECK(one.json == whole.json);
    CHECK(one.data_name == files().whole);
}

TEST_CASE("many shards are named by the first and the last") {
    std::vector<std::string> paths;
    for (int k = 1; k <= 5; ++k)
        paths.push_back(write("many-" + std::to_string(k) + ".csv", "y\n" + std::to_string(k) + "\n"));
    Diagnostics ds;
    auto data = load_shards(paths, ds);
    REQUIRE(data);
    auto model = Model::from_text("y ~ normal(mu, 1)\n", "m.mle", ds);
    REQUIRE(model);
    auto problem = Problem::bind(*model, *data, ds);
    REQUIRE(problem);
    CHECK(problem->observations() == 5);
    const mlec::FitResult result = mlec::fit(*problem);
    CHECK(result.data_name == paths[0] + ", ..., " + paths[4] + " (5 files)");
    REQUIRE(result.parameters.size() == 1);
    CHECK(result.parameters[0].estimate == Approx(3.0).epsilon(1e-12));  // the mean of 1, ..., 5
}

TEST_CASE("a shard whose header differs is an error at its line 1") {
    const std::string a = write("h-a.csv", "id,x,y\n1,2,3\n");
    const std::string b = write("h-b.csv", "id,x,y\n4,5,6\n");
    SECTION("a name differs") {
        const std::string c = write("h-c.csv", "id, \"z\" ,y\n7,8,9\n");
        Diagnostics ds;
        CHECK_FALSE(load_shards({a, b, c}, ds));
        REQUIRE(ds.size() == 1);
        const mlec::Diagnostic& d = ds[0];
        CHECK(d.category == mlec::Category::data);
        CHECK(d.file == c);
        CHECK(d.line == 1);
        CHECK(d.message == "the header differs from that of " + a + " (column 2 is 'z' here, 'x' there)");
        CHECK(d.source_line == "id, \"z\" ,y");
        CHECK(d.column == 5);  // the quoted name, blanks around it left out
        CHECK(d.caret_length == 3);
        CHECK(mlec::exit_code(ds) == 3);
    }
    SECTION("a column more") {
        const std::string c = write("h-d.csv", "id,x,y,w\r\n7,8,9,1\r\n");
        Diagnostics ds;
        CHECK_FALSE(load_shards({a, c, b}, ds));
        REQUIRE(ds.size() == 1);
        CHECK(ds[0].file == c);
        CHECK(ds[0].message == "the header differs from that of " + a + " (4 columns here, 3 there)");
        CHECK(ds[0].source_line == "id,x,y,w");
        CHECK(ds[0].column == 8);
        CHECK(ds[0].caret_length == 1);
    }
    SECTION("a column fewer: the caret after the line") {
        const std::string c = write("h-e.csv", "id,x\n7,8\n");
        Diagnostics ds;
        CHECK_FALSE(load_shards({a, c}, ds));
        REQUIRE(ds.size() == 1);
        CHECK(ds[0].message == "the header differs from that of " + a + " (2 columns here, 3 there)");
        CHECK(ds[0].column == 5);
    }
    SECTION("the first error in file order: a missing file after a bad header") {
        const std::string c = write("h-f.csv", "id,y,x\n7,8,9\n");
        Diagnostics ds;
        CHECK_FALSE(load_shards({a, c, (work_dir() / "no-such.csv").string()}, ds));
        REQUIRE(ds.size() == 1);
        CHECK(ds[0].file == c);
        CHECK(ds[0].message == "the header differs from that of " + a + " (column 2 is 'y' here, 'x' there)");
    }
}

TEST_CASE("errors in a later shard name that shard, its line and its row") {
    const std::string header = "id,g,h,x,y,c\n";
    const std::string good = "1,g1,10,0.5,1,3\n2,g2,10,-0.5,0,1\n";
    const std::string a = write("e-a.csv", header + good);
    SECTION("a cell that is not a number") {
        const std::string b = write("e-b.csv", header + good + "3,g1,10,abc,1,2\n");
        Diagnostics ds;
        auto data = load_shards({a, b}, ds);
        REQUIRE(data);
        auto model = Model::from_text(logistic, "m.mle", ds);
        REQUIRE(model);
        CHECK_FALSE(Problem::bind(*model, *data, ds));
        REQUIRE(ds.size() == 1);
        CHECK(ds[0].file == b);
        CHECK(ds[0].line == 4);  // the header, two rows, then this one
        CHECK(ds[0].message == "row 3, column 'x': expected a number, found 'abc'");
        CHECK(ds[0].column == 9);
    }
    SECTION("an outcome outside its distribution's support") {
        const std::string b = write("e-c.csv", header + "3,g1,10,0.5,2,2\n" + good);
        Diagnostics ds;
        auto data = load_shards({a, b}, ds);
        REQUIRE(data);
        auto model = Model::from_text(logistic, "m.mle", ds);
        REQUIRE(model);
        CHECK_FALSE(Problem::bind(*model, *data, ds));
        REQUIRE(ds.size() == 1);
        CHECK(ds[0].file == b);
        CHECK(ds[0].line == 2);
        CHECK(ds[0].column == 13);
        CHECK(ds[0].message.rfind("row 1 of " + b + ", column 'y': ", 0) == 0);
        CHECK(ds[0].message.find("found 2") != std::string::npos);
    }
    SECTION("a missing group level") {
        const std::string b = write("e-d.csv", header + good + "3,,10,0.5,1,2\n");
        Diagnostics ds;
        auto data = load_shards({a, b}, ds);
        REQUIRE(data);
        auto model = Model::from_text(logistic, "m.mle", ds);
        REQUIRE(model);
        CHECK_FALSE(Problem::bind(*model, *data, ds));
        REQUIRE(ds.size() == 1);
        CHECK(ds[0].file == b);
        CHECK(ds[0].line == 4);
        CHECK(ds[0].message == "row 3, column 'g': missing value");
    }
    SECTION("a shard without rows") {
        const std::string b = write("e-e.csv", header);
        Diagnostics ds;
        auto data = load_shards({a, b}, ds);
        REQUIRE(data);
        auto model = Model::from_text(logistic, "m.mle", ds);
        REQUIRE(model);
        CHECK_FALSE(Problem::bind(*model, *data, ds));
        REQUIRE(ds.size() == 1);
        CHECK(ds[0].file == b);
        CHECK(ds[0].message == "no data rows after the header");
    }
    SECTION("a missing file") {
        Diagnostics ds;
        CHECK_FALSE(load_shards({a, (work_dir() / "e-none.csv").string()}, ds));
        REQUIRE(ds.size() == 1);
        CHECK(ds[0].file == (work_dir() / "e-none.csv").string());
        CHECK(mlec::exit_code(ds) == 1);
    }
    SECTION("no file") {
        Diagnostics ds;
        CHECK_FALSE(load_shards({}, ds));
        REQUIRE(ds.size() == 1);
        CHECK(ds[0].message == "no data files");
    }
}

TEST_CASE("predicting on shards names the shard of a row with an unknown level") {
    Diagnostics ds;
    auto data = Data::from_csv_file(files().whole, ds);
    REQUIRE(data);
    auto model = Model::from_text(logistic, "m.mle", ds);
    REQUIRE(model);
    auto problem = Problem::bind(*model, *data, ds);
    REQUIRE(problem);
    const mlec::FitResult result = mlec::fit(*problem);
    const std::string header = "id,g,h,x,y,c\n";
    const std::string a = write("p-a.csv", header + "1,g1,10,0.5,1,3\n");
    const std::string b = write("p-b.csv", header + "2,g2,10,0.5,1,3\n3,g9,10,0.5,1,3\n");
    auto newdata = load_shards({a, b}, ds);
    REQUIRE(newdata);
    CHECK_FALSE(mlec::predict_csv(*problem, result, *newdata, ds));
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].file == b);
    CHECK(ds[0].line == 3);
    CHECK(ds[0].message == "row 2 of " + b + ", column 'g': level 'g9' was not in the data the model was fitted to");
    // Rows that are all known: one prediction per row of both shards.
    const std::string c = write("p-c.csv", header + "2,g2,10,0.5,1,3\n3,g3,40,-1,0,3\n");
    Diagnostics ok;
    auto known = load_shards({a, c}, ok);
    REQUIRE(known);
    auto csv = mlec::predict_csv(*problem, result, *known, ok);
    INFO(mlec::format(ok));
    REQUIRE(csv);
    CHECK(std::count(csv->begin(), csv->end(), '\n') == 4);  // the header and three rows
}

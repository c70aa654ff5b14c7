// Distributed fits without MPI: K threads play K ranks through an in-process
// rt::Collective (support/thread_collective), so the code of a distributed
// fit (problem/distributed, Problem::bind on a part of a file, the evaluator's
// RowShare and exact sums over ranks, the fit's collective steps, simulate's
// per-row streams) runs in every build, the sanitizer builds included.
//
// The independent source is the single machine: every rank reads its part of
// the CSV text as mlec/distributed.hpp's Cluster::load_csv does, and binds
// and fits with the ordinary API; the NLL, gradient and Hessian (compared
// bit for bit), the JSON report (17 significant digits), simulated outcomes
// and every diagnostic must equal what one Problem over the whole text gives.
//
// A rank's Data: Data's constructor is private (a friend of Cluster alone,
// which needs MPI). Every Data owns a non-const Impl (Data::from_csv_text
// makes it with make_unique<Impl>), so the test makes one from the header
// and sets its Impl's table to this rank's part and its collective through
// a const_cast; that is defined behaviour because the Impl object itself is
// not const, and it works in the MPI build too.
#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "data/csv.hpp"
#include "mlec/mlec.hpp"
#include "problem/distributed.hpp"
#include "problem/impl.hpp"
#include "support/thread_collective.hpp"

namespace {

using mlec::Data;
using mlec::Diagnostic;
using mlec::Diagnostics;
using mlec::Model;
using mlec::Problem;
namespace rt = mlec::rt;
namespace data = mlec::data;
using mlec::test::run_ranks;

const std::vector<int> rank_counts{1, 2, 3, 4, 7};
constexpr std::size_t block = rt::default_block_rows;

bool same_bits(double a, double b) { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); }

bool same_bits(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
    if (a.rows() != b.rows() || a.cols() != b.cols()) return false;
    for (Eigen::Index i = 0; i < a.size(); ++i)
        if (!same_bits(a.data()[i], b.data()[i])) return false;
    return true;
}

// ---------------------------------------------------------------------------
// The data: cells as text, so a test can spoil one before joining them.

struct Table {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;

    std::string text() const {
        std::string out;
        for (std::size_t k = 0; k < header.size(); ++k) out += (k ? "," : "") + header[k];
        out += "\n";
        for (const auto& row : rows) {
            for (std::size_t k = 0; k < row.size(); ++k) {
                if (k) out += ",";
                out += row[k];
            }
            out += "\n";
        }
        return out;
    }
    std::string& cell(std::size_t row, const std::string& column) {
        const auto k = static_cast<std::size_t>(std::find(header.begin(), header.end(), column) - header.begin());
        return rows.at(row).at(k);
    }
};

// SplitMix64 (Steele, Lea and Flood 2014): the same data on every platform.
class Stream {
public:
    explicit Stream(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    double normal() {  // Box-Muller
        const double u = uniform() + 0x1.0p-54, v = uniform();
        return std::sqrt(-2 * std::log(u)) * std::cos(6.283185307179586 * v);
    }

private:
    std::uint64_t state_;
};

std::string fixed(double v) {
    char s[40];
    std::snprintf(s, sizeof s, "%.6f", v);
    return s;
}

// `rows` rows. Text group g: levels "south" and "west" alone in the first
// quarter, "islands" only in the last tenth (so first appearance must mean
// the whole file's order); every 13th quoted. Integer group h: level 40
// only in the last quarter. x3: every 47th cell missing (NA or empty) when
// `missing`. x4: positive.
Table make_table(std::size_t rows, bool missing) {
    Stream s(20240611);
    const std::vector<std::string> g_names{"north", "south", "east", "west", "centre", "islands"};
    const double g_effect[] = {-0.6, 0.2, 0.5, -0.1, 0.9, -0.4};
    Table t;
    t.header = {"id", "g", "h", "x1", "x2", "x3", "x4", "yb", "yc", "yn"};
    for (std::size_t r = 0; r < rows; ++r) {
        std::size_t g = s.next() % 5;
        if (r < rows / 4 && g != 1 && g != 3) g = 1 + 2 * (s.next() % 2);
        if (r >= rows * 9 / 10 && s.next() % 4 == 0) g = 5;
        int h = 10 * (1 + static_cast<int>(s.next() % 4));
        if (r < rows * 3 / 4 && h == 40) h = 20;
        const double x1 = s.normal(), x2 = s.normal(), x3 = s.normal(), x4 = 0.5 + 1.5 * s.uniform();
        const double eta = g_effect[g] + 0.8 * x1 - 0.5 * x2;
        const int yb = s.uniform() < 1 / (1 + std::exp(-eta)) ? 1 : 0;
        const double mean = std::exp(0.2 + 0.3 * x1 + 0.01 * h);  // Poisson by Knuth's product method
        int yc = 0;
        for (double p = s.uniform(); p > std::exp(-mean); p *= s.uniform()) ++yc;
        const double yn = 1 + 2 * x1 - 0.7 * x3 + 1.5 * s.normal();
        std::string gs = r % 13 == 5 ? "\"" + g_names[g] + "\"" : g_names[g];
        std::string x3s = missing && r % 47 == 11 ? (r % 2 ? "NA" : "") : fixed(x3);
        t.rows.push_back({std::to_string(r + 1), gs, std::to_string(h), fixed(x1), fixed(x2), x3s, fixed(x4),
                          std::to_string(yb), std::to_string(yc), fixed(yn)});
    }
    return t;
}

// ---------------------------------------------------------------------------
// A rank's part of the text, read as Cluster::load_csv reads its part of a
// file (api/cluster.cpp).

std::optional<Data> load_part(rt::Collective& c, const std::string& text, const std::string& name,
                              Diagnostics& diagnostics) {
    Diagnostics local;
    auto csv = data::CsvFile::from_text_part(
        text, name, data::CsvPart{static_cast<std::size_t>(c.rank()), static_cast<std::size_t>(c.size())}, local);
    if (!mlec::problem::agree(&c, csv != nullptr, local, diagnostics)) return std::nullopt;
    const std::size_t before = mlec::problem::place_part(c, *csv);
    Diagnostics header_only;
    auto data = Data::from_csv_text(text.substr(0, text.find('\n') + 1), name, header_only);
    if (!data) throw std::runtime_error("the header alone does not load: " + mlec::format(header_only));
    // (see the top of the file)
    auto& impl = const_cast<Data::Impl&>(data->impl());
    impl.table = mlec::data::csv_table(std::move(csv), before);
    impl.collective = mlec::test::borrowed(c);
    return data;
}

// ---------------------------------------------------------------------------
// What a fit gives, the same way on one machine and on every rank.

struct Scenario {
    std::string model;
    mlec::BindOptions bind;
    bool fit = true;
    mlec::FitOptions fit_options;
    bool simulate = false;
};

struct Values {
    double nll = 0;
    double nll_alone = 0;  // nll() without derivatives
    Eigen::VectorXd gradient;
    Eigen::MatrixXd hessian;
};

struct Outcome {
    Diagnostics diagnostics;  // of loading and binding
    bool bound = false;
    std::size_t local_rows = 0;  // this rank's rows after aligning
    std::size_t first_row = 0;   // their first among all rows
    bool shared = false;         // the problem sums over ranks
    std::size_t observations = 0;
    std::size_t rows_dropped = 0;
    std::vector<Values> values;
    std::string json;
    std::string simulated;  // on ranks: this rank's rows (rank 0 with the header)
    Diagnostics simulate_diagnostics;
};

void examine(const Model& model, const Data& data, const Scenario& s, Outcome& out) {
    auto problem = Problem::bind(model, data, out.diagnostics, s.bind);
    if (!problem) return;
    out.bound = true;
    out.local_rows = problem->impl().rows;
    out.first_row = problem->impl().first_row;
    out.shared = problem->impl().collective != nullptr;
    out.observations = problem->observations();
    out.rows_dropped = problem->rows_dropped();
    // The start and shifts of it, the same on every rank.
    std::vector<Eigen::VectorXd> points{problem->start()};
    for (int k = 1; k <= 3; ++k) {
        Eigen::VectorXd t = problem->start();
        for (Eigen::Index i = 0; i < t.size(); ++i) t[i] += 0.1 * k * static_cast<double>((i % 3) - 1);
        points.push_back(t);
    }
    for (const Eigen::VectorXd& t : points) {
        Values v;
        v.nll = problem->nll_gradient_hessian(t, v.gradient, v.hessian);
        v.nll_alone = problem->nll(t);
        out.values.push_back(std::move(v));
    }
    if (!s.fit) return;
    const mlec::FitResult fit = mlec::fit(*problem, s.fit_options);
    out.json = mlec::json_report(fit);
    if (s.simulate)
        if (auto text = mlec::simulate_csv(*problem, fit, 3, out.simulate_diagnostics)) out.simulated = *text;
}

Outcome alone(const std::string& text, const Scenario& s) {
    Outcome out;
    auto model = Model::from_text(s.model, "model.mle", out.diagnostics);
    if (!model) throw std::runtime_error("the test's model does not parse: " + mlec::format(out.diagnostics));
    auto data = Data::from_csv_text(text, "data.csv", out.diagnostics);
    if (data) examine(*model, *data, s, out);
    return out;
}

std::vector<Outcome> distributed(const std::string& text, const Scenario& s, int ranks) {
    std::vector<Outcome> out(static_cast<std::size_t>(ranks));
    run_ranks(ranks, [&](rt::Collective& c) {
        Outcome& mine = out[static_cast<std::size_t>(c.rank())];
        // Every rank parses the model itself, as Cluster::load_model's
        // other ranks do.
        auto model = Model::from_text(s.model, "model.mle", mine.diagnostics);
        if (!model) throw std::runtime_error("the test's model does not parse");
        auto data = load_part(c, text, "data.csv", mine.diagnostics);
        if (data) examine(*model, *data, s, mine);
    });
    return out;
}

void check_same(const Diagnostics& a, const Diagnostics& b) {
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        INFO(mlec::format(a[i]) << "\nagainst\n" << mlec::format(b[i]));
        CHECK(a[i].message == b[i].message);
        CHECK(a[i].file == b[i].file);
        CHECK(a[i].line == b[i].line);
        CHECK(a[i].column == b[i].column);
        CHECK(a[i].caret_length == b[i].caret_length);
        CHECK(a[i].source_line == b[i].source_line);
        CHECK(a[i].category == b[i].category);
        CHECK(a[i].severity == b[i].severity);
    }
}

// Every rank's outcome against the single machine's.
void check_same(const Outcome& one, const std::vector<Outcome>& ranks) {
    std::string simulated;
    std::size_t next_row = 0;
    for (std::size_t r = 0; r < ranks.size(); ++r) {
        INFO("rank " << r << " of " << ranks.size());
        const Outcome& o = ranks[r];
        check_same(one.diagnostics, o.diagnostics);
        REQUIRE(one.bound == o.bound);
        // Really distributed: each rank evaluates its own rows, which
        // together are all the rows, in order.
        CHECK(o.shared == o.bound);
        CHECK(o.first_row == next_row);
        next_row += o.local_rows;
        CHECK(one.observations == o.observations);
        CHECK(one.rows_dropped == o.rows_dropped);
        REQUIRE(one.values.size() == o.values.size());
        for (std::size_t p = 0; p < one.values.size(); ++p) {
            INFO("point " << p);
            CHECK(same_bits(one.values[p].nll, o.values[p].nll));
            CHECK(same_bits(one.values[p].nll_alone, o.values[p].nll_alone));
            CHECK(same_bits(one.values[p].gradient, o.values[p].gradient));
            CHECK(same_bits(one.values[p].hessian, o.values[p].hessian));
        }
        CHECK(one.json == o.json);
        check_same(one.simulate_diagnostics, o.simulate_diagnostics);
        simulated += o.simulated;
    }
    if (one.bound) CHECK(next_row == one.observations);
    // Each rank simulates its own rows; in rank order they are the file's.
    CHECK(one.simulated == simulated);
}

const char* const logistic_groups =
    "# One intercept per text level of g (levels in order of first appearance).\n"
    "param a[g]\n"
    "yb ~ bernoulli(sigmoid(a[g] + b1*x1 + b2*x2))\n";

const char* const poisson_levels =
    "# One effect per integer level of h.\n"
    "param e[h]\n"
    "yc ~ poisson(exp(b*x1 + e[h]))\n";

// A normal penalty on each intercept, once per level of g: levels spread
// over every rank, one ("islands") seen only on the last; the data the term
// uses (h) is the same on every row of a level only where a test says so.
const char* const penalized_groups =
    "param a[g]\n"
    "yb ~ bernoulli(sigmoid(a[g] + b1*x1 + b2*x2))\n"
    "target += normal_lpdf(a[g] | 0, 1.5) per g\n";

const char* const normal_x3 =
    "param sigma > 0\n"
    "yn ~ normal(c + d*x1 + f*x3, sigma)\n";

}  // namespace

// ---------------------------------------------------------------------------

TEST_CASE("the thread collective exchanges as the MPI one does") {
    for (int k : rank_counts) {
        INFO(k << " ranks");
        std::vector<std::vector<std::int64_t>> sums(static_cast<std::size_t>(k));
        std::vector<std::vector<std::string>> gathered(sums.size()), received(sums.size());
        std::vector<std::string> broadcasted(sums.size());
        run_ranks(k, [&](rt::Collective& c) {
            const auto r = static_cast<std::size_t>(c.rank());
            std::vector<std::int64_t> words{c.rank() + 1, -3 * c.rank(), std::int64_t{1} << 40};
            c.sum(words);
            sums[r] = words;
            gathered[r] = c.all_gather(std::string(r, 'x'));
            broadcasted[r] = c.rank() == k - 1 ? "root" : "other";
            c.broadcast(broadcasted[r], k - 1);
            std::vector<std::string> send;
            for (int to = 0; to < c.size(); ++to) send.push_back(std::to_string(c.rank()) + ">" + std::to_string(to));
            received[r] = c.all_to_all(send);
        });
        const std::int64_t n = k;
        for (std::size_t r = 0; r < sums.size(); ++r) {
            CHECK(sums[r] == std::vector<std::int64_t>{n * (n + 1) / 2, -3 * n * (n - 1) / 2, n << 40});
            REQUIRE(gathered[r].size() == sums.size());
            for (std::size_t j = 0; j < gathered[r].size(); ++j) CHECK(gathered[r][j] == std::string(j, 'x'));
            CHECK(broadcasted[r] == "root");
            REQUIRE(received[r].size() == sums.size());
            for (std::size_t j = 0; j < received[r].size(); ++j)
                CHECK(received[r][j] == std::to_string(j) + ">" + std::to_string(r));
        }
    }
}

TEST_CASE("ranks that make different calls, or fail, end every rank with the first error") {
    CHECK_THROWS_WITH(run_ranks(3,
                                [](rt::Collective& c) {
                                    std::vector<std::int64_t> w(c.rank() == 2 ? 2 : 1);
                                    c.sum(w);
                                }),
                      Catch::Contains("rank 0 made sum of 1 words, rank 2 sum of 2 words"));
    CHECK_THROWS_WITH(run_ranks(2,
                                [](rt::Collective& c) {
                                    if (c.rank() == 1) c.all_gather("late");
                                }),
                      Catch::Contains("rank 0 returned after 0 calls"));
    CHECK_THROWS_WITH(run_ranks(4,
                                [](rt::Collective& c) {
                                    if (c.rank() == 3) throw std::runtime_error("rank 3 broke");
                                    c.all_gather("waits for rank 3");
                                }),
                      "rank 3 broke");
}

TEST_CASE("first_failure gives every rank the lowest failing rank's diagnostics, intact") {
    std::vector<std::optional<Diagnostics>> got(6);
    // One element per rank thread: not vector<bool>, whose elements share
    // words (concurrent writes to neighbours race).
    std::vector<char> none(6, 0);
    run_ranks(6, [&](rt::Collective& c) {
        const auto r = static_cast<std::size_t>(c.rank());
        none[r] = mlec::problem::first_failure(c, nullptr).has_value() ? 0 : 1;
        Diagnostics mine{Diagnostic{.severity = mlec::Severity::error,
                                    .category = mlec::Category::data,
                                    .file = "f" + std::to_string(r),
                                    .line = c.rank() + 10,
                                    .column = -3,
                                    .message = "rank " + std::to_string(r) + " \xE2\x9C\x97",
                                    .source_line = std::string(r, '\0'),
                                    .caret_length = 7},
                         Diagnostic{}};
        got[r] = mlec::problem::first_failure(c, r == 2 || r == 4 ? &mine : nullptr);
    });
    for (std::size_t r = 0; r < got.size(); ++r) {
        INFO("rank " << r);
        CHECK(none[r] == 1);
        REQUIRE(got[r]);
        check_same(*got[r], Diagnostics{Diagnostic{.severity = mlec::Severity::error,
                                                   .category = mlec::Category::data,
                                                   .file = "f2",
                                                   .line = 12,
                                                   .column = -3,
                                                   .message = "rank 2 \xE2\x9C\x97",
                                                   .source_line = std::string(2, '\0'),
                                                   .caret_length = 7},
                                        Diagnostic{}});
    }
}

TEST_CASE("a distributed fit with text group levels first seen late equals one machine's, bit for bit") {
    const std::string text = make_table(10000, false).text();
    Scenario s;
    s.model = logistic_groups;
    s.bind.threads = 2;
    s.simulate = true;
    const Outcome one = alone(text, s);
    REQUIRE(one.bound);
    REQUIRE(one.observations == 10000);
    // The level seen only in the last tenth is a parameter.
    REQUIRE(one.json.find("\"a[islands]\"") != std::string::npos);
    REQUIRE(one.json.find("\"converged\": true") != std::string::npos);
    REQUIRE(one.simulated.size() > 10000);
    s.bind.threads = 1;
    for (int k : rank_counts) {
        INFO(k << " ranks");
        check_same(one, distributed(text, s, k));
    }
}

TEST_CASE("a distributed fit with integer group levels equals one machine's, bit for bit") {
    const std::string text = make_table(10000, false).text();
    Scenario s;
    s.model = poisson_levels;
    const Outcome one = alone(text, s);
    REQUIRE(one.bound);
    REQUIRE(one.json.find("\"e[40]\"") != std::string::npos);
    s.bind.threads = 1;
    for (int k : rank_counts) {
        INFO(k << " ranks");
        check_same(one, distributed(text, s, k));
    }
}

TEST_CASE("a group-level term counts each level once over all ranks, as on one machine, bit for bit") {
    const std::string text = make_table(10000, false).text();
    Scenario s;
    s.model = penalized_groups;
    s.simulate = true;
    const Outcome one = alone(text, s);
    REQUIRE(one.bound);
    REQUIRE(one.json.find("\"a[islands]\"") != std::string::npos);
    REQUIRE(one.json.find("\"converged\": true") != std::string::npos);
    s.bind.threads = 1;
    for (int k : rank_counts) {
        INFO(k << " ranks");
        check_same(one, distributed(text, s, k));
    }
}

TEST_CASE("data that vary within a level of a group-level term are reported on every rank as on one machine") {
    // h is constant within each level of g only when made so; then one row
    // on a late rank breaks it.
    Table t = make_table(10000, false);
    std::map<std::string, std::string> h_of;
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
        std::string g = t.cell(r, "g");
        if (g.front() == '"') g = g.substr(1, g.size() - 2);
        const auto [it, fresh] = h_of.emplace(g, t.cell(r, "h"));
        t.cell(r, "h") = it->second;
    }
    Scenario s;
    s.model = "param a[g]\nyb ~ bernoulli(sigmoid(a[g] + b1*x1))\ntarget += normal_lpdf(a[g] | 0.01 * h, 1.5) per g\n";
    s.fit = false;
    const Outcome constant = alone(t.text(), s);
    INFO(mlec::format(constant.diagnostics));
    REQUIRE(constant.bound);
    t.cell(9300, "h") = t.cell(9300, "h") == "10" ? "20" : "10";
    const std::string text = t.text();
    const Outcome one = alone(text, s);
    REQUIRE_FALSE(one.bound);
    REQUIRE(one.diagnostics.size() == 1);
    CHECK(one.diagnostics[0].message.find("row 9301, column 'h': 'h' varies within level") == 0);
    for (int k : rank_counts) {
        INFO(k << " ranks");
        check_same(one, distributed(text, s, k));
    }
}

TEST_CASE("a distributed fit dropping rows with a missing value equals one machine's") {
    const std::string text = make_table(10000, true).text();
    Scenario s;
    s.model = normal_x3;
    s.bind.drop_missing = true;
    const Outcome one = alone(text, s);
    REQUIRE(one.bound);
    // Rows 11, 58, ... (0-based r % 47 == 11): 213 of 10,000.
    REQUIRE(one.rows_dropped == (10000 - 11 + 46) / 47);
    REQUIRE(one.observations == 10000 - one.rows_dropped);
    s.bind.threads = 1;
    for (int k : rank_counts) {
        INFO(k << " ranks");
        check_same(one, distributed(text, s, k));
    }
}

TEST_CASE("bootstrap replicates drawn on several ranks equal one machine's") {
    const std::string text = make_table(10000, false).text();
    Scenario s;
    s.model = logistic_groups;
    s.fit_options.bootstrap = 2;
    s.fit_options.seed = 7;
    const Outcome one = alone(text, s);
    REQUIRE(one.json.find("\"bootstrap\": {\"replicates\": 2,") != std::string::npos);
    s.bind.threads = 1;
    for (int k : {2, 3}) {
        INFO(k << " ranks");
        check_same(one, distributed(text, s, k));
    }
}

TEST_CASE("a log-likelihood not finite at the start in a late row is reported as one machine reports it") {
    Table t = make_table(10000, false);
    t.cell(9700, "x4") = "0";  // log(0) = -inf in the mean of row 9701
    const std::string text = t.text();
    Scenario s;
    s.model = "param sigma > 0\nyn ~ normal(c + d*log(x4), sigma)\n";
    const Outcome one = alone(text, s);
    REQUIRE(one.bound);
    REQUIRE(one.json.find("row 9701 of data.csv") != std::string::npos);
    for (int k : rank_counts) {
        INFO(k << " ranks");
        check_same(one, distributed(text, s, k));
    }
}

TEST_CASE("separation is named as one machine names it") {
    Scenario s;
    SECTION("complete: the XOR table with interaction, repeated over 10,000 rows") {
        Table t;
        t.header = {"a", "b", "y"};
        const char* const xor_rows[4][3] = {{"0", "0", "0"}, {"0", "1", "1"}, {"1", "0", "1"}, {"1", "1", "0"}};
        for (std::size_t r = 0; r < 10000; ++r)
            t.rows.push_back({xor_rows[r % 4][0], xor_rows[r % 4][1], xor_rows[r % 4][2]});
        const std::string text = t.text();
        s.model = "y ~ bernoulli(sigmoid(w1*a + w2*b + w3*a*b + c))\n";
        const Outcome one = alone(text, s);
        REQUIRE(one.json.find("\"status\": \"diverged\"") != std::string::npos);
        REQUIRE(one.json.find("\"message\": \"complete separation in") != std::string::npos);
        for (int k : rank_counts) {
            INFO(k << " ranks");
            check_same(one, distributed(text, s, k));
        }
    }
    SECTION("quasi-complete, rows named: 60 rows, which all go to rank 0's one block") {
        // x <= 3 fails, x >= 3 succeeds (Albert and Anderson 1984), ten
        // times over: the other ranks take part with no rows.
        std::string text = "x,y\n";
        for (int i = 0; i < 10; ++i) text += "1,0\n2,0\n3,0\n3,1\n4,1\n5,1\n";
        s.model = "y ~ bernoulli(sigmoid(a + b*x))\n";
        const Outcome one = alone(text, s);
        REQUIRE(one.json.find("\"status\": \"diverged\"") != std::string::npos);
        REQUIRE(one.json.find("40 of 60 rows (1, 2, 5, 6, 7, 8, 11, 12, ...) lie strictly on their side") !=
                std::string::npos);
        for (int k : rank_counts) {
            INFO(k << " ranks");
            check_same(one, distributed(text, s, k));
        }
    }
}

TEST_CASE("data errors on late ranks are reported as one machine reports them") {
    const Table clean = make_table(10000, false);
    struct Case {
        const char* what;
        std::size_t row;
        const char* column;
        const char* value;
        const char* model;
        const char* expect;  // in the message
    };
    const std::vector<Case> cases{
        {"a bad number", 9500, "x1", "abc", logistic_groups, "expected a number, found 'abc'"},
        {"a bad bernoulli outcome", 8800, "yb", "2", logistic_groups, "row 8801"},
        {"a missing cell", 9900, "x3", "NA", normal_x3, "row 9901, column 'x3'"},
        {"an empty group level", 9000, "g", "", logistic_groups, "row 9001"},
        {"a negative count", 7777, "yc", "-1", poisson_levels, "row 7778"},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        Table t = clean;
        t.cell(c.row, c.column) = c.value;
        const std::string text = t.text();
        Scenario s;
        s.model = c.model;
        s.fit = false;
        const Outcome one = alone(text, s);
        REQUIRE_FALSE(one.bound);
        REQUIRE(one.diagnostics.size() == 1);
        CHECK_THAT(one.diagnostics[0].message, Catch::Contains(c.expect));
        for (int k : rank_counts) {
            INFO(k << " ranks");
            check_same(one, distributed(text, s, k));
        }
    }
    SECTION("a header with an empty name (every rank reads the header)") {
        std::string text = clean.text();
        text.replace(0, text.find(','), "");
        Scenario s;
        s.model = logistic_groups;
        const Outcome one = alone(text, s);
        REQUIRE(one.diagnostics.size() == 1);
        for (int k : rank_counts) {
            INFO(k << " ranks");
            check_same(one, distributed(text, s, k));
        }
    }
    SECTION("a file ending in the middle of a row") {
        std::string text = clean.text();
        text.resize(text.size() - 20);
        Scenario s;
        s.model = logistic_groups;
        s.fit = false;
        const Outcome one = alone(text, s);
        REQUIRE_FALSE(one.bound);
        for (int k : rank_counts) {
            INFO(k << " ranks");
            check_same(one, distributed(text, s, k));
        }
    }
}

TEST_CASE("align_rows moves fewer than a block per rank and starts every rank at a block boundary") {
    // Rows split unevenly, some ranks without any: each rank's column holds
    // its rows' numbers among all rows, so where every row went is visible.
    const std::vector<std::vector<std::size_t>> splits{
        {10000},        {4999, 5001}, {3000, 1, 6999}, {2047, 2049, 0, 5904}, {1500, 1500, 1400, 0, 1600, 2000, 2000},
        {100, 200, 300}};
    for (const std::vector<std::size_t>& split : splits) {
        const int k = static_cast<int>(split.size());
        std::size_t total = 0;
        for (std::size_t n : split) total += n;
        INFO(k << " ranks, " << total << " rows");
        struct Result {
            std::size_t first_before = 0, rows_before = 0, first_after = 0, rows_after = 0, total = 0;
            std::vector<double> a, b;
        };
        std::vector<Result> results(split.size());
        run_ranks(k, [&](rt::Collective& c) {
            const auto r = static_cast<std::size_t>(c.rank());
            Result& mine = results[r];
            std::size_t first = 0;
            for (std::size_t j = 0; j < r; ++j) first += split[j];
            // Column a in its own buffer with room (a parsed column), column
            // b a view of memory the caller owns.
            std::vector<std::vector<double>> storage(1);
            storage[0].reserve(split[r] + block);
            std::vector<double> caller;
            for (std::size_t i = 0; i < split[r]; ++i) {
                storage[0].push_back(static_cast<double>(first + i));
                caller.push_back(-static_cast<double>(first + i));
            }
            std::vector<std::span<const double>> columns{storage[0], caller};
            std::size_t rows = split[r], aligned_first = 0;
            const mlec::problem::RowCounts counts =
                mlec::problem::align_rows(c, columns, storage, rows, block, aligned_first);
            mine.first_before = counts.first_row;
            mine.rows_before = split[r];
            mine.total = counts.total_rows;
            mine.first_after = aligned_first;
            mine.rows_after = rows;
            mine.a.assign(columns[0].begin(), columns[0].end());
            mine.b.assign(columns[1].begin(), columns[1].end());
        });
        std::size_t next = 0;
        for (std::size_t r = 0; r < results.size(); ++r) {
            INFO("rank " << r);
            const Result& m = results[r];
            CHECK(m.total == total);
            CHECK(m.first_before ==
                  std::accumulate(split.begin(), split.begin() + static_cast<std::ptrdiff_t>(r), std::size_t{0}));
            // Block boundaries as one machine has them: total rows or 2,048,
            // whichever is fewer.
            const std::size_t b = std::min(block, total);
            if (m.rows_after > 0) CHECK(m.first_after % b == 0);
            // The ranks tile the rows in order.
            if (m.rows_after > 0) CHECK(m.first_after == next);
            next += m.rows_after;
            REQUIRE(m.a.size() == m.rows_after);
            REQUIRE(m.b.size() == m.rows_after);
            for (std::size_t i = 0; i < m.rows_after; ++i) {
                CHECK(m.a[i] == static_cast<double>(m.first_after + i));
                CHECK(m.b[i] == -static_cast<double>(m.first_after + i));
            }
            // Rows that moved: those held before and not after, and back.
            const std::size_t lo = std::max(m.first_before, m.first_after);
            const std::size_t hi = std::min(m.first_before + m.rows_before, m.first_after + m.rows_after);
            const std::size_t kept = hi > lo ? hi - lo : 0;
            CHECK(m.rows_before - kept < block);
            CHECK(m.rows_after - kept < block);
        }
        CHECK(next == total);
    }
}

TEST_CASE(
    "lags across ranks, within groups, equal one machine's, bit for bit: fit, simulate, bootstrap, first-row error") {
    // Groups interleaved over the whole file: a row's previous row of its
    // group may be on any earlier rank.
    const std::string text = make_table(9000, false).text();
    Scenario s;
    s.model =
        "param sigma > 0\n"
        "yn ~ normal(lag_exists(yn, 2, g) ? c + d*lag(yn, 1, g) + b*lag(x1, 2, g) : "
        "lag_exists(yn) ? c + f*lag(yn) : c, sigma)\n";
    // The lagged outcome is drawn row after row, rank after rank.
    s.simulate = true;
    s.fit_options.bootstrap = 3;
    const Outcome one = alone(text, s);
    REQUIRE(one.bound);
    CHECK(one.simulate_diagnostics.empty());
    CHECK(one.simulated.size() > 9000 * 5);
    CHECK_THAT(one.json, Catch::Contains("\"bootstrap\": {\"replicates\": 3"));
    for (int k : rank_counts) {
        INFO(k << " ranks");
        check_same(one, distributed(text, s, k));
    }
    // The first row of level 40 of h (after three quarters of the file)
    // uses its lag.
    s.model =
        "param sigma > 0\n"
        "yn ~ normal(lag_exists(yn, 1, h) || h == 40 ? c + d*lag(yn, 1, h) : c, sigma)\n";
    s.fit = false;
    s.simulate = false;
    const Outcome bad = alone(text, s);
    REQUIRE_FALSE(bad.bound);
    REQUIRE(bad.diagnostics.size() == 1);
    CHECK_THAT(bad.diagnostics[0].message, Catch::Contains("it is the first row in its group (h = 40)"));
    for (int k : rank_counts) {
        INFO(k << " ranks");
        check_same(bad, distributed(text, s, k));
    }
}

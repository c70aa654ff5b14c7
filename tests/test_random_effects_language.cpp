// The `random` statement (docs/language.md, "Random effects") as the
// checker lowers it: one graph effect per statement on its column's level
// numbers, u[g] as the node s * z, and, the independent check, the joint
// evaluator's NLL at (theta, z) equal to that of the same model written
// with group parameters `param u[g]` at u = s z, at random points.
#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "grammar/parse.hpp"
#include "interpreter/checked_model.hpp"
#include "runtime/evaluator.hpp"
#include "runtime/functions.hpp"

namespace {

namespace rt = mlec::rt;
namespace interp = mlec::interp;

constexpr int levels_g = 9;  // text levels "s1".."s9", in order of first appearance
constexpr int levels_h = 4;  // numbers 1..4

// y (counts), x, w, g and h, with the levels of g and h.
struct Data {
    std::vector<std::string> header{"y", "x", "w", "g", "h"};
    std::map<std::string, std::vector<double>> numbers;
    interp::Levels g, h;
    std::size_t rows = 0;
};

Data make_data(std::size_t rows) {
    std::mt19937 rng(5);
    std::normal_distribution<double> normal;
    std::uniform_int_distribution<int> pick_g(1, levels_g), pick_h(1, levels_h);
    std::poisson_distribution<int> count(3.0);
    Data d;
    d.rows = rows;
    std::map<int, int> code_of;  // drawn level -> code by first appearance
    for (std::size_t r = 0; r < rows; ++r) {
        d.numbers["y"].push_back(count(rng));
        d.numbers["x"].push_back(normal(rng));
        d.numbers["w"].push_back(1 + 0.5 * normal(rng));
        // The first rows visit every level, so each has rows.
        const int g = r < levels_g ? levels_g - static_cast<int>(r) : pick_g(rng);
        if (!code_of.count(g)) {
            code_of[g] = static_cast<int>(code_of.size()) + 1;
            d.g.names.push_back(std::string("s").append(std::to_string(g)));
        }
        d.g.codes.push_back(code_of[g]);
        const int h = r < levels_h ? static_cast<int>(r) + 1 : pick_h(rng);
        d.h.codes.push_back(h);
    }
    for (int k = 1; k <= levels_h; ++k) d.h.names.push_back(std::to_string(k));
    d.h.numeric = true;
    return d;
}

struct Checked {
    interp::CheckedModel model;
    std::vector<std::vector<double>> columns;  // the graph's data columns
};

Checked check(const std::string& text, const Data& d) {
    const mlec::SourceText source("m.mle", text);
    const mlec::ParseResult parsed = mlec::parse_model(source);
    INFO(mlec::format(parsed.diagnostics));
    REQUIRE(parsed.model);
    const interp::LevelsSource levels = [&d](int csv_index, mlec::Diagnostics&) -> std::optional<interp::Levels> {
        return d.header[static_cast<std::size_t>(csv_index)] == "g" ? d.g : d.h;
    };
    interp::CheckResult checked = interp::check_model(source, *parsed.model, d.header, "d.csv", levels);
    INFO(mlec::format(checked.diagnostics));
    REQUIRE(checked.model);
    Checked out{std::move(*checked.model), {}};
    for (const interp::ColumnInfo& c : out.model.columns)
        out.columns.push_back(c.categorical ? c.codes : d.numbers.at(c.name));
    return out;
}

double nll(const Checked& c, const Eigen::VectorXd& theta, const Eigen::VectorXd& z, std::size_t rows) {
    std::vector<std::span<const double>> spans;
    for (const auto& column : c.columns) spans.emplace_back(column.data(), column.size());
    rt::Evaluator evaluator(c.model.graph, spans, rows, 64, 1, {}, rt::Coordinates::parameters_and_effects);
    evaluator.set_effects(z);
    return evaluator.nll(theta);
}

// theta from the parameters' values on the user's scale, by name.
Eigen::VectorXd theta_of(const interp::CheckedModel& m, const std::map<std::string, double>& values) {
    Eigen::VectorXd theta(static_cast<Eigen::Index>(m.parameters.size()));
    for (std::size_t i = 0; i < m.parameters.size(); ++i) {
        const interp::ParameterInfo& p = m.parameters[i];
        INFO(p.name);
        REQUIRE(values.count(p.name));
        theta[static_cast<Eigen::Index>(i)] = p.bounds.to_unconstrained(values.at(p.name));
    }
    return theta;
}

const interp::RandomEffect& find(const interp::CheckedModel& m, const std::string& name) {
    for (const interp::RandomEffect& r : m.random_effects)
        if (r.name == name) return r;
    FAIL("no random effect " << name);
    return m.random_effects.front();
}

const char* random_model =
    "param sa > 0, sb > 0, sv > 0\n"
    "random a[g] ~ normal(0, sa)\n"
    "random b[g] ~ normal(0, sb)\n"
    "random v[h] ~ normal(0, sv)\n"
    "y ~ poisson(exp(m + a[g] + b[g] * x + v[h]))\n"
    "w ~ normal(c + a[g], exp(ls + 0.5 * v[h]))\n";

// The same likelihood with the effects as group parameters.
const char* group_model =
    "param a[g], b[g], v[h]\n"
    "y ~ poisson(exp(m + a[g] + b[g] * x + v[h]))\n"
    "w ~ normal(c + a[g], exp(ls + 0.5 * v[h]))\n";

}  // namespace

TEST_CASE("each random statement makes its own effect on its column's level numbers") {
    const Data d = make_data(200);
    const Checked c = check(random_model, d);
    const rt::Graph& graph = c.model.graph;
    REQUIRE(graph.effects().size() == 3);
    REQUIRE(c.model.random_effects.size() == 3);
    CHECK(graph.effect_size() == 2 * levels_g + levels_h);
    const std::map<std::string, std::pair<std::string, int>> expected{
        {"a", {"g", levels_g}}, {"b", {"g", levels_g}}, {"v", {"h", levels_h}}};
    std::set<int> effect_ids;
    for (const interp::RandomEffect& r : c.model.random_effects) {
        INFO(r.name);
        const auto& [column, levels] = expected.at(r.name);
        CHECK(r.column == column);
        effect_ids.insert(r.effect);
        const rt::Effect& effect = graph.effects().at(static_cast<std::size_t>(r.effect));
        CHECK(effect.levels == levels);
        // The index is the graph column of the level numbers of the column.
        const rt::Node& index = graph.node(effect.index);
        REQUIRE(index.kind == rt::NodeKind::data);
        const interp::ColumnInfo& info = c.model.columns.at(static_cast<std::size_t>(index.column));
        CHECK(info.name == column);
        CHECK(info.categorical);
        CHECK(r.level_names == (column == "g" ? d.g.names : d.h.names));
        const rt::Node& node = graph.node(r.effect_node);
        CHECK(node.kind == rt::NodeKind::effect);
        CHECK(node.effect == r.effect);
    }
    CHECK(effect_ids.size() == 3);  // never shared, not even by a and b on g
    // The effects are not parameters: theta is m, c, ls and the three sds.
    CHECK(graph.parameter_count() == 6);
    CHECK(c.model.parameters.size() == 6);
}

TEST_CASE("u[g] lowers to the node s * z of its effect") {
    const Data d = make_data(50);
    const Checked c = check(random_model, d);
    std::map<std::string, int> user_node;
    for (const interp::ParameterInfo& p : c.model.parameters) user_node[p.name] = p.user_node;
    const std::map<std::string, std::string> scale_of{{"a", "sa"}, {"b", "sb"}, {"v", "sv"}};
    for (const interp::RandomEffect& r : c.model.random_effects) {
        INFO(r.name);
        CHECK(r.scale_node == user_node.at(scale_of.at(r.name)));
        // Hash-consing returns the existing node for an identical request:
        // the product is in the graph already, and a term reaches it.
        rt::Graph copy = c.model.graph;
        const int product = copy.add_op(rt::op_mul(), {r.scale_node, r.effect_node});
        CHECK(product < static_cast<int>(c.model.graph.nodes().size()));
        CHECK(copy.nodes().size() == c.model.graph.nodes().size());
    }
}

TEST_CASE("the random effects' NLL equals the group parameters' at u = s z") {
    const Data d = make_data(300);
    const Checked random = check(random_model, d);
    const Checked group = check(group_model, d);
    REQUIRE(group.model.graph.effects().empty());
    std::mt19937 rng(17);
    std::normal_distribution<double> normal;
    std::uniform_real_distribution<double> scale(0.2, 1.5);
    for (int point = 0; point < 5; ++point) {
        INFO("point " << point);
        std::map<std::string, double> values{{"m", 0.3 + 0.2 * normal(rng)},
                                             {"c", normal(rng)},
                                             {"ls", 0.3 * normal(rng)},
                                             {"sa", scale(rng)},
                                             {"sb", scale(rng)},
                                             {"sv", scale(rng)}};
        std::map<std::string, double> group_values{{"m", values["m"]}, {"c", values["c"]}, {"ls", values["ls"]}};
        Eigen::VectorXd z(random.model.graph.effect_size());
        for (const interp::RandomEffect& r : random.model.random_effects) {
            const rt::Effect& effect = random.model.graph.effects()[static_cast<std::size_t>(r.effect)];
            const double s = values.at(std::string("s").append(r.name));
            for (int k = 0; k < effect.levels; ++k) {
                const double u = s * normal(rng);
                z[effect.first + k] = u / s;
                group_values[r.name + "[" + r.level_names[static_cast<std::size_t>(k)] + "]"] = u;
            }
        }
        const double expected = nll(group, theta_of(group.model, group_values), Eigen::VectorXd(), d.rows);
        const double actual = nll(random, theta_of(random.model, values), z, d.rows);
        REQUIRE(std::isfinite(expected));
        CHECK(actual == Approx(expected).epsilon(1e-12));
    }
}

TEST_CASE("a random effect's level names and scale are recorded for reports") {
    const Data d = make_data(40);
    const Checked c = check("random u[h] ~ normal(0, exp(ls))\ny ~ poisson(exp(m + u[h]))\n", d);
    const interp::RandomEffect& u = find(c.model, "u");
    CHECK(u.column == "h");
    CHECK(u.level_names == std::vector<std::string>{"1", "2", "3", "4"});
    // The scale is exp(ls), a node of parameters only.
    const rt::Node& scale = c.model.graph.node(u.scale_node);
    CHECK(scale.row_invariant);
    CHECK(scale.deps.size() == 1);
    CHECK(scale.effects.empty());
}

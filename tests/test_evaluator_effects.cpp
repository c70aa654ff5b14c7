// The evaluator's joint sweep in (theta, z) — the random effects' gradient,
// H_zz on its sparse pattern and H_z,theta — against an independent route:
// the same likelihood with every level of every effect written as a
// parameter picked by `select` (how group parameters are built), whose dense
// gradient and Hessian come from the ordinary sweeps. The model has crossed
// effects (g and h), an intercept and a slope on the same grouping column,
// an effect inside a scale (non-linear in z) and a term without effects.
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <random>
#include <set>

#include "runtime/distributions.hpp"
#include "runtime/evaluator.hpp"
#include "runtime/functions.hpp"
#include "runtime/select.hpp"

namespace {

using mlec::rt::Graph;

constexpr int groups_g = 12;
constexpr int groups_h = 5;
constexpr int parameters = 7;  // b0, b1, sg, ss, sh, c0, ls

struct Data {
    std::vector<std::vector<double>> columns;  // y, x, g, h, w
    std::size_t rows = 0;
};

Data make_data(std::size_t rows) {
    std::mt19937 rng(11);
    std::normal_distribution<double> normal;
    std::uniform_int_distribution<int> g(1, groups_g), h(1, groups_h);
    std::poisson_distribution<int> count(2.0);
    Data d;
    d.rows = rows;
    d.columns.assign(5, {});
    for (std::size_t r = 0; r < rows; ++r) {
        d.columns[0].push_back(count(rng));
        d.columns[1].push_back(normal(rng));
        // Level 7 of g never appears: its coordinate is read by no row.
        int level = g(rng);
        if (level == 7) level = 8;
        d.columns[2].push_back(level);
        d.columns[3].push_back(h(rng));
        d.columns[4].push_back(1.0 + 0.5 * normal(rng));
    }
    return d;
}

// The model, with `effect(index column node, levels, which)` giving the node
// of an effect's value on each row.
void build(Graph& graph, const std::function<int(int, int, int)>& effect) {
    using namespace mlec::rt;
    const int y = graph.add_data(0), x = graph.add_data(1), g = graph.add_data(2), h = graph.add_data(3),
              w = graph.add_data(4);
    std::vector<int> p;
    for (int k = 0; k < parameters; ++k) p.push_back(graph.add_parameter(k));
    const int zg = effect(g, groups_g, 0);
    const int zs = effect(g, groups_g, 1);
    const int zh = effect(h, groups_h, 2);
    const int eta = graph.add_op(op_sum_of_products(), {p[0], graph.add_constant(1), p[1], x, p[2], zg,
                                                        graph.add_op(op_mul(), {p[3], zs}), x, p[4], zh});
    const int rate = graph.add_op(*find_function("exp"), {eta});
    graph.add_term(graph.add_op(find_distribution("poisson")->op, {y, rate}));
    // w ~ normal(c0 + zg, exp(ls + 0.3 * zh * zs)): effects in the scale.
    const int mu = graph.add_op(op_add(), {p[5], zg});
    const int scale = graph.add_op(
        *find_function("exp"),
        {graph.add_op(op_add(),
                      {p[6], graph.add_op(op_mul(), {graph.add_constant(0.3), graph.add_op(op_mul(), {zh, zs})})})});
    graph.add_term(graph.add_op(find_distribution("normal")->op, {w, mu, scale}));
    // A term without effects.
    graph.add_term(graph.add_op(find_distribution("normal")->op, {x, p[1], graph.add_constant(2.0)}));
}

std::vector<std::span<const double>> spans(const Data& d) {
    std::vector<std::span<const double>> out;
    for (const auto& c : d.columns) out.emplace_back(c.data(), c.size());
    return out;
}

// The effect graph, and the select graph whose parameters are theta then z.
struct Graphs {
    Graph effects, selects;
    Graphs() {
        build(effects, [&](int index, int levels, int) { return effects.add_effect(index, levels); });
        int next = parameters;
        build(selects, [&](int index, int levels, int) {
            std::vector<int> in{index};
            for (int l = 0; l < levels; ++l) in.push_back(selects.add_parameter(next++));
            return selects.add_op(mlec::rt::op_select(), in);
        });
    }
};

const int q = 2 * groups_g + groups_h;

Eigen::VectorXd random_vector(int n, unsigned seed, double scale) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> normal(0.0, scale);
    Eigen::VectorXd v(n);
    for (int i = 0; i < n; ++i) v[i] = normal(rng);
    return v;
}

bool close(double a, double b) { return std::abs(a - b) <= 1e-12 * std::max({1.0, std::abs(a), std::abs(b)}); }

}  // namespace

TEST_CASE("the joint sweep in (theta, z) equals the dense sweep with the effects as parameters") {
    const Data data = make_data(300);
    Graphs graphs;
    REQUIRE(graphs.effects.effect_size() == q);
    REQUIRE(graphs.selects.parameter_count() == parameters + q);
    for (unsigned seed = 1; seed <= 5; ++seed) {
        const Eigen::VectorXd theta = random_vector(parameters, seed, 0.3);
        const Eigen::VectorXd z = random_vector(q, 100 + seed, 1.0);
        mlec::rt::Evaluator joint(graphs.effects, spans(data), data.rows, 64, 1, {},
                                  mlec::rt::Coordinates::parameters_and_effects);
        joint.set_effects(z);
        Eigen::VectorXd gradient;
        mlec::rt::EffectDerivatives d;
        const double f = joint.nll_effects(theta, gradient, d, true);

        mlec::rt::Evaluator dense(graphs.selects, spans(data), data.rows, 64);
        Eigen::VectorXd all(parameters + q);
        all << theta, z;
        Eigen::VectorXd g;
        Eigen::MatrixXd h;
        const double f_dense = dense.nll_gradient_hessian(all, g, h);
        INFO("seed " << seed);
        CHECK(close(f, f_dense));
        for (int a = 0; a < parameters; ++a) CHECK(close(gradient[a], g[a]));
        for (int i = 0; i < q; ++i) CHECK(close(d.gradient_z[i], g[parameters + i]));
        for (int i = 0; i < q; ++i)
            for (int a = 0; a < parameters; ++a) CHECK(close(d.ztheta(i, a), h(parameters + i, a)));
        // H_zz: on the pattern, the dense entries; off it, exact zeros.
        const auto& pattern = joint.effect_pattern();
        Eigen::MatrixXd zz = Eigen::MatrixXd::Zero(q, q);
        for (int j = 0; j < q; ++j)
            for (int k = pattern.col_start[static_cast<std::size_t>(j)];
                 k < pattern.col_start[static_cast<std::size_t>(j) + 1]; ++k)
                zz(pattern.row[static_cast<std::size_t>(k)], j) = d.zz[static_cast<std::size_t>(k)];
        for (int j = 0; j < q; ++j)
            for (int i = j; i < q; ++i) CHECK(close(zz(i, j), h(parameters + i, parameters + j)));
    }
}

TEST_CASE("the pattern of H_zz holds the diagonal and exactly the pairs some row reads") {
    const Data data = make_data(300);
    Graphs graphs;
    mlec::rt::Evaluator joint(graphs.effects, spans(data), data.rows, 64, 1, {},
                              mlec::rt::Coordinates::parameters_and_effects);
    const auto& pattern = joint.effect_pattern();
    std::set<std::pair<int, int>> expected;
    for (int i = 0; i < q; ++i) expected.emplace(i, i);
    for (std::size_t r = 0; r < data.rows; ++r) {
        const int g = static_cast<int>(data.columns[2][r]) - 1, h = static_cast<int>(data.columns[3][r]) - 1;
        const int zg = g, zs = groups_g + g, zh = 2 * groups_g + h;
        expected.emplace(zs, zg);
        expected.emplace(zh, zg);
        expected.emplace(zh, zs);
    }
    std::set<std::pair<int, int>> got;
    for (int j = 0; j < q; ++j) {
        const int begin = pattern.col_start[static_cast<std::size_t>(j)],
                  end = pattern.col_start[static_cast<std::size_t>(j) + 1];
        CHECK(pattern.row[static_cast<std::size_t>(begin)] == j);  // the diagonal first
        for (int k = begin; k < end; ++k) got.emplace(pattern.row[static_cast<std::size_t>(k)], j);
    }
    CHECK(got == expected);
}

TEST_CASE("the joint sweep gives the same bits for every thread count") {
    const Data data = make_data(1000);
    Graphs graphs;
    const Eigen::VectorXd theta = random_vector(parameters, 3, 0.3);
    const Eigen::VectorXd z = random_vector(q, 4, 1.0);
    auto run = [&](std::size_t block_rows, int threads) {
        mlec::rt::Evaluator joint(graphs.effects, spans(data), data.rows, block_rows, threads, {},
                                  mlec::rt::Coordinates::parameters_and_effects);
        joint.set_effects(z);
        Eigen::VectorXd gradient;
        mlec::rt::EffectDerivatives d;
        joint.nll_effects(theta, gradient, d, true);
        return d;
    };
    const auto one = run(64, 1);
    for (int threads : {2, 3, 4}) {
        // Each row's entries are computed within its block and added in row
        // order: the threads do not change a bit.
        const auto other = run(64, threads);
        CHECK(other.gradient_z == one.gradient_z);
        CHECK(other.zz == one.zz);
        CHECK(other.ztheta == one.ztheta);
    }
    // Other blocks round differently (a row in a vectorized loop's body or
    // its tail), within rounding.
    const auto other = run(100, 2);
    for (std::size_t k = 0; k < one.zz.size(); ++k) CHECK(close(other.zz[k], one.zz[k]));
}

TEST_CASE("the joint sweep's Hessian in theta alone is NaN, never a zero matrix a caller could trust") {
    const Data data = make_data(100);
    Graphs graphs;
    mlec::rt::Evaluator joint(graphs.effects, spans(data), data.rows, 64, 1, {},
                              mlec::rt::Coordinates::parameters_and_effects);
    Eigen::VectorXd g;
    Eigen::MatrixXd h;
    const double f = joint.nll_gradient_hessian(random_vector(parameters, 1, 0.3), g, h);
    CHECK(std::isfinite(f));
    CHECK(g.allFinite());
    REQUIRE(h.rows() == parameters);
    CHECK(h.array().isNaN().all());
}

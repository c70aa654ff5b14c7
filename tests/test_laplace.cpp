// The Laplace approximation's value L(theta) (inference/laplace):
// - exact for a linear mixed model: against the closed-form marginal
//   likelihood, y ~ N(X b, sigma^2 I + sg^2 Zg Zg' + sh^2 Zh Zh'), with
//   crossed effects, at many theta;
// - for a Poisson model with crossed effects, against the same
//   approximation computed densely and independently here: the effects as
//   select-picked parameters, the dense Hessian of the ordinary sweep, a
//   plain Newton iteration and a dense Cholesky;
// - the same bits for every thread count;
// - its exact gradient (implicit differentiation with the ops' third
//   partials) against central differences of the value, for both models;
// - the selected inverse and log det H against dense linear algebra.
#include <catch2/catch.hpp>

#include <Eigen/Dense>
#include <cmath>
#include <functional>
#include <random>

#include "runtime/distributions.hpp"
#include "runtime/evaluator.hpp"
#include "runtime/functions.hpp"
#include "runtime/laplace.hpp"
#include "runtime/select.hpp"

namespace {

using mlec::rt::Graph;

constexpr int groups_g = 9;
constexpr int groups_h = 4;
constexpr int q = groups_g + groups_h;

struct Data {
    std::vector<std::vector<double>> columns;  // y, x, g, h
    std::size_t rows = 0;
    std::vector<std::span<const double>> spans() const {
        std::vector<std::span<const double>> out;
        for (const auto& c : columns) out.emplace_back(c.data(), c.size());
        return out;
    }
};

Data make_data(std::size_t rows, bool counts) {
    std::mt19937 rng(5);
    std::normal_distribution<double> normal;
    std::uniform_int_distribution<int> g(1, groups_g), h(1, groups_h);
    std::vector<double> ug(groups_g), uh(groups_h);
    for (double& u : ug) u = 0.7 * normal(rng);
    for (double& u : uh) u = 0.4 * normal(rng);
    Data d;
    d.rows = rows;
    d.columns.assign(4, {});
    for (std::size_t r = 0; r < rows; ++r) {
        const double x = normal(rng);
        const int lg = g(rng), lh = h(rng);
        const double eta = 0.5 + 0.3 * x + ug[static_cast<std::size_t>(lg - 1)] + uh[static_cast<std::size_t>(lh - 1)];
        double y = eta + 0.5 * normal(rng);
        if (counts) y = std::poisson_distribution<int>(std::exp(eta))(rng);
        d.columns[0].push_back(y);
        d.columns[1].push_back(x);
        d.columns[2].push_back(lg);
        d.columns[3].push_back(lh);
    }
    return d;
}

// theta = (b0, b1, sg, sh[, log sigma]); effect(index, levels) gives an
// effect's node. Normal: y ~ normal(eta, exp(log sigma)); counts:
// y ~ poisson(exp(eta)); eta = b0 + b1 x + sg zg + sh zh.
void build(Graph& graph, bool counts, const std::function<int(int, int)>& effect) {
    using namespace mlec::rt;
    const int y = graph.add_data(0), x = graph.add_data(1), g = graph.add_data(2), h = graph.add_data(3);
    std::vector<int> p;
    for (int k = 0; k < (counts ? 4 : 5); ++k) p.push_back(graph.add_parameter(k));
    const int zg = effect(g, groups_g);
    const int zh = effect(h, groups_h);
    const int eta = graph.add_op(op_sum_of_products(), {p[0], graph.add_constant(1), p[1], x, p[2], zg, p[3], zh});
    if (counts)
        graph.add_term(graph.add_op(find_distribution("poisson")->op, {y, graph.add_op(*find_function("exp"), {eta})}));
    else
        graph.add_term(
            graph.add_op(find_distribution("normal")->op, {y, eta, graph.add_op(*find_function("exp"), {p[4]})}));
}

Graph effect_graph(bool counts) {
    Graph graph;
    build(graph, counts, [&](int index, int levels) { return graph.add_effect(index, levels); });
    return graph;
}

double laplace_value(const Graph& graph, const Data& data, const Eigen::VectorXd& theta, int threads = 1) {
    mlec::rt::Evaluator evaluator(graph, data.spans(), data.rows, 64, threads, {},
                                  mlec::rt::Coordinates::parameters_and_effects);
    mlec::rt::Laplace laplace(evaluator);
    const double v = laplace.value(theta);
    REQUIRE(laplace.inner_status() == mlec::rt::InnerStatus::converged);
    return v;
}

// -log N(y; X b, V) with V = sigma^2 I + sg^2 Zg Zg' + sh^2 Zh Zh'.
double marginal_nll(const Data& d, const Eigen::VectorXd& theta) {
    const auto n = static_cast<Eigen::Index>(d.rows);
    const double sigma = std::exp(theta[4]);
    Eigen::MatrixXd v = sigma * sigma * Eigen::MatrixXd::Identity(n, n);
    Eigen::VectorXd r(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        const auto ui = static_cast<std::size_t>(i);
        r[i] = d.columns[0][ui] - theta[0] - theta[1] * d.columns[1][ui];
        for (Eigen::Index j = 0; j < n; ++j) {
            const auto uj = static_cast<std::size_t>(j);
            if (d.columns[2][ui] == d.columns[2][uj]) v(i, j) += theta[2] * theta[2];
            if (d.columns[3][ui] == d.columns[3][uj]) v(i, j) += theta[3] * theta[3];
        }
    }
    const Eigen::LLT<Eigen::MatrixXd> llt(v);
    REQUIRE(llt.info() == Eigen::Success);
    const Eigen::MatrixXd l = llt.matrixL();
    const double log_det = 2 * l.diagonal().array().log().sum();
    return 0.5 * (static_cast<double>(n) * std::log(2 * M_PI) + log_det + r.dot(llt.solve(r)));
}

Eigen::VectorXd random_theta(int n, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> normal(0.0, 0.5);
    Eigen::VectorXd v(n);
    for (int i = 0; i < n; ++i) v[i] = normal(rng);
    return v;
}

bool close(double a, double b, double tol) { return std::abs(a - b) <= tol * std::max(1.0, std::abs(b)); }

}  // namespace

TEST_CASE("the Laplace approximation is the exact marginal likelihood of a linear mixed model") {
    const Data data = make_data(120, false);
    const Graph graph = effect_graph(false);
    for (unsigned seed = 1; seed <= 12; ++seed) {
        Eigen::VectorXd theta = random_theta(5, seed);
        if (seed == 12) theta[2] = theta[3] = 0;  // both scales at 0: the effects drop out
        INFO("theta " << theta.transpose());
        CHECK(close(laplace_value(graph, data, theta), marginal_nll(data, theta), 1e-11));
    }
}

TEST_CASE("the Laplace approximation of a Poisson model with crossed effects equals a dense computation") {
    const Data data = make_data(150, true);
    const Graph graph = effect_graph(true);
    Graph dense_graph;
    int next = 4;
    build(dense_graph, true, [&](int index, int levels) {
        std::vector<int> in{index};
        for (int l = 0; l < levels; ++l) in.push_back(dense_graph.add_parameter(next++));
        return dense_graph.add_op(mlec::rt::op_select(), in);
    });
    for (unsigned seed = 1; seed <= 6; ++seed) {
        const Eigen::VectorXd theta = random_theta(4, 20 + seed);
        // Newton on F(z) = NLL(theta, z) + z'z/2 with the dense Hessian.
        mlec::rt::Evaluator dense(dense_graph, data.spans(), data.rows, 64);
        Eigen::VectorXd all = Eigen::VectorXd::Zero(4 + q);
        all.head(4) = theta;
        Eigen::VectorXd g;
        Eigen::MatrixXd h;
        double f = 0;
        Eigen::MatrixXd hz;
        for (int it = 0; it < 60; ++it) {
            f = dense.nll_gradient_hessian(all, g, h);
            hz = h.bottomRightCorner(q, q) + Eigen::MatrixXd::Identity(q, q);
            const Eigen::VectorXd gz = g.tail(q) + all.tail(q);
            all.tail(q) -= hz.llt().solve(gz);
        }
        f = dense.nll_gradient_hessian(all, g, h) + 0.5 * all.tail(q).squaredNorm();
        hz = h.bottomRightCorner(q, q) + Eigen::MatrixXd::Identity(q, q);
        const Eigen::MatrixXd l = hz.llt().matrixL();
        const double expected = f + l.diagonal().array().log().sum();
        INFO("theta " << theta.transpose());
        CHECK(close(laplace_value(graph, data, theta), expected, 1e-11));
    }
}

TEST_CASE("the Laplace approximation gives the same bits for every thread count") {
    const Data data = make_data(3000, true);
    const Graph graph = effect_graph(true);
    const Eigen::VectorXd theta = random_theta(4, 3);
    const double one = laplace_value(graph, data, theta, 1);
    for (int threads : {2, 3}) CHECK(laplace_value(graph, data, theta, threads) == one);
}

namespace {

// Central differences of L(theta), each from a converged inner solve.
Eigen::VectorXd difference_gradient(const Graph& graph, const Data& data, const Eigen::VectorXd& theta) {
    Eigen::VectorXd g(theta.size());
    for (Eigen::Index a = 0; a < theta.size(); ++a) {
        const double h = 1e-5 * std::max(1.0, std::abs(theta[a]));
        Eigen::VectorXd up = theta, down = theta;
        up[a] += h;
        down[a] -= h;
        g[a] = (laplace_value(graph, data, up) - laplace_value(graph, data, down)) / (2 * h);
    }
    return g;
}

Eigen::VectorXd laplace_gradient(const Graph& graph, const Data& data, const Eigen::VectorXd& theta) {
    mlec::rt::Evaluator evaluator(graph, data.spans(), data.rows, 64, 1, {},
                                  mlec::rt::Coordinates::parameters_and_effects);
    mlec::rt::Laplace laplace(evaluator);
    REQUIRE(laplace.third_partials_missing().empty());
    Eigen::VectorXd g;
    const double v = laplace.value_gradient(theta, g);
    REQUIRE(std::isfinite(v));
    CHECK(v == laplace_value(graph, data, theta));
    return g;
}

}  // namespace

TEST_CASE("the exact gradient of the Laplace approximation matches differences of its value") {
    for (bool counts : {false, true}) {
        const Data data = make_data(150, counts);
        const Graph graph = effect_graph(counts);
        for (unsigned seed = 1; seed <= 4; ++seed) {
            const Eigen::VectorXd theta = random_theta(counts ? 4 : 5, 40 + seed);
            const Eigen::VectorXd exact = laplace_gradient(graph, data, theta);
            const Eigen::VectorXd differences = difference_gradient(graph, data, theta);
            INFO((counts ? "poisson" : "normal") << " theta " << theta.transpose() << "\nexact " << exact.transpose()
                                                 << "\ndifferences " << differences.transpose());
            for (Eigen::Index a = 0; a < theta.size(); ++a)
                CHECK(std::abs(exact[a] - differences[a]) <= 1e-6 * std::max(1.0, std::abs(differences[a])));
        }
    }
}

TEST_CASE("the selected inverse equals the dense inverse on H's pattern") {
    const Data data = make_data(150, true);
    const Graph graph = effect_graph(true);
    mlec::rt::Evaluator evaluator(graph, data.spans(), data.rows, 64, 1, {},
                                  mlec::rt::Coordinates::parameters_and_effects);
    evaluator.set_effects(random_theta(q, 9));
    Eigen::VectorXd g;
    mlec::rt::EffectDerivatives d;
    evaluator.nll_effects(random_theta(4, 8), g, d, true);
    const auto& pattern = evaluator.effect_pattern();
    mlec::rt::EffectFactor factor(pattern);
    REQUIRE(factor.factor(d.zz));
    Eigen::MatrixXd h = Eigen::MatrixXd::Identity(q, q);
    for (int j = 0; j < q; ++j)
        for (int k = pattern.col_start[static_cast<std::size_t>(j)];
             k < pattern.col_start[static_cast<std::size_t>(j) + 1]; ++k) {
            const int i = pattern.row[static_cast<std::size_t>(k)];
            h(i, j) += d.zz[static_cast<std::size_t>(k)];
            if (i != j) h(j, i) += d.zz[static_cast<std::size_t>(k)];
        }
    const Eigen::MatrixXd inverse = h.inverse();
    const std::vector<double> selected = factor.selected_inverse();
    for (int j = 0; j < q; ++j)
        for (int k = pattern.col_start[static_cast<std::size_t>(j)];
             k < pattern.col_start[static_cast<std::size_t>(j) + 1]; ++k)
            CHECK(close(selected[static_cast<std::size_t>(k)], inverse(pattern.row[static_cast<std::size_t>(k)], j),
                        1e-12));
    // log det H from the factor.
    const Eigen::MatrixXd l = h.llt().matrixL();
    CHECK(close(factor.log_determinant(), 2 * l.diagonal().array().log().sum(), 1e-12));
}

TEST_CASE("the trace gradient depends only on its theta, z and P, not on the sweep before it") {
    // The normal model: its sigma = exp(log sigma) is a row-invariant op,
    // whose tangent the sweep must compute at its own theta.
    const Data data = make_data(150, false);
    const Graph graph = effect_graph(false);
    const Eigen::VectorXd theta = random_theta(5, 61), other = random_theta(5, 62), z = random_theta(q, 63);
    auto trace = [&](const Eigen::VectorXd* before) {
        mlec::rt::Evaluator evaluator(graph, data.spans(), data.rows, 64, 1, {},
                                      mlec::rt::Coordinates::parameters_and_effects);
        evaluator.set_effects(z);
        Eigen::VectorXd g, gz;
        mlec::rt::EffectDerivatives d;
        if (before) evaluator.nll_effects(*before, g, d, true);
        const std::vector<double> p(evaluator.effect_pattern().row.size(), 0.1);
        evaluator.trace_gradient(theta, p, g, gz);
        return std::make_pair(g, gz);
    };
    const auto same = trace(&theta);
    const auto moved = trace(&other);
    const auto first = trace(nullptr);  // the first sweep of a new evaluator
    CHECK(moved.first == same.first);
    CHECK(moved.second == same.second);
    CHECK(first.first == same.first);
    CHECK(first.second == same.second);
}

TEST_CASE("a sweep without H_z,theta gives the same gradient and H_zz bits, and leaves H_z,theta to the next") {
    // The inner Newton steps before the last skip H_z,theta's per-row
    // buffers; a later sweep with it must not read what they left.
    const Data data = make_data(150, true);
    const Graph graph = effect_graph(true);
    const Eigen::VectorXd theta = random_theta(4, 71), other = random_theta(4, 72), z = random_theta(q, 73);
    const auto sweep = [&](mlec::rt::Evaluator& evaluator, const Eigen::VectorXd& at, bool cross) {
        Eigen::VectorXd g;
        mlec::rt::EffectDerivatives d;
        evaluator.nll_effects(at, g, d, true, cross);
        return std::make_pair(g, d);
    };
    mlec::rt::Evaluator full(graph, data.spans(), data.rows, 64, 1, {}, mlec::rt::Coordinates::parameters_and_effects);
    mlec::rt::Evaluator inner(graph, data.spans(), data.rows, 64, 1, {}, mlec::rt::Coordinates::parameters_and_effects);
    full.set_effects(z);
    inner.set_effects(z);
    const auto [g, d] = sweep(full, theta, true);
    REQUIRE(d.ztheta.allFinite());
    sweep(inner, other, true);  // buffers filled at another theta, then partly skipped
    const auto [g_inner, d_inner] = sweep(inner, theta, false);
    CHECK(g_inner == g);
    CHECK(d_inner.gradient_z == d.gradient_z);
    CHECK(d_inner.zz == d.zz);
    CHECK(d_inner.ztheta.array().isNaN().all());
    const auto [g_last, d_last] = sweep(inner, theta, true);
    CHECK(d_last.ztheta == d.ztheta);
    CHECK(d_last.zz == d.zz);
}

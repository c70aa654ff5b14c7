// Adaptive Gauss-Hermite quadrature (runtime/adaptive_quadrature):
// - the Gauss-Hermite rule integrates x^(2j) exp(-x^2) exactly (Gamma(j+1/2))
//   for every degree below 2K;
// - K = 1 is the Laplace approximation (runtime/laplace), value and gradient;
// - any K is exact for a linear mixed model (closed-form marginal);
// - K = 40 equals the marginal likelihood integrated here level by level
//   with Boost's adaptive Gauss-Kronrod rule over the whole line, from the
//   model's formula written out (bernoulli, binomial, Poisson);
// - the exact gradient against Richardson differences of the value
//   (K = 1, 3, 7, 25; the three families);
// - the same with a random slope beside the intercept (two effects per
//   level, the tensor rule, the Cholesky factor's derivative), K = 40
//   against a nested 2-D Gauss-Kronrod integral (K = 20 is 3e-6 off for
//   the Poisson model, K = 30 5e-8, K = 40 5e-9);
// - the evaluator's per-row split (nll_rows) and row-scaled sweep
//   (nll_effects_scaled) that the quadrature is built on;
// - the same bits for every thread count.
#include <catch2/catch.hpp>

#include <Eigen/Dense>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <cmath>
#include <random>

#include "runtime/adaptive_quadrature.hpp"
#include "runtime/distributions.hpp"
#include "runtime/functions.hpp"
#include "runtime/gauss_hermite.hpp"
#include "runtime/laplace.hpp"

namespace {

using mlec::rt::Graph;

enum class Family { normal, bernoulli, binomial, poisson };

const char* family_name(Family f) {
    switch (f) {
        case Family::normal: return "normal";
        case Family::bernoulli: return "bernoulli";
        case Family::binomial: return "binomial";
        case Family::poisson: return "poisson";
    }
    return "";
}

constexpr int groups = 12;

struct Data {
    std::vector<std::vector<double>> columns;  // y, x, g, n
    std::size_t rows = 0;
    std::vector<std::span<const double>> spans() const {
        std::vector<std::span<const double>> out;
        for (const auto& c : columns) out.emplace_back(c.data(), c.size());
        return out;
    }
};

// 2 to `most` rows per level: few rows, so the integrand is far from normal.
Data make_data(Family family, int most, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> normal;
    std::uniform_int_distribution<int> count(2, most), size(1, 8);
    Data d;
    d.columns.assign(4, {});
    for (int level = 1; level <= groups; ++level) {
        const double u = 0.9 * normal(rng);
        for (int k = count(rng); k > 0; --k) {
            const double x = normal(rng);
            const double eta = -0.3 + 0.6 * x + u;
            const double p = 1 / (1 + std::exp(-eta));
            const int n = family == Family::binomial ? size(rng) : 1;
            double y = 0;
            switch (family) {
                case Family::normal: y = eta + 0.7 * normal(rng); break;
                case Family::bernoulli:
                case Family::binomial: y = std::binomial_distribution<int>(n, p)(rng); break;
                case Family::poisson: y = std::poisson_distribution<int>(std::exp(eta))(rng); break;
            }
            d.columns[0].push_back(y);
            d.columns[1].push_back(x);
            d.columns[2].push_back(level);
            d.columns[3].push_back(n);
        }
    }
    d.rows = d.columns[0].size();
    return d;
}

// theta = (b0, b1, s[, t][, log sigma]); eta = b0 + b1 x + s z[g], and with
// a random slope (two effects per level) + t x z2[g].
Graph make_graph(Family family, bool slope = false) {
    using namespace mlec::rt;
    Graph graph;
    const int y = graph.add_data(0), x = graph.add_data(1), g = graph.add_data(2), n = graph.add_data(3);
    std::vector<int> p;
    for (int k = 0; k < 3 + (slope ? 1 : 0) + (family == Family::normal ? 1 : 0); ++k)
        p.push_back(graph.add_parameter(k));
    const int z = graph.add_effect(g, groups);
    std::vector<int> terms = {p[0], graph.add_constant(1), p[1], x, p[2], z};
    if (slope) {
        const int z2 = graph.add_effect(g, groups);
        terms.push_back(p[3]);
        terms.push_back(graph.add_op(op_mul(), {x, z2}));
    }
    const int eta = graph.add_op(op_sum_of_products(), terms);
    const auto op = [&](const char* name) -> const OpDef& { return find_distribution(name)->op; };
    switch (family) {
        case Family::normal:
            graph.add_term(graph.add_op(op("normal"), {y, eta, graph.add_op(*find_function("exp"), {p.back()})}));
            break;
        case Family::bernoulli: graph.add_term(graph.add_op(op("bernoulli_logit"), {y, eta})); break;
        case Family::binomial:
            graph.add_term(graph.add_op(op("binomial"), {y, n, graph.add_op(*find_function("sigmoid"), {eta})}));
            break;
        case Family::poisson:
            graph.add_term(graph.add_op(op("poisson"), {y, graph.add_op(*find_function("exp"), {eta})}));
            break;
    }
    return graph;
}

// The row's NLL, from the densities' formulas (z2: the slope's effect,
// with theta[3] its scale, or 0 without one).
double row_nll(Family family, const Data& d, std::size_t r, const Eigen::VectorXd& theta, double z, double z2 = 0) {
    const double y = d.columns[0][r], n = d.columns[3][r], x = d.columns[1][r];
    const double eta = theta[0] + theta[1] * x + theta[2] * z + (z2 != 0 ? theta[3] * x * z2 : 0.0);
    switch (family) {
        case Family::normal: {
            const double sigma = std::exp(theta[theta.size() - 1]);
            return 0.5 * std::log(2 * M_PI) + std::log(sigma) + 0.5 * std::pow((y - eta) / sigma, 2);
        }
        case Family::bernoulli: return std::log1p(std::exp(eta)) - y * eta;
        case Family::binomial:
            return -(std::lgamma(n + 1) - std::lgamma(y + 1) - std::lgamma(n - y + 1)) - y * eta +
                   n * std::log1p(std::exp(eta));
        case Family::poisson: return std::exp(eta) - y * eta + std::lgamma(y + 1);
    }
    return 0;
}

// -log integral exp(-F_i(z)) (2 pi)^(-1/2) dz, summed over the levels: each
// integral by adaptive Gauss-Kronrod (61 points) over the whole line, the
// integrand scaled by its value at the mode (a golden-section search).
double integrated_nll(Family family, const Data& d, const Eigen::VectorXd& theta) {
    double total = 0;
    for (int level = 1; level <= groups; ++level) {
        const auto f = [&](double z) {
            double sum = 0.5 * z * z;
            for (std::size_t r = 0; r < d.rows; ++r)
                if (d.columns[2][r] == level) sum += row_nll(family, d, r, theta, z);
            return sum;
        };
        double lo = -20, hi = 20;
        for (int it = 0; it < 200; ++it) {
            const double a = lo + 0.382 * (hi - lo), b = hi - 0.382 * (hi - lo);
            if (f(a) < f(b)) hi = b;
            else lo = a;
        }
        const double top = f(0.5 * (lo + hi));
        const double integral = boost::math::quadrature::gauss_kronrod<double, 61>::integrate(
            [&](double z) { return std::exp(top - f(z)); }, -std::numeric_limits<double>::infinity(),
            std::numeric_limits<double>::infinity(), 15, 1e-14);
        total += top - std::log(integral / std::sqrt(2 * M_PI));
    }
    return total;
}

// -log N(y; X b, sigma^2 I + s^2 1 1' [+ t^2 x x']), level by level.
double normal_marginal(const Data& d, const Eigen::VectorXd& theta, bool slope = false) {
    double total = 0;
    for (int level = 1; level <= groups; ++level) {
        std::vector<std::size_t> rows;
        for (std::size_t r = 0; r < d.rows; ++r)
            if (d.columns[2][r] == level) rows.push_back(r);
        const auto n = static_cast<Eigen::Index>(rows.size());
        Eigen::MatrixXd v = Eigen::MatrixXd::Constant(n, n, theta[2] * theta[2]);
        v.diagonal().array() += std::exp(2 * theta[theta.size() - 1]);
        Eigen::VectorXd e(n), x(n);
        for (Eigen::Index i = 0; i < n; ++i) {
            const std::size_t r = rows[static_cast<std::size_t>(i)];
            e[i] = d.columns[0][r] - theta[0] - theta[1] * d.columns[1][r];
            x[i] = d.columns[1][r];
        }
        if (slope) v += theta[3] * theta[3] * x * x.transpose();
        const Eigen::LLT<Eigen::MatrixXd> llt(v);
        const Eigen::MatrixXd l = llt.matrixL();
        total += 0.5 * (static_cast<double>(n) * std::log(2 * M_PI) + 2 * l.diagonal().array().log().sum() +
                        e.dot(llt.solve(e)));
    }
    return total;
}

struct Fixture {
    Fixture(const Graph& graph, const Data& data, int nodes, int threads = 1)
        : evaluator(graph, data.spans(), data.rows, 16, threads, {}, mlec::rt::Coordinates::parameters_and_effects),
          laplace(evaluator), quadrature(graph, evaluator, laplace, nodes) {}
    mlec::rt::Evaluator evaluator;
    mlec::rt::Laplace laplace;
    mlec::rt::AdaptiveQuadrature quadrature;
};

double quadrature_value(const Graph& graph, const Data& data, int nodes, const Eigen::VectorXd& theta) {
    Fixture f(graph, data, nodes);
    const double v = f.quadrature.value(theta);
    REQUIRE(std::isfinite(v));
    return v;
}

Eigen::VectorXd theta_for(Family family, unsigned seed, bool slope = false) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> normal(0.0, 0.4);
    Eigen::VectorXd theta(3 + (slope ? 1 : 0) + (family == Family::normal ? 1 : 0));
    theta.head(3) << -0.3 + normal(rng), 0.6 + normal(rng), 0.9 + normal(rng);
    if (slope) theta[3] = 0.5 + normal(rng);
    if (family == Family::normal) theta[theta.size() - 1] = std::log(0.7) + normal(rng);
    return theta;
}

bool close(double a, double b, double tol) { return std::abs(a - b) <= tol * std::max(1.0, std::abs(b)); }

}  // namespace

TEST_CASE("the Gauss-Hermite rule integrates x^2j exp(-x^2) exactly below degree 2K") {
    for (int k : {1, 2, 3, 7, 25, 40}) {
        const mlec::rt::GaussHermiteRule rule = mlec::rt::gauss_hermite(k);
        REQUIRE(rule.nodes.size() == static_cast<std::size_t>(k));
        for (int j = 0; 2 * j < 2 * k; ++j) {
            double sum = 0;
            for (int i = 0; i < k; ++i)
                sum += rule.weights[static_cast<std::size_t>(i)] *
                       std::pow(rule.nodes[static_cast<std::size_t>(i)], 2 * j);
            // integral x^(2j) exp(-x^2) dx = Gamma(j + 1/2)
            INFO("K " << k << " degree " << 2 * j);
            CHECK(close(sum, std::tgamma(j + 0.5), 1e-12 * std::max(1.0, std::pow(2.0, j / 4.0))));
        }
        for (int i = 0; i < k; ++i) CHECK(rule.weights[static_cast<std::size_t>(i)] > 0);
    }
}

TEST_CASE("adaptive quadrature with one node is the Laplace approximation, value and gradient") {
    for (Family family : {Family::bernoulli, Family::binomial, Family::poisson}) {
        const Data data = make_data(family, 5, 3);
        const Graph graph = make_graph(family);
        for (unsigned seed = 1; seed <= 4; ++seed) {
            const Eigen::VectorXd theta = theta_for(family, seed);
            INFO(family_name(family) << " theta " << theta.transpose());
            Fixture f(graph, data, 1);
            Eigen::VectorXd g_quadrature, g_laplace;
            const double quadrature = f.quadrature.value_gradient(theta, g_quadrature);
            const double laplace = f.laplace.value_gradient(theta, g_laplace);
            // (the same numbers summed level by level instead of in one sweep)
            CHECK(close(quadrature, laplace, 1e-13));
            for (Eigen::Index a = 0; a < theta.size(); ++a) CHECK(std::abs(g_quadrature[a] - g_laplace[a]) <= 1e-10);
        }
    }
}

TEST_CASE("adaptive quadrature is exact for a linear mixed model at any number of nodes") {
    const Data data = make_data(Family::normal, 6, 4);
    const Graph graph = make_graph(Family::normal);
    for (int nodes : {1, 2, 5, 12}) {
        for (unsigned seed = 1; seed <= 3; ++seed) {
            const Eigen::VectorXd theta = theta_for(Family::normal, seed);
            INFO("K " << nodes << " theta " << theta.transpose());
            CHECK(close(quadrature_value(graph, data, nodes, theta), normal_marginal(data, theta), 1e-12));
        }
    }
}

TEST_CASE("adaptive quadrature with 40 nodes equals the marginal likelihood integrated level by level") {
    for (Family family : {Family::bernoulli, Family::binomial, Family::poisson}) {
        const Data data = make_data(family, 4, 7);
        const Graph graph = make_graph(family);
        for (unsigned seed = 1; seed <= 3; ++seed) {
            const Eigen::VectorXd theta = theta_for(family, 10 + seed);
            const double integrated = integrated_nll(family, data, theta);
            const double quadrature = quadrature_value(graph, data, 40, theta);
            INFO(family_name(family) << " theta " << theta.transpose() << " quadrature " << quadrature << " integrated "
                                     << integrated << " Laplace " << quadrature_value(graph, data, 1, theta));
            CHECK(std::abs(quadrature - integrated) <= 1e-8);
        }
    }
}

TEST_CASE("the exact gradient of adaptive quadrature matches Richardson differences of its value") {
    for (Family family : {Family::bernoulli, Family::binomial, Family::poisson}) {
        const Data data = make_data(family, 5, 11);
        const Graph graph = make_graph(family);
        for (int nodes : {1, 3, 7, 25}) {
            for (unsigned seed = 1; seed <= 2; ++seed) {
                const Eigen::VectorXd theta = theta_for(family, 20 + seed);
                Fixture f(graph, data, nodes);
                Eigen::VectorXd exact;
                const double v = f.quadrature.value_gradient(theta, exact);
                REQUIRE(std::isfinite(v));
                CHECK(v == quadrature_value(graph, data, nodes, theta));  // (a fresh inner solve)
                // Richardson: (4 D(h/2) - D(h)) / 3, D the central difference.
                Eigen::VectorXd differences(theta.size());
                for (Eigen::Index a = 0; a < theta.size(); ++a) {
                    const auto central = [&](double h) {
                        Eigen::VectorXd up = theta, down = theta;
                        up[a] += h;
                        down[a] -= h;
                        return (f.quadrature.value(up) - f.quadrature.value(down)) / (2 * h);
                    };
                    const double h = 1e-3;
                    differences[a] = (4 * central(h / 2) - central(h)) / 3;
                }
                INFO(family_name(family) << " K " << nodes << " theta " << theta.transpose() << "\nexact "
                                         << exact.transpose() << "\ndifferences " << differences.transpose());
                for (Eigen::Index a = 0; a < theta.size(); ++a)
                    CHECK(std::abs(exact[a] - differences[a]) <= 1e-7 * std::max(1.0, std::abs(differences[a])));
            }
        }
    }
}

TEST_CASE("with a random slope (two effects per level) one node is Laplace and any K is exact for a linear model") {
    for (Family family : {Family::bernoulli, Family::poisson}) {
        const Data data = make_data(family, 6, 13);
        const Graph graph = make_graph(family, true);
        for (unsigned seed = 1; seed <= 3; ++seed) {
            const Eigen::VectorXd theta = theta_for(family, seed, true);
            INFO(family_name(family) << " theta " << theta.transpose());
            Fixture f(graph, data, 1);
            Eigen::VectorXd g_quadrature, g_laplace;
            const double quadrature = f.quadrature.value_gradient(theta, g_quadrature);
            const double laplace = f.laplace.value_gradient(theta, g_laplace);
            CHECK(close(quadrature, laplace, 1e-13));
            for (Eigen::Index a = 0; a < theta.size(); ++a) CHECK(std::abs(g_quadrature[a] - g_laplace[a]) <= 1e-10);
        }
    }
    const Data data = make_data(Family::normal, 6, 14);
    const Graph graph = make_graph(Family::normal, true);
    for (int nodes : {1, 2, 5}) {
        for (unsigned seed = 1; seed <= 3; ++seed) {
            const Eigen::VectorXd theta = theta_for(Family::normal, seed, true);
            INFO("K " << nodes << " theta " << theta.transpose());
            CHECK(close(quadrature_value(graph, data, nodes, theta), normal_marginal(data, theta, true), 1e-12));
        }
    }
}

TEST_CASE("with a random slope, 40 nodes per dimension equal the marginal likelihood integrated in 2-D") {
    for (Family family : {Family::bernoulli, Family::poisson}) {
        const Data data = make_data(family, 4, 15);
        const Graph graph = make_graph(family, true);
        const Eigen::VectorXd theta = theta_for(family, 30, true);
        double integrated = 0;
        for (int level = 1; level <= groups; ++level) {
            const auto f = [&](double z, double z2) {
                double sum = 0.5 * (z * z + z2 * z2);
                for (std::size_t r = 0; r < data.rows; ++r)
                    if (data.columns[2][r] == level) sum += row_nll(family, data, r, theta, z, z2);
                return sum;
            };
            double top = std::numeric_limits<double>::infinity();
            for (double a = -8; a <= 8; a += 0.1)
                for (double b = -8; b <= 8; b += 0.1) top = std::min(top, f(a, b));
            const double inf = std::numeric_limits<double>::infinity();
            using rule = boost::math::quadrature::gauss_kronrod<double, 31>;
            const double integral = rule::integrate(
                [&](double z) {
                    return rule::integrate([&](double z2) { return std::exp(top - f(z, z2)); }, -inf, inf, 12, 1e-13);
                },
                -inf, inf, 12, 1e-13);
            integrated += top - std::log(integral / (2 * M_PI));
        }
        const double quadrature = quadrature_value(graph, data, 40, theta);
        INFO(family_name(family) << " quadrature " << quadrature << " integrated " << integrated);
        CHECK(std::abs(quadrature - integrated) <= 1e-8);
    }
}

TEST_CASE("with a random slope, the exact gradient matches Richardson differences of the value") {
    for (Family family : {Family::bernoulli, Family::binomial, Family::poisson}) {
        const Data data = make_data(family, 5, 17);
        const Graph graph = make_graph(family, true);
        for (int nodes : {1, 3, 6}) {
            const Eigen::VectorXd theta = theta_for(family, 40, true);
            Fixture f(graph, data, nodes);
            Eigen::VectorXd exact;
            REQUIRE(std::isfinite(f.quadrature.value_gradient(theta, exact)));
            Eigen::VectorXd differences(theta.size());
            for (Eigen::Index a = 0; a < theta.size(); ++a) {
                const auto central = [&](double h) {
                    Eigen::VectorXd up = theta, down = theta;
                    up[a] += h;
                    down[a] -= h;
                    return (f.quadrature.value(up) - f.quadrature.value(down)) / (2 * h);
                };
                differences[a] = (4 * central(5e-4) - central(1e-3)) / 3;
            }
            INFO(family_name(family) << " K " << nodes << " theta " << theta.transpose() << "\nexact "
                                     << exact.transpose() << "\ndifferences " << differences.transpose());
            for (Eigen::Index a = 0; a < theta.size(); ++a)
                CHECK(std::abs(exact[a] - differences[a]) <= 1e-7 * std::max(1.0, std::abs(differences[a])));
        }
    }
}

TEST_CASE("Evaluator::nll_rows splits the NLL by row, and nll_effects_scaled is linear in the rows' scales") {
    const Data data = make_data(Family::poisson, 6, 19);
    const Graph graph = make_graph(Family::poisson, true);
    mlec::rt::Evaluator evaluator(graph, data.spans(), data.rows, 16, 2, {},
                                  mlec::rt::Coordinates::parameters_and_effects);
    std::mt19937 rng(3);
    std::uniform_real_distribution<double> uniform;
    Eigen::VectorXd z(graph.effect_size());
    for (Eigen::Index i = 0; i < z.size(); ++i) z[i] = uniform(rng) - 0.5;
    evaluator.set_effects(z);
    const Eigen::VectorXd theta = theta_for(Family::poisson, 5, true);
    std::vector<double> rows;
    const double once = evaluator.nll_rows(theta, rows);
    REQUIRE(rows.size() == data.rows);
    double sum = once;
    for (double r : rows) sum += r;
    CHECK(close(sum, evaluator.nll(theta), 1e-13));
    // Against the formula, row by row.
    for (std::size_t r = 0; r < data.rows; ++r) {
        const auto level = static_cast<Eigen::Index>(data.columns[2][r]) - 1;
        CHECK(close(rows[r], row_nll(Family::poisson, data, r, theta, z[level], z[groups + level]), 1e-13));
    }

    Eigen::VectorXd g_all, g1, g2, g12;
    mlec::rt::EffectDerivatives d_all, d1, d2, d12;
    const double f_all = evaluator.nll_effects(theta, g_all, d_all, false);
    std::vector<double> ones(data.rows, 1.0), s1(data.rows), s2(data.rows), s12(data.rows);
    for (std::size_t r = 0; r < data.rows; ++r) {
        s1[r] = uniform(rng);
        s2[r] = r % 3 == 0 ? 0.0 : uniform(rng);
        s12[r] = s1[r] + s2[r];
    }
    Eigen::VectorXd g;
    mlec::rt::EffectDerivatives d;
    CHECK(close(evaluator.nll_effects_scaled(theta, {ones, 1.0}, g, d), f_all, 1e-13));
    CHECK((g - g_all).cwiseAbs().maxCoeff() <= 1e-12);
    CHECK((d.gradient_z - d_all.gradient_z).cwiseAbs().maxCoeff() <= 1e-12);
    const double f1 = evaluator.nll_effects_scaled(theta, {s1, 0.25}, g1, d1);
    const double f2 = evaluator.nll_effects_scaled(theta, {s2, 0.5}, g2, d2);
    const double f12 = evaluator.nll_effects_scaled(theta, {s12, 0.75}, g12, d12);
    CHECK(close(f1 + f2, f12, 1e-13));
    CHECK((g1 + g2 - g12).cwiseAbs().maxCoeff() <= 1e-12);
    CHECK((d1.gradient_z + d2.gradient_z - d12.gradient_z).cwiseAbs().maxCoeff() <= 1e-12);
    // The scale leaves the plain sweeps as they were.
    CHECK(evaluator.nll(theta) == evaluator.nll(theta));
    Eigen::VectorXd g_again;
    CHECK(evaluator.nll_effects(theta, g_again, d, false) == f_all);
    CHECK(g_again == g_all);
}

TEST_CASE("adaptive quadrature gives the same bits for every thread count") {
    const Data data = make_data(Family::binomial, 6, 23);
    const Graph graph = make_graph(Family::binomial, true);
    const Eigen::VectorXd theta = theta_for(Family::binomial, 7, true);
    Eigen::VectorXd g1;
    Fixture one(graph, data, 4, 1);
    const double v1 = one.quadrature.value_gradient(theta, g1);
    for (int threads : {2, 3}) {
        Fixture f(graph, data, 4, threads);
        Eigen::VectorXd g;
        CHECK(f.quadrature.value_gradient(theta, g) == v1);
        CHECK(g == g1);
    }
}

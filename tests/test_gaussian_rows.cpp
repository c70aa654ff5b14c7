// The rows of a linear mixed model as cross-products (runtime/gaussian_rows),
// checked against the evaluator's joint sweep, which computes the same
// quantities row by row with the ops' own derivatives:
// - for a class of models (crossed and correlated effects, effects times
//   data, scales written as expressions, offsets, division, REML's flat
//   effects), at random points: the NLL, its gradient in theta and z, H_zz,
//   H_z,theta and the log determinant's trace gradient, to 1e-9;
// - the Laplace approximation with the cross-products against the same with
//   the sweep: value, gradient and Hessian (whose fixed-effect block is
//   exact with the cross-products and differenced with the sweep);
// - models outside the class are left to the sweep (detect gives nullptr).
#include <catch2/catch.hpp>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <algorithm>

#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "grammar/parse.hpp"
#include "interpreter/checked_model.hpp"
#include "interpreter/reml.hpp"
#include "mlec/mlec.hpp"
#include "runtime/difference_hessian.hpp"
#include "runtime/evaluator.hpp"
#include "runtime/gaussian_rows.hpp"
#include "runtime/laplace.hpp"

namespace {

namespace rt = mlec::rt;
namespace interp = mlec::interp;

// y, x, w and the grouping columns g (6 levels) and h (4 levels, crossed).
struct Data {
    std::vector<std::string> header{"y", "x", "w", "g", "h"};
    std::map<std::string, std::vector<double>> numbers;
    interp::Levels g, h;
    std::size_t rows = 60;
};

Data make_data() {
    std::mt19937 rng(5);
    std::normal_distribution<double> normal;
    Data d;
    for (int k = 1; k <= 6; ++k) d.g.names.push_back(std::string("g").append(std::to_string(k)));
    for (int k = 1; k <= 4; ++k) d.h.names.push_back(std::string("h").append(std::to_string(k)));
    for (std::size_t r = 0; r < d.rows; ++r) {
        const double x = normal(rng);
        d.numbers["x"].push_back(x);
        d.numbers["w"].push_back(1 + 0.3 * normal(rng));
        d.numbers["y"].push_back(3 + 2 * x + normal(rng) + static_cast<double>(r % 6) * 0.4);
        d.g.codes.push_back(static_cast<double>(r % 6 + 1));
        d.h.codes.push_back(static_cast<double>((r / 3) % 4 + 1));
    }
    return d;
}

struct Checked {
    interp::CheckedModel model;
    std::vector<std::vector<double>> columns;
};

Checked check(const std::string& text, const Data& d, bool reml = false) {
    const mlec::SourceText source("m.mle", text);
    const mlec::ParseResult parsed = mlec::parse_model(source);
    INFO(mlec::format(parsed.diagnostics));
    REQUIRE(parsed.model);
    const interp::LevelsSource levels = [&d](int column, mlec::Diagnostics&) -> std::optional<interp::Levels> {
        return column == 3 ? d.g : d.h;
    };
    interp::CheckResult checked = interp::check_model(source, *parsed.model, d.header, "d.csv", levels);
    INFO(mlec::format(checked.diagnostics));
    REQUIRE(checked.model);
    if (reml) {
        mlec::Diagnostics ds;
        const bool integrated = interp::integrate_fixed_effects(*checked.model, source, ds);
        INFO(mlec::format(ds));
        REQUIRE(integrated);
    }
    Checked out{std::move(*checked.model), {}};
    for (const interp::ColumnInfo& c : out.model.columns)
        out.columns.push_back(c.categorical ? c.codes : d.numbers.at(c.name));
    return out;
}

struct Bound {
    Checked checked;
    std::vector<std::span<const double>> spans;
    std::unique_ptr<rt::Evaluator> evaluator;
};

std::unique_ptr<Bound> bind(const std::string& text, const Data& d, bool reml = false) {
    auto b = std::make_unique<Bound>();
    b->checked = check(text, d, reml);
    for (const auto& column : b->checked.columns) b->spans.emplace_back(column.data(), column.size());
    b->evaluator = std::make_unique<rt::Evaluator>(b->checked.model.graph, b->spans, d.rows, 16, 1, rt::RowShare{},
                                                   rt::Coordinates::parameters_and_effects);
    return b;
}

Eigen::VectorXd random_vector(Eigen::Index n, std::mt19937& rng, double sd) {
    std::normal_distribution<double> normal(0.0, sd);
    Eigen::VectorXd v(n);
    for (Eigen::Index i = 0; i < n; ++i) v[i] = normal(rng);
    return v;
}

double relative(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
    REQUIRE(a.size() == b.size());
    if (a.size() == 0) return 0;
    return (a - b).cwiseAbs().maxCoeff() / (1 + b.cwiseAbs().maxCoeff());
}

double relative(const std::vector<double>& a, const std::vector<double>& b) {
    return relative(Eigen::Map<const Eigen::VectorXd>(a.data(), static_cast<Eigen::Index>(a.size())),
                    Eigen::Map<const Eigen::VectorXd>(b.data(), static_cast<Eigen::Index>(b.size())));
}

double relative(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
    return relative(Eigen::VectorXd(a.reshaped()), Eigen::VectorXd(b.reshaped()));
}

// The linear mixed models of the class, as a user writes them.
const std::vector<std::string>& class_models() {
    static const std::vector<std::string> models{
        // one random intercept
        "param b0, b1, s > 0, sigma > 0\nrandom u[g] ~ normal(0, s)\ny ~ normal(b0 + b1*x + u[g], sigma)",
        // crossed, an effect times data, a fixed effect's coefficient a function of data
        "param b0, b1, b2, s > 0, t > 0, sigma > 0\nrandom u[g] ~ normal(0, s)\nrandom v[h] ~ normal(0, t)\n"
        "y ~ normal(b0 + b1*x + b2*exp(w) + u[g] + v[h]*x, sigma)",
        // correlated intercepts and slopes
        "param b0, b1, sa > 0, sb > 0, sigma > 0\nparam R corr[2]\n"
        "random (a, b)[g] ~ multi_normal(0, [sa, sb], R)\ny ~ normal(b0 + b1*x + a[g] + b[g]*x, sigma)",
        // scales as expressions, an offset, division (of the fixed effects too:
        // REML accepts it), a negated effect, sigma an expression
        "param b0, b1, s > 0, t > 0, ls\nrandom u[g] ~ normal(0, 1000*s)\nrandom v[h] ~ normal(0, sqrt(t))\n"
        "y ~ normal(w + (b0 + b1*x)/2 - u[g]/1000 + 2*v[h]*w - v[h], exp(ls))",
        // three correlated effects and a crossed one
        "param b0, b1, s1 > 0, s2 > 0, s3 > 0, t > 0, sigma > 0\nparam Q corr[3]\n"
        "random (a, b, c)[g] ~ multi_normal(0, [s1, s2, s3], Q)\nrandom v[h] ~ normal(0, t)\n"
        "y ~ normal(b0 + b1*x + a[g] + b[g]*x + c[g]*w + v[h], sigma)",
    };
    return models;
}

// Every quantity the Laplace approximation reads, both ways, at (theta, z).
void compare_at(Bound& b, rt::GaussianRows& rows, const Eigen::VectorXd& theta, const Eigen::VectorXd& z,
                std::mt19937& rng) {
    rt::Evaluator& ev = *b.evaluator;
    ev.set_effects(z);
    Eigen::VectorXd g_sweep, g_rows;
    rt::EffectDerivatives d_sweep, d_rows;
    const double f_sweep = ev.nll_effects(theta, g_sweep, d_sweep, true, true);
    const double f_rows = rows.nll_effects(theta, z, g_rows, d_rows, true, true);
    REQUIRE(std::isfinite(f_sweep));
    CHECK(f_rows == Approx(f_sweep).epsilon(1e-11));
    CHECK(rows.nll(theta, z) == Approx(f_sweep).epsilon(1e-11));
    CHECK(relative(g_rows, g_sweep) < 1e-9);
    CHECK(relative(d_rows.gradient_z, d_sweep.gradient_z) < 1e-9);
    CHECK(relative(d_rows.zz, d_sweep.zz) < 1e-9);
    CHECK(relative(d_rows.ztheta, d_sweep.ztheta) < 1e-9);
    // The trace gradient for a symmetric P on the pattern, of any values.
    std::vector<double> p(d_sweep.zz.size());
    std::uniform_real_distribution<double> uniform(-1, 1);
    for (double& v : p) v = uniform(rng);
    Eigen::VectorXd t_sweep, tz_sweep, t_rows, tz_rows;
    const double f_trace = ev.trace_gradient(theta, p, t_sweep, tz_sweep);
    CHECK(rows.trace_gradient(theta, z, p, t_rows, tz_rows) == Approx(f_trace).epsilon(1e-11));
    CHECK(relative(t_rows, t_sweep) < 1e-9);
    CHECK(relative(tz_rows, tz_sweep) < 1e-9);
}

}  // namespace

TEST_CASE("a linear mixed model's cross-products equal the joint sweep at random points") {
    const Data d = make_data();
    std::mt19937 rng(17);
    for (const bool reml : {false, true})
        for (const std::string& text : class_models()) {
            INFO(text << (reml ? "\n(REML)" : ""));
            auto b = bind(text, d, reml);
            auto rows = rt::GaussianRows::detect(*b->evaluator);
            REQUIRE(rows);
            CHECK(rows->fixed().size() == (reml ? 0U : text.find("b2") != std::string::npos ? 3U : 2U));
            for (int point = 0; point < 3; ++point) {
                const Eigen::VectorXd theta = random_vector(b->checked.model.graph.parameter_count(), rng, 0.5);
                const Eigen::VectorXd z = random_vector(b->checked.model.graph.effect_size(), rng, 1.0);
                compare_at(*b, *rows, theta, z, rng);
            }
        }
}

TEST_CASE("the Laplace approximation by cross-products equals the one by the joint sweep") {
    const Data d = make_data();
    std::mt19937 rng(23);
    for (const bool reml : {false, true})
        for (const std::string& text : class_models()) {
            INFO(text << (reml ? "\n(REML)" : ""));
            auto fast = bind(text, d, reml);
            auto slow = bind(text, d, reml);
            rt::Laplace by_rows(*fast->evaluator);
            rt::Laplace by_sweep(*slow->evaluator, rt::LaplaceRows::sweep);
            REQUIRE(by_rows.gaussian());
            REQUIRE_FALSE(by_sweep.gaussian());
            const Eigen::VectorXd theta = random_vector(fast->checked.model.graph.parameter_count(), rng, 0.3);
            Eigen::VectorXd g_rows, g_sweep;
            Eigen::MatrixXd h_rows, h_sweep;
            const double f_rows = by_rows.value_gradient_hessian(theta, g_rows, h_rows);
            const double f_sweep = by_sweep.value_gradient_hessian(theta, g_sweep, h_sweep);
            REQUIRE(by_sweep.inner_status() == rt::InnerStatus::converged);
            CHECK(f_rows == Approx(f_sweep).epsilon(1e-11));
            CHECK(relative(g_rows, g_sweep) < 1e-8);
            // The differenced Hessian is good to about 1e-6 of the curvature.
            CHECK(relative(h_rows, h_sweep) < 1e-5);
            CHECK(relative(by_rows.modes(), by_sweep.modes()) < 1e-9);
        }
}

TEST_CASE("models outside the linear mixed class are left to the joint sweep") {
    const Data d = make_data();
    const std::vector<std::string> others{
        // not normal
        "param b0, s > 0, sigma > 0\nrandom u[g] ~ normal(0, s)\ny ~ student_t(4, b0 + u[g], sigma)",
        // sigma varies by row
        "param b0, s > 0, ls, c\nrandom u[g] ~ normal(0, s)\ny ~ normal(b0 + u[g], exp(ls + c*x))",
        // a bounded fixed effect (its user-scale node is not linear in theta)
        "param b0 > 0, s > 0, sigma > 0\nrandom u[g] ~ normal(0, s)\ny ~ normal(b0 + u[g], sigma)",
        // fixed effects multiplied together
        "param b0, b1, s > 0, sigma > 0\nrandom u[g] ~ normal(0, s)\ny ~ normal(b0*b1*x + u[g], sigma)",
        // an effect inside a function
        "param b0, s > 0, sigma > 0\nrandom u[g] ~ normal(0, s)\ny ~ normal(b0 + exp(u[g]), sigma)",
        // a fixed effect in sigma as well
        "param b0, s > 0\nrandom u[g] ~ normal(0, s)\ny ~ normal(b0 + u[g], exp(b0))",
        // a fixed effect scaling an effect
        "param b0, b1, s > 0, sigma > 0\nrandom u[g] ~ normal(0, s)\ny ~ normal(b0 + b1*x + b1*u[g], sigma)",
        // a second term
        "param b0, s > 0, sigma > 0\nrandom u[g] ~ normal(0, s)\ny ~ normal(b0 + u[g], sigma)\n"
        "target += normal_lpdf(b0 | 0, 10)",
        // weights
        "param b0, s > 0, sigma > 0\nrandom u[g] ~ normal(0, s)\nweight w\ny ~ normal(b0 + u[g], sigma)",
        // an offset that depends on a parameter
        "param b0, s > 0, sigma > 0, c\nrandom u[g] ~ normal(0, s)\ny ~ normal(b0 + exp(c) + u[g], sigma)",
    };
    for (const std::string& text : others) {
        INFO(text);
        auto b = bind(text, d);
        CHECK_FALSE(rt::GaussianRows::detect(*b->evaluator));
        CHECK_FALSE(rt::Laplace(*b->evaluator).gaussian());
    }
}

// A singular fit holds a scale at exactly 0 (inference/fit_singular.cpp);
// written sqrt(t), its derivative there is infinite. The sweep skips a zero
// adjoint, so the terms that vanish with the scale add 0, not 0 * inf; so
// must the cross-products, or the other parameters' gradient and Hessian
// turn NaN and the refit without the effect fails.
TEST_CASE("a scale held at 0 with an infinite derivative there leaves the others' derivatives finite") {
    const Data d = make_data();
    const std::string text =
        "param b0, t > 0, sigma > 0\nrandom v[h] ~ normal(0, sqrt(t))\ny ~ normal(b0 + v[h], sigma)";
    auto fast = bind(text, d);
    auto slow = bind(text, d);
    rt::Laplace by_rows(*fast->evaluator), by_sweep(*slow->evaluator, rt::LaplaceRows::sweep);
    REQUIRE(by_rows.gaussian());
    Eigen::VectorXd theta(3);
    theta << 0.5, -1000, 0.2;  // t = exp(-1000) = 0
    Eigen::VectorXd g_rows, g_sweep;
    Eigen::MatrixXd h_rows, h_sweep;
    CHECK(by_rows.value_gradient_hessian(theta, g_rows, h_rows) ==
          Approx(by_sweep.value_gradient_hessian(theta, g_sweep, h_sweep)).epsilon(1e-12));
    for (const int i : {0, 2}) {
        CHECK(g_rows[i] == Approx(g_sweep[i]).epsilon(1e-9));
        for (const int j : {0, 2}) CHECK(h_rows(i, j) == Approx(h_sweep(i, j)).epsilon(1e-5));
    }
}

// L is quadratic in the fixed effects b (Laplace::linear_coordinates): their
// minimizer given the rest is one Newton step, whatever b it starts from.
// Checked against value_gradient_hessian's own Newton step in b, the
// gradient there (0 in b), and L at points beside it.
TEST_CASE("the fixed effects' best values given the rest are one exact Newton step") {
    const Data d = make_data();
    std::mt19937 rng(31);
    for (const std::string& text : class_models()) {
        INFO(text);
        auto b = bind(text, d);
        rt::Laplace laplace(*b->evaluator);
        const std::vector<int>& linear = laplace.linear_coordinates();
        REQUIRE(!linear.empty());
        for (int trial = 0; trial < 3; ++trial) {
            const Eigen::VectorXd theta = random_vector(b->checked.model.graph.parameter_count(), rng, 0.3);
            Eigen::VectorXd g0;
            Eigen::MatrixXd h0;
            REQUIRE(std::isfinite(laplace.value_gradient_hessian(theta, g0, h0)));
            const auto n = static_cast<Eigen::Index>(linear.size());
            Eigen::MatrixXd a(n, n);
            Eigen::VectorXd gb(n);
            for (std::size_t i = 0; i < linear.size(); ++i) {
                gb[static_cast<Eigen::Index>(i)] = g0[linear[i]];
                for (std::size_t j = 0; j < linear.size(); ++j)
                    a(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = h0(linear[i], linear[j]);
            }
            const Eigen::VectorXd step = -a.llt().solve(gb);

            Eigen::VectorXd best = theta, g;
            const double f = laplace.minimize_linear(best, linear, &g);
            REQUIRE(std::isfinite(f));
            for (std::size_t i = 0; i < linear.size(); ++i)
                CHECK(best[linear[i]] == Approx(theta[linear[i]] + step[static_cast<Eigen::Index>(i)]).margin(1e-9));
            Eigen::VectorXd g_there;
            CHECK(laplace.value_gradient(best, g_there) == Approx(f).epsilon(1e-13));
            CHECK(relative(g, g_there) < 1e-9);
            for (const int i : linear) CHECK(std::abs(g_there[i]) < 1e-8 * (1 + g0.cwiseAbs().maxCoeff()));
            for (const int i : linear)
                for (const double delta : {-1e-3, 1e-3}) {
                    Eigen::VectorXd beside = best;
                    beside[i] += delta;
                    CHECK(laplace.value(beside) > f);
                }
            // Some of them only: the others held where they are.
            Eigen::VectorXd first = theta;
            const double f_first = laplace.minimize_linear(first, {linear[0]}, &g);
            CHECK(f_first >= f);
            CHECK(std::abs(g[linear[0]]) < 1e-8 * (1 + g0.cwiseAbs().maxCoeff()));
            for (Eigen::Index i = 1; i < first.size(); ++i)
                if (i != linear[0]) CHECK(first[i] == theta[i]);
        }
    }
}

// REML integrates the fixed effects out: nothing linear is left among the
// parameters, and a model outside the class has none either.
TEST_CASE("only a linear mixed model fitted by ML has linear coordinates") {
    const Data d = make_data();
    auto reml = bind(class_models()[1], d, true);
    CHECK(rt::Laplace(*reml->evaluator).linear_coordinates().empty());
    auto other = bind("param b0, s > 0, sigma > 0\nrandom u[g] ~ normal(0, s)\ny ~ student_t(4, b0 + u[g], sigma)", d);
    CHECK(rt::Laplace(*other->evaluator).linear_coordinates().empty());
}

// The start's curvature scales (inference/fit_start.cpp) without the
// Hessian: exact in the linear coordinates, a one-sided difference of the
// gradient elsewhere, for the joint sweep as for the cross-products.
TEST_CASE("the curvature diagonal equals the Hessian's") {
    const Data d = make_data();
    std::mt19937 rng(37);
    for (const bool sweep : {false, true})
        for (const std::string& text : class_models()) {
            INFO(text << (sweep ? "\n(sweep)" : ""));
            auto b = bind(text, d);
            rt::Laplace laplace(*b->evaluator, sweep ? rt::LaplaceRows::sweep : rt::LaplaceRows::automatic);
            const Eigen::VectorXd theta = random_vector(b->checked.model.graph.parameter_count(), rng, 0.3);
            Eigen::VectorXd g, diagonal, g_hessian;
            Eigen::MatrixXd h;
            const double f = laplace.curvature_diagonal(theta, g, diagonal);
            CHECK(laplace.value_gradient_hessian(theta, g_hessian, h) == Approx(f).epsilon(1e-13));
            CHECK(relative(g, g_hessian) < 1e-9);
            const std::vector<int>& linear = laplace.linear_coordinates();
            for (Eigen::Index a = 0; a < theta.size(); ++a) {
                INFO("coordinate " << a);
                if (std::find(linear.begin(), linear.end(), a) != linear.end()) {
                    CHECK(diagonal[a] == Approx(h(a, a)).epsilon(1e-6));
                    continue;
                }
                // (difference_hessian's probe; a scale, so within 10% of
                // the central differences')
                const double probe = rt::curvature_probe(theta[a]);
                Eigen::VectorXd up = theta, g_up;
                up[a] += probe;
                REQUIRE(std::isfinite(laplace.value_gradient(up, g_up)));
                CHECK(diagonal[a] == Approx(std::abs(g_up[a] - g[a]) / probe).epsilon(1e-6));
                CHECK(diagonal[a] == Approx(std::abs(h(a, a))).epsilon(0.1));
            }
        }
}

// A Hessian asked where the last evaluation computed the gradient starts
// from that gradient instead of evaluating there again (the optimizer's
// Newton step after L-BFGS or a line search): the same Hessian, to the
// rounding of the probes' steps, as one asked after an evaluation
// elsewhere.
TEST_CASE("a Hessian at the last gradient's point equals one computed afresh") {
    const Data d = make_data();
    std::mt19937 rng(41);
    std::vector<std::string> models = class_models();
    models.push_back("param b0, s > 0, sigma > 0\nrandom u[g] ~ normal(0, s)\ny ~ student_t(4, b0 + u[g], sigma)");
    for (const std::string& text : models) {
        INFO(text);
        auto b = bind(text, d);
        rt::Laplace laplace(*b->evaluator);
        const Eigen::VectorXd theta = random_vector(b->checked.model.graph.parameter_count(), rng, 0.3);
        Eigen::VectorXd g, g_known, g_fresh;
        Eigen::MatrixXd known, fresh;
        REQUIRE(std::isfinite(laplace.value_gradient(theta, g)));
        const double f_known = laplace.value_gradient_hessian(theta, g_known, known);
        REQUIRE(std::isfinite(laplace.value(theta + Eigen::VectorXd::Constant(theta.size(), 0.01))));
        const double f_fresh = laplace.value_gradient_hessian(theta, g_fresh, fresh);
        CHECK(f_known == Approx(f_fresh).epsilon(1e-13));
        CHECK(relative(g_known, g_fresh) < 1e-9);
        CHECK((known - fresh).lpNorm<Eigen::Infinity>() <= 1e-7 * fresh.lpNorm<Eigen::Infinity>());
    }
}

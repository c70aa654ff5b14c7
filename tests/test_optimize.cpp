// The minimizers on functions whose minimizers are known in closed form.
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <limits>
#include <vector>

#include "optim/optimize.hpp"

namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;
using mlec::optim::Method;
using mlec::optim::OptimizeOptions;
using mlec::optim::OptimizeResult;
using mlec::optim::OptimizeStatus;

constexpr double inf = std::numeric_limits<double>::infinity();

// f with optional gradient and Hessian, from one function; counts calls where
// f came out non-finite (trial points outside the domain).
class TestObjective : public mlec::optim::Objective {
public:
    using Eval = std::function<double(const VectorXd&, VectorXd*, MatrixXd*)>;
    TestObjective(int dimension, Eval eval) : dimension_(dimension), eval_(std::move(eval)) {}

    int dimension() const override { return dimension_; }
    double value(const VectorXd& x) override { return count(eval_(x, nullptr, nullptr)); }
    double value_gradient(const VectorXd& x, VectorXd& g) override {
        g.resize(dimension_);
        return count(eval_(x, &g, nullptr));
    }
    double value_gradient_hessian(const VectorXd& x, VectorXd& g, MatrixXd& h) override {
        g.resize(dimension_);
        h.resize(dimension_, dimension_);
        return count(eval_(x, &g, &h));
    }

    int calls = 0;
    int non_finite_calls = 0;

private:
    double count(double f) {
        ++calls;
        if (!std::isfinite(f)) ++non_finite_calls;
        return f;
    }

    int dimension_;
    Eval eval_;
};

// Rosenbrock: 100 (y - x^2)^2 + (1 - x)^2, minimum 0 at (1, 1).
double rosenbrock(const VectorXd& v, VectorXd* g, MatrixXd* h) {
    const double x = v(0);
    const double y = v(1);
    if (g) *g << -400 * x * (y - x * x) - 2 * (1 - x), 200 * (y - x * x);
    if (h) *h << 1200 * x * x - 400 * y + 2, -400 * x, -400 * x, 200;
    return 100 * (y - x * x) * (y - x * x) + (1 - x) * (1 - x);
}

// x - log x, defined for x > 0 only, minimum 1 at x = 1.
double x_minus_log_x(const VectorXd& v, VectorXd* g, MatrixXd* h) {
    const double x = v(0);
    if (!(x > 0)) return inf;
    if (g) (*g)(0) = 1 - 1 / x;
    if (h) (*h)(0, 0) = 1 / (x * x);
    return x - std::log(x);
}

// log(1 + exp(-x)): decreasing everywhere, infimum 0 as x -> infinity.
double softplus_of_minus_x(const VectorXd& v, VectorXd* g, MatrixXd* h) {
    const double x = v(0);
    const double p = 1 / (1 + std::exp(-x));  // sigmoid(x)
    if (g) (*g)(0) = -(1 - p);
    if (h) (*h)(0, 0) = p * (1 - p);
    return x > 0 ? std::log1p(std::exp(-x)) : -x + std::log1p(std::exp(x));
}

VectorXd vec(std::initializer_list<double> values) {
    VectorXd v(static_cast<Eigen::Index>(values.size()));
    Eigen::Index i = 0;
    for (double value : values) v(i++) = value;
    return v;
}

OptimizeOptions with_method(Method method) {
    OptimizeOptions options;
    options.method = method;
    return options;
}

// Every result: finite, and f and the gradient are those at x.
void check_consistent(TestObjective& objective, const OptimizeResult& result) {
    REQUIRE(result.x.allFinite());
    REQUIRE(std::isfinite(result.f));
    REQUIRE(result.gradient.allFinite());
    REQUIRE(!std::isnan(result.decrement));
    VectorXd g;
    CHECK(objective.value_gradient(result.x, g) == result.f);
    CHECK(g == result.gradient);
    CHECK(result.iterations >= 0);
    CHECK(result.evaluations > 0);
}

}  // namespace

TEST_CASE("to_string names every status") {
    CHECK(mlec::optim::to_string(OptimizeStatus::converged) == "converged");
    CHECK(mlec::optim::to_string(OptimizeStatus::max_iterations) == "max_iterations");
    CHECK(mlec::optim::to_string(OptimizeStatus::line_search_failed) == "line_search_failed");
    CHECK(mlec::optim::to_string(OptimizeStatus::non_finite_start) == "non_finite_start");
    CHECK(mlec::optim::to_string(OptimizeStatus::cancelled) == "cancelled");
}

TEST_CASE("Newton solves a convex quadratic in one iteration") {
    // f = 0.5 (x - c)' A (x - c) + 3: minimum 3 at c.
    MatrixXd a(3, 3);
    a << 4, 1, 0.5, 1, 3, 0.2, 0.5, 0.2, 2;
    const VectorXd c = vec({1.5, -2, 0.25});
    TestObjective objective(3, [&](const VectorXd& x, VectorXd* g, MatrixXd* h) {
        const VectorXd r = x - c;
        if (g) *g = a * r;
        if (h) *h = a;
        return 0.5 * r.dot(a * r) + 3;
    });
    const OptimizeResult result = mlec::optim::minimize(objective, VectorXd::Zero(3));
    check_consistent(objective, result);
    CHECK(result.status == OptimizeStatus::converged);
    CHECK(result.method_used == Method::newton);
    CHECK(result.iterations == 1);
    CHECK((result.x - c).lpNorm<Eigen::Infinity>() < 1e-12);
    CHECK(result.f == Approx(3).epsilon(1e-15));
    CHECK(result.decrement <= 1e-16);
}

TEST_CASE("Rosenbrock from (-1.2, 1) reaches (1, 1)") {
    const Method method = GENERATE(Method::newton, Method::lbfgs);
    TestObjective objective(2, rosenbrock);
    const OptimizeResult result = mlec::optim::minimize(objective, vec({-1.2, 1}), with_method(method));
    check_consistent(objective, result);
    CHECK(result.status == OptimizeStatus::converged);
    CHECK(result.method_used == method);
    CHECK(std::abs(result.x(0) - 1) < 1e-7);
    CHECK(std::abs(result.x(1) - 1) < 1e-7);
    CHECK(result.f < 1e-14);
    CHECK(result.decrement <= 1e-16);
}

TEST_CASE("a badly scaled quadratic: x1 ~ 1e3, x2 ~ 1e-3") {
    // (x1 / 1000 - 1)^2 + (1000 x2 - 2)^2: curvatures 2e-6 and 2e6, minimum 0
    // at (1000, 0.002).
    const Method method = GENERATE(Method::newton, Method::lbfgs);
    TestObjective objective(2, [](const VectorXd& x, VectorXd* g, MatrixXd* h) {
        const double r1 = x(0) / 1000 - 1;
        const double r2 = 1000 * x(1) - 2;
        if (g) *g << 2 * r1 / 1000, 2000 * r2;
        if (h) *h << 2e-6, 0, 0, 2e6;
        return r1 * r1 + r2 * r2;
    });
    // The trust region is measured in scaled units (each coordinate by its
    // own curvature), so its first trial is the exact Newton step: Newton,
    // scale-invariant, needs one iteration.
    const OptimizeResult result = mlec::optim::minimize(objective, vec({500, 1}), with_method(method));
    check_consistent(objective, result);
    CHECK(result.status == OptimizeStatus::converged);
    CHECK(std::abs(result.x(0) / 1000 - 1) < 1e-8);
    CHECK(std::abs(result.x(1) - 0.002) < 1e-12);
    if (method == Method::newton) CHECK(result.iterations == 1);
}

TEST_CASE("a function defined only for x > 0 is minimized without leaving the domain") {
    // From x = 3 the Newton step is -f'/f'' = -(2/3) * 9 = -6, to x = -3.
    const Method method = GENERATE(Method::newton, Method::lbfgs);
    TestObjective objective(1, x_minus_log_x);
    const OptimizeResult result = mlec::optim::minimize(objective, vec({3}), with_method(method));
    check_consistent(objective, result);
    CHECK(result.status == OptimizeStatus::converged);
    CHECK(std::abs(result.x(0) - 1) < 1e-8);
    CHECK(result.f == Approx(1).epsilon(1e-15));
    // The full Newton step was tried and rejected.
    if (method == Method::newton) CHECK(objective.non_finite_calls > 0);
}

TEST_CASE("an indefinite Hessian: Newton goes downhill, not to the saddle") {
    // x^4/4 - x^2/2 + y^2/2 has a saddle at (0, 0) and minima -1/4 at (+-1, 0);
    // at (0.1, 1) f_xx = 3x^2 - 1 < 0, and a plain Newton step would head to
    // the saddle.
    TestObjective objective(2, [](const VectorXd& v, VectorXd* g, MatrixXd* h) {
        const double x = v(0);
        const double y = v(1);
        if (g) *g << x * x * x - x, y;
        if (h) *h << 3 * x * x - 1, 0, 0, 1;
        return x * x * x * x / 4 - x * x / 2 + y * y / 2;
    });
    const OptimizeResult result = mlec::optim::minimize(objective, vec({0.1, 1}), with_method(Method::newton));
    check_consistent(objective, result);
    CHECK(result.status == OptimizeStatus::converged);
    CHECK(std::abs(result.x(0) - 1) < 1e-8);
    CHECK(std::abs(result.x(1)) < 1e-8);
    CHECK(result.f == Approx(-0.25).epsilon(1e-14));
}

TEST_CASE("automatic picks L-BFGS for 200 parameters") {
    // 100 independent Rosenbrock pairs: minimum 0 at all ones.
    const int n = 200;
    TestObjective objective(n, [](const VectorXd& v, VectorXd* g, MatrixXd* h) {
        double f = 0;
        if (g) g->setZero();
        if (h) h->setZero();
        for (int i = 0; i < n; i += 2) {
            VectorXd pair_g(2);
            MatrixXd pair_h(2, 2);
            f += rosenbrock(v.segment(i, 2), &pair_g, &pair_h);
            if (g) g->segment(i, 2) = pair_g;
            if (h) h->block(i, i, 2, 2) = pair_h;
        }
        return f;
    });
    // Each pair starts elsewhere, so the pairs do not move in lockstep.
    VectorXd start(n);
    for (int i = 0; i < n; i += 2) start.segment(i, 2) = vec({-1.2 + 0.01 * i, 1 - 0.005 * i});
    int callback_calls = 0;
    const OptimizeResult result = mlec::optim::minimize(objective, start, {}, [&](const mlec::optim::IterationInfo&) {
        ++callback_calls;
        return true;
    });
    check_consistent(objective, result);
    CHECK(result.method_used == Method::lbfgs);
    CHECK(result.status == OptimizeStatus::converged);
    CHECK(callback_calls == result.iterations);
    CHECK((result.x - VectorXd::Ones(n)).lpNorm<Eigen::Infinity>() < 1e-6);
    CHECK(result.f < 1e-12);
}

TEST_CASE("automatic picks Newton up to newton_max_dimension") {
    TestObjective objective(2, rosenbrock);
    OptimizeOptions options;
    CHECK(mlec::optim::minimize(objective, vec({-1.2, 1}), options).method_used == Method::newton);
    options.newton_max_dimension = 1;
    CHECK(mlec::optim::minimize(objective, vec({-1.2, 1}), options).method_used == Method::lbfgs);
}

TEST_CASE("a minimum at infinity: the search stops at a finite point") {
    // log(1 + exp(-x)) has f' = -1/(1 + e^x) and f'' ~ e^-x, so the Newton
    // decrement f'^2 / f'' ~ e^-x falls below 1e-16 near x = 37: both
    // methods stop there as converged, with a finite x (telling this from a
    // maximum is the divergence probe's work, inference/divergence).
    const Method method = GENERATE(Method::newton, Method::lbfgs);
    TestObjective objective(1, softplus_of_minus_x);
    const OptimizeResult result = mlec::optim::minimize(objective, vec({0}), with_method(method));
    check_consistent(objective, result);
    CHECK(result.status == OptimizeStatus::converged);
    CHECK(result.x(0) > 20);
    CHECK(result.x(0) < 1e6);
    CHECK(result.f > 0);
    CHECK(result.f == Approx(std::log1p(std::exp(-result.x(0)))).epsilon(1e-14));
    // By the tolerance, or where f's rounding hides the rest.
    CHECK((result.decrement <= 1e-16 || (result.at_rounding && result.decrement / 2 <= 1e-14)));
}

TEST_CASE("a separated logistic regression stops at a finite point") {
    // y = (0, 0, 1, 1) at x = (-2, -1, 1, 2): any w > 0 with b = 0 separates,
    // the NLL sum log(1 + exp(-s_i (w x_i + b))), s = 2y - 1, has infimum 0.
    const std::vector<double> xs{-2, -1, 1, 2};
    const std::vector<double> signs{-1, -1, 1, 1};
    const Method method = GENERATE(Method::newton, Method::lbfgs);
    TestObjective objective(2, [&](const VectorXd& v, VectorXd* g, MatrixXd* h) {
        double f = 0;
        if (g) g->setZero();
        if (h) h->setZero();
        for (std::size_t i = 0; i < xs.size(); ++i) {
            const VectorXd z = vec({xs[i], 1});
            VectorXd dg(1);
            MatrixXd dh(1, 1);
            f += softplus_of_minus_x(vec({signs[i] * v.dot(z)}), &dg, &dh);
            if (g) *g += dg(0) * signs[i] * z;
            if (h) *h += dh(0, 0) * z * z.transpose();
        }
        return f;
    });
    const OptimizeResult result = mlec::optim::minimize(objective, vec({0, 0}), with_method(method));
    check_consistent(objective, result);
    // Terminates by the relative-gradient test at a large slope.
    CHECK(result.status == OptimizeStatus::converged);
    CHECK(result.x(0) > 10);
    CHECK(result.f < 1e-6);
}

TEST_CASE("the callback sees every accepted iteration and can cancel") {
    const Method method = GENERATE(Method::newton, Method::lbfgs);
    TestObjective objective(2, rosenbrock);
    std::vector<mlec::optim::IterationInfo> seen;
    const OptimizeResult result = mlec::optim::minimize(objective, vec({-1.2, 1}), with_method(method),
                                                        [&](const mlec::optim::IterationInfo& info) {
                                                            seen.push_back(info);
                                                            return info.iteration < 3;
                                                        });
    check_consistent(objective, result);
    CHECK(result.status == OptimizeStatus::cancelled);
    CHECK(result.iterations == 3);
    REQUIRE(seen.size() == 3);
    const double f_start = 24.2;  // 100 (1 - 1.44)^2 + 2.2^2
    for (std::size_t i = 0; i < seen.size(); ++i) {
        CHECK(seen[i].iteration == static_cast<int>(i) + 1);
        CHECK(seen[i].f < (i == 0 ? f_start : seen[i - 1].f));
        CHECK(seen[i].step > 0);
        CHECK(seen[i].gradient_norm > 0);
    }
    CHECK(result.f == seen.back().f);
    CHECK(result.gradient.lpNorm<Eigen::Infinity>() == seen.back().gradient_norm);
}

TEST_CASE("a start at the optimum takes no iterations") {
    const Method method = GENERATE(Method::newton, Method::lbfgs);
    TestObjective objective(2, rosenbrock);
    bool called = false;
    const OptimizeResult result = mlec::optim::minimize(
        objective, vec({1, 1}), with_method(method), [&](const mlec::optim::IterationInfo&) { return called = true; });
    CHECK(result.status == OptimizeStatus::converged);
    CHECK(result.iterations == 0);
    // L-BFGS's start, then Newton's confirmation with the Hessian.
    CHECK(result.evaluations == (method == Method::newton ? 1 : 2));
    CHECK_FALSE(called);
    CHECK(result.x == vec({1, 1}));
    CHECK(result.f == 0);
    CHECK(result.decrement == 0);
}

TEST_CASE("a non-finite start is reported, not searched from") {
    const Method method = GENERATE(Method::newton, Method::lbfgs);
    SECTION("f is +inf") {
        TestObjective objective(1, x_minus_log_x);
        const OptimizeResult result = mlec::optim::minimize(objective, vec({-1}), with_method(method));
        CHECK(result.status == OptimizeStatus::non_finite_start);
        CHECK(result.iterations == 0);
        CHECK(result.evaluations == 1);
        CHECK(result.x == vec({-1}));
        CHECK(result.f == inf);
    }
    SECTION("the gradient is NaN") {
        TestObjective objective(1, [](const VectorXd& x, VectorXd* g, MatrixXd* h) {
            if (g) (*g)(0) = std::numeric_limits<double>::quiet_NaN();
            if (h) (*h)(0, 0) = 1;
            return x(0) * x(0);
        });
        const OptimizeResult result = mlec::optim::minimize(objective, vec({2}), with_method(method));
        CHECK(result.status == OptimizeStatus::non_finite_start);
        CHECK(result.iterations == 0);
        CHECK(result.f == 4);
    }
}

TEST_CASE("the iteration limit stops the search at the best point so far") {
    const Method method = GENERATE(Method::newton, Method::lbfgs);
    TestObjective objective(2, rosenbrock);
    OptimizeOptions options = with_method(method);
    options.max_iterations = 2;  // L-BFGS: 20
    const OptimizeResult result = mlec::optim::minimize(objective, vec({-1.2, 1}), options);
    check_consistent(objective, result);
    CHECK(result.status == OptimizeStatus::max_iterations);
    // L-BFGS: its own 20, then 2 of Newton's polish.
    CHECK(result.iterations == (method == Method::newton ? 2 : 22));
    CHECK(result.f < 24.2);
}

TEST_CASE("a gradient with an error of 1e-7 still ends as converged at the optimum") {
    // f = (x - 1)^2 with g = 2 (x - 1) + 1e-7 sign(x - 1): the Newton
    // decrement g^2 / 2 >= 5e-15 exceeds the tolerance (1e-8)^2 everywhere,
    // but at x = 1 (f = 0) no step decreases f and half the decrement is
    // below the rounding level of f: the documented rounding rule.
    const Method method = GENERATE(Method::newton, Method::lbfgs);
    TestObjective objective(1, [](const VectorXd& v, VectorXd* g, MatrixXd* h) {
        const double r = v(0) - 1;
        if (g) (*g)(0) = 2 * r + (r >= 0 ? 1e-7 : -1e-7);
        if (h) (*h)(0, 0) = 2;
        return r * r;
    });
    const OptimizeResult result = mlec::optim::minimize(objective, vec({0}), with_method(method));
    check_consistent(objective, result);
    CHECK(result.status == OptimizeStatus::converged);
    CHECK(result.decrement > 1e-16);
    CHECK(result.at_rounding);
    CHECK(std::abs(result.x(0) - 1) < 1e-7);
}

TEST_CASE("a gradient that points the wrong way makes the line search fail") {
    // f = x^2 but the gradient's sign is flipped: every "descent" direction
    // goes uphill, so no step is acceptable and the start is returned.
    const Method method = GENERATE(Method::newton, Method::lbfgs);
    TestObjective objective(1, [](const VectorXd& x, VectorXd* g, MatrixXd* h) {
        if (g) (*g)(0) = -2 * x(0);
        if (h) (*h)(0, 0) = 2;
        return x(0) * x(0);
    });
    const OptimizeResult result = mlec::optim::minimize(objective, vec({1}), with_method(method));
    check_consistent(objective, result);
    CHECK(result.status == OptimizeStatus::line_search_failed);
    CHECK(result.iterations == 0);
    CHECK(result.x == vec({1}));
    CHECK(result.f == 1);
}

// The badly scaled quadratic above in the units of its curvature
// (lbfgs_scale = sqrt of the Hessian's diagonal): the diagonal Newton step,
// steepest descent's first trial with lbfgs_newton_first, is exact.
TEST_CASE("in units of unit curvature, L-BFGS's first trial can be the diagonal Newton step") {
    const auto quadratic = [](const VectorXd& x, VectorXd* g, MatrixXd* h) {
        const double r1 = x(0) / 1000 - 1;
        const double r2 = 1000 * x(1) - 2;
        if (g) *g << 2 * r1 / 1000, 2000 * r2;
        if (h) *h << 2e-6, 0, 0, 2e6;
        return r1 * r1 + r2 * r2;
    };
    OptimizeOptions options;
    options.lbfgs_scale = vec({std::sqrt(2e-6), std::sqrt(2e6)});
    options.lbfgs_newton_first = true;
    TestObjective objective(2, quadratic);
    const OptimizeResult result = mlec::optim::minimize_lbfgs(objective, vec({500, 1}), options);
    CHECK(result.iterations == 1);
    CHECK(result.f < 1e-20);
    // (a unit-length first trial needs more)
    options.lbfgs_newton_first = false;
    TestObjective other(2, quadratic);
    CHECK(mlec::optim::minimize_lbfgs(other, vec({500, 1}), options).iterations > 1);
}

// Rosenbrock lifted by 1e8: f's rounding (about 4e-7) hides the last
// iterations' gains. L-BFGS stops there by default; past it, it judges its
// steps by the gradient, to the relative gradient asked for, with no
// Hessian (minimize_lbfgs) and no decrement.
TEST_CASE("L-BFGS past f's rounding goes on to the gradient's precision") {
    const auto lifted = [](const VectorXd& x, VectorXd* g, MatrixXd* h) { return 1e8 + rosenbrock(x, g, h); };
    int hessians = 0;
    const auto counted = [&](const VectorXd& x, VectorXd* g, MatrixXd* h) {
        if (h) ++hessians;
        return lifted(x, g, h);
    };
    OptimizeOptions options;
    options.lbfgs_relative_gradient = 1e-17;
    TestObjective stopping(2, counted);
    const OptimizeResult still = mlec::optim::minimize_lbfgs(stopping, vec({-1.2, 1}), options);
    options.lbfgs_past_rounding = true;
    TestObjective going_on(2, counted);
    const OptimizeResult past = mlec::optim::minimize_lbfgs(going_on, vec({-1.2, 1}), options);
    CHECK(hessians == 0);
    CHECK(std::isinf(past.decrement));
    CHECK(still.gradient.cwiseAbs().maxCoeff() > 1e-6);
    CHECK(past.gradient.cwiseAbs().maxCoeff() < 1e-8);
    CHECK((past.x - vec({1, 1})).cwiseAbs().maxCoeff() < 1e-10);
    CHECK(past.evaluations < still.evaluations + 20);
}

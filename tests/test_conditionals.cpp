// Conditionals: only the taken branch counts. Random models with nested
// ifelse and `c ? a : b` over data columns and parameters, whose untaken
// branches are NaN or inf (log of a negative number, 1/0), are evaluated by
// the block evaluator and, row by row, by a scalar evaluator that never
// computes the untaken branch and carries exact first and second
// derivatives (hyper-dual numbers in the two parameters). Value, gradient
// and Hessian must agree.
#include <catch2/catch.hpp>

#include <Eigen/Core>
#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <random>
#include <span>
#include <sstream>
#include <string>

#include "data/csv.hpp"
#include "grammar/parse.hpp"
#include "interpreter/checked_model.hpp"
#include "runtime/evaluator.hpp"

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// A number with its gradient and Hessian in the parameters (a, b).
struct Dual {
    double v = 0;
    Eigen::Vector2d g = Eigen::Vector2d::Zero();
    Eigen::Matrix2d h = Eigen::Matrix2d::Zero();
};

Dual constant(double v) { return Dual{v, Eigen::Vector2d::Zero(), Eigen::Matrix2d::Zero()}; }
Dual operator+(const Dual& x, const Dual& y) { return {x.v + y.v, x.g + y.g, x.h + y.h}; }
Dual operator-(const Dual& x, const Dual& y) { return {x.v - y.v, x.g - y.g, x.h - y.h}; }
Dual operator*(const Dual& x, const Dual& y) {
    return {x.v * y.v, x.g * y.v + y.g * x.v, x.h * y.v + y.h * x.v + x.g * y.g.transpose() + y.g * x.g.transpose()};
}
// f(x) with f' and f'' at x.v
Dual chain(const Dual& x, double f, double d1, double d2) {
    return {f, d1 * x.g, d1 * x.h + d2 * x.g * x.g.transpose()};
}
Dual log(const Dual& x) { return chain(x, std::log(x.v), 1 / x.v, -1 / (x.v * x.v)); }
Dual inverse(const Dual& x) { return chain(x, 1 / x.v, -1 / (x.v * x.v), 2 / (x.v * x.v * x.v)); }
Dual exp_half(const Dual& x) {
    const double e = std::exp(x.v / 2);
    return chain(x, e, e / 2, e / 4);
}

// A random expression: as model text and as a scalar evaluation of one row.
struct Expr {
    enum Kind { column, parameter, number, add, sub, mul, exp_half, log_guarded, inverse_guarded, ifelse, ternary };
    Kind kind = number;
    int index = 0;  // column or parameter
    double value = 0;
    std::string cmp;  // for ifelse/ternary: the comparison
    std::vector<std::shared_ptr<Expr>> in;
};
using Ptr = std::shared_ptr<Expr>;

const char* column_names[] = {"x", "z"};
const char* parameter_names[] = {"a", "b"};

std::string text(const Expr& e) {
    std::ostringstream s;
    s.precision(17);
    switch (e.kind) {
        case Expr::column: return column_names[e.index];
        case Expr::parameter: return parameter_names[e.index];
        case Expr::number: s << e.value; return s.str();
        case Expr::add: return "(" + text(*e.in[0]) + " + " + text(*e.in[1]) + ")";
        case Expr::sub: return "(" + text(*e.in[0]) + " - " + text(*e.in[1]) + ")";
        case Expr::mul: return "(" + text(*e.in[0]) + " * " + text(*e.in[1]) + ")";
        case Expr::exp_half: return "exp(" + text(*e.in[0]) + " / 2)";
        // log(q) where q > 0, and the poison log(q) (NaN or -inf) on the
        // rows that take the other branch
        case Expr::log_guarded:
            return "ifelse(" + text(*e.in[0]) + " > 0, log(" + text(*e.in[0]) + "), " + text(*e.in[1]) + ")";
        // 1/q where q != 0, and inf where it is not taken
        case Expr::inverse_guarded:
            return "(" + text(*e.in[0]) + " == 0 ? " + text(*e.in[1]) + " : 1 / " + text(*e.in[0]) + ")";
        case Expr::ifelse:
            return "ifelse(" + text(*e.in[0]) + " " + e.cmp + " " + text(*e.in[1]) + " && !(" + text(*e.in[0]) +
                   " == 7), " + text(*e.in[2]) + ", " + text(*e.in[3]) + ")";
        case Expr::ternary:
            return "(" + text(*e.in[0]) + " " + e.cmp + " " + text(*e.in[1]) + " || " + text(*e.in[0]) + " == 7 ? " +
                   text(*e.in[2]) + " : " + text(*e.in[3]) + ")";
    }
    return "";
}

bool compare(const std::string& op, double a, double b) {
    if (op == "<") return a < b;
    if (op == "<=") return a <= b;
    if (op == ">") return a > b;
    if (op == ">=") return a >= b;
    if (op == "==") return a == b;
    return a != b;
}

// One row; the untaken branch is never evaluated.
Dual eval(const Expr& e, const double* row, const Eigen::Vector2d& theta) {
    switch (e.kind) {
        case Expr::column: return constant(row[e.index]);
        case Expr::parameter: {
            Dual d = constant(theta[e.index]);
            d.g[e.index] = 1;
            return d;
        }
        case Expr::number: return constant(e.value);
        case Expr::add: return eval(*e.in[0], row, theta) + eval(*e.in[1], row, theta);
        case Expr::sub: return eval(*e.in[0], row, theta) - eval(*e.in[1], row, theta);
        case Expr::mul: return eval(*e.in[0], row, theta) * eval(*e.in[1], row, theta);
        case Expr::exp_half: return exp_half(eval(*e.in[0], row, theta));
        case Expr::log_guarded: {
            const Dual q = eval(*e.in[0], row, theta);
            return q.v > 0 ? log(q) : eval(*e.in[1], row, theta);
        }
        case Expr::inverse_guarded: {
            const Dual q = eval(*e.in[0], row, theta);
            return q.v == 0 ? eval(*e.in[1], row, theta) : inverse(q);
        }
        case Expr::ifelse:
        case Expr::ternary: {
            const double l = eval(*e.in[0], row, theta).v;
            const double r = eval(*e.in[1], row, theta).v;
            const bool c = e.kind == Expr::ifelse ? compare(e.cmp, l, r) && !(l == 7) : compare(e.cmp, l, r) || l == 7;
            return eval(*e.in[c ? 2 : 3], row, theta);
        }
    }
    return constant(nan);
}

class Generator {
public:
    explicit Generator(unsigned seed) : rng_(seed) {}

    Ptr expression(int depth) {
        const int choice = depth <= 0 ? pick(3) : pick(11);
        auto e = std::make_shared<Expr>();
        switch (choice) {
            case 0:
                e->kind = Expr::column;
                e->index = pick(2);
                return e;
            case 1:
                e->kind = Expr::parameter;
                e->index = pick(2);
                return e;
            case 2:
                e->kind = Expr::number;
                e->value = std::round(uniform() * 8 - 4) / 4;
                return e;
            case 3: e->kind = Expr::add; break;
            case 4: e->kind = Expr::sub; break;
            case 5: e->kind = Expr::mul; break;
            case 6:
                e->kind = Expr::exp_half;
                e->in = {expression(depth - 2)};
                return e;
            case 7: e->kind = Expr::log_guarded; break;
            case 8: e->kind = Expr::inverse_guarded; break;
            case 9: e->kind = Expr::ifelse; break;
            default: e->kind = Expr::ternary; break;
        }
        static const char* ops[] = {"<", "<=", ">", ">=", "==", "!="};
        e->cmp = ops[pick(6)];
        const int arity = e->kind == Expr::ifelse || e->kind == Expr::ternary ? 4 : 2;
        for (int k = 0; k < arity; ++k) e->in.push_back(expression(depth - 1));
        // shared subexpressions: the same node in a branch and elsewhere
        if (arity == 4 && pick(3) == 0) e->in[2] = e->in[0];
        if (e->kind == Expr::log_guarded && pick(2) == 0) e->in[1] = e->in[0];
        return e;
    }

    double uniform() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
    int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

private:
    std::mt19937 rng_;
};

struct Bound {
    mlec::SourceText source;
    std::optional<mlec::interp::CheckedModel> model;
    std::vector<std::vector<double>> columns;
    std::size_t rows = 0;
};

std::unique_ptr<Bound> bind_model(const std::string& model_text, const std::string& csv_text) {
    auto b = std::make_unique<Bound>(Bound{mlec::SourceText("random.mle", model_text), {}, {}, 0});
    mlec::ParseResult parsed = mlec::parse_model(b->source);
    INFO(model_text);
    REQUIRE(parsed.model);
    mlec::Diagnostics ds;
    auto csv = mlec::data::CsvFile::from_text(csv_text, "random.csv", ds);
    REQUIRE(csv);
    auto checked = mlec::interp::check_model(b->source, *parsed.model, csv->header(), "random.csv");
    if (!checked.model) return nullptr;  // e.g. a product of parameters the data cannot split
    b->model = std::move(checked.model);
    std::vector<int> which;
    for (const auto& c : b->model->columns) which.push_back(c.csv_index);
    auto loaded = csv->load(which, ds);
    REQUIRE(loaded);
    b->columns = std::move(*loaded);
    b->rows = csv->rows();
    return b;
}

}  // namespace

TEST_CASE("random nested conditionals: value, gradient and Hessian are the taken branch's") {
    Generator gen(20261205);
    // Data: x and z on a grid of quarters, so that comparisons tie and
    // q == 0 happens; every model sees both columns.
    const int rows = 300;
    std::vector<std::array<double, 2>> data(rows);
    std::ostringstream csv;
    csv << "x,z\n";
    for (auto& r : data) {
        r = {std::round(gen.uniform() * 16 - 8) / 4, std::round(gen.uniform() * 16 - 8) / 4};
        csv << r[0] << "," << r[1] << "\n";
    }
    int compared = 0, poisoned = 0;
    for (int trial = 0; trial < 400 && compared < 150; ++trial) {
        Ptr e = gen.expression(4);
        // Every term depends on data, so that it counts once per row.
        // (and uses both parameters, so that neither is left out)
        const std::string term = "ifelse(x > 0.3, " + text(*e) + ", z * " + text(*e) + ") + 0.25*a*x + 0.25*b*z";
        const std::string model_text = "param a, b\ntarget += " + term + "\n";
        Eigen::Vector2d theta(std::round(gen.uniform() * 8 - 4) / 4 + 0.1,
                              std::round(gen.uniform() * 8 - 4) / 4 - 0.05);
        // The reference, row by row.
        Dual total;
        bool finite = true;
        for (const auto& r : data) {
            const Dual v0 = eval(*e, r.data(), theta);
            Dual a = constant(theta[0]), b = constant(theta[1]);
            a.g[0] = b.g[1] = 1;
            const Dual v =
                (r[0] > 0.3 ? v0 : constant(r[1]) * v0) + constant(0.25 * r[0]) * a + constant(0.25 * r[1]) * b;
            finite = finite && std::isfinite(v.v) && v.g.allFinite() && v.h.allFinite();
            total = total + v;
        }
        if (!finite) continue;  // a taken branch outside its domain: not this test's subject
        auto bound = bind_model(model_text, csv.str());
        if (!bound) continue;
        INFO(model_text);
        const auto& params = bound->model->parameters;
        REQUIRE(params.size() == 2);
        // theta's coordinates in the evaluator's order
        Eigen::VectorXd t(2);
        for (int k = 0; k < 2; ++k) t[k] = params[static_cast<std::size_t>(k)].name == "a" ? theta[0] : theta[1];
        const int ia = params[0].name == "a" ? 0 : 1;
        std::vector<std::span<const double>> spans;
        for (const auto& c : bound->columns) spans.emplace_back(c.data(), c.size());
        for (std::size_t block : {std::size_t{64}, std::size_t{2048}}) {
            mlec::rt::Evaluator ev(bound->model->graph, spans, bound->rows, block);
            Eigen::VectorXd g;
            Eigen::MatrixXd h;
            const double nll = ev.nll_gradient_hessian(t, g, h);
            const double scale = 1 + std::abs(total.v);
            CHECK(nll == Approx(-total.v).margin(1e-10 * scale));
            CHECK(ev.nll(t) == Approx(nll).margin(1e-12 * scale));
            Eigen::VectorXd g2;
            CHECK(ev.nll_gradient(t, g2) == Approx(nll).margin(1e-12 * scale));
            for (int i = 0; i < 2; ++i) {
                const int ri = i == ia ? 0 : 1;
                const double gs = 1 + total.g.cwiseAbs().maxCoeff();
                CHECK(g[i] == Approx(-total.g[ri]).margin(1e-9 * gs));
                CHECK(g2[i] == Approx(g[i]).margin(1e-12 * gs));
                for (int j = 0; j < 2; ++j) {
                    const int rj = j == ia ? 0 : 1;
                    CHECK(h(i, j) == Approx(-total.h(ri, rj)).margin(1e-9 * (1 + total.h.cwiseAbs().maxCoeff())));
                }
            }
        }
        ++compared;
        if (model_text.find("log(") != std::string::npos || model_text.find("1 / ") != std::string::npos) ++poisoned;
    }
    CHECK(compared >= 100);
    CHECK(poisoned >= 50);
}

TEST_CASE("an untaken -inf, NaN or NaN derivative leaves the gradient and Hessian exact") {
    // log(x) is -inf at x = 0 (with an infinite derivative) and NaN below;
    // sqrt(-a) is NaN for a > 0, row-invariant, in the branch no row takes.
    const std::string model_text =
        "param a, b\n"
        "target += ifelse(x > 0, b * log(x), a * x) + ifelse(a > 0, log(a), sqrt(-a)) * z\n";
    const std::string csv = "x,z\n-1,1\n0,2\n0.5,3\n2,4\n";
    auto bound = bind_model(model_text, csv);
    REQUIRE(bound);
    REQUIRE(bound->model->parameters[0].name == "a");
    std::vector<std::span<const double>> spans;
    for (const auto& c : bound->columns) spans.emplace_back(c.data(), c.size());
    mlec::rt::Evaluator ev(bound->model->graph, spans, bound->rows, 2);
    const double a = 0.5, b = 1.5;
    Eigen::VectorXd theta(2);
    theta << a, b;
    Eigen::VectorXd g;
    Eigen::MatrixXd h;
    const double nll = ev.nll_gradient_hessian(theta, g, h);
    // closed form: rows x <= 0 give a*x, rows x > 0 give b*log(x); all give log(a)*z
    const double sum_z = 10, log_x = std::log(0.5) + std::log(2.0);
    CHECK(nll == Approx(-(a * (-1 + 0) + b * log_x + std::log(a) * sum_z)).epsilon(1e-14));
    CHECK(g[0] == Approx(-(-1 + sum_z / a)).epsilon(1e-14));
    CHECK(g[1] == Approx(-log_x).epsilon(1e-14));
    CHECK(h(0, 0) == Approx(sum_z / (a * a)).epsilon(1e-14));
    CHECK(h(0, 1) == 0);
    CHECK(h(1, 1) == 0);
    // the start-value check names no row: every taken branch is finite
    CHECK_FALSE(ev.find_non_finite(theta));
}

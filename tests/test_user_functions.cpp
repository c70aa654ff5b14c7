// User functions (`def f(x, k) = expr`) are inlined before the model is
// checked, so a model written with defs must be the model written out by
// hand: random bodies (nested calls, conditionals, vectors) called with
// random arguments of data and parameters give bit-identical NLL, gradient
// and Hessian, and the same fit, as the text with every call replaced by its
// body (each argument substituted in parentheses). The hand-written text is
// the independent side: it goes through no def at all.
#include <catch2/catch.hpp>

#include <Eigen/Core>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "mlec/mlec.hpp"

namespace {

// A random expression over `leaves` (argument names, or columns and
// parameters), rendered as text with each leaf replaced by `bound[leaf]`
// when given. Every operation stays finite: a normal mean built from it
// gives a finite likelihood everywhere.
struct Node {
    enum Kind { leaf, number, add, sub, mul, ratio, tanh_of, sin_of, ifelse, call_h, dot_of };
    Kind kind = number;
    int index = 0;
    double value = 0;
    std::vector<std::shared_ptr<Node>> in;
};
using Ptr = std::shared_ptr<Node>;

class Generator {
public:
    explicit Generator(unsigned seed) : rng_(seed) {}

    // `calls_h`: whether the body may call the def h(p, q).
    Ptr expression(int depth, int leaves, bool calls_h) {
        auto e = std::make_shared<Node>();
        const int choice = depth <= 0 ? pick(2) : pick(calls_h ? 11 : 9);
        switch (choice) {
            case 0:
                e->kind = Node::leaf;
                e->index = pick(leaves);
                return e;
            case 1:
                e->kind = Node::number;
                e->value = std::round(uniform() * 8 - 4) / 4;
                return e;
            case 2: e->kind = Node::add; break;
            case 3: e->kind = Node::sub; break;
            case 4: e->kind = Node::mul; break;
            case 5: e->kind = Node::ratio; break;
            case 6: e->kind = Node::tanh_of; break;
            case 7: e->kind = Node::sin_of; break;
            case 8: e->kind = Node::ifelse; break;
            case 9: e->kind = Node::call_h; break;
            default: e->kind = Node::dot_of; break;
        }
        const int arity = e->kind == Node::tanh_of || e->kind == Node::sin_of ? 1 : e->kind == Node::ifelse ? 4 : 2;
        for (int k = 0; k < arity; ++k) e->in.push_back(expression(depth - 1, leaves, calls_h));
        if (pick(4) == 0 && arity >= 2) e->in[1] = e->in[0];  // a shared subexpression
        return e;
    }

    double uniform() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
    int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

private:
    std::mt19937 rng_;
};

struct Render {
    std::vector<std::string> leaves;  // the text of each leaf
    const Node* h_body = nullptr;     // when set, h(p, q) is written out
};

std::string text(const Node& e, const Render& r) {
    std::ostringstream s;
    s.precision(17);
    auto in = [&](int k) { return text(*e.in[static_cast<std::size_t>(k)], r); };
    switch (e.kind) {
        case Node::leaf: return r.leaves[static_cast<std::size_t>(e.index)];
        case Node::number: s << e.value; return s.str();
        case Node::add: return "(" + in(0) + " + " + in(1) + ")";
        case Node::sub: return "(" + in(0) + " - " + in(1) + ")";
        case Node::mul: return "(" + in(0) + " * " + in(1) + ")";
        case Node::ratio: return "(" + in(0) + " / (1 + (" + in(1) + ")^2))";
        case Node::tanh_of: return "tanh(" + in(0) + ")";
        case Node::sin_of: return "sin(" + in(0) + ")";
        case Node::ifelse: return "(" + in(0) + " < " + in(1) + " ? " + in(2) + " : " + in(3) + ")";
        case Node::dot_of: return "dot([" + in(0) + ", 1], [0.5, " + in(1) + "])";
        case Node::call_h:
            if (!r.h_body) return "h(" + in(0) + ", " + in(1) + ")";
            return "(" + text(*r.h_body, Render{{"(" + in(0) + ")", "(" + in(1) + ")"}, nullptr}) + ")";
    }
    return "";
}

struct Bound {
    std::optional<mlec::Model> model;
    std::optional<mlec::Problem> problem;
};

std::unique_ptr<Bound> bind_text(const std::string& text, const mlec::Data& data) {
    auto b = std::make_unique<Bound>();
    mlec::Diagnostics ds;
    b->model = mlec::Model::from_text(text, "random.mle", ds);
    INFO(text << mlec::format(ds));
    REQUIRE(b->model);
    b->problem = mlec::Problem::bind(*b->model, data, ds);
    REQUIRE(b->problem);
    return b;
}

}  // namespace

TEST_CASE("a model with random defs is bit for bit the model written out") {
    Generator gen(20261205);
    std::ostringstream csv;
    csv << "x,z\n";
    for (int row = 0; row < 200; ++row)
        csv << std::round(gen.uniform() * 16 - 8) / 4 << "," << std::round(gen.uniform() * 40 - 20) / 8 << "\n";
    mlec::Diagnostics ds;
    auto data = mlec::Data::from_csv_text(csv.str(), "random.csv", ds);
    REQUIRE(data);
    const std::vector<std::string> data_leaves{"x", "a", "b", "c", "x * a", "c * x"};
    int fitted = 0;
    for (int trial = 0; trial < 120; ++trial) {
        const Ptr h = gen.expression(3, 2, false);
        const Ptr f = gen.expression(4, 3, true);
        std::vector<Ptr> args;
        for (int k = 0; k < 3; ++k) args.push_back(gen.expression(2, static_cast<int>(data_leaves.size()), false));
        std::vector<std::string> arg_text;
        for (const Ptr& a : args) arg_text.push_back(text(*a, Render{data_leaves, nullptr}));
        const std::string call = "f(" + arg_text[0] + ", " + arg_text[1] + ", " + arg_text[2] + ")";
        // The defs below their use and above it, one called inside the other.
        const std::string with_defs = "param a, b, c, s > 0\ndef h(p, q) = " + text(*h, Render{{"p", "q"}, nullptr}) +
                                      "\nz ~ normal(a + " + call +
                                      ", s)\ndef f(u, v, w) = " + text(*f, Render{{"u", "v", "w"}, nullptr}) + "\n";
        std::vector<std::string> substituted;
        for (const std::string& a : arg_text) substituted.push_back("(" + a + ")");
        const std::string written_out =
            "param a, b, c, s > 0\nz ~ normal(a + (" + text(*f, Render{substituted, h.get()}) + "), s)\n";
        INFO(with_defs << "\n---\n" << written_out);
        auto one = bind_text(with_defs, *data);
        auto two = bind_text(written_out, *data);
        REQUIRE(one->problem->dimension() == two->problem->dimension());
        REQUIRE(one->problem->parameter_names() == two->problem->parameter_names());
        const int n = one->problem->dimension();
        for (int point = 0; point < 3; ++point) {
            Eigen::VectorXd theta(n);
            for (int k = 0; k < n; ++k) theta[k] = gen.uniform() * 2 - 1;
            Eigen::VectorXd g1, g2;
            Eigen::MatrixXd h1, h2;
            const double v1 = one->problem->nll_gradient_hessian(theta, g1, h1);
            const double v2 = two->problem->nll_gradient_hessian(theta, g2, h2);
            REQUIRE(std::isfinite(v1));
            CHECK(v1 == v2);
            CHECK(one->problem->nll(theta) == v2);
            CHECK(g1 == g2);
            CHECK(h1 == h2);
        }
        if (trial % 10 == 0) {  // the same fit, to the last bit
            const mlec::FitResult r1 = mlec::fit(*one->problem);
            const mlec::FitResult r2 = mlec::fit(*two->problem);
            CHECK(r1.status == r2.status);
            CHECK(r1.log_likelihood == r2.log_likelihood);
            REQUIRE(r1.parameters.size() == r2.parameters.size());
            for (std::size_t k = 0; k < r1.parameters.size(); ++k) {
                CHECK(r1.parameters[k].estimate == r2.parameters[k].estimate);
                CHECK(r1.parameters[k].std_error == r2.parameters[k].std_error);
            }
            ++fitted;
        }
    }
    CHECK(fitted == 12);
}

TEST_CASE("a def's vector arguments, log densities and reports") {
    // A def taking a vector (softmax's), one returning a log density, and
    // one used in a report: each equal to the model written out.
    mlec::Diagnostics ds;
    auto data = mlec::Data::from_csv_text("x,y,k\n0.5,1.2,1\n-1,0.3,2\n2,2.5,3\n1,1.1,1\n0,0.2,2\n", "d.csv", ds);
    REQUIRE(data);
    const std::string with_defs =
        "def p(v) = softmax([0, v[1], v[2]])\n"
        "def ll(y, m, s) = normal_lpdf(y | m, s) - log(s)\n"
        "def odds(t) = exp(t)\n"
        "param beta[2], s > 0\n"
        "k ~ categorical(p(beta))\n"
        "target += ll(y, a + b*x, s)\n"
        "report r = odds(b)\n";
    const std::string written_out =
        "param beta[2], s > 0\n"
        "k ~ categorical(softmax([0, beta[1], beta[2]]))\n"
        "target += normal_lpdf(y | a + b*x, s) - log(s)\n"
        "report r = exp(b)\n";
    auto one = bind_text(with_defs, *data);
    auto two = bind_text(written_out, *data);
    const mlec::FitResult r1 = mlec::fit(*one->problem);
    const mlec::FitResult r2 = mlec::fit(*two->problem);
    CHECK(r1.status == r2.status);
    CHECK(r1.log_likelihood == r2.log_likelihood);
    REQUIRE(r1.derived.size() == 1);
    CHECK(r1.derived[0].estimate == r2.derived[0].estimate);
    CHECK(r1.derived[0].std_error == r2.derived[0].std_error);
}

namespace {

// The first error binding `text` to one column x gives.
std::string bind_error(const std::string& text) {
    mlec::Diagnostics ds;
    auto data = mlec::Data::from_csv_text("x\n1\n2\n", "d.csv", ds);
    REQUIRE(data);
    auto model = mlec::Model::from_text(text, "m.mle", ds);
    if (model) (void)mlec::Problem::bind(*model, *data, ds);
    REQUIRE(!ds.empty());
    return ds.front().message;
}

}  // namespace

TEST_CASE("inlining is bounded in depth and in size") {
    // 60 defs, each 100 operations deep and calling the one before: 6,000
    // levels once inlined, refused before the stack runs out.
    // (Built with append: GCC 12 gives a false -Wstringop-overflow on + chains.)
    std::string deep = "def f0(t) = t\n";
    for (int k = 1; k < 60; ++k) {
        std::string body = std::string("f").append(std::to_string(k - 1)).append("(t)");
        for (int j = 0; j < 100; ++j) body = std::string("exp(").append(body).append(")");
        deep.append("def f").append(std::to_string(k)).append("(t) = ").append(body).append("\n");
    }
    deep.append("target += f59(x) * a\n");
    CHECK(bind_error(deep).find("operations deep once its function calls are inlined") != std::string::npos);
    // Each def calls the one before twice: 2^30 nodes, refused at a million.
    std::string wide = "def g0(t, a0) = t * a0\n";
    for (int k = 1; k <= 30; ++k) {
        const std::string previous = std::string("g").append(std::to_string(k - 1));
        wide.append("def g").append(std::to_string(k)).append("(t, a0) = ").append(previous);
        wide.append("(t, a0) + ").append(previous).append("(t + 1, a0)\n");
    }
    wide.append("target += g30(x, a)\n");
    CHECK(bind_error(wide).find("operations once its function calls are inlined") != std::string::npos);
}

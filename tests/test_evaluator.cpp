// The graph evaluator's exact derivatives against finite differences of its
// own NLL, on a model that mixes row-varying and row-invariant nodes, several
// distributions, bounded parameters, a `target +=` term and a linear
// predictor with parameters in both factors of a product (c times the
// row-varying d*exp(-x^2)); and the block evaluation against a single block.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <sstream>

#include "data/csv.hpp"
#include "grammar/parse.hpp"
#include "interpreter/checked_model.hpp"
#include "runtime/evaluator.hpp"

namespace {

const char* model_text =
    "param s > 0\n"
    "param p in (0, 1)\n"
    "eta = a*x + b*x^2 - c/(1 + exp(d*x))\n"
    "y ~ normal(eta, s)\n"
    "k ~ poisson(exp(a + b*x + a*b + c*(d*exp(-x^2))))\n"
    "z ~ bernoulli(p)\n"
    "w ~ gamma(exp(c), exp(d) / (1 + x^2))\n"
    "target += -0.5 * log1p(a^2 + s)\n";

std::string make_data(int rows) {
    std::mt19937 rng(42);
    std::normal_distribution<double> normal;
    std::uniform_real_distribution<double> unit;
    std::ostringstream csv;
    csv.precision(17);
    csv << "x,y,k,z,w\n";
    for (int i = 0; i < rows; ++i) {
        const double x = normal(rng);
        csv << x << "," << 0.3 * x + normal(rng) << "," << static_cast<int>(3 * unit(rng)) << ","
            << (unit(rng) < 0.3 ? 1 : 0) << "," << 0.1 + 2 * unit(rng) << "\n";
    }
    return csv.str();
}

struct Fixture {
    mlec::SourceText source{"test.mle", model_text};
    mlec::ParseResult parsed = mlec::parse_model(source);
    mlec::Diagnostics ds;
    std::unique_ptr<mlec::data::CsvFile> csv;
    std::optional<mlec::interp::CheckedModel> model;
    std::vector<std::vector<double>> columns;

    explicit Fixture(int rows) {
        REQUIRE(parsed.model);
        csv = mlec::data::CsvFile::from_text(make_data(rows), "test.csv", ds);
        REQUIRE(csv);
        auto checked = mlec::interp::check_model(source, *parsed.model, csv->header(), "test.csv");
        REQUIRE(checked.model);
        model = std::move(checked.model);
        std::vector<int> which;
        for (const auto& c : model->columns) which.push_back(c.csv_index);
        auto loaded = csv->load(which, ds);
        REQUIRE(loaded);
        columns = std::move(*loaded);
    }

    mlec::rt::Evaluator evaluator(std::size_t block_rows) {
        std::vector<std::span<const double>> spans;
        for (const auto& c : columns) spans.emplace_back(c.data(), c.size());
        return mlec::rt::Evaluator(model->graph, spans, csv->rows(), block_rows);
    }
};

}  // namespace

TEST_CASE("gradient and Hessian of a mixed model match finite differences") {
    Fixture f(60);
    auto ev = f.evaluator(16);
    const int n = ev.dimension();
    REQUIRE(n == 6);  // s, p, a, b, c, d
    std::mt19937 rng(7);
    std::normal_distribution<double> normal(0.0, 0.5);
    for (int trial = 0; trial < 3; ++trial) {
        Eigen::VectorXd theta(n);
        for (int i = 0; i < n; ++i) theta[i] = normal(rng);
        Eigen::VectorXd g, g2;
        Eigen::MatrixXd h;
        const double f0 = ev.nll_gradient_hessian(theta, g, h);
        REQUIRE(std::isfinite(f0));
        CHECK(ev.nll(theta) == Approx(f0).epsilon(1e-14));
        CHECK(ev.nll_gradient(theta, g2) == Approx(f0).epsilon(1e-14));
        for (int i = 0; i < n; ++i) CHECK(g2[i] == Approx(g[i]).epsilon(1e-12).margin(1e-12));
        for (int i = 0; i < n; ++i) {
            const double step = 1e-5;
            Eigen::VectorXd up = theta, down = theta;
            up[i] += step;
            down[i] -= step;
            const double fd = (ev.nll(up) - ev.nll(down)) / (2 * step);
            INFO("parameter " << i);
            CHECK(g[i] == Approx(fd).epsilon(1e-6).margin(1e-6));
            Eigen::VectorXd gu, gd;
            ev.nll_gradient(up, gu);
            ev.nll_gradient(down, gd);
            for (int j = 0; j < n; ++j) {
                INFO("Hessian entry " << i << ", " << j);
                CHECK(h(i, j) == Approx((gu[j] - gd[j]) / (2 * step)).epsilon(1e-6).margin(1e-5));
            }
        }
        CHECK((h - h.transpose()).cwiseAbs().maxCoeff() < 1e-9 * (1 + h.cwiseAbs().maxCoeff()));
    }
}

TEST_CASE("block size does not change the NLL or its derivatives") {
    Fixture f(103);
    Eigen::VectorXd theta(6);
    theta << 0.2, -0.3, 0.5, -0.1, 0.3, 0.4;
    Eigen::VectorXd g_ref;
    Eigen::MatrixXd h_ref;
    auto whole = f.evaluator(4096);
    const double f_ref = whole.nll_gradient_hessian(theta, g_ref, h_ref);
    for (std::size_t block : {1u, 7u, 50u, 103u}) {
        auto ev = f.evaluator(block);
        Eigen::VectorXd g;
        Eigen::MatrixXd h;
        INFO("block rows " << block);
        CHECK(ev.nll_gradient_hessian(theta, g, h) == Approx(f_ref).epsilon(1e-13));
        CHECK((g - g_ref).cwiseAbs().maxCoeff() < 1e-10);
        CHECK((h - h_ref).cwiseAbs().maxCoeff() < 1e-9);
    }
}

TEST_CASE("the NLL of a normal model equals its closed form") {
    // -log L = n log(sigma) + n/2 log(2 pi) + sum (y - mu)^2 / (2 sigma^2)
    mlec::SourceText source("n.mle", "param sigma > 0\ny ~ normal(mu, sigma)\n");
    auto parsed = mlec::parse_model(source);
    REQUIRE(parsed.model);
    mlec::Diagnostics ds;
    auto csv = mlec::data::CsvFile::from_text("y\n1\n2.5\n-0.5\n4\n", "n.csv", ds);
    REQUIRE(csv);
    auto checked = mlec::interp::check_model(source, *parsed.model, csv->header(), "n.csv");
    REQUIRE(checked.model);
    const std::vector<int> which{0};
    auto cols = csv->load(which, ds);
    REQUIRE(cols);
    mlec::rt::Evaluator ev(checked.model->graph, {std::span<const double>((*cols)[0])}, 4);
    const double sigma = 1.7, mu = 0.8;
    Eigen::VectorXd theta(2);
    theta << std::log(sigma), mu;  // sigma is optimized as log(sigma)
    double ss = 0;
    for (double y : {1.0, 2.5, -0.5, 4.0}) ss += (y - mu) * (y - mu);
    const double expected = 4 * std::log(sigma) + 2 * std::log(2 * M_PI) + ss / (2 * sigma * sigma);
    CHECK(ev.nll(theta) == Approx(expected).epsilon(1e-14));
}

TEST_CASE("every thread count gives bit-identical NLL, gradient and Hessian") {
    // Fixed block boundaries and a fixed order of summation: threads only
    // change who computes a block, never what is added to what.
    Fixture f(1000);
    std::vector<std::span<const double>> spans;
    for (const auto& c : f.columns) spans.emplace_back(c.data(), c.size());
    Eigen::VectorXd theta(6);
    theta << 0.2, -0.3, 0.5, -0.1, 0.3, 0.4;
    mlec::rt::Evaluator one(f.model->graph, spans, f.csv->rows(), 64, 1);
    Eigen::VectorXd g1;
    Eigen::MatrixXd h1;
    const double f1 = one.nll_gradient_hessian(theta, g1, h1);
    for (int threads : {2, 3, 4, 7}) {
        mlec::rt::Evaluator many(f.model->graph, spans, f.csv->rows(), 64, threads);
        Eigen::VectorXd g;
        Eigen::MatrixXd h;
        INFO(threads << " threads");
        CHECK(many.nll_gradient_hessian(theta, g, h) == f1);
        CHECK(g == g1);
        CHECK(h == h1);
        CHECK(many.nll(theta) == one.nll(theta));
        Eigen::VectorXd ga, gb;
        CHECK(many.nll_gradient(theta, ga) == one.nll_gradient(theta, gb));
        CHECK(ga == gb);
    }
}

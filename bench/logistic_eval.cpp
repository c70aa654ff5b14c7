// One NLL + gradient evaluation of a logistic regression, 1,000,000 rows x
// 10 covariates: mlec's interpreted graph against a hand-written fused C++
// loop computing the same thing, timed in the same run (these machines are
// shared and noisy, so only the ratio means anything). Prints medians.
//
//   build/bench/logistic_eval [rows] [repetitions]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <Eigen/Core>

#include "grammar/parse.hpp"
#include "interpreter/checked_model.hpp"
#include "runtime/evaluator.hpp"

namespace {

constexpr int covariates = 10;

struct Data {
    std::vector<std::vector<double>> x;  // covariates, column-major like mlec's
    std::vector<double> y;
};

Data make_data(std::size_t rows) {
    std::mt19937_64 rng(20261127);
    std::normal_distribution<double> normal;
    std::uniform_real_distribution<double> unit;
    Data d;
    d.x.assign(covariates, std::vector<double>(rows));
    d.y.resize(rows);
    for (std::size_t r = 0; r < rows; ++r) {
        double eta = 0.3;
        for (int j = 0; j < covariates; ++j) {
            d.x[static_cast<std::size_t>(j)][r] = normal(rng);
            eta += 0.1 * (j + 1) * (j % 2 ? -1 : 1) * d.x[static_cast<std::size_t>(j)][r];
        }
        d.y[r] = unit(rng) < 1 / (1 + std::exp(-eta)) ? 1.0 : 0.0;
    }
    return d;
}

// The baselines: what a careful programmer writes by hand for this one
// model. All use the numerically stable log(1 + e^eta) = max(eta, 0) +
// log1p(e^-|eta|) and accumulate NLL and gradient in one fused pass over
// the rows.
//
// 1. scalar: a plain loop, row by row.
double baseline_scalar(const Data& d, const std::vector<double>& beta, std::vector<double>& grad) {
    const std::size_t rows = d.y.size();
    std::fill(grad.begin(), grad.end(), 0.0);
    double nll = 0;
    const double* x[covariates];
    for (int j = 0; j < covariates; ++j) x[j] = d.x[static_cast<std::size_t>(j)].data();
    for (std::size_t r = 0; r < rows; ++r) {
        double eta = beta[0];
        for (int j = 0; j < covariates; ++j) eta += beta[static_cast<std::size_t>(j) + 1] * x[j][r];
        const double e = std::exp(-std::abs(eta));
        const double log1p_exp = std::max(eta, 0.0) + std::log1p(e);
        nll += log1p_exp - d.y[r] * eta;
        const double p = eta >= 0 ? 1 / (1 + e) : e / (1 + e);
        const double resid = p - d.y[r];
        grad[0] += resid;
        for (int j = 0; j < covariates; ++j) grad[static_cast<std::size_t>(j) + 1] += resid * x[j][r];
    }
    return nll;
}

// 2. Eigen: the same pass in chunks of rows that stay in cache, as Eigen
// array expressions, so exp and the arithmetic are SIMD-vectorized. With
// `fast_log1p`, log1p is computed as log(u) x / (u - 1), u = 1 + x
// (Goldberg 1991; Eigen 3.4 has no vectorized log1p for doubles), the same
// trick mlec uses, and the choice of the residual's form is a plain loop
// the compiler vectorizes; without it, Eigen's log1p and select() (both
// element by element in Eigen 3.4).
template <bool fast_log1p>
double baseline_eigen(const Data& d, const std::vector<double>& beta, std::vector<double>& grad) {
    constexpr Eigen::Index chunk = 2048;
    const auto rows = static_cast<Eigen::Index>(d.y.size());
    std::fill(grad.begin(), grad.end(), 0.0);
    static thread_local Eigen::ArrayXd eta(chunk), e(chunk), l(chunk), resid(chunk);
    double nll = 0;
    for (Eigen::Index begin = 0; begin < rows; begin += chunk) {
        const Eigen::Index n = std::min(chunk, rows - begin);
        auto et = eta.head(n);
        auto ex = e.head(n);
        auto lg = l.head(n);
        auto rs = resid.head(n);
        const Eigen::Map<const Eigen::ArrayXd> y(d.y.data() + begin, n);
        auto column = [&](int j) {
            return Eigen::Map<const Eigen::ArrayXd>(d.x[static_cast<std::size_t>(j)].data() + begin, n);
        };
        et = beta[0] + beta[1] * column(0);
        for (int j = 1; j < covariates; ++j) et += beta[static_cast<std::size_t>(j) + 1] * column(j);
        ex = (-et.abs()).exp();
        if constexpr (fast_log1p) {
            // (no select(): Eigen 3.4 evaluates it element by element)
            const auto u = 1.0 + ex;
            lg = u.log() * (ex / (u - 1.0));
            for (Eigen::Index i = 0; i < n; ++i)
                if (1.0 + ex[i] == 1.0) lg[i] = ex[i];
        } else {
            lg = ex.log1p();
        }
        nll += (et.max(0.0) + lg - y * et).sum();
        if constexpr (fast_log1p) {
            for (Eigen::Index i = 0; i < n; ++i)
                rs[i] = (et[i] >= 0.0 ? 1.0 / (1.0 + ex[i]) : ex[i] / (1.0 + ex[i])) - y[i];
        } else {
            rs = (et >= 0.0).select((1.0 + ex).inverse(), ex / (1.0 + ex)) - y;
        }
        grad[0] += rs.sum();
        for (int j = 0; j < covariates; ++j) grad[static_cast<std::size_t>(j) + 1] += (rs * column(j)).sum();
    }
    return nll;
}

template <class F>
double median_seconds(int repetitions, F&& f) {
    std::vector<double> t;
    for (int i = 0; i < repetitions; ++i) {
        const auto start = std::chrono::steady_clock::now();
        f();
        t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    const std::size_t rows = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
    const int repetitions = argc > 2 ? std::atoi(argv[2]) : 11;
    const Data data = make_data(rows);

    std::string text = "y ~ bernoulli(sigmoid(b0";
    std::vector<std::string> header;
    for (int j = 1; j <= covariates; ++j) {
        const std::string index = std::to_string(j);
        text.append(" + b").append(index).append("*x").append(index);
        header.push_back(std::string("x").append(index));
    }
    text += "))\n";
    header.push_back("y");
    mlec::SourceText source("bench.mle", text);
    auto parsed = mlec::parse_model(source);
    if (!parsed.model) return 1;
    auto checked = mlec::interp::check_model(source, *parsed.model, header, "bench.csv");
    if (!checked.model) return 1;
    std::vector<std::span<const double>> columns;
    for (const auto& c : checked.model->columns) {
        const int k = c.csv_index;
        columns.emplace_back(k < covariates ? data.x[static_cast<std::size_t>(k)] : data.y);
    }
    mlec::rt::Evaluator evaluator(checked.model->graph, columns, rows, mlec::rt::default_block_rows, 1);
    mlec::rt::Evaluator threaded(checked.model->graph, columns, rows, mlec::rt::default_block_rows, 0);

    // The same point for both: parameters in the model's order (b0, b1..b10).
    std::vector<double> beta(covariates + 1);
    Eigen::VectorXd theta(covariates + 1);
    for (int j = 0; j <= covariates; ++j) beta[static_cast<std::size_t>(j)] = theta[j] = 0.05 * j - 0.2;
    std::vector<double> grad(covariates + 1);
    Eigen::VectorXd g;
    Eigen::MatrixXd h;

    struct Baseline {
        const char* name;
        double (*run)(const Data&, const std::vector<double>&, std::vector<double>&);
    };
    const Baseline baselines[] = {{"hand-written, scalar loop", &baseline_scalar},
                                  {"hand-written, Eigen", &baseline_eigen<false>},
                                  {"hand-written, Eigen + fast log1p", &baseline_eigen<true>}};

    const double nll_mlec = evaluator.nll_gradient(theta, g);
    std::printf("rows %zu, covariates %d, repetitions %d (medians)\n", rows, covariates, repetitions);
    for (const Baseline& b : baselines) {
        const double nll_base = b.run(data, beta, grad);
        double max_diff = 0;
        for (int j = 0; j <= covariates; ++j)
            max_diff = std::max(max_diff, std::abs(g[j] - grad[static_cast<std::size_t>(j)]) /
                                              std::max(1.0, std::abs(grad[static_cast<std::size_t>(j)])));
        std::printf("check %-34s NLL %.12g (mlec %.12g), max relative gradient difference %.2g\n", b.name, nll_base,
                    nll_mlec, max_diff);
    }

    // The fastest baseline is the one mlec is measured against.
    double t_base = 0;
    for (const Baseline& b : baselines) {
        const double t = median_seconds(repetitions, [&] { b.run(data, beta, grad); });
        std::printf("%-36s %10.2f ms\n", b.name, t * 1e3);
        t_base = t_base == 0 ? t : std::min(t_base, t);
    }
    const double t_grad = median_seconds(repetitions, [&] { evaluator.nll_gradient(theta, g); });
    const double t_value = median_seconds(repetitions, [&] { evaluator.nll(theta); });
    const double t_hess =
        median_seconds(std::max(3, repetitions / 3), [&] { evaluator.nll_gradient_hessian(theta, g, h); });
    const double t_threads = median_seconds(repetitions, [&] { threaded.nll_gradient(theta, g); });
    std::printf("%-36s %10.2f ms   ratio to the fastest baseline %.2f\n", "mlec NLL + gradient", t_grad * 1e3,
                t_grad / t_base);
    std::printf("%-36s %10.2f ms   ratio to the fastest baseline %.2f\n", "mlec NLL only", t_value * 1e3,
                t_value / t_base);
    std::printf("%-36s %10.2f ms   ratio to mlec gradient %.2f\n", "mlec NLL + gradient + Hessian", t_hess * 1e3,
                t_hess / t_grad);
    std::printf("%-36s %10.2f ms   speed-up over 1 thread %.2f (%d threads)\n", "mlec NLL + gradient, all cores",
                t_threads * 1e3, t_grad / t_threads, static_cast<int>(std::thread::hardware_concurrency()));
    return 0;
}

// Embedding mlec: a model given as text, data from arrays this program owns
// (no CSV, no copy), a fit with a progress callback, the estimates read
// from the result, and the compiled negative log-likelihood evaluated
// directly. Exits 0 when the fit matches the closed form.
#include <cmath>
#include <cstdio>
#include <numeric>
#include <span>
#include <vector>

#include <mlec/mlec.hpp>

int main() {
    // y = 2 + 0.5 x + noise, with a fixed "noise" so the result is known.
    std::vector<double> x, y;
    for (int i = 0; i < 40; ++i) {
        x.push_back(i * 0.25);
        y.push_back(2.0 + 0.5 * x.back() + 0.3 * std::sin(1.7 * i));
    }

    mlec::Diagnostics diagnostics;
    auto model = mlec::Model::from_text("param sigma > 0\ny ~ normal(a + b * x, sigma)\n", "line.mle", diagnostics);
    auto data = mlec::Data::from_columns({"x", "y"}, {std::span<const double>(x), std::span<const double>(y)}, "arrays",
                                         diagnostics);
    if (!model || !data) {
        std::fputs(mlec::format(diagnostics).c_str(), stderr);
        return 1;
    }
    auto problem = mlec::Problem::bind(*model, *data, diagnostics);
    if (!problem) {
        std::fputs(mlec::format(diagnostics).c_str(), stderr);
        return 1;
    }

    mlec::FitOptions options;
    int iterations = 0;
    options.on_iteration = [&](const mlec::IterationInfo&) {
        ++iterations;
        return true;  // false would cancel the fit
    };
    const mlec::FitResult fit = mlec::fit(*problem, options);
    std::fputs(mlec::text_report(fit).c_str(), stdout);

    // Least squares, the MLE of a and b under normal errors.
    const double n = static_cast<double>(x.size());
    const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
    const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
    double sxy = 0, sxx = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
    }
    const double b = sxy / sxx, a = my - b * mx;
    double a_fit = 0, b_fit = 0;
    for (const auto& p : fit.parameters) {
        if (p.name == "a") a_fit = p.estimate;
        if (p.name == "b") b_fit = p.estimate;
    }
    std::printf("\nclosed form a = %.10f, b = %.10f; %d iterations reported\n", a, b, iterations);

    // The compiled NLL for a caller's own optimizer: value and gradient.
    Eigen::VectorXd gradient;
    const double nll = problem->nll_gradient(fit.theta, gradient);
    std::printf("NLL at the estimate %.10f (= -log-likelihood %.10f), gradient norm %.2g\n", nll, -fit.log_likelihood,
                gradient.norm());

    const bool ok = fit.converged && std::abs(a_fit - a) < 1e-6 && std::abs(b_fit - b) < 1e-6 && iterations > 0 &&
                    std::abs(nll + fit.log_likelihood) < 1e-9 * std::abs(nll);
    std::puts(ok ? "embed: OK" : "embed: MISMATCH");
    return ok ? 0 : 1;
}

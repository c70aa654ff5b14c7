// Coverage of mlec's 95% intervals: simulate many data sets from known
// parameters, fit each with Wald and with profile-likelihood intervals, and
// count how often each interval contains the true value. A correct 95%
// interval covers in 95% of data sets, up to the Monte Carlo error
// sqrt(p (1 - p) / N) (0.69 points for N = 1000). Not part of CI: it is
// evidence, printed as a table for bench/README.md.
//
//   build/bench/coverage [datasets=1000] [seed=1]
//
// Data set k of every model draws from rt::Rng(seed).split(k), then splits
// that stream per model, so a run is reproducible and adding a model does
// not change the data of the others.
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "mlec/mlec.hpp"
#include "runtime/random.hpp"

namespace {

constexpr int rows = 200;

struct Truth {
    std::string name;
    double value;
};

struct Scenario {
    std::string name;
    std::string model_text;
    std::vector<Truth> truth;
    // Appends `rows` data lines (after the header) drawn from the truth.
    std::string header;
    std::function<void(mlec::rt::Rng&, std::string&)> simulate;
};

void append_number(std::string& out, double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.17g", value);
    out += buffer;
}

// y ~ bernoulli(sigmoid(b0 + b1 x1 + b2 x2)), x1 ~ N(0, 1), x2 ~ U(-1, 1).
Scenario logistic_scenario() {
    constexpr double b0 = -0.5, b1 = 1.0, b2 = -0.8;
    Scenario s;
    s.name = "logistic";
    s.model_text = "y ~ bernoulli(sigmoid(b0 + b1*x1 + b2*x2))\n";
    s.truth = {{"b0", b0}, {"b1", b1}, {"b2", b2}};
    s.header = "y,x1,x2\n";
    s.simulate = [](mlec::rt::Rng& rng, std::string& out) {
        for (int r = 0; r < rows; ++r) {
            const double x1 = rng.normal();
            const double x2 = 2 * rng.uniform() - 1;
            const double p = 1 / (1 + std::exp(-(b0 + b1 * x1 + b2 * x2)));
            const double y = rng.uniform() < p ? 1.0 : 0.0;
            append_number(out, y);
            out += ',';
            append_number(out, x1);
            out += ',';
            append_number(out, x2);
            out += '\n';
        }
    };
    return s;
}

// y ~ Gamma(shape, rate = shape / mu), mu = exp(b0 + b1 x), x ~ N(0, 1):
// mean mu, variance mu^2 / shape.
Scenario gamma_scenario() {
    constexpr double b0 = 1.0, b1 = 0.5, shape = 2.0;
    Scenario s;
    s.name = "gamma";
    s.model_text = "param shape > 0\ny ~ gamma(shape, shape / exp(b0 + b1*x))\n";
    s.truth = {{"shape", shape}, {"b0", b0}, {"b1", b1}};
    s.header = "y,x\n";
    s.simulate = [](mlec::rt::Rng& rng, std::string& out) {
        for (int r = 0; r < rows; ++r) {
            const double x = rng.normal();
            const double mu = std::exp(b0 + b1 * x);
            // A Gamma(shape, 1) draw divided by the rate shape / mu.
            const double y = rng.gamma(shape) * mu / shape;
            append_number(out, y);
            out += ',';
            append_number(out, x);
            out += '\n';
        }
    };
    return s;
}

const mlec::ParameterEstimate* find(const mlec::FitResult& fit, const std::string& name) {
    for (const auto& p : fit.parameters)
        if (p.name == name) return &p;
    return nullptr;
}

bool covers(const mlec::ParameterEstimate& p, double truth) { return *p.ci_lower <= truth && truth <= *p.ci_upper; }

struct Tally {
    int wald = 0, profile = 0;
    int profile_open = 0;  // profile intervals with an open side
    double estimate_sum = 0;
};

struct Outcome {
    std::vector<Tally> tally;
    int used = 0;
    int not_converged = 0;  // either fit did not converge
    int no_interval = 0;    // converged, but some interval was absent
    double seconds = 0;
};

Outcome run(const Scenario& scenario, int datasets, std::uint64_t seed, std::uint64_t scenario_index) {
    Outcome out;
    out.tally.resize(scenario.truth.size());
    mlec::Diagnostics diagnostics;
    auto model = mlec::Model::from_text(scenario.model_text, scenario.name, diagnostics);
    if (!model) {
        std::fprintf(stderr, "%s: the model does not parse:\n%s\n", scenario.name.c_str(),
                     mlec::format(diagnostics).c_str());
        std::exit(1);
    }
    mlec::FitOptions wald_options;
    mlec::FitOptions profile_options;
    profile_options.ci = mlec::CiMethod::profile;

    const mlec::rt::Rng root(seed);
    const auto start = std::chrono::steady_clock::now();
    for (int k = 0; k < datasets; ++k) {
        mlec::rt::Rng rng = root.split(static_cast<std::uint64_t>(k)).split(scenario_index);
        std::string csv = scenario.header;
        scenario.simulate(rng, csv);
        mlec::Diagnostics data_diagnostics;  // fresh per data set, so they do not pile up
        auto data = mlec::Data::from_csv_text(std::move(csv), "simulated", data_diagnostics);
        if (!data) {
            std::fprintf(stderr, "%s: data set %d does not read:\n%s\n", scenario.name.c_str(), k,
                         mlec::format(data_diagnostics).c_str());
            std::exit(1);
        }
        auto problem = mlec::Problem::bind(*model, *data, data_diagnostics);
        if (!problem) {
            std::fprintf(stderr, "%s: data set %d does not bind:\n%s\n", scenario.name.c_str(), k,
                         mlec::format(data_diagnostics).c_str());
            std::exit(1);
        }
        const mlec::FitResult wald = mlec::fit(*problem, wald_options);
        const mlec::FitResult profile = mlec::fit(*problem, profile_options);
        if (profile.ci_method != mlec::CiMethod::profile || wald.ci_method != mlec::CiMethod::wald) {
            std::fprintf(stderr, "%s: asked for profile and Wald intervals, got %s and %s\n", scenario.name.c_str(),
                         std::string(mlec::to_string(profile.ci_method)).c_str(),
                         std::string(mlec::to_string(wald.ci_method)).c_str());
            std::exit(1);
        }
        if (!wald.converged || !profile.converged) {
            ++out.not_converged;
            continue;
        }
        std::vector<const mlec::ParameterEstimate*> w, p;
        bool complete = true;
        for (const auto& truth : scenario.truth) {
            w.push_back(find(wald, truth.name));
            p.push_back(find(profile, truth.name));
            if (!w.back() || !p.back() || !w.back()->ci_lower || !w.back()->ci_upper || !p.back()->ci_lower ||
                !p.back()->ci_upper)
                complete = false;
        }
        if (!complete) {
            ++out.no_interval;
            continue;
        }
        ++out.used;
        for (std::size_t i = 0; i < scenario.truth.size(); ++i) {
            const double truth = scenario.truth[i].value;
            Tally& t = out.tally[i];
            t.wald += covers(*w[i], truth);
            t.profile += covers(*p[i], truth);
            t.profile_open += p[i]->ci_lower_open || p[i]->ci_upper_open;
            t.estimate_sum += w[i]->estimate;
        }
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return out;
}

// "95.1 ± 0.68", flagged when outside the 93.5–96.5 band the README asks for.
std::string percent(int hits, int n) {
    const double p = n > 0 ? static_cast<double>(hits) / n : 0.0;
    const double se = n > 0 ? std::sqrt(p * (1 - p) / n) : 0.0;
    char buffer[64];
    const bool outside = p < 0.935 || p > 0.965;
    std::snprintf(buffer, sizeof buffer, "%5.1f ± %.2f%s", 100 * p, 100 * se, outside ? " *" : "  ");
    return buffer;
}

}  // namespace

int main(int argc, char** argv) {
    const int datasets = argc > 1 ? std::atoi(argv[1]) : 1000;
    const std::uint64_t seed = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1;
    if (datasets <= 0) {
        std::fprintf(stderr, "usage: coverage [datasets=1000] [seed=1]\n");
        return 2;
    }
    const std::vector<Scenario> scenarios = {logistic_scenario(), gamma_scenario()};

    std::printf("coverage of 95%% intervals: %d data sets of %d rows per model, seed %llu\n\n", datasets, rows,
                static_cast<unsigned long long>(seed));
    std::printf("%-9s %-6s %6s %9s %15s %15s %5s\n", "model", "param", "true", "mean est", "Wald %", "profile %",
                "open");
    double total = 0;
    std::vector<Outcome> outcomes;
    for (std::size_t m = 0; m < scenarios.size(); ++m) {
        const Scenario& s = scenarios[m];
        outcomes.push_back(run(s, datasets, seed, m));
        const Outcome& o = outcomes.back();
        total += o.seconds;
        for (std::size_t i = 0; i < s.truth.size(); ++i) {
            const Tally& t = o.tally[i];
            std::printf("%-9s %-6s %6.2f %9.4f %16s %16s %5d\n", s.name.c_str(), s.truth[i].name.c_str(),
                        s.truth[i].value, o.used > 0 ? t.estimate_sum / o.used : 0.0, percent(t.wald, o.used).c_str(),
                        percent(t.profile, o.used).c_str(), t.profile_open);
        }
    }
    std::printf("\n");
    for (std::size_t m = 0; m < scenarios.size(); ++m) {
        const Outcome& o = outcomes[m];
        std::printf("%-9s used %d, skipped %d (not converged %d, interval missing %d), %.1f s\n",
                    scenarios[m].name.c_str(), o.used, o.not_converged + o.no_interval, o.not_converged, o.no_interval,
                    o.seconds);
    }
    std::printf("total %.1f s (two fits per data set: Wald, then profile)\n", total);
    std::printf(
        "± is the Monte Carlo standard error sqrt(p(1-p)/N) in points; * marks coverage outside "
        "93.5-96.5%%\n");
    return 0;
}

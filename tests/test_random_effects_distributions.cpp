// Random effects reaching the log densities and distribution functions that
// gained exact third partials for them (issue 15): the ordinal models
// (R's ordinal::clmm), the zero-inflated and hurdle counts (glmmTMB's),
// censored and truncated outcomes (survival frailty models) and von_mises. Each family is
// a small data set simulated here from a seeded generator, with a random
// intercept per group; binding must accept it, and the Laplace objective's
// exact gradient (Problem::nll_gradient: implicit differentiation that
// chains every op's third partials) must equal central differences of the
// objective itself (Problem::nll) at random theta. A wrong third partial
// anywhere on the effects' path makes the gradient of the log determinant,
// and so this comparison, fail.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "mlec/mlec.hpp"

namespace {

// A reproducible generator independent of the standard library's
// distributions (whose algorithms differ between implementations):
// splitmix64, uniforms on (0, 1), normals by Box-Muller.
class Generator {
public:
    explicit Generator(std::uint64_t seed) : state_(seed) {}
    double uniform() {
        state_ += 0x9E3779B97F4A7C15ull;
        std::uint64_t z = state_;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        return (static_cast<double>(z >> 11) + 0.5) * 0x1.0p-53;
    }
    double normal() {
        const double u = uniform();
        const double v = uniform();
        return std::sqrt(-2 * std::log(u)) * std::cos(6.283185307179586 * v);
    }
    double logistic() {
        const double u = uniform();
        return std::log(u) - std::log1p(-u);
    }
    // Poisson by inversion (small means only).
    double poisson(double mean) {
        const double u = uniform();
        double k = 0;
        double p = std::exp(-mean);
        double cum = p;
        while (u > cum && k < 1000) {
            k += 1;
            p *= mean / k;
            cum += p;
        }
        return k;
    }
    // negbinomial(mu, size) as a gamma-Poisson mixture; the gamma(size, 1)
    // draw by Marsaglia and Tsang (size >= 1 here).
    double negbinomial(double mu, double size) {
        const double d = size - 1.0 / 3;
        const double c = 1 / std::sqrt(9 * d);
        double g = 0;
        for (;;) {
            const double x = normal();
            const double v = std::pow(1 + c * x, 3);
            if (v <= 0) continue;
            if (std::log(uniform()) < 0.5 * x * x + d - d * v + d * std::log(v)) {
                g = d * v;
                break;
            }
        }
        return poisson(mu * g / size);
    }

private:
    std::uint64_t state_;
};

// A data set of `groups` levels of g with `per_group` rows each, a
// covariate x ~ N(0, 1) and a group effect u_g ~ N(0, 0.7); `row` writes
// the rest of a row's CSV fields (after g,x) from (x, u_g, generator).
std::string simulate(const std::string& header, int groups, int per_group, std::uint64_t seed,
                     const std::function<std::string(double, double, Generator&)>& row) {
    Generator gen(seed);
    std::ostringstream csv;
    csv.precision(17);
    csv << "g,x," << header << "\n";
    for (int j = 0; j < groups; ++j) {
        const double u = 0.7 * gen.normal();
        for (int i = 0; i < per_group; ++i) {
            const double x = gen.normal();
            csv << "g" << j << "," << x << "," << row(x, u, gen) << "\n";
        }
    }
    return csv.str();
}

std::string number(double v) {
    std::ostringstream s;
    s.precision(17);
    s << v;
    return s.str();
}

// The category 1 + #{k : latent > c[k]} of cut-points (-1, 0.5, 2).
std::string category(double latent) {
    int y = 1;
    for (double c : {-1.0, 0.5, 2.0}) y += latent > c ? 1 : 0;
    return std::to_string(y);
}

struct GradientCheck {
    int coordinates = 0;
    double worst = 0;  // the largest |exact - differences| / (|exact| + scale)
};

// The exact gradient of the Laplace objective against Richardson-extrapolated
// central differences of it, (4 D(h/2) - D(h))/3 with D(h) = (L(t + h e_i) -
// L(t - h e_i))/2h (error O(h^4)), at `points` thetas drawn around the start.
// The tolerance is relative to the component, with a floor of 1e-3 of the
// gradient's largest component (a component that cancels to near 0 keeps
// only the digits its terms have).
GradientCheck check_gradient(const mlec::Problem& p, std::uint64_t seed, int points = 3) {
    GradientCheck result;
    Generator gen(seed);
    const Eigen::VectorXd start = p.start();
    for (int k = 0; k < points; ++k) {
        Eigen::VectorXd theta = start;
        for (Eigen::Index i = 0; i < theta.size(); ++i) theta[i] += 0.3 * gen.normal();
        Eigen::VectorXd gradient;
        const double value = p.nll_gradient(theta, gradient);
        INFO("theta " << theta.transpose() << ": L = " << value);
        REQUIRE(std::isfinite(value));
        REQUIRE(gradient.size() == theta.size());
        const double scale = 1e-3 * gradient.cwiseAbs().maxCoeff();
        for (Eigen::Index i = 0; i < theta.size(); ++i) {
            auto central = [&](double h) {
                Eigen::VectorXd up = theta;
                Eigen::VectorXd down = theta;
                up[i] += h;
                down[i] -= h;
                return (p.nll(up) - p.nll(down)) / (2 * h);
            };
            const double h = 1e-3 * std::max(1.0, std::abs(theta[i]));
            const double fd = (4 * central(h / 2) - central(h)) / 3;
            const double error = std::abs(gradient[i] - fd) / (std::abs(gradient[i]) + scale);
            INFO(p.parameter_names()[static_cast<std::size_t>(i)] << ": exact " << gradient[i] << ", differences "
                                                                  << fd);
            CHECK(error <= 1e-6);
            result.worst = std::max(result.worst, error);
            ++result.coordinates;
        }
    }
    return result;
}

struct Bound {
    std::optional<mlec::Model> model;
    std::optional<mlec::Data> data;
    std::optional<mlec::Problem> problem;
    mlec::Diagnostics diagnostics;
};

// Binds the model to the data; `bound.problem` is empty when binding refused.
void bind_model(Bound& b, const std::string& model, const std::string& csv) {
    b.model = mlec::Model::from_text(model, "model.mle", b.diagnostics);
    REQUIRE(b.model);
    b.data = mlec::Data::from_csv_text(csv, "data.csv", b.diagnostics);
    REQUIRE(b.data);
    b.problem = mlec::Problem::bind(*b.model, *b.data, b.diagnostics);
}

struct Family {
    std::string name;
    std::string model;
    std::string csv;
};

std::vector<Family> families() {
    std::vector<Family> f;
    f.push_back({"ordered_logistic",
                 "param c ordered[3] = [-1, 0, 1]\nparam s > 0\nrandom u[g] ~ normal(0, s)\n"
                 "y ~ ordered_logistic(b * x + u[g], c)\n",
                 simulate("y", 30, 8, 11,
                          [](double x, double u, Generator& gen) { return category(x + u + gen.logistic()); })});
    f.push_back({"ordered_probit",
                 "param c ordered[3] = [-1, 0, 1]\nparam s > 0\nrandom u[g] ~ normal(0, s)\n"
                 "y ~ ordered_probit(b * x + u[g], c)\n",
                 simulate("y", 30, 8, 12,
                          [](double x, double u, Generator& gen) { return category(0.6 * x + u + gen.normal()); })});
    f.push_back({"zero_inflated_poisson",
                 "param s > 0\nrandom u[g] ~ normal(0, s)\n"
                 "y ~ zero_inflated_poisson(exp(b0 + b1 * x + u[g]), inv_logit(g0))\n",
                 simulate("y", 25, 10, 13, [](double x, double u, Generator& gen) {
                     return number(gen.uniform() < 0.3 ? 0.0 : gen.poisson(std::exp(0.5 + 0.4 * x + u)));
                 })});
    f.push_back({"zero_inflated_poisson, the effect in the zero probability",
                 "param s > 0\nrandom u[g] ~ normal(0, s)\n"
                 "y ~ zero_inflated_poisson(exp(b0 + b1 * x), inv_logit(g0 + u[g]))\n",
                 simulate("y", 25, 10, 14, [](double x, double u, Generator& gen) {
                     const double pi = 1 / (1 + std::exp(0.8 - u));
                     return number(gen.uniform() < pi ? 0.0 : gen.poisson(std::exp(0.8 + 0.4 * x)));
                 })});
    f.push_back({"zero_inflated_negbinomial",
                 "param s > 0, size > 0\nrandom u[g] ~ normal(0, s)\n"
                 "y ~ zero_inflated_negbinomial(exp(b0 + b1 * x + u[g]), size, inv_logit(g0))\n",
                 simulate("y", 25, 10, 15, [](double x, double u, Generator& gen) {
                     return number(gen.uniform() < 0.25 ? 0.0 : gen.negbinomial(std::exp(0.7 + 0.4 * x + u), 3));
                 })});
    f.push_back({"hurdle_poisson",
                 "param s > 0\nrandom u[g] ~ normal(0, s)\n"
                 "y ~ hurdle_poisson(exp(b0 + b1 * x + u[g]), inv_logit(g0 + u[g]))\n",
                 simulate("y", 25, 10, 16, [](double x, double u, Generator& gen) {
                     if (gen.uniform() < 1 / (1 + std::exp(1.0 - u))) return number(0);
                     double k = 0;
                     while (k == 0) k = gen.poisson(std::exp(0.5 + 0.4 * x + u));
                     return number(k);
                 })});
    f.push_back({"hurdle_negbinomial",
                 "param s > 0, size > 0\nrandom u[g] ~ normal(0, s)\n"
                 "y ~ hurdle_negbinomial(exp(b0 + b1 * x + u[g]), size, inv_logit(g0))\n",
                 simulate("y", 25, 10, 17, [](double x, double u, Generator& gen) {
                     if (gen.uniform() < 0.3) return number(0);
                     double k = 0;
                     while (k == 0) k = gen.negbinomial(std::exp(0.6 + 0.4 * x + u), 2);
                     return number(k);
                 })});
    // Survival frailty: weibull times, right-censored at a uniform time.
    f.push_back({"weibull, right-censored",
                 "param k > 0, s > 0\nrandom u[g] ~ normal(0, s)\n"
                 "t ~ weibull(k, exp(b0 + b1 * x + u[g])) censored(right = cens)\n",
                 simulate("t,cens", 30, 8, 18, [](double x, double u, Generator& gen) {
                     const double t = std::exp(0.3 + 0.5 * x + u) * std::pow(-std::log(gen.uniform()), 1 / 1.5);
                     const double limit = 3 * gen.uniform();
                     return number(std::min(t, limit)) + "," + (t > limit ? "1" : "0");
                 })});
    // (the lccdf, -rate t, has no third partials but 0: the left-censored
    // rows, below a detection limit of 0.2, call the lcdf)
    f.push_back({"exponential, left- and right-censored",
                 "param s > 0\nrandom u[g] ~ normal(0, s)\n"
                 "t ~ exponential(exp(-b0 - b1 * x - u[g])) censored(left = l, right = cens)\n",
                 simulate("t,l,cens", 30, 8, 19, [](double x, double u, Generator& gen) {
                     const double t = -std::exp(0.2 + 0.5 * x + u) * std::log(gen.uniform());
                     const double limit = 2.5 * gen.uniform();
                     if (t < 0.2) return std::string("0.2,1,0");
                     return number(std::min(t, limit)) + ",0," + (t > limit ? "1" : "0");
                 })});
    f.push_back({"lognormal, right-censored",
                 "param sigma > 0, s > 0\nrandom u[g] ~ normal(0, s)\n"
                 "t ~ lognormal(b0 + b1 * x + u[g], sigma) censored(right = cens)\n",
                 simulate("t,cens", 30, 8, 20, [](double x, double u, Generator& gen) {
                     const double t = std::exp(0.2 + 0.5 * x + u + 0.8 * gen.normal());
                     const double limit = 3 * gen.uniform();
                     return number(std::min(t, limit)) + "," + (t > limit ? "1" : "0");
                 })});
    // Left-censored (a Tobit model), right-censored and interval-censored
    // normal rows in one statement: normal_lcdf, normal_lccdf and
    // interval_probability.
    f.push_back({"normal, left-, right- and interval-censored",
                 "param sigma > 0, s > 0\nrandom u[g] ~ normal(0, s)\n"
                 "y ~ normal(b0 + b1 * x + u[g], sigma) censored(left = l, right = r, interval = i, upper = hi)\n",
                 simulate("y,l,r,i,hi", 30, 8, 21, [](double x, double u, Generator& gen) {
                     const double y = 0.5 + x + u + 0.7 * gen.normal();
                     if (y < 0) return std::string("0,1,0,0,0");
                     if (y > 2.5) return std::string("2.5,0,1,0,0");
                     if (y > 1 && y < 1.5) return std::string("1,0,0,1,1.5");
                     return number(y) + ",0,0,0,0";
                 })});
    f.push_back({"logistic, left-censored",
                 "param sigma > 0, s > 0\nrandom u[g] ~ normal(0, s)\n"
                 "y ~ logistic(b0 + b1 * x + u[g], sigma) censored(left = l)\n",
                 simulate("y,l", 30, 8, 22, [](double x, double u, Generator& gen) {
                     const double y = 0.5 + x + u + 0.5 * gen.logistic();
                     return y < 0 ? std::string("0,1") : number(y) + ",0";
                 })});
    f.push_back({"normal, truncated below",
                 "param sigma > 0, s > 0\nrandom u[g] ~ normal(0, s)\n"
                 "y ~ normal(b0 + b1 * x + u[g], sigma) T[0, ]\n",
                 simulate("y", 30, 8, 23, [](double x, double u, Generator& gen) {
                     double y = -1;
                     while (y < 0) y = 0.3 + x + u + gen.normal();
                     return number(y);
                 })});
    // Counts capped at 4 (poisson_lccdf) and zero-truncated counts (T[1, ]:
    // log P(Y >= 1), the lccdf at 0).
    f.push_back({"poisson, right-censored",
                 "param s > 0\nrandom u[g] ~ normal(0, s)\n"
                 "y ~ poisson(exp(b0 + b1 * x + u[g])) censored(right = cens)\n",
                 simulate("y,cens", 30, 8, 24, [](double x, double u, Generator& gen) {
                     const double y = gen.poisson(std::exp(0.8 + 0.4 * x + u));
                     return y > 4 ? std::string("4,1") : number(y) + ",0";
                 })});
    f.push_back({"poisson, zero-truncated",
                 "param s > 0\nrandom u[g] ~ normal(0, s)\n"
                 "y ~ poisson(exp(b0 + b1 * x + u[g])) T[1, ]\n",
                 simulate("y", 30, 8, 25, [](double x, double u, Generator& gen) {
                     double y = 0;
                     while (y == 0) y = gen.poisson(std::exp(0.3 + 0.4 * x + u));
                     return number(y);
                 })});
    // Angles: a random direction per group, the last log density to gain
    // third partials (kappa's through the Bessel ratio's second derivative).
    f.push_back({"von_mises",
                 "param s > 0, kappa > 0\nrandom u[g] ~ normal(0, s)\n"
                 "y ~ von_mises(b0 + b1 * x + u[g], kappa)\n",
                 simulate("y", 30, 8, 26, [](double x, double u, Generator& gen) {
                     return number(std::remainder(0.4 + 0.5 * x + u + 0.5 * gen.normal(), 6.283185307179586));
                 })});
    return f;
}

}  // namespace

TEST_CASE(
    "random effects through the families with third partials: bound, and the exact gradient of the Laplace "
    "objective equals differences of it") {
    int coordinates = 0;
    double worst = 0;
    std::string worst_at;
    std::uint64_t seed = 100;
    for (const Family& f : families()) {
        INFO(f.name << "\n" << f.model);
        Bound b;
        bind_model(b, f.model, f.csv);
        INFO(mlec::format(b.diagnostics));
        REQUIRE(b.problem);
        const GradientCheck c = check_gradient(*b.problem, ++seed);
        WARN(f.name << ": " << c.coordinates << " gradient components, largest relative error " << c.worst);
        coordinates += c.coordinates;
        if (c.worst > worst) {
            worst = c.worst;
            worst_at = f.name;
        }
    }
    WARN("in all " << coordinates << " gradient components; largest relative error " << worst << " (" << worst_at
                   << ")");
}

TEST_CASE("random effects reaching a distribution function still without third partials are refused by its name") {
    // gamma's distribution functions (shape partials by quadrature) have no
    // third partials yet: binding says which op stops it.
    const std::string csv = simulate("t,cens", 10, 5, 31, [](double x, double u, Generator& gen) {
        const double t = -std::exp(0.2 + 0.5 * x + u) * std::log(gen.uniform());
        return number(std::min(t, 2.0)) + "," + (t > 2 ? "1" : "0");
    });
    Bound b;
    bind_model(b,
               "param shape > 0, s > 0\nrandom u[g] ~ normal(0, s)\n"
               "t ~ gamma(shape, shape * exp(-b0 - b1 * x - u[g])) censored(right = cens)\n",
               csv);
    CHECK_FALSE(b.problem);
    CHECK(mlec::format(b.diagnostics).find("random effects reach 'gamma_lccdf'") != std::string::npos);
}

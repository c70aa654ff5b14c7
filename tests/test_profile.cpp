// Profile-likelihood intervals against closed forms and against profiles
// computed independently here (by substituting the constraint and bisecting).
#include <catch2/catch.hpp>

#include <boost/math/distributions/chi_squared.hpp>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <vector>

#include "inference/profile.hpp"

namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;
using mlec::inference::profile;
using mlec::inference::ProfileOptions;
using mlec::inference::ProfileResult;
using mlec::inference::Quantity;

constexpr double inf = std::numeric_limits<double>::infinity();

double cutoff(double level) { return boost::math::quantile(boost::math::chi_squared(1), level); }

class TestObjective : public mlec::optim::Objective {
public:
    using Eval = std::function<double(const VectorXd&, VectorXd*, MatrixXd*)>;
    TestObjective(int dimension, Eval eval) : dimension_(dimension), eval_(std::move(eval)) {}

    int dimension() const override { return dimension_; }
    double value(const VectorXd& x) override { return eval_(x, nullptr, nullptr); }
    double value_gradient(const VectorXd& x, VectorXd& g) override {
        g.resize(dimension_);
        return eval_(x, &g, nullptr);
    }
    double value_gradient_hessian(const VectorXd& x, VectorXd& g, MatrixXd& h) override {
        g.resize(dimension_);
        h.resize(dimension_, dimension_);
        return eval_(x, &g, &h);
    }

private:
    int dimension_;
    Eval eval_;
};

// The root of f in [a, b] (f(a), f(b) of opposite signs) by plain bisection:
// slow but independent of the engine's root finder.
double bisect(const std::function<double(double)>& f, double a, double b) {
    const bool rising = f(b) > f(a);
    for (int i = 0; i < 200; ++i) {
        const double m = 0.5 * (a + b);
        if ((f(m) > 0) == rising) {
            b = m;
        } else {
            a = m;
        }
    }
    return 0.5 * (a + b);
}

const std::function<double(double)> identity = [](double u) { return u; };
const std::function<double(double)> exponential = [](double u) { return std::exp(u); };

// A normal sample with theta = (mu, log sigma):
//   NLL = n log sigma + sum (y - mu)^2 / (2 sigma^2)   (constant dropped).
struct NormalSample {
    std::vector<double> y{2.1, 3.4, 1.9, 5.2, 4.4, 3.3, 2.8, 4.0};
    double n = static_cast<double>(y.size());
    double mean = std::accumulate(y.begin(), y.end(), 0.0) / n;
    double s2 = [this] {
        double sum = 0;
        for (double v : y) sum += (v - mean) * (v - mean);
        return sum / n;
    }();

    TestObjective objective() const {
        return TestObjective(2, [this](const VectorXd& t, VectorXd* g, MatrixXd* h) {
            const double mu = t(0), eta = t(1);
            double ss = 0;
            for (double v : y) ss += (v - mu) * (v - mu);
            const double precision = std::exp(-2 * eta);
            if (g) *g << -n * (mean - mu) * precision, n - ss * precision;
            if (h) {
                const double cross = 2 * n * (mean - mu) * precision;
                *h << n * precision, cross, cross, 2 * ss * precision;
            }
            return n * eta + 0.5 * ss * precision;
        });
    }

    VectorXd theta_hat() const { return VectorXd{{mean, 0.5 * std::log(s2)}}; }
    double nll_hat() const { return 0.5 * n * std::log(s2) + 0.5 * n; }

    // 2 (p(c) - p_hat) = n log(1 + (ybar - c)^2 / s2_hat) for mu = c, solved
    // for c.
    double mu_end(double level, int side) const {
        return mean + side * std::sqrt(s2) * std::sqrt(std::exp(cutoff(level) / n) - 1);
    }
};

// f(u) = -log(0.5 sigmoid(-u) + exp(-u^2 / 2)): a minimum near u = -0.13,
// and f -> log 2 as u -> -inf, only 2 (log 2 - f(u_hat)) ~ 1.8 above the
// minimum: the profile never reaches the cutoff on the lower side. A second
// coordinate, (v - 1)^2 / 2, gives the profile something to minimize.
double plateau(double u, double* d1, double* d2) {
    const double s = 1 / (1 + std::exp(-u));  // sigmoid(u)
    const double sb = 1 - s;                  // sigmoid(-u)
    const double bump = std::exp(-0.5 * u * u);
    const double a = 0.5 * sb + bump;
    const double a1 = -0.5 * s * sb - u * bump;
    const double a2 = -0.5 * s * sb * (sb - s) + (u * u - 1) * bump;
    if (d1) *d1 = -a1 / a;
    if (d2) *d2 = -a2 / a + (a1 / a) * (a1 / a);
    return -std::log(a);
}

TestObjective plateau_objective() {
    return TestObjective(2, [](const VectorXd& t, VectorXd* g, MatrixXd* h) {
        double d1 = 0, d2 = 0;
        const double f = plateau(t(0), &d1, &d2);
        if (g) *g << d1, t(1) - 1;
        if (h) *h << d2, 0, 0, 1;
        return f + 0.5 * (t(1) - 1) * (t(1) - 1);
    });
}

bool sorted_by_value(const ProfileResult& r) {
    for (std::size_t i = 1; i < r.curve.size(); ++i) {
        if (r.curve[i - 1].first > r.curve[i].first) return false;
    }
    return !r.curve.empty();
}

}  // namespace

TEST_CASE("profile interval for a normal mean matches the closed form", "[profile]") {
    const NormalSample sample;
    TestObjective nll = sample.objective();
    for (double wald_se : {0.0, std::sqrt(sample.s2 / sample.n)}) {
        const ProfileResult r = profile(nll, sample.theta_hat(), sample.nll_hat(), {}, 0, identity, wald_se, -inf, inf);
        REQUIRE_FALSE(r.better);
        REQUIRE_FALSE(r.lower.open);
        REQUIRE_FALSE(r.upper.open);
        CHECK(std::abs(r.lower.bound - sample.mu_end(0.95, -1)) < 1e-7);
        CHECK(std::abs(r.upper.bound - sample.mu_end(0.95, +1)) < 1e-7);
        REQUIRE(sorted_by_value(r));
        // Every point of the curve lies on the closed-form profile.
        for (const auto& [c, statistic] : r.curve) {
            const double d = sample.mean - c;
            CHECK(std::abs(statistic - sample.n * std::log1p(d * d / sample.s2)) < 1e-8);
        }
    }
    ProfileOptions options;
    options.level = 0.99;
    const ProfileResult r = profile(nll, sample.theta_hat(), sample.nll_hat(), {}, 0, identity, 0, -inf, inf, options);
    CHECK(std::abs(r.lower.bound - sample.mu_end(0.99, -1)) < 1e-7);
    CHECK(std::abs(r.upper.bound - sample.mu_end(0.99, +1)) < 1e-7);
}

TEST_CASE("profile interval for a normal sd matches bisection of its closed form", "[profile]") {
    const NormalSample sample;
    TestObjective nll = sample.objective();
    const ProfileResult r = profile(nll, sample.theta_hat(), sample.nll_hat(), {}, 1, exponential, 0, 0, inf);
    REQUIRE_FALSE(r.lower.open);
    REQUIRE_FALSE(r.upper.open);
    // 2 (p(sigma) - p_hat) = n (s2/sigma^2 - 1 - log(s2/sigma^2)).
    const auto excess = [&](double sigma) {
        const double ratio = sample.s2 / (sigma * sigma);
        return sample.n * (ratio - 1 - std::log(ratio)) - cutoff(0.95);
    };
    const double s_hat = std::sqrt(sample.s2);
    const double lower = bisect(excess, 1e-3 * s_hat, s_hat);
    const double upper = bisect(excess, s_hat, 1e3 * s_hat);
    CHECK(std::abs(r.lower.bound - lower) < 1e-7 * lower);
    CHECK(std::abs(r.upper.bound - upper) < 1e-7 * upper);
    REQUIRE(sorted_by_value(r));
}

TEST_CASE("profile interval for a Poisson rate on the log scale", "[profile]") {
    const std::vector<double> y{3, 1, 4, 1, 5, 9, 2, 6};
    const double n = static_cast<double>(y.size());
    const double sum = std::accumulate(y.begin(), y.end(), 0.0);
    const double mean = sum / n;
    // NLL(theta) = n e^theta - sum(y) theta (log y! dropped), lambda = e^theta.
    TestObjective nll(1, [&](const VectorXd& t, VectorXd* g, MatrixXd* h) {
        const double lambda = std::exp(t(0));
        if (g) (*g)(0) = n * lambda - sum;
        if (h) (*h)(0, 0) = n * lambda;
        return n * lambda - sum * t(0);
    });
    const VectorXd theta_hat{{std::log(mean)}};
    const double nll_hat = sum - sum * std::log(mean);
    const ProfileResult r = profile(nll, theta_hat, nll_hat, {}, 0, exponential, 0, 0, inf);
    REQUIRE_FALSE(r.lower.open);
    REQUIRE_FALSE(r.upper.open);
    // 2 n [(lambda - ybar) - ybar log(lambda / ybar)].
    const auto excess = [&](double lambda) {
        return 2 * n * ((lambda - mean) - mean * std::log(lambda / mean)) - cutoff(0.95);
    };
    const double lower = bisect(excess, 1e-3 * mean, mean);
    const double upper = bisect(excess, mean, 1e3 * mean);
    CHECK(std::abs(r.lower.bound - lower) < 1e-7 * lower);
    CHECK(std::abs(r.upper.bound - upper) < 1e-7 * upper);
}

TEST_CASE("profile interval for exp(mu), a nonlinear quantity, by constrained fits", "[profile]") {
    const NormalSample sample;
    TestObjective nll = sample.objective();
    // exp is monotone: the interval for exp(mu) is exp of the interval for mu.
    const Quantity odds = [](const VectorXd& t, VectorXd& g) {
        g = VectorXd{{std::exp(t(0)), 0.0}};
        return std::exp(t(0));
    };
    const ProfileResult r = profile(nll, sample.theta_hat(), sample.nll_hat(), odds, -1, {}, 0, 0, inf);
    REQUIRE_FALSE(r.better);
    REQUIRE_FALSE(r.lower.open);
    REQUIRE_FALSE(r.upper.open);
    const double lower = std::exp(sample.mu_end(0.95, -1));
    const double upper = std::exp(sample.mu_end(0.95, +1));
    CHECK(std::abs(r.lower.bound - lower) < 1e-7 * lower);
    CHECK(std::abs(r.upper.bound - upper) < 1e-7 * upper);
    REQUIRE(sorted_by_value(r));
    for (const auto& [c, statistic] : r.curve) {
        const double d = sample.mean - std::log(c);
        CHECK(std::abs(statistic - sample.n * std::log1p(d * d / sample.s2)) < 1e-7);
    }
}

TEST_CASE("profile interval for mu + sigma against the substituted constraint", "[profile]") {
    const NormalSample sample;
    TestObjective nll = sample.objective();
    const Quantity sum = [](const VectorXd& t, VectorXd& g) {
        g = VectorXd{{1.0, std::exp(t(1))}};
        return t(0) + std::exp(t(1));
    };
    const double wald_se = [&] {
        // var(mu) = s2/n, var(sigma) = s2/(2n), independent at the optimum.
        return std::sqrt(sample.s2 / sample.n + sample.s2 / (2 * sample.n));
    }();
    const ProfileResult r = profile(nll, sample.theta_hat(), sample.nll_hat(), sum, -1, {}, wald_se, -inf, inf);
    REQUIRE_FALSE(r.lower.open);
    REQUIRE_FALSE(r.upper.open);

    // With mu = c - sigma: p(c) = min over sigma of
    //   n log sigma + n (s2 + (ybar - c + sigma)^2) / (2 sigma^2),
    // found on a grid in log sigma, then refined by golden-section search.
    const auto substituted = [&](double c, double log_sigma) {
        const double sigma = std::exp(log_sigma);
        const double d = sample.mean - c + sigma;
        return sample.n * log_sigma + sample.n * (sample.s2 + d * d) / (2 * sigma * sigma);
    };
    const auto profile_at = [&](double c) {
        double best = -12;
        for (double x = -12; x <= 8; x += 0.01) {
            if (substituted(c, x) < substituted(c, best)) best = x;
        }
        double a = best - 0.01, b = best + 0.01;
        const double golden = (std::sqrt(5.0) - 1) / 2;
        for (int i = 0; i < 200; ++i) {
            const double x1 = b - golden * (b - a), x2 = a + golden * (b - a);
            if (substituted(c, x1) < substituted(c, x2)) {
                b = x2;
            } else {
                a = x1;
            }
        }
        return substituted(c, 0.5 * (a + b));
    };
    const double c_hat = sample.mean + std::sqrt(sample.s2);
    const auto excess = [&](double c) { return 2 * (profile_at(c) - sample.nll_hat()) - cutoff(0.95); };
    const double lower = bisect(excess, c_hat - 10 * wald_se, c_hat);
    const double upper = bisect(excess, c_hat, c_hat + 10 * wald_se);
    CHECK(std::abs(r.lower.bound - lower) < 1e-6);
    CHECK(std::abs(r.upper.bound - upper) < 1e-6);
    // Spot-check the curve's statistic against the substituted profile.
    for (const auto& [c, statistic] : r.curve) {
        CHECK(std::abs(statistic - 2 * (profile_at(c) - sample.nll_hat())) < 1e-7);
    }
}

TEST_CASE("a profile that never reaches the cutoff leaves the side open", "[profile]") {
    TestObjective nll = plateau_objective();
    // u_hat by Newton on f' (independent of the engine).
    double u_hat = 0;
    for (int i = 0; i < 50; ++i) {
        double d1 = 0, d2 = 0;
        plateau(u_hat, &d1, &d2);
        u_hat -= d1 / d2;
    }
    const VectorXd theta_hat{{u_hat, 1.0}};
    const double nll_hat = plateau(u_hat, nullptr, nullptr);
    const auto excess = [&](double u) { return 2 * (plateau(u, nullptr, nullptr) - nll_hat) - cutoff(0.95); };
    const double upper = bisect(excess, u_hat, u_hat + 20);

    SECTION("with a finite bound on the user's scale") {
        const ProfileResult r = profile(nll, theta_hat, nll_hat, {}, 0, exponential, 0, 0, inf);
        REQUIRE_FALSE(r.better);
        CHECK(r.lower.open);
        CHECK(r.lower.bound == 0);
        CHECK(r.lower.reason == "the profile likelihood stays above the cutoff up to the bound 0");
        REQUIRE_FALSE(r.upper.open);
        CHECK(std::abs(r.upper.bound - std::exp(upper)) < 1e-7 * std::exp(upper));
    }
    SECTION("without one") {
        const ProfileResult r = profile(nll, theta_hat, nll_hat, {}, 0, identity, 0, -inf, inf);
        CHECK(r.lower.open);
        CHECK(r.lower.bound == -inf);
        CHECK(r.lower.reason ==
              "the profile likelihood does not fall below the cutoff: the likelihood is flat in this direction");
        REQUIRE_FALSE(r.upper.open);
        CHECK(std::abs(r.upper.bound - upper) < 1e-7);
        // The curve reaches far out on the open side, staying below the cutoff.
        REQUIRE(sorted_by_value(r));
        CHECK(r.curve.front().first < u_hat - 40);
        CHECK(r.curve.front().second < cutoff(0.95));
    }
    SECTION("for a general quantity, the same") {
        const Quantity u = [](const VectorXd& t, VectorXd& g) {
            g = VectorXd{{1.0, 0.0}};
            return t(0);
        };
        const ProfileResult r = profile(nll, theta_hat, nll_hat, u, -1, {}, 0, -inf, inf);
        CHECK(r.lower.open);
        CHECK(r.lower.bound == -inf);
        REQUIRE_FALSE(r.upper.open);
        CHECK(std::abs(r.upper.bound - upper) < 1e-7);
    }
}

TEST_CASE("profiling from a point that is not the minimum returns a better one", "[profile]") {
    const NormalSample sample;
    TestObjective nll = sample.objective();
    // The right mean but too large a sigma: profiling mu re-fits log sigma.
    const VectorXd wrong{{sample.mean, 0.5 * std::log(sample.s2) + 0.5}};
    const double wrong_nll = nll.value(wrong);
    SECTION("coordinate") {
        const ProfileResult r = profile(nll, wrong, wrong_nll, {}, 0, identity, 0, -inf, inf);
        REQUIRE(r.better);
        CHECK(nll.value(*r.better) < wrong_nll - 1e-3);
        CHECK(r.lower.open);
        CHECK(r.upper.open);
    }
    SECTION("general quantity") {
        const Quantity mu = [](const VectorXd& t, VectorXd& g) {
            g = VectorXd{{1.0, 0.0}};
            return t(0);
        };
        const ProfileResult r = profile(nll, wrong, wrong_nll, mu, -1, {}, 0, -inf, inf);
        REQUIRE(r.better);
        CHECK(nll.value(*r.better) < wrong_nll - 1e-3);
    }
    SECTION("at the true minimum, nothing") {
        const ProfileResult r = profile(nll, sample.theta_hat(), sample.nll_hat(), {}, 0, identity, 0, -inf, inf);
        CHECK_FALSE(r.better);
    }
}

TEST_CASE("nothing to profile leaves both sides open with the reason", "[profile]") {
    const NormalSample sample;
    TestObjective nll = sample.objective();
    const ProfileResult none = profile(nll, sample.theta_hat(), sample.nll_hat(), {}, -1, {}, 0, -inf, inf);
    CHECK(none.lower.open);
    CHECK(none.upper.open);
    CHECK(none.upper.reason == "nothing to profile: no quantity was given");
    const ProfileResult beyond = profile(nll, sample.theta_hat(), sample.nll_hat(), {}, 2, identity, 0, -inf, inf);
    CHECK(beyond.lower.open);
    CHECK(beyond.lower.reason == "nothing to profile: the coordinate is not one of the parameters");
    // Without to_user the coordinate is on the user's scale already.
    const ProfileResult plain = profile(nll, sample.theta_hat(), sample.nll_hat(), {}, 0, {}, 0, -inf, inf);
    CHECK(std::abs(plain.upper.bound - sample.mu_end(0.95, +1)) < 1e-7);
}

// von_mises: its points for the checks every distribution gets
// (test_all.cpp), and its own tests. Reference: the closed form
// kappa cos(y - mu) - log(2 pi I0(kappa)) with I0 from Boost.Math in
// 50-digit arithmetic (no overflow there for large kappa), and
// A = I1/I0 and A' = 1 - A/kappa - A^2 the same way for the kappa partials.
#include <boost/math/quadrature/tanh_sinh.hpp>
#include <boost/math/special_functions/bessel.hpp>

#include "distributions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;

namespace {

Big big_log_i0(double kappa) { return log(bm::cyl_bessel_i(0, Big(kappa))); }
double big_log_von_mises(double y, double mu, double kappa) {
    const Big K = kappa;
    const Big two_pi = 2 * boost::math::constants::pi<Big>();
    return static_cast<double>(K * cos(Big(y) - Big(mu)) - log(two_pi) - big_log_i0(kappa));
}
// A(kappa) and A'(kappa) in 50 digits
std::pair<double, double> big_bessel_ratio(double kappa) {
    const Big K = kappa;
    const Big a = bm::cyl_bessel_i(1, K) / bm::cyl_bessel_i(0, K);
    return {static_cast<double>(a), static_cast<double>(1 - a / K - a * a)};
}

MLEC_DISTRIBUTION_TEST(von_mises, false, Domain::real, "mu:a real number;kappa:positive;") {
    return {{{0.3, 0, 1}, big_log_von_mises(0.3, 0, 1)},
            {{-2.5, 1, 0.2}, big_log_von_mises(-2.5, 1, 0.2)},
            {{3.1, -3.1, 4}, big_log_von_mises(3.1, -3.1, 4)},  // neighbours across the cut at pi
            {{0.1, 0.05, 24.9}, big_log_von_mises(0.1, 0.05, 24.9)},
            {{0.1, 0.05, 25.1}, big_log_von_mises(0.1, 0.05, 25.1)},  // the series side
            {{1, 0.99, 1e4}, big_log_von_mises(1, 0.99, 1e4), true, {1e-3, 1e-3, 1e3}},
            {{-1, -1.001, 1e7}, big_log_von_mises(-1, -1.001, 1e7), true, {1e-5, 1e-5, 1e6}, {1e-5, 1e-9}, 1e-11},
            {{2, 0, 1e-8}, big_log_von_mises(2, 0, 1e-8), true, {0.1, 0.1, 1e-9}},
            {{7.5, 0.5, 2}, big_log_von_mises(7.5, 0.5, 2)},  // outside [-pi, pi]: the same angle as 7.5 - 2 pi
            {{0, 0, 0}, -inf, false},
            {{0, 0, -1}, -inf, false},
            {{qnan, 0, 1}, -inf, false},
            {{0, inf, 1}, -inf, false},
            {{0, 0, inf}, -inf, false}};
}

// log P(lo <= Y <= hi) by 50-digit tanh-sinh quadrature of the density
// e^(kappa (cos(t - mu) - 1))/(2 pi e^-kappa I0(kappa)), split at mu.
Big big_log_probability(double lo, double hi, double mu, double kappa) {
    static boost::math::quadrature::tanh_sinh<Big> integrator;
    // The cut at -pi and pi exactly (not at the doubles next to them).
    const Big big_pi = boost::math::constants::pi<Big>();
    const auto limit = [&](double t) {
        return std::abs(t) == bm::constants::pi<double>() ? (t < 0 ? -big_pi : big_pi) : Big(t);
    };
    const Big m = mu;
    const Big k = kappa;
    const auto f = [&](const Big& t) { return exp(k * (cos(t - m) - 1)); };
    Big q = 0;
    if (lo < mu && mu < hi) {
        q = integrator.integrate(f, limit(lo), m, Big("1e-35")) + integrator.integrate(f, m, limit(hi), Big("1e-35"));
    } else {
        q = integrator.integrate(f, limit(lo), limit(hi), Big("1e-35"));
    }
    return log(q) + k - log(2 * boost::math::constants::pi<Big>()) - big_log_i0(kappa);
}

CdfPoint big_von_mises_cdf(double y, double mu, double kappa) {
    const double pi = bm::constants::pi<double>();
    return {{y, mu, kappa},
            y > -pi ? static_cast<double>(big_log_probability(-pi, y, mu, kappa)) : -inf,
            y < pi ? static_cast<double>(big_log_probability(y, pi, mu, kappa)) : -inf};
}

// kappa from 1e-3 to 1e5, y and mu anywhere on [-pi, pi] including the cut,
// and far tails: y next to the cut with mu opposite (log P(Y <= -3) = -200.2
// at kappa = 100, -1.98e5 at kappa = 1e5 and mu = 0.2).
MLEC_CDF_TEST(von_mises) {
    const double pi = bm::constants::pi<double>();
    std::vector<CdfPoint> points{
        big_von_mises_cdf(0.3, 0, 1),     big_von_mises_cdf(-2.5, 1, 0.2),    big_von_mises_cdf(3.1, -3.1, 4),
        big_von_mises_cdf(-3.1, 3.1, 4),  big_von_mises_cdf(0.1, 0.05, 24.9), big_von_mises_cdf(0.1, 0.05, 60),
        big_von_mises_cdf(1, 0.99, 1e4),  big_von_mises_cdf(2, 0, 1e-3),      big_von_mises_cdf(-3, 0, 100),
        big_von_mises_cdf(3, 0, 100),     big_von_mises_cdf(0, 0, 100),       big_von_mises_cdf(-3, 0.2, 1e5),
        big_von_mises_cdf(1.5, -1.5, 30), big_von_mises_cdf(0, pi, 2),        big_von_mises_cdf(0, -pi, 2),
        big_von_mises_cdf(-1, 2.5, 7),    big_von_mises_cdf(2.9, -2, 0.5),    big_von_mises_cdf(0.5, 0.5, 3),
        big_von_mises_cdf(-pi, 0.4, 2),   big_von_mises_cdf(pi, 0.4, 2)};
    for (CdfPoint* p : {&points[18], &points[19]}) p->fd = false;             // y at the cut: a one-sided neighbourhood
    for (CdfPoint* p : {&points[13], &points[14]}) p->step = {0.05, 0, 0.1};  // mu at the cut: not moved
    for (CdfPoint* p : {&points[2], &points[3]}) p->step = {0.002, 0.002, 0.1};  // 0.04 from the cut
    for (const Row& x :
         std::vector<Row>{{0, 0, 0}, {0, 0, -1}, {qnan, 0, 1}, {0.3, 0, inf}, {3.2, 0, 1}, {0, -3.2, 1}}) {
        points.push_back(cdf_outside(x));
    }
    return points;
}

// The Fourier series of F in the Bessel ratios (von Mises's own), 50
// digits: F(y) = (y + pi)/(2 pi) + (1/pi) sum_j (I_j/I_0)/j (sin j(y - mu) + sin j(pi + mu)).
Big big_series_cdf(double y, double mu, double kappa) {
    const Big pi = boost::math::constants::pi<Big>();
    const Big k = kappa;
    const Big i0 = bm::cyl_bessel_i(0, k);
    Big sum = 0;
    for (int j = 1; j < 200; ++j) {
        const Big term = bm::cyl_bessel_i(j, k) / i0 / j * (sin(j * (Big(y) - mu)) + sin(j * (pi + mu)));
        sum += term;
        if (abs(term) < Big("1e-40") && j > 2 * kappa) break;
    }
    return (Big(y) + pi) / (2 * pi) + sum / pi;
}

}  // namespace

TEST_CASE("von_mises's distribution function reference: the quadrature agrees with the Bessel series") {
    for (const Row& x : std::vector<Row>{{0.3, 0, 1}, {-2.5, 1, 0.2}, {3.1, -3.1, 4}, {-1, 2.5, 7}, {1.5, -1.5, 30}}) {
        INFO(show(x));
        const double pi = bm::constants::pi<double>();
        const Big integral = big_log_probability(-pi, x[0], x[1], x[2]);
        const Big series = log(big_series_cdf(x[0], x[1], x[2]));
        INFO("integral " << integral << ", series " << series);
        CHECK(abs(integral - series) < Big("1e-25"));
    }
}

TEST_CASE("von_mises's kappa partials across the series switch, and its mean") {
    const auto& d = dist("von_mises");
    for (double kappa : {1e-6, 0.5, 3.0, 24.99, 25.0, 40.0, 700.0, 800.0, 1e5, 1e9}) {
        INFO("kappa " << kappa);
        const auto [a, da] = big_bessel_ratio(kappa);
        const Evaluated e = eval_one(d.op, {0.4, 0.1, kappa});
        CHECK(e.value == Approx(big_log_von_mises(0.4, 0.1, kappa)).epsilon(1e-14));
        CHECK(e.d1[2] == Approx(std::cos(0.3) - a).epsilon(1e-13));
        CHECK(e.d2[mlec::rt::pair_index(2, 2, 3)] == Approx(-da).epsilon(kappa < 25 ? 1e-11 : 1e-13));
    }
    // the density has period 2 pi in y
    const double two_pi = 2 * boost::math::constants::pi<double>();
    CHECK(eval_one(d.op, {1 + two_pi, 0.5, 3}).value == Approx(eval_one(d.op, {1, 0.5, 3}).value).epsilon(1e-14));
    CHECK(mean_at(d, {0.7, 3}) == 0.7);
}

// skew_normal: its points for the checks every distribution gets
// (test_all.cpp), and its own tests. References: Boost.Math's
// skew_normal_distribution(location, scale, shape), which is Stan's
// skew_normal(xi, omega, alpha), and where its pdf underflows (alpha z below
// -38) the log density in 50-digit arithmetic with Boost's erfc.
#include <boost/math/constants/constants.hpp>
#include <boost/math/distributions/skew_normal.hpp>
#include <boost/math/quadrature/exp_sinh.hpp>
#include <boost/math/quadrature/tanh_sinh.hpp>
#include <boost/math/special_functions/erf.hpp>
#include <boost/math/special_functions/log1p.hpp>

#include "distributions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;

namespace {

double log_pdf_skew_normal(double y, double xi, double omega, double alpha) {
    return std::log(bm::pdf(bm::skew_normal_distribution<>(xi, omega, alpha), y));
}

// log 2 - log omega - log sqrt(2 pi) - z^2/2 + log(erfc(-t/sqrt 2)/2), t = alpha z.
Big big_log_skew_normal(const std::vector<Big>& x) {
    const Big z = (x[0] - x[1]) / x[2];
    const Big t = x[3] * z;
    const Big pi = boost::math::constants::pi<Big>();
    return log(Big(2)) - log(x[2]) - log(2 * pi) / 2 - z * z / 2 + log(bm::erfc(-t / sqrt(Big(2))) / 2);
}
double big_value(double y, double xi, double omega, double alpha) {
    return static_cast<double>(big_log_skew_normal({y, xi, omega, alpha}));
}

MLEC_DISTRIBUTION_TEST(skew_normal, false, Domain::real, "xi:a real number;omega:positive;alpha:a real number;") {
    return {{{0.3, 0, 1, 2}, log_pdf_skew_normal(0.3, 0, 1, 2)},
            {{-1, 0.5, 2, -3}, log_pdf_skew_normal(-1, 0.5, 2, -3)},
            {{2, 1, 0.5, 0}, log_pdf_skew_normal(2, 1, 0.5, 0)},  // alpha = 0: normal
            {{0.5, 0, 1, 10}, log_pdf_skew_normal(0.5, 0, 1, 10), true, {0.05, 0.05, 0.1, 0.5}},
            {{-2, 0, 1, 4}, log_pdf_skew_normal(-2, 0, 1, 4), true, {0.05, 0.05, 0.1, 0.2}},  // t = -8
            {{3, 0, 1, -1.6}, log_pdf_skew_normal(3, 0, 1, -1.6), true, {0.05, 0.05, 0.1, 0.05}},
            {{3, 0, 1, -1.7}, log_pdf_skew_normal(3, 0, 1, -1.7), true, {0.05, 0.05, 0.1, 0.05}},
            {{100, 90, 5, -0.5}, log_pdf_skew_normal(100, 90, 5, -0.5)},
            {{1e-9, 0, 1e-10, 0.5}, log_pdf_skew_normal(1e-9, 0, 1e-10, 0.5), true, {1e-11, 1e-11, 1e-11, 0.05}},
            {{5, 0, 1, 10}, log_pdf_skew_normal(5, 0, 1, 10), true, {0.1, 0.1, 0.1, 1}},  // t = 50: Phi = 1
            // alpha z = -20, -40, -50, -600: Phi(t) from the continued
            // fraction (-40 and beyond: below erfc's range)
            {{-1, 0, 1, 20}, log_pdf_skew_normal(-1, 0, 1, 20), true, {0.01, 0.01, 0.01, 0.2}},
            {{-4, 0, 1, 10}, big_value(-4, 0, 1, 10), true, {0.01, 0.01, 0.01, 0.1}},
            {{-0.01, 0, 1, 5000}, big_value(-0.01, 0, 1, 5000), true, {1e-4, 1e-4, 1e-2, 50}},
            {{-2, 1, 0.5, 100}, big_value(-2, 1, 0.5, 100), true, {1e-3, 1e-3, 1e-4, 1}},
            {{0, 0, 0, 1}, -inf, false},
            {{0, 0, -1, 1}, -inf, false},
            {{qnan, 0, 1, 1}, -inf, false},
            {{0, inf, 1, 1}, -inf, false},
            {{0, 0, 1, inf}, -inf, false}};
}

// log of the standardized density at z: log 2 + log phi(z) + log Phi(a z).
Big big_log_density(const Big& z, const Big& a) {
    const Big pi = boost::math::constants::pi<Big>();
    return log(Big(2)) - log(2 * pi) / 2 - z * z / 2 + log(bm::erfc(-a * z / sqrt(Big(2))) / 2);
}

// log P(Z <= z) for shape a, as the 50-digit integral of the density below
// z, relative to the density at z: log f(z) + log integral_0^inf f(z - u)/f(z) du,
// which keeps its digits where Phi(z) - 2 T(z, a) cancels (z << 0 < a).
Big big_log_lower(double z, double a) {
    static boost::math::quadrature::exp_sinh<Big> half_line;
    static boost::math::quadrature::tanh_sinh<Big> segment;
    const Big zb = z;
    const Big ab = a;
    const Big at_z = big_log_density(zb, ab);
    const auto f = [&](const Big& t) { return exp(big_log_density(t, ab) - at_z); };
    const Big tol("1e-30");
    const Big inf = std::numeric_limits<Big>::infinity();
    // For z, a > 0: [0, z] apart from t < 0, where Phi(a t) falls within
    // 1/a of 0.
    if (z > 0 && a > 0) {
        const Big w = 1 / sqrt(1 + ab * ab);
        const auto below = [&](const Big& v) { return f(-w * v); };
        return at_z + log(segment.integrate(f, Big(0), zb, tol) + w * half_line.integrate(below, Big(0), inf, tol));
    }
    // Below z in units of the integrand's decay near z (about |z| (1 + a^2)
    // in the far tail of z < 0 < a).
    const double c = std::sqrt(1 + a * a);
    const double rate = z < 0 ? std::max(std::abs(z) * (a > 0 ? c * c : 1.0), c) : c;
    const Big scale = 1 / Big(rate);
    const auto below = [&](const Big& v) { return f(zb - scale * v); };
    return at_z + log(scale * half_line.integrate(below, Big(0), inf, tol));
}

// Both sides: the smaller one integrated (below the mean: the lower one),
// the other as log(1 - P); the upper side as F(-z; -a), the reflection.
CdfPoint big_skew_normal_cdf(double y, double xi, double omega, double alpha) {
    const double z = (y - xi) / omega;
    const double mean = std::sin(std::atan(alpha)) * std::sqrt(2 / bm::constants::pi<double>());
    Big lower;
    Big upper;
    if (z <= mean) {
        lower = big_log_lower(z, alpha);
        upper = bm::log1p(-exp(lower));
    } else {
        upper = big_log_lower(-z, -alpha);
        lower = bm::log1p(-exp(upper));
    }
    return {{y, xi, omega, alpha}, static_cast<double>(lower), static_cast<double>(upper)};
}

// |z| = 10, 30, 40 for alpha from -20 to 50 on both sides, where Phi(z) -
// 2 T(z, alpha) cancels (z < 0 < alpha) down to log F = -2.0e6 (z = -40,
// alpha = 50), and the body.
MLEC_CDF_TEST(skew_normal) {
    std::vector<CdfPoint> points{big_skew_normal_cdf(0.3, 0, 1, 2),     big_skew_normal_cdf(-1, 0.5, 2, -3),
                                 big_skew_normal_cdf(2, 1, 0.5, 0),     big_skew_normal_cdf(0.5, 0, 1, 10),
                                 big_skew_normal_cdf(-0.2, 0, 1, 10),   big_skew_normal_cdf(0.01, 0, 1, 50),
                                 big_skew_normal_cdf(-3, 1, 2, 0.5),    big_skew_normal_cdf(100, 90, 5, -0.5),
                                 big_skew_normal_cdf(0, 0, 1, -1),      big_skew_normal_cdf(0.2, 0, 1, 5000),
                                 big_skew_normal_cdf(-0.01, 0, 1, 5000)};
    points.back().step = {1e-4, 1e-4, 1e-2, 50};
    for (double z : {-40.0, -30.0, -10.0, 10.0, 30.0, 40.0}) {
        for (double alpha : {-20.0, -1.0, 0.0, 0.5, 5.0, 50.0}) points.push_back(big_skew_normal_cdf(z, 0, 1, alpha));
    }
    points.push_back(big_skew_normal_cdf(-38, 2, 0.25, 3));  // z = -160
    CdfPoint z_overflows{{1e300, -1e300, 1e-300, 1}, 0, -inf, false};
    CdfPoint z_overflows_below{{-1e300, 1e300, 1e-300, 1}, -inf, 0, false};
    points.push_back(z_overflows);
    points.push_back(z_overflows_below);
    for (const Row& x :
         std::vector<Row>{{0, 0, 0, 1}, {0, 0, -1, 1}, {qnan, 0, 1, 1}, {inf, 0, 1, 1}, {0, 0, 1, inf}}) {
        points.push_back(cdf_outside(x));
    }
    return points;
}

}  // namespace

TEST_CASE(
    "skew_normal's 50-digit distribution function reference: Boost's Phi(z) - 2 T(z, alpha) where it does not cancel") {
    for (const Row& x : std::vector<Row>{{0.3, 0, 1, 2},
                                         {-1, 0.5, 2, -3},
                                         {-3, 1, 2, 0.5},
                                         {-10, 0, 1, -20},
                                         {10, 0, 1, 0.5},
                                         {1, 0, 1, 50},
                                         {0.2, 0, 1, 5000},
                                         {-0.05, 0, 1, -30}}) {
        INFO(show(x));
        const CdfPoint expected = big_cdf_point(x, bm::skew_normal_distribution<Big>(x[1], x[2], x[3]));
        const CdfPoint integral = big_skew_normal_cdf(x[0], x[1], x[2], x[3]);
        CHECK(integral.lcdf == Approx(expected.lcdf).epsilon(1e-15));
        CHECK(integral.lccdf == Approx(expected.lccdf).epsilon(1e-15));
    }
}

TEST_CASE("skew_normal in the tail of log Phi, against 50 digits") {
    // Every partial against central differences of the 50-digit log density
    // (steps 1e-15 of each input's scale: truncation ~1e-30, rounding
    // ~1e-20), on both sides of the switch to the continued fraction at
    // alpha z = -5 and far beyond erfc's range.
    const auto& op = dist("skew_normal").op;
    const std::vector<Row> points{{-4, 0, 1, 10}, {-1, 0, 1, 20},      {1, 0, 1, -5.000001}, {1, 0, 1, -4.999999},
                                  {1, 0, 1, -5},  {-0.01, 0, 1, 5000}, {-2, 1, 0.5, 100},    {1e-3, 0, 1, -1e6},
                                  {2, 0, 1, 30},  {0.5, 0, 1, 0.3},    {0.2, 0, 1, -1},      {-3, 2, 1.5, 7.5}};
    for (const Row& x : points) {
        INFO(show(x));
        const Evaluated e = eval_one(op, x);
        std::vector<Big> at(x.begin(), x.end());
        CHECK(e.value == Approx(static_cast<double>(big_log_skew_normal(at))).epsilon(1e-14));
        const Big scale[] = {Big(x[2]), Big(x[2]), Big(x[2]), Big(std::max(1.0, std::abs(x[3])))};
        auto shifted = [&](int i, int si, int j, int sj) {
            std::vector<Big> p = at;
            p[i] += si * scale[i] * Big("1e-15");
            p[j] += sj * scale[j] * Big("1e-15");
            return big_log_skew_normal(p);
        };
        for (int i = 0; i < 4; ++i) {
            const Big hi = scale[i] * Big("1e-15");
            std::vector<Big> up = at;
            std::vector<Big> down = at;
            up[i] += hi;
            down[i] -= hi;
            const double d1 = static_cast<double>((big_log_skew_normal(up) - big_log_skew_normal(down)) / (2 * hi));
            INFO("d/dx" << i << " got " << e.d1[i] << ", 50 digits " << d1);
            CHECK(std::abs(e.d1[i] - d1) <= 1e-12 * std::max(1.0, std::abs(d1)));
            for (int j = i; j < 4; ++j) {
                const Big hj = scale[j] * Big("1e-15");
                const Big fd =
                    (shifted(i, 1, j, 1) - shifted(i, 1, j, -1) - shifted(i, -1, j, 1) + shifted(i, -1, j, -1)) /
                    (4 * hi * hj);
                const double d2 = static_cast<double>(fd);
                const double got = e.d2[mlec::rt::pair_index(i, j, 4)];
                INFO("d2/dx" << i << "dx" << j << " got " << got << ", 50 digits " << d2);
                CHECK(std::abs(got - d2) <= 1e-12 * std::max(1.0, std::abs(d2)));
            }
        }
    }
}

TEST_CASE("skew_normal's mean") {
    const auto& d = dist("skew_normal");
    for (const Row& a : std::vector<Row>{{0, 1, 0}, {1, 2, 3}, {-5, 0.5, -0.7}, {0, 1, -1e-200}}) {
        INFO(show(a));
        const double expected = bm::mean(bm::skew_normal_distribution<>(a[0], a[1], a[2]));
        CHECK(mean_at(d, a) == Approx(expected).epsilon(1e-15).margin(1e-300));
    }
    // alpha^2 overflows: delta is 1, the half-normal's mean omega sqrt(2/pi)
    CHECK(mean_at(d, {1, 2, 1e200}) == Approx(1 + 2 * std::sqrt(2 / bm::constants::pi<double>())).epsilon(1e-15));
}

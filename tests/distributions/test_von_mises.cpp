// von_mises: its points for the checks every distribution gets
// (test_all.cpp), and its own tests. Reference: the closed form
// kappa cos(y - mu) - log(2 pi I0(kappa)) with I0 from Boost.Math in
// 50-digit arithmetic (no overflow there for large kappa), and
// A = I1/I0 and A' = 1 - A/kappa - A^2 the same way for the kappa partials.
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

}  // namespace

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

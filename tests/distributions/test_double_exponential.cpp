// The double-exponential rules of runtime/distributions/double_exponential.hpp
// on their own (integrate_double_exponential, behind skew_normal's
// distribution functions): closed forms on the half line and on a segment,
// several integrands from the same nodes, an integrable singularity at an
// end and an integral far below 1.
#include <array>
#include <cmath>
#include <limits>
#include <numbers>

#include "distributions/support.hpp"
#include "runtime/distributions/double_exponential.hpp"

using mlec::rt::detail::DeRule;
using mlec::rt::detail::exp_sinh_rule;
using mlec::rt::detail::integrate_double_exponential;
using mlec::rt::detail::tanh_sinh_rule;

// Not an anonymous namespace: this folder is compiled in unity batches.
namespace double_exponential_test {

bool close(double got, double want, double tol = 1e-14) { return std::abs(got - want) <= tol * std::abs(want); }

}  // namespace double_exponential_test

using double_exponential_test::close;

TEST_CASE("double exponential: the node tables are the rules' changes of variable") {
    // exp-sinh: x = exp(pi/2 sinh t); tanh-sinh: distance to the nearer end
    // (1 - tanh(pi/2 sinh |t|))/2, weights their derivatives.
    const double h = 1e-6;
    for (int level : {0, 1, 4}) {
        const auto lu = static_cast<std::size_t>(level);
        for (const auto& n : exp_sinh_rule().positive[lu]) {
            const auto x = [](double t) { return std::exp(std::numbers::pi / 2 * std::sinh(t)); };
            CHECK(close(n.offset, x(n.t)));
            // Central differences lose h^2 (pi/2 cosh t)^2 relative: t <= 3.
            if (n.t <= 3) CHECK(close(n.weight, (x(n.t + h) - x(n.t - h)) / (2 * h), 1e-8));
        }
        for (const auto& n : exp_sinh_rule().negative[lu]) CHECK(n.t < 0);
        for (const auto& n : tanh_sinh_rule().positive[lu]) {
            // d = (1 - tanh y)/2 = 1/(1 + e^(2y)) and dd/dt = -pi cosh t d (1 - d);
            // differences of 1 - tanh y only where it keeps its digits.
            const double d = 1 / (1 + std::exp(std::numbers::pi * std::sinh(n.t)));
            CHECK(close(n.offset, d));
            CHECK(close(n.weight, std::numbers::pi * std::cosh(n.t) * d * (1 - d)));
            const auto x = [](double t) { return (1 - std::tanh(std::numbers::pi / 2 * std::sinh(t))) / 2; };
            if (n.t < 1.5) CHECK(close(n.weight, -(x(n.t + h) - x(n.t - h)) / (2 * h), 1e-8));
        }
    }
    // Level L > 0 holds the odd multiples of 2^-L.
    CHECK(exp_sinh_rule().positive[3].front().t == 0.125);
    CHECK(exp_sinh_rule().positive[3][1].t == 0.375);
    CHECK(exp_sinh_rule().positive[0].front().t == 0);
}

TEST_CASE("double exponential: integrals of exp(-x) x^k and exp(-x^2) over the half line, from the same nodes") {
    const double inf = std::numeric_limits<double>::infinity();
    const auto f = [](double x) {
        // x^3 e^-x as one exp: x^3 overflows where e^-x is 0.
        return std::array<double, 4>{std::exp(-x), x * std::exp(-x), std::exp(3 * std::log(x) - x), std::exp(-x * x)};
    };
    const std::array<double, 4> got = integrate_double_exponential<4>(f, inf, 1e-15);
    CHECK(close(got[0], 1));
    CHECK(close(got[1], 1));
    CHECK(close(got[2], 6));
    CHECK(close(got[3], std::sqrt(std::numbers::pi) / 2));
    // Far below 1: exp(-x - 700) integrates to e^-700 relative to itself.
    const auto tiny = [](double x) { return std::array<double, 1>{std::exp(-x - 700)}; };
    CHECK(close(integrate_double_exponential<1>(tiny, inf, 1e-15)[0], std::exp(-700.0)));
    // A slow decay, exp(-x/1000): the nodes reach far out.
    const auto slow = [](double x) { return std::array<double, 1>{std::exp(-x / 1000)}; };
    CHECK(close(integrate_double_exponential<1>(slow, inf, 1e-15)[0], 1000));
}

TEST_CASE("double exponential: integrals over a segment, with a singularity at its start") {
    // Over [0, 2]: x^2 -> 8/3; 1/sqrt(x) -> 2 sqrt 2 (singular at 0, where
    // the nodes are exact distances); log x -> 2 log 2 - 2; a peak inside,
    // exp(-(x - 1)^2 * 100) -> sqrt(pi)/10 erf(10).
    const auto f = [](double x) {
        return std::array<double, 4>{x * x, 1 / std::sqrt(x), std::log(x), std::exp(-100 * (x - 1) * (x - 1))};
    };
    const std::array<double, 4> got = integrate_double_exponential<4>(f, 2, 1e-15);
    CHECK(close(got[0], 8.0 / 3));
    CHECK(close(got[1], 2 * std::sqrt(2.0)));
    CHECK(close(got[2], 2 * std::log(2.0) - 2));
    CHECK(close(got[3], std::sqrt(std::numbers::pi) / 10 * std::erf(10.0)));
}

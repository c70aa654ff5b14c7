// The incomplete gamma family's log P(a, x), log Q(a, x) and their partials
// in x and the shape a (runtime/distributions/incomplete_gamma.hpp, behind
// gamma's and inv_gamma's distribution functions), against central
// differences of Boost.Math's gamma_p and gamma_q in 50 digits: the exact
// derivatives, to 1e-10 relative, where finite differences in double
// (test_cdf.cpp) check only 1e-6.
#include <boost/math/special_functions/gamma.hpp>

#include "distributions/support.hpp"
#include "runtime/distributions/incomplete_gamma.hpp"

using namespace mlec::test;

namespace {

// log P or log Q and the central differences of it at 50 digits, steps
// h = 1e-15 relative: their error is O(h^2), far below 1e-10, and their
// rounding 1e-50/h^2 = 1e-20 of a value of order 1.
struct Reference {
    double value, d_x, d_a, d_xx, d_xa, d_aa;
};

Reference reference(double x_, double a_, bool upper) {
    const auto f = [upper](const Big& x, const Big& a) { return log(upper ? bm::gamma_q(a, x) : bm::gamma_p(a, x)); };
    const Big x = x_;
    const Big a = a_;
    const Big hx = x * Big("1e-15");
    const Big ha = a * Big("1e-15");
    const Big v = f(x, a);
    const Big xp = f(x + hx, a), xm = f(x - hx, a), ap = f(x, a + ha), am = f(x, a - ha);
    const Big cross = f(x + hx, a + ha) - f(x + hx, a - ha) - f(x - hx, a + ha) + f(x - hx, a - ha);
    return {static_cast<double>(v),
            static_cast<double>((xp - xm) / (2 * hx)),
            static_cast<double>((ap - am) / (2 * ha)),
            static_cast<double>((xp - 2 * v + xm) / (hx * hx)),
            static_cast<double>(cross / (4 * hx * ha)),
            static_cast<double>((ap - 2 * v + am) / (ha * ha))};
}

}  // namespace

TEST_CASE("incomplete gamma: log P, log Q and their partials in x and a match 50-digit differences") {
    for (double a : {0.1, 0.5, 1.0, 2.5, 10.0, 100.0, 1000.0}) {
        for (double f : {1e-3, 0.1, 0.5, 0.9, 1.0, 1.1, 2.0, 10.0}) {
            const double x = f * a;
            const auto sides = mlec::rt::detail::incomplete_gamma_sides(x, a);
            for (bool upper : {false, true}) {
                const auto& s = upper ? sides.upper : sides.lower;
                const Reference r = reference(x, a, upper);
                INFO("a = " << a << ", x = " << x << (upper ? ", log Q = " : ", log P = ") << r.value);
                // A side within 1e-6 of log 1 = 0 is 1 - (the other): its
                // 50-digit differences lose the digits that log 1 rounds
                // away; its partials are checked through the other side's.
                if (std::abs(r.value) < 1e-6) continue;
                const auto close = [](double got, double want) {
                    return std::abs(got - want) <=
                           1e-10 * std::abs(want) + 1e-14;  // 1e-14: where a partial is 0 (a = 1)
                };
                CHECK(close(s.value, r.value));
                CHECK(close(s.d1[0], r.d_x));
                CHECK(close(s.d1[1], r.d_a));
                // d2/dx2 of the lower side, w ((a-1)/x - 1) - w^2, loses about
                // a factor a of its digits far in the lower tail: 1e-8 there.
                CHECK(std::abs(s.d2[0] - r.d_xx) <= 1e-8 * std::abs(r.d_xx) + 1e-12);
                CHECK(close(s.d2[1], r.d_xa));
                CHECK(close(s.d2[2], r.d_aa));
            }
        }
    }
}

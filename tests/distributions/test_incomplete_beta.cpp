// The incomplete beta family's log I_x(a, b), log(1 - I_x(a, b)) and their
// partials in x and both shapes a and b (runtime/distributions/
// incomplete_beta.hpp, behind beta's, negbinomial's and student_t's
// distribution functions), against central differences of Boost.Math's
// ibeta and ibetac in 50 digits: the exact derivatives, to 1e-10 relative,
// where finite differences in double (test_cdf.cpp) check only 1e-6.
#include <boost/math/special_functions/beta.hpp>

#include "distributions/support.hpp"
#include "runtime/distributions/incomplete_beta.hpp"

using namespace mlec::test;

namespace {

// log I or log(1 - I) and its central differences at 50 digits, steps
// h = 1e-15 relative: their error is O(h^2), far below 1e-10, and their
// rounding 1e-50/h^2 = 1e-20 of a value of order 1. In the packed order of
// the side: d1 = (x, a, b), d2 = (xx, xa, xb, aa, ab, bb).
struct IncBetaReference {
    double value;
    std::array<double, 3> d1;
    std::array<double, 6> d2;
};

IncBetaReference inc_beta_reference(double x_, double a_, double b_, bool upper) {
    const auto f = [upper](const std::array<Big, 3>& v) {
        return log(upper ? bm::ibetac(v[1], v[2], v[0]) : bm::ibeta(v[1], v[2], v[0]));
    };
    const std::array<Big, 3> at = {x_, a_, b_};
    std::array<Big, 3> h;
    for (std::size_t i = 0; i < 3; ++i) h[i] = at[i] * Big("1e-15");
    const auto shifted = [&](std::size_t i, int si, std::size_t j, int sj) {
        std::array<Big, 3> v = at;
        v[i] += si * h[i];
        v[j] += sj * h[j];
        return f(v);
    };
    const Big v = f(at);
    IncBetaReference r{static_cast<double>(v), {}, {}};
    for (std::size_t i = 0; i < 3; ++i) {
        const Big plus = shifted(i, 1, i, 0);
        const Big minus = shifted(i, -1, i, 0);
        r.d1[i] = static_cast<double>((plus - minus) / (2 * h[i]));
        for (std::size_t j = i; j < 3; ++j) {
            const auto p = static_cast<std::size_t>(mlec::rt::pair_index(static_cast<int>(i), static_cast<int>(j), 3));
            const Big d2 =
                i == j ? (plus - 2 * v + minus) / (h[i] * h[i])
                       : (shifted(i, 1, j, 1) - shifted(i, 1, j, -1) - shifted(i, -1, j, 1) + shifted(i, -1, j, -1)) /
                             (4 * h[i] * h[j]);
            r.d2[p] = static_cast<double>(d2);
        }
    }
    return r;
}

}  // namespace

TEST_CASE("incomplete beta: log I, log(1 - I) and their partials in x, a and b match 50-digit differences") {
    for (double a : {0.3, 2.5, 40.0}) {
        for (double b : {0.7, 3.0, 200.0}) {
            // From far in the lower tail to far in the upper, about the mean.
            const double m = a / (a + b);
            for (double x : {1e-3 * m, 0.5 * m, m, m + 0.5 * (1 - m), 1 - 1e-3 * (1 - m)}) {
                const auto sides = mlec::rt::detail::incomplete_beta_sides(x, 1 - x, a, b);
                for (bool upper : {false, true}) {
                    const auto& s = upper ? sides.upper : sides.lower;
                    const IncBetaReference r = inc_beta_reference(x, a, b, upper);
                    INFO("a = " << a << ", b = " << b << ", x = " << x << (upper ? ", log(1 - I) = " : ", log I = ")
                                << r.value);
                    // A side within 1e-6 of log 1 = 0 is 1 - (the other): its
                    // 50-digit differences lose the digits that log 1 rounds
                    // away; its partials are checked through the other side's.
                    if (std::abs(r.value) < 1e-6) continue;
                    const auto close = [](double got, double want) {
                        return std::abs(got - want) <= 1e-10 * std::abs(want) + 1e-14;
                    };
                    CHECK(close(s.value, r.value));
                    for (std::size_t i = 0; i < 3; ++i) {
                        INFO("d/d input " << i);
                        CHECK(close(s.d1[i], r.d1[i]));
                    }
                    for (std::size_t p = 0; p < 6; ++p) {
                        INFO("second partial " << p << ": " << s.d2[p] << " vs " << r.d2[p]);
                        CHECK(close(s.d2[p], r.d2[p]));
                    }
                }
            }
        }
    }
}

TEST_CASE("incomplete beta: the edges x = 0 and x = 1 are log 0 and log 1 with zero partials") {
    const auto at0 = mlec::rt::detail::incomplete_beta_sides(0, 1, 2, 3);
    CHECK(at0.lower.value == -inf);
    CHECK(at0.upper.value == 0);
    const auto at1 = mlec::rt::detail::incomplete_beta_sides(1, 0, 2, 3);
    CHECK(at1.lower.value == 0);
    CHECK(at1.upper.value == -inf);
    for (double v : at1.lower.d1) CHECK(v == 0);
    for (double v : at0.upper.d2) CHECK(v == 0);
}

TEST_CASE("incomplete beta: matches Boost's ibeta in 50 digits, and the two sides add up to 1") {
    for (double a : {0.05, 1.0, 7.5, 1e4}) {
        for (double b : {0.05, 1.0, 7.5, 1e4}) {
            for (double x : {1e-6, 0.01, 0.3, 0.5, 0.9, 0.999}) {
                const auto s = mlec::rt::detail::incomplete_beta_sides(x, 1 - x, a, b);
                const double p = static_cast<double>(bm::ibeta(Big(a), Big(b), Big(x)));
                const double q = static_cast<double>(bm::ibetac(Big(a), Big(b), Big(x)));
                INFO("a = " << a << ", b = " << b << ", x = " << x);
                const double lower_error = std::exp(s.lower.value) / p - 1;
                const double upper_error = std::exp(s.upper.value) / q - 1;
                INFO("relative errors " << lower_error << ", " << upper_error);
                // The values are Boost's double ibeta: 1e-13 relative, except
                // for a small shape far in a tail (a = 0.05, x = 1e-6:
                // 1.4e-12 on the lower side, 6.3e-12 on the upper at b = 1e4).
                const double tol = a < 0.1 && x < 1e-3 ? 1e-11 : 1e-13;
                if (p > 1e-300) CHECK(std::abs(lower_error) <= tol);
                if (q > 1e-300) CHECK(std::abs(upper_error) <= tol);
                CHECK(std::abs(std::log1p(std::expm1(s.lower.value) + std::exp(s.upper.value))) <= 1e-14);
            }
        }
    }
}

// ordered_probit: its points for the checks every distribution gets
// (test_all.cpp), and its own tests. Reference: P(y = k) = F(eta - c[k-1]) -
// F(eta - c[k]) in 50-digit arithmetic, F the standard normal CDF, taken from the
// upper tails (F(-b) - F(-a)) where both points lie there, so the reference
// itself never subtracts numbers near 1.
#include <boost/math/distributions/normal.hpp>
#include <boost/math/special_functions/erf.hpp>

#include "distributions/support.hpp"
#include "runtime/functions.hpp"

using namespace mlec::test;
using mlec::rt::Domain;

namespace {

Big normal_cdf(const Big& x) { return bm::erfc(-x / sqrt(Big(2))) / 2; }

// x = (y, eta, c_1, ..., c_K)
double probit_reference(const Row& x) {
    const int k = static_cast<int>(x[0]);
    const int cuts = static_cast<int>(x.size()) - 2;
    const Big eta = x[1];
    const bool has_a = k > 1;
    const bool has_b = k <= cuts;
    const Big a = has_a ? eta - Big(x[static_cast<std::size_t>(k)]) : Big(0);
    const Big b = has_b ? eta - Big(x[static_cast<std::size_t>(k) + 1]) : Big(0);
    Big p;
    if (!has_a) p = normal_cdf(-b);
    else if (!has_b) p = normal_cdf(a);
    else p = a + b > 0 ? normal_cdf(-b) - normal_cdf(-a) : normal_cdf(a) - normal_cdf(b);
    return static_cast<double>(log(p));
}

Point probit_at(Row x, Row step = {}) {
    const double expected = probit_reference(x);
    return {std::move(x), expected, true, std::move(step)};
}

// ordered_probit(y | eta, c_1, ..., c_K): rows of 2 + K entries
MLEC_DISTRIBUTION_TEST(ordered_probit, true, Domain::category, "eta:a real number;c:a real number;") {
    return {probit_at({1, 0.3, -1, 0.5, 2}),
            probit_at({2, 0.3, -1, 0.5, 2}),
            probit_at({3, 0.3, -1, 0.5, 2}),
            probit_at({4, 0.3, -1, 0.5, 2}),
            probit_at({1, -0.2, 0}),
            probit_at({2, -0.2, 0}),
            // far tails: every category a small probability
            probit_at({1, 40, -1, 0.5}, {0, 0.1, 0.1, 0.1}),
            probit_at({3, -40, -1, 0.5}, {0, 0.1, 0.1, 0.1}),
            probit_at({2, 30, -1, 0.5}, {0, 0.1, 0.1, 0.1}),
            probit_at({2, -30, -1, 0.5}, {0, 0.1, 0.1, 0.1}),
            probit_at({2, -700, -1, 0.5}, {0, 0.1, 0.1, 0.1}),
            // close cut-points: log1m_exp of a small gap
            probit_at({2, 0.1, -1e-3, 1e-3}, {0, 1e-2, 1e-5, 1e-5}),
            probit_at({3, 0.1, -1e-3, 1e-3, 1}, {0, 1e-2, 1e-5, 1e-5, 1e-2}),
            {{5, 0.3, -1, 0.5, 2}, -inf, false},  // y > K + 1
            {{0, 0.3, -1, 0.5}, -inf, false},
            {{1.5, 0.3, -1, 0.5}, -inf, false},
            {{2, 0.3, 0.5, -1}, -inf, false},  // cut-points not increasing
            {{1, 0.3, 0.5, 0.5}, -inf, false},
            {{1, qnan, 0.5}, -inf, false},
            {{1, 0, inf}, -inf, false}};
}

// The distribution functions at x = (k, eta, c_1, ..., c_K): P(Y <= k) =
// F(c[k] - eta), P(Y > k) = F(eta - c[k]) in 50 digits (F(-z) for the
// upper side, so neither is 1 minus a number near 1), 1 and 0 at k = K + 1;
// both far tails, close cut-points, and rows that are no distribution.
CdfPoint ordered_probit_cdf_at(const Row& x) {
    const auto k = static_cast<std::size_t>(x[0]);
    if (k == x.size() - 1) return {x, 0.0, -inf};
    const Big z = Big(x[k + 1]) - Big(x[1]);
    return {x, static_cast<double>(log(normal_cdf(z))), static_cast<double>(log(normal_cdf(-z)))};
}

MLEC_CDF_TEST(ordered_probit) {
    CdfPoint close_cuts = ordered_probit_cdf_at({2, 0.1, 0, 1e-6, 3});
    close_cuts.step = {0, 0.1, 1e-7, 1e-7, 0.1};
    auto at = ordered_probit_cdf_at;
    return {at({1, 0.3, -1, 0.5, 2}),
            at({2, 0.3, -1, 0.5, 2}),
            at({3, 0.3, -1, 0.5, 2}),
            at({4, 0.3, -1, 0.5, 2}),
            at({1, 30, -1, 0.5, 2}),
            at({3, -30, -1, 0.5, 2}),
            close_cuts,
            at({1, 2, 1.5}),
            at({2, 2, 1.5}),
            cdf_below({0, 0.3, -1, 0.5}),
            cdf_above({4, 0.3, -1, 0.5}),
            cdf_outside({1.5, 0.3, -1, 0.5}),
            cdf_outside({2, 0.3, 0.5, -1})};
}

}  // namespace

TEST_CASE("ordered_probit: the categories' probabilities sum to 1 and match Boost") {
    const auto& d = dist("ordered_probit");
    const bm::normal_distribution<> F;
    for (const Row& args : std::vector<Row>{{0.3, -1, 0.5, 2}, {-3, -2, 4}, {12, -1, 0, 1, 2, 3}}) {
        double total = 0;
        double mean = 0;
        for (int k = 1; k <= static_cast<int>(args.size()); ++k) {
            Row x{static_cast<double>(k)};
            x.insert(x.end(), args.begin(), args.end());
            const double p = std::exp(eval_one(d.op, x).value);
            // F(a) - F(b), from the upper tail (Q = 1 - F) when eta > 0
            const bool lowest = k == 1;
            const bool highest = k == static_cast<int>(args.size());
            const double a = lowest ? 0.0 : args[0] - args[static_cast<std::size_t>(k) - 1];
            const double b = highest ? 0.0 : args[0] - args[static_cast<std::size_t>(k)];
            auto Q = [&](double x) { return bm::cdf(bm::complement(F, x)); };
            const double expected = lowest        ? Q(b)
                                    : highest     ? bm::cdf(F, a)
                                    : args[0] > 0 ? Q(b) - Q(a)
                                                  : bm::cdf(F, a) - bm::cdf(F, b);
            CHECK(p == Approx(expected).epsilon(1e-12));
            total += p;
            mean += k * p;
        }
        CHECK(total == Approx(1).epsilon(1e-14));
        // E[y] on the 1..K+1 scale: 1 + sum_k F(eta - c[k])
        CHECK(mean_at(d, args) == Approx(mean).epsilon(1e-13));
    }
}

TEST_CASE("ordered_probit with one cut-point is log_Phi of the linear predictor") {
    // P(y = 2) = Phi(eta - c), P(y = 1) = Phi(c - eta): the built-in log_Phi,
    // a separate implementation (runtime/functions/log_phi.cpp).
    const auto& o = dist("ordered_probit");
    const auto& log_phi = *mlec::rt::find_function("log_Phi");
    for (double eta : {-40.0, -6.0, -2.0, 0.0, 0.7, 5.5, 30.0}) {
        for (double y : {1.0, 2.0}) {
            const double z = y == 2 ? eta - 0.4 : 0.4 - eta;
            const Evaluated e = eval_one(o.op, {y, eta, 0.4});
            const Evaluated r = eval_one(log_phi, {z});
            const double sign = y == 2 ? 1 : -1;
            CHECK(e.value == Approx(r.value).epsilon(1e-13).margin(1e-300));
            CHECK(e.d1[1] == Approx(sign * r.d1[0]).epsilon(1e-12).margin(1e-300));
            CHECK(e.d2[mlec::rt::pair_index(1, 1, 3)] == Approx(r.d2[0]).epsilon(1e-11).margin(1e-300));
        }
    }
}

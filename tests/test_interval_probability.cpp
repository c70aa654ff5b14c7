// rt::op_interval_probability, log P(lo < Y <= hi) from the log cdf and log
// ccdf at both ends: its value against 50-digit references (Boost.
// Multiprecision) deep in either tail, where the naive difference of
// probabilities is 0 or loses every digit; its partials against finite
// differences (the third partials against those of the second); and the
// finite, zero partials of an empty interval, which
// rt::op_select relies on to leave a row's untaken entry out exactly.
#include <catch2/catch.hpp>

#include <boost/math/special_functions/erf.hpp>
#include <boost/multiprecision/cpp_bin_float.hpp>

#include "runtime/interval_probability.hpp"
#include "support/op_check.hpp"

namespace {

using Big = boost::multiprecision::cpp_bin_float_50;

Big normal_cdf(const Big& z) { return boost::math::erfc(-z / boost::multiprecision::sqrt(Big(2))) / 2; }

// The op's inputs for the standard normal on (lo, hi], and log(Phi(hi) - Phi(lo)).
struct Case {
    mlec::test::Row inputs;
    double expected;
};

Case standard_normal(double lo, double hi) {
    using boost::multiprecision::log;
    const Big f_lo = normal_cdf(Big(lo));
    const Big f_hi = normal_cdf(Big(hi));
    const Big s_lo = normal_cdf(Big(-lo));
    const Big s_hi = normal_cdf(Big(-hi));
    return {{static_cast<double>(log(f_lo)), static_cast<double>(log(f_hi)), static_cast<double>(log(s_lo)),
             static_cast<double>(log(s_hi))},
            static_cast<double>(log(f_hi - f_lo))};
}

}  // namespace

TEST_CASE("interval probability keeps its digits in both tails") {
    const mlec::rt::OpDef& op = mlec::rt::op_interval_probability();
    for (const auto& [lo, hi] : std::vector<std::pair<double, double>>{
             {-40, -39}, {-3, -2.5}, {-1, 2}, {0.5, 0.5000001}, {2.5, 3}, {39, 40}, {8, 1e300}, {-1e300, -9}}) {
        const Case c = standard_normal(lo, hi);
        const double got = mlec::test::eval_one(op, c.inputs).value;
        INFO("(" << lo << ", " << hi << "]: " << got << " vs " << c.expected);
        // (the inputs are rounded to doubles: a relative error of 1e-16 in
        // each, magnified by at most the interval's 1/(1 - e^-(a - b)))
        CHECK(std::abs(got - c.expected) <= 1e-9 * std::abs(c.expected) + 1e-12);
    }
}

TEST_CASE("interval probability partials match finite differences") {
    const mlec::rt::OpDef& op = mlec::rt::op_interval_probability();
    for (const auto& [lo, hi] : std::vector<std::pair<double, double>>{{-3, -2.5}, {-1, 2}, {2.5, 3}, {0.2, 0.9}}) {
        const Case c = standard_normal(lo, hi);
        mlec::test::Row step(4);
        for (int i = 0; i < 4; ++i) step[static_cast<std::size_t>(i)] = 1e-3 * std::max(1.0, std::abs(c.inputs[i]));
        mlec::test::check_partials(op, c.inputs, step, {1e-6, 1e-9});
        // the third partials (for the Laplace approximation's gradient)
        // against differences of the op's own second partials
        REQUIRE(op.third);
        mlec::test::check_third_partials(op, c.inputs, step, {1e-6, 1e-9});
    }
    mlec::test::check_block_form(op, {standard_normal(-3, -2.5).inputs,
                                      standard_normal(-1, 2).inputs,
                                      standard_normal(39, 40).inputs,
                                      {-1, -2, -0.5, -0.4}});
}

TEST_CASE("an empty interval is -inf with zero partials") {
    const mlec::rt::OpDef& op = mlec::rt::op_interval_probability();
    const double inf = mlec::test::inf;
    // hi < lo; hi == lo; both ends where the probability is 0 (log cdf -inf)
    for (const mlec::test::Row& x : std::vector<mlec::test::Row>{
             {-1, -2, -0.3, -0.1}, {-1, -1, -0.5, -0.5}, {-inf, -inf, 0, 0}, {0, 0, -inf, -inf}}) {
        const mlec::test::Evaluated e = mlec::test::eval_one(op, x);
        INFO(mlec::test::show(x));
        CHECK(e.value == -inf);
        for (double d : e.d1) CHECK(d == 0);
        for (double d : e.d2) CHECK(d == 0);
        for (double d : e.d3) CHECK(d == 0);
    }
}

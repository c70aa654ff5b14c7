// What the distributions' tests share (one test file per distribution in
// this folder, all linked into one executable, test_distributions): each
// file registers its distribution's points with MLEC_DISTRIBUTION_TEST, and
// test_all.cpp checks every registered point the same way (the log density
// against a reference, the partials against finite differences, the block
// form against single rows) and the table against what each file says of
// its distribution. Finite differences and the op harness are in
// tests/support/op_check.hpp.
#pragma once

#include <boost/math/distributions/bernoulli.hpp>
#include <boost/math/distributions/poisson.hpp>
#include <boost/multiprecision/cpp_bin_float.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "runtime/distributions.hpp"
#include "support/op_check.hpp"

namespace mlec::test {

struct Point {
    Row x;            // (y, args...)
    double expected;  // log density from Boost.Math or the analytic asymptote
    bool fd = true;   // check partials by finite differences here
    Row step = {};    // first finite-difference steps; empty = from the domains
    Tolerance tol = {};
    double value_rel = 1e-12;  // value tolerance, relative to max(1, |expected|)
};

// One distribution's test: what the table must say of it, and its points.
struct Case {
    std::string name;
    bool discrete = false;
    rt::Domain outcome = rt::Domain::real;
    std::string args;  // "name:domain text;" per argument, e.g. "mu:a real number;sigma:positive;"
    std::vector<Point> points;
};

using PointsFunction = std::vector<Point> (*)();

// A point of a distribution's distribution functions (DistributionDef::lcdf
// and lccdf): both values from an independent reference (Boost.Math's cdf
// and complement, in 50 digits where the double ones underflow).
struct CdfPoint {
    Row x;           // (y, args...)
    double lcdf;     // log P(Y <= y)
    double lccdf;    // log P(Y > y)
    bool fd = true;  // check partials by finite differences here
    Row step = {};   // first finite-difference steps; empty = from the domains
    Tolerance tol = {};
    double value_rel = 1e-12;  // value tolerance, relative to max(1, |expected|)
};

using CdfPointsFunction = std::vector<CdfPoint> (*)();

// Adds a distribution's distribution-function points (computed on first
// use); returns true, for a namespace-scope initializer.
bool register_cdf_case(std::string name, CdfPointsFunction points);

// Every registered distribution's points, by name.
const std::vector<std::pair<std::string, std::vector<CdfPoint>>>& registered_cdf_cases();

// Adds a distribution's case (its points computed on first use); returns
// true, for a namespace-scope initializer.
bool register_case(std::string name, bool discrete, rt::Domain outcome, std::string args, PointsFunction points);

// Every registered case, in the order of the distribution table, then any
// name the table does not have.
const std::vector<Case>& registered_cases();

// The distribution of that name (a test failure when there is none).
const rt::DistributionDef& dist(const std::string& name);

// E[y | args] as the distribution's mean nodes compute it (DistributionDef::
// mean, built through a NodeMaker that evaluates each op on one row).
double mean_at(const rt::DistributionDef& d, const Row& args);

// Steps for finite differences: none in y for a pmf, none in integer
// arguments (binomial's n), otherwise from the domain.
Row steps_for(const rt::DistributionDef& d, const Point& p);

// Reference values several distributions' tests use.
namespace bm = boost::math;

inline double log_pdf_bernoulli(double y, double p) { return std::log(bm::pdf(bm::bernoulli_distribution<>(p), y)); }
inline double log_pdf_poisson(double y, double lambda) {
    return std::log(bm::pdf(bm::poisson_distribution<>(lambda), y));
}

// 50-digit references where Boost's double pdf is itself not accurate enough
// (negbinomial near its Poisson limit, student_t near its normal limit).
using Big = boost::multiprecision::cpp_bin_float_50;

// A distribution-function point whose values come from Boost.Math's cdf
// and complement of `d` (a distribution over Big) at y = x[0]: 50 digits,
// whose exponent range keeps far tails that underflow in double.
template <class Distribution>
CdfPoint big_cdf_point(const Row& x, const Distribution& d) {
    const Big y = x[0];
    const Big lower = bm::cdf(d, y);
    const Big upper = bm::cdf(bm::complement(d, y));
    return {x, lower > 0 ? static_cast<double>(log(lower)) : -inf, upper > 0 ? static_cast<double>(log(upper)) : -inf};
}

// A point of a zero-inflated (hurdle false) or hurdle count's distribution
// functions (runtime/distributions/zero_modified_sides.hpp) at
// x = (y, theta..., pi), from its count's cdf, complement and pmf in 50
// digits (`count`, a distribution over Big):
//     zero-inflated: P(Y <= y) = pi + (1 - pi) F(y),  P(Y > y) = (1 - pi) S(y)
//     hurdle: P(Y <= 0) = pi, and for y >= 1 P(Y > y) = (1 - pi) S(y)/(1 - f(0)),
//             P(Y <= y) = pi + (1 - pi) (F(y) - f(0))/(1 - f(0)).
template <class Count>
CdfPoint zero_modified_cdf_point(const Row& x, const Count& count, bool hurdle) {
    const Big y = x[0];
    const Big pi = x.back();
    const Big f = bm::cdf(count, y);
    const Big s = bm::cdf(bm::complement(count, y));
    Big lower = pi + (1 - pi) * f;
    Big upper = (1 - pi) * s;
    if (hurdle) {
        const Big f0 = bm::pdf(count, Big(0));
        lower = x[0] == 0 ? pi : pi + (1 - pi) * (f - f0) / (1 - f0);
        upper = x[0] == 0 ? 1 - pi : (1 - pi) * s / (1 - f0);
    }
    const auto log_of = [](const Big& v) { return v > 0 ? static_cast<double>(log(v)) : -inf; };
    return {x, log_of(lower), log_of(upper)};
}

// Outside the domains: both values -inf, no finite differences.
inline CdfPoint cdf_outside(const Row& x) { return {x, -inf, -inf, false}; }
// y below (or above) the outcome's support, the arguments in their domains:
// P(Y <= y) is 0 (or 1), P(Y > y) the other, with no partials.
inline CdfPoint cdf_below(const Row& x) { return {x, -inf, 0, false}; }
inline CdfPoint cdf_above(const Row& x) { return {x, 0, -inf, false}; }

}  // namespace mlec::test

// In a distribution's test file (in an anonymous namespace):
//     MLEC_DISTRIBUTION_TEST(normal, false, Domain::real, "mu:a real number;sigma:positive;") {
//         return {{{0.3, 0, 1}, log_pdf_normal(0.3, 0, 1)}, ...};
//     }
// registers the distribution: discrete or not, its outcome's domain, its
// arguments, and the points (y, args...) where test_all.cpp checks it.
#define MLEC_DISTRIBUTION_TEST(name, discrete, outcome, args)                      \
    std::vector<mlec::test::Point> name##_points();                                \
    [[maybe_unused]] const bool name##_registered =                                \
        mlec::test::register_case(#name, discrete, outcome, args, &name##_points); \
    std::vector<mlec::test::Point> name##_points()

// In a distribution's test file, beside MLEC_DISTRIBUTION_TEST:
//     MLEC_CDF_TEST(normal) { return {{{0.3, 0, 1}, log_cdf, log_ccdf}, ...}; }
// registers the points where test_cdf.cpp checks normal_lcdf and normal_lccdf.
#define MLEC_CDF_TEST(name)                                                                                       \
    std::vector<mlec::test::CdfPoint> name##_cdf_points();                                                        \
    [[maybe_unused]] const bool name##_cdf_registered = mlec::test::register_cdf_case(#name, &name##_cdf_points); \
    std::vector<mlec::test::CdfPoint> name##_cdf_points()

// The distributions: every log density against log(boost::math::pdf) (or,
// where the pdf underflows, the analytic asymptote), every partial against
// finite differences, the block form against single rows, and the domains.
#include <boost/math/distributions/bernoulli.hpp>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/cauchy.hpp>
#include <boost/math/distributions/exponential.hpp>
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/geometric.hpp>
#include <boost/math/distributions/laplace.hpp>
#include <boost/math/distributions/logistic.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/negative_binomial.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/poisson.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/distributions/weibull.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/special_functions/trigamma.hpp>
#include <boost/multiprecision/cpp_bin_float.hpp>

#include <map>
#include <string>

#include "runtime/distributions.hpp"
#include "support/op_check.hpp"

using mlec::rt::DistributionDef;
using mlec::rt::Domain;
using mlec::test::Evaluated;
using mlec::test::inf;
using mlec::test::qnan;
using mlec::test::Row;

namespace {

namespace bm = boost::math;

struct Point {
    Row x;            // (y, args...)
    double expected;  // log density from Boost.Math or the analytic asymptote
    bool fd = true;   // check partials by finite differences here
    Row step = {};    // first finite-difference steps; empty = from the domains
    mlec::test::Tolerance tol = {};
    double value_rel = 1e-12;  // value tolerance, relative to max(1, |expected|)
};

struct Case {
    std::string name;
    std::vector<Point> points;
};

double log_pdf_bernoulli(double y, double p) { return std::log(bm::pdf(bm::bernoulli_distribution<>(p), y)); }

// bernoulli(y | sigmoid(eta)) through Boost, with the success probability
// formed on the side where 1/(1+exp(.)) is accurate: for eta > 0 use
// P(y | sigmoid(eta)) = P(1 - y | sigmoid(-eta)).
double log_pdf_bernoulli_logit(double y, double eta) {
    if (eta > 0) return log_pdf_bernoulli(1 - y, 1 / (1 + std::exp(eta)));
    return log_pdf_bernoulli(y, 1 / (1 + std::exp(-eta)));
}

double log_pdf_binomial(double y, double n, double p) {
    return std::log(bm::pdf(bm::binomial_distribution<>(n, p), y));
}
double log_pdf_poisson(double y, double lambda) {
    return std::log(bm::pdf(bm::poisson_distribution<>(lambda), y));
}
double log_pdf_normal(double y, double mu, double sigma) {
    return std::log(bm::pdf(bm::normal_distribution<>(mu, sigma), y));
}
double log_pdf_lognormal(double y, double mu, double sigma) {
    return std::log(bm::pdf(bm::lognormal_distribution<>(mu, sigma), y));
}
double log_pdf_exponential(double y, double rate) {
    return std::log(bm::pdf(bm::exponential_distribution<>(rate), y));
}
double log_pdf_gamma(double y, double shape, double rate) {
    return std::log(bm::pdf(bm::gamma_distribution<>(shape, 1 / rate), y));
}

double log_pdf_negbinomial(double y, double mu, double size) {
    // Boost's r = size successes with success probability size/(size + mu)
    return std::log(bm::pdf(bm::negative_binomial_distribution<>(size, size / (size + mu)), y));
}
double log_pdf_geometric(double y, double p) { return std::log(bm::pdf(bm::geometric_distribution<>(p), y)); }
double log_pdf_student_t(double y, double nu, double mu, double sigma) {
    return std::log(bm::pdf(bm::students_t_distribution<>(nu), (y - mu) / sigma)) - std::log(sigma);
}
double log_pdf_cauchy(double y, double mu, double sigma) {
    return std::log(bm::pdf(bm::cauchy_distribution<>(mu, sigma), y));
}
double log_pdf_laplace(double y, double mu, double b) {
    return std::log(bm::pdf(bm::laplace_distribution<>(mu, b), y));
}
double log_pdf_logistic(double y, double mu, double s) {
    return std::log(bm::pdf(bm::logistic_distribution<>(mu, s), y));
}
double log_pdf_weibull(double y, double shape, double scale) {
    return std::log(bm::pdf(bm::weibull_distribution<>(shape, scale), y));
}
double log_pdf_beta(double y, double a, double b) { return std::log(bm::pdf(bm::beta_distribution<>(a, b), y)); }

// 50-digit references where Boost's double pdf is itself not accurate enough
// (negbinomial near its Poisson limit, student_t near its normal limit).
using Big = boost::multiprecision::cpp_bin_float_50;

Big big_log_negbinomial(double y, double mu, double size) {
    const Big Y = y, M = mu, S = size;
    return bm::lgamma(Y + S) - bm::lgamma(S) - bm::lgamma(Y + 1) + S * log(S / (S + M)) + Y * log(M / (S + M));
}
// d/dsize and d2/dsize2 of the negbinomial log pmf, term by term in 50 digits
std::pair<double, double> big_negbinomial_size_partials(double y, double mu, double size) {
    const Big Y = y, M = mu, S = size;
    const Big d1 = bm::digamma(Y + S) - bm::digamma(S) + log(S / (S + M)) + 1 - (Y + S) / (S + M);
    const Big d2 = bm::trigamma(Y + S) - bm::trigamma(S) + 1 / S - 2 / (S + M) + (Y + S) / ((S + M) * (S + M));
    return {static_cast<double>(d1), static_cast<double>(d2)};
}
Big big_log_student_t(double y, double nu, double mu, double sigma) {
    const Big Y = y, N = nu, M = mu, S = sigma;
    const Big z = (Y - M) / S;
    const Big pi = boost::math::constants::pi<Big>();
    return bm::lgamma((N + 1) / 2) - bm::lgamma(N / 2) - log(N * pi) / 2 - log(S) - (N + 1) / 2 * log(1 + z * z / N);
}
double big_student_t_value(double y, double nu, double mu, double sigma) {
    return static_cast<double>(big_log_student_t(y, nu, mu, sigma));
}

const double log_sqrt_2pi = 0.5 * std::log(2 * 3.14159265358979323846);

std::vector<Case> cases() {
    std::vector<Case> out;
    const double almost_one = 1 - 1e-10;
    out.push_back({"bernoulli",
                   {{{1, 0.3}, log_pdf_bernoulli(1, 0.3)},
                    {{0, 0.3}, log_pdf_bernoulli(0, 0.3)},
                    {{1, 1e-10}, log_pdf_bernoulli(1, 1e-10)},
                    {{0, almost_one}, log_pdf_bernoulli(0, almost_one)},
                    // log(1-p) is flat next to p = 0, where the steps must stay
                    // below p: differences of it drown in rounding, so its
                    // partials are checked a little further in.
                    {{0, 1e-10}, log_pdf_bernoulli(0, 1e-10), false},
                    {{1, almost_one}, log_pdf_bernoulli(1, almost_one), false},
                    {{0, 1e-6}, log_pdf_bernoulli(0, 1e-6)},
                    {{1, 1 - 1e-6}, log_pdf_bernoulli(1, 1 - 1e-6)},
                    // p on the boundary with the outcome it makes certain
                    {{0, 0}, log_pdf_bernoulli(0, 0), false},
                    {{1, 1}, log_pdf_bernoulli(1, 1), false},
                    // ... and with the impossible one
                    {{1, 0}, -inf, false},
                    {{0, 1}, -inf, false},
                    // p out of [0, 1], NaN, outcome not 0/1
                    {{1, 1.2}, -inf, false},
                    {{0, -0.1}, -inf, false},
                    {{1, qnan}, -inf, false},
                    {{0.5, 0.5}, -inf, false},
                    {{2, 0.5}, -inf, false}}});
    out.push_back({"bernoulli_logit",
                   {{{1, 0.7}, log_pdf_bernoulli_logit(1, 0.7)},
                    {{0, 0.7}, log_pdf_bernoulli_logit(0, 0.7)},
                    {{1, -2}, log_pdf_bernoulli_logit(1, -2)},
                    {{0, 3}, log_pdf_bernoulli_logit(0, 3)},
                    {{1, 40}, log_pdf_bernoulli_logit(1, 40)},
                    {{0, 40}, log_pdf_bernoulli_logit(0, 40)},
                    {{1, -40}, log_pdf_bernoulli_logit(1, -40)},
                    {{0, -40}, log_pdf_bernoulli_logit(0, -40)},
                    // exp(-800) underflows: log p = -log1p(e^-|eta|) - (mismatch ? |eta| : 0)
                    {{1, 800}, 0, false},
                    {{0, 800}, -800, false},
                    {{1, -800}, -800, false},
                    {{0, -800}, 0, false},
                    {{0, 1e300}, -1e300, false},
                    {{1, -1e300}, -1e300, false},
                    {{1, 1e300}, 0, false},
                    {{1, qnan}, -inf, false},
                    {{1, inf}, -inf, false},
                    {{0.5, 0}, -inf, false}}});
    out.push_back({"binomial",
                   {{{3, 10, 0.3}, log_pdf_binomial(3, 10, 0.3)},
                    {{0, 10, 0.3}, log_pdf_binomial(0, 10, 0.3)},
                    {{10, 10, 0.3}, log_pdf_binomial(10, 10, 0.3)},
                    {{1500, 3000, 0.4}, log_pdf_binomial(1500, 3000, 0.4)},
                    {{3, 2000, 1e-3}, log_pdf_binomial(3, 2000, 1e-3)},
                    {{2000, 2000, 0.999}, log_pdf_binomial(2000, 2000, 0.999)},
                    {{12, 1e6, 1e-5}, log_pdf_binomial(12, 1e6, 1e-5)},
                    // log C(n, y) ~ +6.7e5 and y log p + (n-y) log(1-p) ~ -6.7e5
                    // cancel to -7.1: the sum keeps ~1e-10 absolute, and
                    // differences in p see the same rounding.
                    {{400000, 1e6, 0.4}, log_pdf_binomial(400000, 1e6, 0.4), true, {}, {1e-6, 1e-8}, 1e-10},
                    {{0, 0, 0.6}, 0},
                    {{0, 5, 0}, 0, false},
                    {{5, 5, 1}, 0, false},
                    {{2, 5, 0}, -inf, false},
                    {{2, 5, 1}, -inf, false},
                    {{7, 5, 0.3}, -inf, false},   // y > n
                    {{2, 5, 1.1}, -inf, false},   // p > 1
                    {{2, 5.5, 0.3}, -inf, false}, // n not an integer
                    {{-1, 5, 0.3}, -inf, false},
                    {{2, 5, qnan}, -inf, false}}});
    out.push_back({"poisson",
                   {{{0, 2.5}, log_pdf_poisson(0, 2.5)},
                    {{3, 2.5}, log_pdf_poisson(3, 2.5)},
                    {{10, 0.01}, log_pdf_poisson(10, 0.01)},
                    {{2000, 1900}, log_pdf_poisson(2000, 1900)},
                    {{0, 1e-8}, log_pdf_poisson(0, 1e-8)},
                    {{5, 1e6}, 5 * std::log(1e6) - 1e6 - std::lgamma(6.0)},  // pdf underflows
                    {{5, 0}, -inf, false},
                    {{5, -1}, -inf, false},
                    {{2.5, 1}, -inf, false},
                    {{-1, 1}, -inf, false},
                    {{1, inf}, -inf, false}}});
    out.push_back({"poisson_log",
                   {{{0, 0.5}, log_pdf_poisson(0, std::exp(0.5))},
                    {{3, std::log(2.5)}, log_pdf_poisson(3, 2.5)},
                    {{7, -3}, log_pdf_poisson(7, std::exp(-3.0))},
                    {{2000, std::log(1900.0)}, log_pdf_poisson(2000, 1900)},
                    // exp(eta) underflows or the pdf does: y eta - exp(eta) - lgamma(y+1)
                    {{0, -800}, 0},
                    {{4, -800}, -3200 - std::lgamma(5.0)},
                    {{3, 40}, 120 - std::exp(40.0) - std::lgamma(4.0)},
                    {{2, 800}, -inf, false},
                    {{0, qnan}, -inf, false},
                    {{1.5, 0}, -inf, false}}});
    out.push_back({"normal",
                   {{{0.3, 0, 1}, log_pdf_normal(0.3, 0, 1)},
                    {{-2, 1, 0.5}, log_pdf_normal(-2, 1, 0.5)},
                    {{5 + 2e-8, 5, 1e-8}, log_pdf_normal(5 + 2e-8, 5, 1e-8), true, {2e-9, 2e-9, 2e-9}},
                    {{3e8, 1e8, 1e8}, log_pdf_normal(3e8, 1e8, 1e8), true, {}, {1e-6, 1e-22}},
                    {{40, 0, 1}, -800 - log_sqrt_2pi},  // pdf underflows
                    {{0, 0, -1}, -inf, false},
                    {{0, 0, 0}, -inf, false},
                    {{inf, 0, 1}, -inf, false},
                    {{0, qnan, 1}, -inf, false}}});
    out.push_back({"lognormal",
                   {{{1.5, 0.2, 0.8}, log_pdf_lognormal(1.5, 0.2, 0.8)},
                    {{0.01, -3, 2}, log_pdf_lognormal(0.01, -3, 2)},
                    {{100, 4, 0.1}, log_pdf_lognormal(100, 4, 0.1)},
                    {{1e-5, 2, 30}, log_pdf_lognormal(1e-5, 2, 30)},
                    {{0, 0, 1}, -inf, false},
                    {{-1, 0, 1}, -inf, false},
                    {{1, 0, 0}, -inf, false}}});
    out.push_back({"exponential",
                   {{{0, 2}, log_pdf_exponential(0, 2)},  // y on the boundary: no steps in y
                    {{1.5, 0.3}, log_pdf_exponential(1.5, 0.3)},
                    {{1e-3, 1e3}, log_pdf_exponential(1e-3, 1e3)},
                    {{50, 0.01}, log_pdf_exponential(50, 0.01)},
                    {{-1, 1}, -inf, false},
                    {{1, 0}, -inf, false},
                    {{1, -2}, -inf, false}}});
    out.push_back({"gamma",
                   {{{2, 0.5, 1.3}, log_pdf_gamma(2, 0.5, 1.3)},  // shape < 1
                    {{2, 3.5, 0.7}, log_pdf_gamma(2, 3.5, 0.7)},
                    {{0.01, 0.2, 5}, log_pdf_gamma(0.01, 0.2, 5)},
                    {{100, 50, 0.5}, log_pdf_gamma(100, 50, 0.5)},
                    {{1, 1, 1}, log_pdf_gamma(1, 1, 1)},
                    {{0, 2, 1}, -inf, false},
                    {{1, 0, 1}, -inf, false},
                    {{1, 2, -1}, -inf, false}}});
    out.push_back({"negbinomial",
                   {{{0, 2.5, 3}, log_pdf_negbinomial(0, 2.5, 3)},
                    {{3, 2.5, 3}, log_pdf_negbinomial(3, 2.5, 3)},
                    {{10, 0.5, 0.1}, log_pdf_negbinomial(10, 0.5, 0.1)},  // size < 1
                    {{12, 4, 0.5}, log_pdf_negbinomial(12, 4, 0.5)},      // size < 1, y >= 10
                    {{2, 1e-3, 5}, log_pdf_negbinomial(2, 1e-3, 5)},      // tiny mu
                    {{50, 40, 200}, log_pdf_negbinomial(50, 40, 200)},
                    {{1000, 900, 50}, log_pdf_negbinomial(1000, 900, 50)},  // y past the cache
                    {{5, 3, 1e-6}, log_pdf_negbinomial(5, 3, 1e-6), true, {}, {1e-6, 1e-9}},
                    // huge size: the Poisson limit (50-digit reference; the
                    // value is flat in size, so differences only in mu)
                    {{7, 3, 1e10}, static_cast<double>(big_log_negbinomial(7, 3, 1e10)), true, {0, 0.5, 0}},
                    {{0, 3, 1e10}, static_cast<double>(big_log_negbinomial(0, 3, 1e10)), true, {0, 0.5, 0}},
                    {{7, 3, 1e6}, static_cast<double>(big_log_negbinomial(7, 3, 1e6)), true, {0, 0.5, 0}},
                    {{2, 0, 1}, -inf, false},
                    {{2, 1, 0}, -inf, false},
                    {{2, -1, 1}, -inf, false},
                    {{2.5, 1, 1}, -inf, false},
                    {{-1, 1, 1}, -inf, false},
                    {{2, qnan, 1}, -inf, false},
                    {{2, 1, inf}, -inf, false}}});
    out.push_back({"geometric",
                   {{{0, 0.3}, log_pdf_geometric(0, 0.3)},
                    {{4, 0.3}, log_pdf_geometric(4, 0.3)},
                    {{10, 1e-6}, log_pdf_geometric(10, 1e-6)},
                    {{3, 0.999}, log_pdf_geometric(3, 0.999)},
                    {{1000, 0.5}, std::log(0.5) + 1000 * std::log(0.5)},  // pmf underflows
                    {{0, 1}, 0, false},  // p = 1: y = 0 is certain
                    {{3, 1}, -inf, false},
                    {{2, 0}, -inf, false},
                    {{2, 1.1}, -inf, false},
                    {{1.5, 0.5}, -inf, false},
                    {{-1, 0.5}, -inf, false}}});
    out.push_back({"student_t",
                   {{{0.3, 3, 0, 1}, log_pdf_student_t(0.3, 3, 0, 1)},
                    {{-2, 1, 1, 0.5}, log_pdf_student_t(-2, 1, 1, 0.5)},
                    {{5, 0.01, 0, 1}, log_pdf_student_t(5, 0.01, 0, 1)},  // tiny nu
                    {{1e3, 2.5, 0, 1}, log_pdf_student_t(1e3, 2.5, 0, 1)},  // far tail
                    {{3, 30, 1, 2}, log_pdf_student_t(3, 30, 1, 2)},       // nu >= 20: Stirling form
                    {{2, 19.5, -1, 3}, log_pdf_student_t(2, 19.5, -1, 3)},
                    {{5 + 3e-8, 4, 5, 1e-8}, log_pdf_student_t(5 + 3e-8, 4, 5, 1e-8), true, {2e-9, 1, 2e-9, 2e-9}},
                    {{1e200, 2, 0, 1}, big_student_t_value(1e200, 2, 0, 1), false},  // z^2 overflows
                    // huge nu: the normal limit (50-digit reference)
                    {{0.5, 1e10, 0, 1}, big_student_t_value(0.5, 1e10, 0, 1), true, {0.1, 0, 0.1, 0.1}},
                    {{2.5, 1e6, 0.5, 2}, big_student_t_value(2.5, 1e6, 0.5, 2), true, {0.1, 0, 0.1, 0.1}},
                    {{0, 0, 0, 1}, -inf, false},
                    {{0, 3, 0, 0}, -inf, false},
                    {{0, 3, 0, -1}, -inf, false},
                    {{inf, 3, 0, 1}, -inf, false},
                    {{0, 3, qnan, 1}, -inf, false}}});
    out.push_back({"cauchy",
                   {{{0.3, 0, 1}, log_pdf_cauchy(0.3, 0, 1)},
                    {{-2, 1, 0.5}, log_pdf_cauchy(-2, 1, 0.5)},
                    {{1e3, 0, 1}, log_pdf_cauchy(1e3, 0, 1)},
                    {{5 + 2e-8, 5, 1e-8}, log_pdf_cauchy(5 + 2e-8, 5, 1e-8), true, {2e-9, 2e-9, 2e-9}},
                    {{0, 0, 1}, log_pdf_cauchy(0, 0, 1)},
                    // pdf underflows; log1p(z^2) = 2 log z + log1p(1/z^2)
                    {{1e200, 0, 1}, -std::log(3.14159265358979323846) - 2 * std::log(1e200)},
                    {{0, 0, 0}, -inf, false},
                    {{0, 0, -1}, -inf, false},
                    {{inf, 0, 1}, -inf, false}}});
    out.push_back({"laplace",
                   {{{0.3, 0, 1}, log_pdf_laplace(0.3, 0, 1)},
                    {{-2, 1, 0.5}, log_pdf_laplace(-2, 1, 0.5)},
                    {{1e3, 0, 2}, log_pdf_laplace(1e3, 0, 2)},
                    {{1e-9, 0, 1e-10}, log_pdf_laplace(1e-9, 0, 1e-10), true, {1e-10, 1e-10, 2e-11}},
                    // y == mu: not differentiable in y, mu (partials 0, below)
                    {{1, 1, 2}, log_pdf_laplace(1, 1, 2), true, {0, 0, 0.5}},
                    {{1e4, 0, 1}, -1e4 - std::log(2.0)},  // pdf underflows
                    {{0, 0, 0}, -inf, false},
                    {{0, 0, -1}, -inf, false},
                    {{qnan, 0, 1}, -inf, false}}});
    out.push_back({"logistic",
                   {{{0.3, 0, 1}, log_pdf_logistic(0.3, 0, 1)},
                    {{-2, 1, 0.5}, log_pdf_logistic(-2, 1, 0.5)},
                    {{50, 0, 1}, log_pdf_logistic(50, 0, 1)},
                    {{-40, 0, 1}, log_pdf_logistic(-40, 0, 1)},
                    {{1e-6, 0, 1e-5}, log_pdf_logistic(1e-6, 0, 1e-5), true, {1e-6, 1e-6, 2e-6}},
                    // pdf underflows: log p = -|z| - 2 log1p(e^-|z|) - log s
                    {{-800, 0, 1}, -800, false},
                    {{1e300, 0, 2}, -5e299, false},
                    {{0, 0, 0}, -inf, false},
                    {{0, 0, -1}, -inf, false},
                    {{qnan, 0, 1}, -inf, false}}});
    out.push_back({"weibull",
                   {{{1.5, 2, 1}, log_pdf_weibull(1.5, 2, 1)},
                    {{0.3, 0.5, 2}, log_pdf_weibull(0.3, 0.5, 2)},  // shape < 1
                    {{2, 1, 3}, log_pdf_weibull(2, 1, 3)},          // shape 1: exponential
                    {{1e-3, 3, 1e-2}, log_pdf_weibull(1e-3, 3, 1e-2)},
                    {{100, 1.2, 50}, log_pdf_weibull(100, 1.2, 50)},
                    {{5, 20, 4}, log_pdf_weibull(5, 20, 4)},
                    {{0, 2, 1}, -inf, false},  // y = 0 is outside the positive outcome domain
                    {{-1, 2, 1}, -inf, false},
                    {{1, 0, 1}, -inf, false},
                    {{1, 2, 0}, -inf, false}}});
    out.push_back({"beta",
                   {{{0.3, 2, 3}, log_pdf_beta(0.3, 2, 3)},
                    {{0.01, 0.5, 0.5}, log_pdf_beta(0.01, 0.5, 0.5)},
                    {{0.999, 5, 0.8}, log_pdf_beta(0.999, 5, 0.8)},
                    {{0.5, 1, 1}, 0},
                    {{0.4, 1e-3, 2}, log_pdf_beta(0.4, 1e-3, 2)},
                    {{0.7, 50, 30}, log_pdf_beta(0.7, 50, 30)},
                    {{0.2, 1e6, 4e6}, log_pdf_beta(0.2, 1e6, 4e6), true, {1e-4, 1e4, 4e4}, {1e-5, 1e-8}, 1e-9},
                    {{0.3, 15, 2.5}, log_pdf_beta(0.3, 15, 2.5)},
                    {{0, 2, 3}, -inf, false},
                    {{1, 2, 3}, -inf, false},
                    {{0.5, 0, 3}, -inf, false},
                    {{0.5, 2, -1}, -inf, false}}});
    out.push_back({"uniform",
                   {{{0.5, 0, 1}, 0, true, {0.1, 0.1, 0.1}},
                    {{2, -1, 5}, -std::log(6.0), true, {0.5, 0.5, 0.5}},
                    {{1e-3, 1e-6, 1e-2}, -std::log(1e-2 - 1e-6), true, {1e-4, 1e-7, 1e-3}},
                    {{1e8, -1e9, 1e9}, -std::log(2e9), true, {1e7, 1e7, 1e7}},
                    {{-7, -8, -6.5}, -std::log(1.5), true, {0.1, 0.1, 0.1}},
                    {{0, 0, 1}, 0, false},  // the support is closed
                    {{1, 0, 1}, 0, false},
                    {{-0.1, 0, 1}, -inf, false},
                    {{1.1, 0, 1}, -inf, false},
                    {{0.5, 1, 0}, -inf, false},  // lo > hi
                    {{1, 1, 1}, -inf, false},    // lo == hi
                    {{qnan, 0, 1}, -inf, false},
                    {{0.5, -inf, 1}, -inf, false}}});
    // categorical(y | p_1, ..., p_K): rows of 1 + K entries
    out.push_back({"categorical",
                   {{{1, 0.2, 0.3, 0.5}, std::log(0.2)},
                    {{3, 0.2, 0.3, 0.5}, std::log(0.5)},
                    {{2, 0.7, 0.3}, std::log(0.3)},
                    {{1, 1}, 0},
                    {{2, 0.5, 1e-100}, std::log(1e-100), true, {0, 0.1, 1e-101}},
                    {{5, 0.1, 0.1, 0.1, 0.1, 0.6}, std::log(0.6)},
                    {{4, 0.2, 0.3, 0.5}, -inf, false},  // y > K
                    {{2, 0.5, 0}, -inf, false},         // p_y = 0
                    {{1.5, 0.5, 0.5}, -inf, false},
                    {{0, 0.5, 0.5}, -inf, false},
                    {{1, 0.5, 1.5}, -inf, false},       // an element outside [0, 1]
                    {{1, 0.5, qnan}, -inf, false}}});
    return out;
}

const DistributionDef& dist(const std::string& name) {
    const DistributionDef* d = mlec::rt::find_distribution(name);
    REQUIRE(d != nullptr);
    return *d;
}

// Steps for finite differences: none in y for a pmf, none in integer
// arguments (binomial's n), otherwise from the domain.
Row steps_for(const DistributionDef& d, const Point& p) {
    if (!p.step.empty()) return p.step;
    Row step;
    step.push_back(d.discrete ? 0.0 : mlec::test::default_step(d.outcome, p.x[0]));
    // inputs past the last argument are the elements of a vector argument
    for (std::size_t i = 1; i < p.x.size(); ++i) {
        const Domain dom = d.args[std::min(i - 1, d.args.size() - 1)].domain;
        step.push_back(mlec::test::default_step(dom, p.x[i]));
    }
    return step;
}

}  // namespace

TEST_CASE("the distribution table: names, arities, domains") {
    std::map<std::string, int> covered;
    for (const Case& c : cases()) ++covered[c.name];
    const std::map<std::string, std::pair<bool, Domain>> outcome{
        {"bernoulli", {true, Domain::binary}},        {"bernoulli_logit", {true, Domain::binary}},
        {"binomial", {true, Domain::count}},          {"poisson", {true, Domain::count}},
        {"poisson_log", {true, Domain::count}},       {"normal", {false, Domain::real}},
        {"lognormal", {false, Domain::positive}},     {"exponential", {false, Domain::nonnegative}},
        {"gamma", {false, Domain::positive}},         {"negbinomial", {true, Domain::count}},
        {"geometric", {true, Domain::count}},         {"student_t", {false, Domain::real}},
        {"cauchy", {false, Domain::real}},            {"laplace", {false, Domain::real}},
        {"logistic", {false, Domain::real}},          {"weibull", {false, Domain::positive}},
        {"beta", {false, Domain::unit_open}},         {"uniform", {false, Domain::real}},
        {"categorical", {true, Domain::category}}};
    CHECK(mlec::rt::all_distributions().size() == outcome.size());
    for (const DistributionDef* d : mlec::rt::all_distributions()) {
        const std::string name(d->name);
        INFO(name);
        CHECK(covered.count(name) == 1);
        CHECK(mlec::rt::find_distribution(name) == d);
        CHECK(d->op.name == d->name);
        // a vector argument (only ever the last) makes the op variadic
        bool vector = false;
        for (std::size_t i = 0; i < d->args.size(); ++i) {
            if (d->args[i].vector) {
                vector = true;
                CHECK(i + 1 == d->args.size());
            }
        }
        CHECK(d->op.arity == (vector ? -1 : 1 + static_cast<int>(d->args.size())));
        CHECK(d->op.eval != nullptr);
        CHECK_FALSE(d->op.linear);
        REQUIRE(outcome.count(name) == 1);
        CHECK(d->discrete == outcome.at(name).first);
        CHECK(d->outcome == outcome.at(name).second);
    }
    CHECK(mlec::rt::find_distribution("normall") == nullptr);

    auto args = [](const std::string& name) {
        std::string s;
        for (const auto& a : dist(name).args) {
            s += std::string(a.name) + ":" + std::string(mlec::rt::domain_text(a.domain)) + ";";
        }
        return s;
    };
    CHECK(args("bernoulli") == "p:in [0, 1];");
    CHECK(args("bernoulli_logit") == "eta:a real number;");
    CHECK(args("binomial") == "n:a non-negative integer;p:in [0, 1];");
    CHECK(args("poisson") == "lambda:positive;");
    CHECK(args("poisson_log") == "eta:a real number;");
    CHECK(args("normal") == "mu:a real number;sigma:positive;");
    CHECK(args("lognormal") == "mu:a real number;sigma:positive;");
    CHECK(args("exponential") == "rate:positive;");
    CHECK(args("gamma") == "shape:positive;rate:positive;");
    CHECK(args("negbinomial") == "mu:positive;size:positive;");
    CHECK(args("geometric") == "p:in [0, 1];");
    CHECK(args("student_t") == "nu:positive;mu:a real number;sigma:positive;");
    CHECK(args("cauchy") == "mu:a real number;sigma:positive;");
    CHECK(args("laplace") == "mu:a real number;b:positive;");
    CHECK(args("logistic") == "mu:a real number;s:positive;");
    CHECK(args("weibull") == "shape:positive;scale:positive;");
    CHECK(args("beta") == "a:positive;b:positive;");
    CHECK(args("uniform") == "lo:a real number;hi:a real number;");
    CHECK(args("categorical") == "p:in [0, 1];");
    CHECK(dist("categorical").args[0].vector);
}

TEST_CASE("domain texts") {
    using mlec::rt::domain_text;
    CHECK(domain_text(Domain::binary) == "0 or 1");
    CHECK(domain_text(Domain::count) == "a non-negative integer");
    CHECK(domain_text(Domain::positive) == "positive");
    CHECK(domain_text(Domain::nonnegative) == "non-negative");
    CHECK(domain_text(Domain::unit_open) == "in (0, 1)");
    CHECK(domain_text(Domain::unit_closed) == "in [0, 1]");
    CHECK(domain_text(Domain::real) == "a real number");
    CHECK(domain_text(Domain::category) == "a category number 1, 2, ...");
}

TEST_CASE("in_domain at the boundaries") {
    using mlec::rt::in_domain;
    const double tiny = 5e-324;  // the smallest subnormal
    const double below_one = std::nextafter(1.0, 0.0);
    struct Expect {
        Domain d;
        std::vector<double> in;
        std::vector<double> out;
    };
    const std::vector<Expect> table{
        {Domain::real, {0, -1e308, 1e308, tiny}, {inf, -inf, qnan}},
        {Domain::positive, {tiny, 1, 1e308}, {0, -0.0, -tiny, inf, qnan}},
        {Domain::nonnegative, {0, -0.0, tiny, 1e308}, {-tiny, -1, inf, qnan}},
        {Domain::unit_open, {tiny, 0.5, below_one}, {0, 1, -tiny, 1.5, qnan}},
        {Domain::unit_closed, {0, 1, tiny, below_one}, {-tiny, std::nextafter(1.0, 2.0), qnan}},
        {Domain::binary, {0, 1}, {0.5, 2, -1, tiny, below_one, qnan}},
        {Domain::count, {0, 1, 7, 1e15, 1e300}, {-1, 0.5, 2.0000001, inf, qnan, tiny}},
        {Domain::category, {1, 2, 7, 1e15}, {0, -1, 1.5, tiny, inf, qnan}},
    };
    for (const Expect& e : table) {
        for (double x : e.in) {
            INFO(mlec::rt::domain_text(e.d) << " should contain " << x);
            CHECK(in_domain(e.d, x));
        }
        for (double x : e.out) {
            INFO(mlec::rt::domain_text(e.d) << " should not contain " << x);
            CHECK_FALSE(in_domain(e.d, x));
        }
    }
}

TEST_CASE("log densities match Boost.Math") {
    for (const Case& c : cases()) {
        const DistributionDef& d = dist(c.name);
        for (const Point& p : c.points) {
            const Evaluated e = mlec::test::eval_one(d.op, p.x);
            INFO(c.name << " at " << mlec::test::show(p.x) << ": got " << e.value << ", expected "
                        << p.expected);
            CHECK(mlec::test::close_value(e.value, p.expected, p.value_rel));
            // -inf (never NaN) outside the domain, with partials that do not
            // poison the chain rule.
            CHECK_FALSE(std::isnan(e.value));
            if (e.value == -inf) {
                for (double v : e.d1) CHECK(v == 0);
                for (double v : e.d2) CHECK(v == 0);
            }
        }
    }
}

TEST_CASE("distribution partials match finite differences") {
    for (const Case& c : cases()) {
        const DistributionDef& d = dist(c.name);
        for (const Point& p : c.points) {
            if (p.fd) mlec::test::check_partials(d.op, p.x, steps_for(d, p), p.tol);
        }
    }
}

TEST_CASE("distributions on a block of rows equal the row-by-row results") {
    for (const Case& c : cases()) {
        std::vector<Row> rows;
        for (const Point& p : c.points) rows.push_back(p.x);
        mlec::test::check_block_form(dist(c.name).op, rows);
    }
}

TEST_CASE("discrete outcomes and integer arguments have zero partials") {
    // A pmf's y is never differentiated; binomial's n is an integer.
    const Evaluated b = mlec::test::eval_one(dist("binomial").op, {3, 10, 0.3});
    for (int k : {0, 1, 2, 3, 4}) {  // every pair that involves y or n
        INFO("pair " << k);
        CHECK(b.d2[k] == 0);
    }
    CHECK(b.d1[0] == 0);
    CHECK(b.d1[1] == 0);
    CHECK(b.d1[2] == Approx(3 / 0.3 - 7 / 0.7).epsilon(1e-14));
    for (const char* name : {"bernoulli", "bernoulli_logit", "poisson", "poisson_log", "geometric"}) {
        const Evaluated e = mlec::test::eval_one(dist(name).op, {1, 0.4});
        INFO(name);
        CHECK(e.d1[0] == 0);
        CHECK(e.d2[0] == 0);
        CHECK(e.d2[1] == 0);
    }
    for (const Row& x : std::vector<Row>{{3, 2.5, 4}, {2, 0.2, 0.5, 0.3}}) {
        const char* name = x.size() == 3 ? "negbinomial" : "categorical";
        INFO(name);
        const Evaluated e = mlec::test::eval_one(dist(name).op, x);
        CHECK(e.d1[0] == 0);
        for (std::size_t j = 0; j < x.size(); ++j) CHECK(e.d2[j] == 0);  // pairs (0, j)
    }
}

TEST_CASE("bernoulli and binomial at p on the boundary") {
    // log p(0 | p) = log(1 - p): slope -1/(1-p), curvature -1/(1-p)^2, also at p = 0
    const Evaluated at0 = mlec::test::eval_one(dist("bernoulli").op, {0, 0});
    CHECK(at0.value == 0);
    CHECK(at0.d1[1] == -1);
    CHECK(at0.d2[2] == -1);
    const Evaluated at1 = mlec::test::eval_one(dist("bernoulli").op, {1, 1});
    CHECK(at1.value == 0);
    CHECK(at1.d1[1] == 1);
    CHECK(at1.d2[2] == -1);
    // binomial(0 | 5, 0) = 1: d/dp = -n/(1-p) = -5
    const Evaluated bin = mlec::test::eval_one(dist("binomial").op, {0, 5, 0});
    CHECK(bin.value == 0);
    CHECK(bin.d1[2] == -5);
    CHECK(bin.d2[5] == -5);
}

TEST_CASE("bernoulli_logit partials stay exact in the tails") {
    // d/deta = y - sigmoid(eta); at eta = 40, 1 - sigmoid(40) = e^-40/(1+e^-40)
    const double e = std::exp(-40.0);
    const Evaluated hit = mlec::test::eval_one(dist("bernoulli_logit").op, {1, 40});
    CHECK(hit.d1[1] == Approx(e / (1 + e)).epsilon(1e-14));
    CHECK(hit.d2[2] == Approx(-e / ((1 + e) * (1 + e))).epsilon(1e-14));
    const Evaluated miss = mlec::test::eval_one(dist("bernoulli_logit").op, {0, 1e300});
    CHECK(miss.d1[1] == -1);
    CHECK(miss.d2[2] == 0);
    const Evaluated far = mlec::test::eval_one(dist("bernoulli_logit").op, {1, -1e300});
    CHECK(far.d1[1] == 1);
}

TEST_CASE("negbinomial near its Poisson limit") {
    // d/dsize and d2/dsize2 are O(1/size^2), O(1/size^3) there, differences
    // of O(1/size) terms: against 50-digit arithmetic.
    for (const Row& x : std::vector<Row>{{7, 3, 1e6}, {0, 3, 1e6}, {7, 3, 1e10}, {2, 5, 30}, {40, 3, 12},
                                         {12, 4, 0.5}, {3, 2.5, 3}}) {
        const Evaluated e = mlec::test::eval_one(dist("negbinomial").op, x);
        const auto [d1, d2] = big_negbinomial_size_partials(x[0], x[1], x[2]);
        INFO(mlec::test::show(x));
        CHECK(e.value == Approx(static_cast<double>(big_log_negbinomial(x[0], x[1], x[2]))).epsilon(1e-14));
        CHECK(e.d1[2] == Approx(d1).epsilon(x[2] > 1e8 ? 1e-5 : 1e-9));
        CHECK(e.d2[5] == Approx(d2).epsilon(x[2] > 1e8 ? 1e-5 : 1e-9));
    }
    // the Poisson pmf in the limit; d/dmu -> y/mu - 1
    const Evaluated e = mlec::test::eval_one(dist("negbinomial").op, {7, 3, 1e12});
    CHECK(e.value == Approx(log_pdf_poisson(7, 3)).epsilon(1e-10));
    CHECK(e.d1[1] == Approx(7.0 / 3 - 1).epsilon(1e-10));
}

TEST_CASE("student_t near its normal limit and in the far tail") {
    const auto& op = dist("student_t").op;
    // nu -> inf: the normal log density; d/dnu against 50 digits
    for (const Row& x : std::vector<Row>{{0.5, 1e10, 0, 1}, {2.5, 1e6, 0.5, 2}, {1, 40, 0, 1}, {3, 25, 1, 0.5}}) {
        const Evaluated e = mlec::test::eval_one(op, x);
        INFO(mlec::test::show(x));
        CHECK(e.value == Approx(big_student_t_value(x[0], x[1], x[2], x[3])).epsilon(1e-14));
        // d/dnu by central differences in 50-digit arithmetic (h = nu 1e-7:
        // truncation ~1e-14 relative, rounding ~1e-50/h^2 even for d2)
        const Big h = Big(x[1]) * Big("1e-7");
        const Big yb = x[0], mb = x[2], sb = x[3];
        auto big = [&](const Big& nu) {
            const Big z = (yb - mb) / sb;
            const Big pi = boost::math::constants::pi<Big>();
            return bm::lgamma((nu + 1) / 2) - bm::lgamma(nu / 2) - log(nu * pi) / 2 - log(sb) -
                   (nu + 1) / 2 * log(1 + z * z / nu);
        };
        const Big nu = x[1];
        const double d1 = static_cast<double>((big(nu + h) - big(nu - h)) / (2 * h));
        const double d2 = static_cast<double>((big(nu + h) - 2 * big(nu) + big(nu - h)) / (h * h));
        CHECK(e.d1[1] == Approx(d1).epsilon(1e-9));
        CHECK(e.d2[mlec::rt::pair_index(1, 1, 4)] == Approx(d2).epsilon(1e-6));
    }
    // z^2 overflows: log1p(z^2/nu) = 2 log|u| + log1p(1/u^2), partials finite
    const Evaluated far = mlec::test::eval_one(op, {1e200, 2, 0, 1});
    CHECK(far.value == Approx(big_student_t_value(1e200, 2, 0, 1)).epsilon(1e-14));
    for (double v : far.d1) CHECK(std::isfinite(v));
    for (double v : far.d2) CHECK(std::isfinite(v));
    // d/dsigma -> nu/sigma as |z| -> inf (nu (z^2 - 1)/(sigma (nu + z^2)))
    CHECK(far.d1[3] == Approx(2.0).epsilon(1e-14));
}

TEST_CASE("location-scale partials stay finite and exact in the tails") {
    // cauchy: d/dsigma = (z^2 - 1)/(sigma (1 + z^2)) -> 1/sigma
    const Evaluated c = mlec::test::eval_one(dist("cauchy").op, {1e200, 0, 1});
    CHECK(c.d1[2] == Approx(1.0).epsilon(1e-15));
    CHECK(c.d1[0] == Approx(-2e-200).epsilon(1e-14));
    for (double v : c.d2) CHECK(std::isfinite(v));
    // logistic: d/dy = -tanh(z/2), d2/dy2 = -2e/(1 + e)^2 with e = exp(-|z|)
    const double e = std::exp(-40.0);
    const Evaluated l = mlec::test::eval_one(dist("logistic").op, {40, 0, 1});
    CHECK(l.d1[0] == Approx(-(1 - e) / (1 + e)).epsilon(1e-15));
    CHECK(l.d2[0] == Approx(-2 * e / ((1 + e) * (1 + e))).epsilon(1e-14));
    const Evaluated far = mlec::test::eval_one(dist("logistic").op, {1e300, 0, 2});
    CHECK(far.d1[0] == -0.5);
    for (double v : far.d2) CHECK(std::isfinite(v));
    // laplace at y == mu: the partials in y and mu are 0, in b -1/b
    const Evaluated at = mlec::test::eval_one(dist("laplace").op, {1, 1, 2});
    CHECK(at.d1[0] == 0);
    CHECK(at.d1[1] == 0);
    CHECK(at.d1[2] == -0.5);
    CHECK(at.d2[0] == 0);
}

TEST_CASE("geometric, uniform and categorical at their boundaries") {
    // geometric(0 | 1) = 1: d/dp = 1/p = 1, d2 = -1
    const Evaluated g = mlec::test::eval_one(dist("geometric").op, {0, 1});
    CHECK(g.value == 0);
    CHECK(g.d1[1] == 1);
    CHECK(g.d2[2] == -1);
    // uniform: -log(hi - lo), partials +-1/w, second partials +-1/w^2, none in y
    const Evaluated u = mlec::test::eval_one(dist("uniform").op, {0.5, -1, 3});
    CHECK(u.value == Approx(-std::log(4.0)).epsilon(1e-15));
    CHECK(u.d1 == Row{0, 0.25, -0.25});
    CHECK(u.d2 == Row{0, 0, 0, 0.0625, -0.0625, 0.0625});
    // categorical: only p_y is touched; p is not renormalized
    using mlec::rt::pair_index;
    const Evaluated cat = mlec::test::eval_one(dist("categorical").op, {2, 0.5, 0.25, 0.25});
    CHECK(cat.value == Approx(std::log(0.25)).epsilon(1e-15));
    CHECK(cat.d1 == Row{0, 0, 4, 0});
    for (int i = 0; i < 4; ++i) {
        for (int j = i; j < 4; ++j) CHECK(cat.d2[pair_index(i, j, 4)] == (i == 2 && j == 2 ? -16 : 0));
    }
    CHECK(mlec::test::eval_one(dist("categorical").op, {1, 0.5, 0.25}).value == Approx(std::log(0.5)).epsilon(1e-15));
}

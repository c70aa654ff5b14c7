// student_t: its points for the checks every distribution gets
// (test_all.cpp), and its own tests.
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/special_functions/gamma.hpp>

#include "distributions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;

namespace {

double log_pdf_student_t(double y, double nu, double mu, double sigma) {
    return std::log(bm::pdf(bm::students_t_distribution<>(nu), (y - mu) / sigma)) - std::log(sigma);
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

MLEC_DISTRIBUTION_TEST(student_t, false, Domain::real, "nu:positive;mu:a real number;sigma:positive;") {
    return {{{0.3, 3, 0, 1}, log_pdf_student_t(0.3, 3, 0, 1)},
            {{-2, 1, 1, 0.5}, log_pdf_student_t(-2, 1, 1, 0.5)},
            {{5, 0.01, 0, 1}, log_pdf_student_t(5, 0.01, 0, 1)},    // tiny nu
            {{1e3, 2.5, 0, 1}, log_pdf_student_t(1e3, 2.5, 0, 1)},  // far tail
            {{3, 30, 1, 2}, log_pdf_student_t(3, 30, 1, 2)},        // nu >= 20: Stirling form
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
            {{0, 3, qnan, 1}, -inf, false}};
}

// At z = (y - mu)/sigma, from the standard t in 50 digits; nu from 0.1
// to 1000, both tails (z = +-1e6: log P = -nu log|z| + ...), z = 0.
CdfPoint student_t_cdf_point(double y, double nu, double mu, double sigma) {
    const Big z = (Big(y) - mu) / sigma;
    const bm::students_t_distribution<Big> t(nu);
    const Big lower = bm::cdf(t, z);
    const Big upper = bm::cdf(bm::complement(t, z));
    return {{y, nu, mu, sigma}, static_cast<double>(log(lower)), static_cast<double>(log(upper))};
}

MLEC_CDF_TEST(student_t) {
    const auto point = student_t_cdf_point;
    return {point(0.3, 3, 0, 1),    point(-2, 0.5, 0, 1),      point(2, 0.1, 0, 1),      point(1.7, 5, 1.7, 2),
            point(1.71, 5, 1.7, 2), point(-40, 4, 0, 1),       point(40, 4, 0, 1),       point(1e6, 2, 0, 1),
            point(-1e6, 1, 3, 1),   point(2.5, 1000, 0, 1),    point(-8, 1000, 0, 1),    point(12, 30, 1, 0.5),
            point(-0.2, 1, 0, 3),   cdf_outside({1, 0, 0, 1}), cdf_outside({1, 2, 0, 0})};
}

}  // namespace

TEST_CASE("student_t near its normal limit and in the far tail") {
    const auto& op = dist("student_t").op;
    // nu -> inf: the normal log density; d/dnu (to the third) against 50 digits
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
        const double d3 = static_cast<double>((big(nu + 2 * h) - 2 * big(nu + h) + 2 * big(nu - h) - big(nu - 2 * h)) /
                                              (2 * h * h * h));
        CHECK(e.d3[mlec::rt::triple_index(1, 1, 1, 4)] == Approx(d3).epsilon(1e-6));
    }
    // z^2 overflows: log1p(z^2/nu) = 2 log|u| + log1p(1/u^2), partials finite
    const Evaluated far = mlec::test::eval_one(op, {1e200, 2, 0, 1});
    CHECK(far.value == Approx(big_student_t_value(1e200, 2, 0, 1)).epsilon(1e-14));
    for (double v : far.d1) CHECK(std::isfinite(v));
    for (double v : far.d2) CHECK(std::isfinite(v));
    for (double v : far.d3) CHECK(std::isfinite(v));
    // d/dsigma -> nu/sigma as |z| -> inf (nu (z^2 - 1)/(sigma (nu + z^2)))
    CHECK(far.d1[3] == Approx(2.0).epsilon(1e-14));
}

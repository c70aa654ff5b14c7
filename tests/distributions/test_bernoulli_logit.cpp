// bernoulli_logit: its points for the checks every distribution gets
// (test_all.cpp), and its own tests.
#include "distributions/support.hpp"

using namespace mlec::test;
using mlec::rt::Domain;

namespace {

// bernoulli(y | sigmoid(eta)) through Boost, with the success probability
// formed on the side where 1/(1+exp(.)) is accurate: for eta > 0 use
// P(y | sigmoid(eta)) = P(1 - y | sigmoid(-eta)).
double log_pdf_bernoulli_logit(double y, double eta) {
    if (eta > 0) return log_pdf_bernoulli(1 - y, 1 / (1 + std::exp(eta)));
    return log_pdf_bernoulli(y, 1 / (1 + std::exp(-eta)));
}

MLEC_DISTRIBUTION_TEST(bernoulli_logit, true, Domain::binary, "eta:a real number;") {
    return {{{1, 0.7}, log_pdf_bernoulli_logit(1, 0.7)},
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
            {{0.5, 0}, -inf, false}};
}

// P(Y > 0) = sigmoid(eta), in 50 digits: log(1 + e^-eta) and log(1 + e^eta).
MLEC_CDF_TEST(bernoulli_logit) {
    auto point = [](double eta) {
        const Big e = eta;
        return CdfPoint{{0, eta}, static_cast<double>(-log(1 + exp(e))), static_cast<double>(-log(1 + exp(-e)))};
    };
    return {point(0.3),
            point(-2),
            point(40),
            point(-40),
            point(800),
            point(-800),
            point(0),
            {{1, 0.3}, 0.0, -inf, true},
            cdf_outside({0.5, 0.3}),
            cdf_above({2, 0.3})};
}

}  // namespace

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

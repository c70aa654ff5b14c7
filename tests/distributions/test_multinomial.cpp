// multinomial: its points for the checks every distribution gets
// (test_all.cpp), and its own tests: the vector sampler's moments, the
// draws and its partials' structure.
#include <boost/math/distributions/binomial.hpp>

#include "distributions/support.hpp"
#include "runtime/random.hpp"

using namespace mlec::test;
using mlec::rt::Domain;

namespace {

// The multinomial pmf as a chain of Boost.Math binomial pmfs:
// P(n) = prod_k binomial(n_k | N - n_1 - ... - n_(k-1), p_k / (p_k + ... + p_K)),
// an independent route to the closed form (p summing to 1).
double log_pmf_by_binomials(const Row& x) {
    const std::size_t k_count = x.size() / 2;
    double trials = 0;
    for (std::size_t k = 0; k < k_count; ++k) trials += x[k];
    double log_p = 0;
    for (std::size_t k = 0; k + 1 < k_count; ++k) {
        double rest = 0;
        for (std::size_t j = k; j < k_count; ++j) rest += x[k_count + j];
        const double share = std::min(1.0, x[k_count + k] / rest);
        log_p += std::log(bm::pdf(bm::binomial_distribution<>(trials, share), x[k]));
        trials -= x[k];
    }
    return log_p;
}

// The closed form with std::lgamma, for p that does not sum to 1 (not
// renormalized): lgamma(N + 1) - sum lgamma(n_k + 1) + sum n_k log p_k.
double log_pmf_closed(const Row& x) {
    const std::size_t k_count = x.size() / 2;
    double trials = 0;
    double out = 0;
    for (std::size_t k = 0; k < k_count; ++k) {
        trials += x[k];
        out -= std::lgamma(x[k] + 1);
        if (x[k] > 0) out += x[k] * std::log(x[k_count + k]);
    }
    return out + std::lgamma(trials + 1);
}

Point by_binomials(const Row& x) { return {x, log_pmf_by_binomials(x)}; }

// multinomial(n_1, ..., n_K | p_1, ..., p_K): rows of 2K entries
MLEC_DISTRIBUTION_TEST(multinomial, true, Domain::count, "p:in [0, 1];") {
    return {by_binomials({2, 3, 5, 0.2, 0.3, 0.5}),
            by_binomials({0, 0, 7, 0.25, 0.25, 0.5}),
            by_binomials({1, 4, 0.6, 0.4}),
            by_binomials({10, 0, 3, 1, 0.5, 0.1, 0.15, 0.25}),
            by_binomials({120, 80, 0.55, 0.45}),
            {{0, 0, 0, 0.2, 0.3, 0.5}, 0.0},                       // no trials: probability 1
            {{3, 0, 0.5, 0.4}, log_pmf_closed({3, 0, 0.5, 0.4})},  // p not renormalized
            {{2, 0, 1, 0}, 0.0, false},                            // a zero count's p_k = 0 is no term
            {{2, 1, 1, 0}, -inf, false},                           // a count where p_k = 0
            {{1.5, 1, 0.5, 0.5}, -inf, false},                     // not a whole count
            {{-1, 2, 0.5, 0.5}, -inf, false},                      // a negative count
            {{1, 2, 0.5, 1.5}, -inf, false},                       // p outside [0, 1]
            {{1, 2, 0.5, qnan}, -inf, false}};
}

}  // namespace

TEST_CASE("multinomial: partials in p, none in the counts, and no cross terms") {
    using mlec::rt::pair_index;
    const Row x{2, 0, 5, 0.2, 0.3, 0.5};
    const Evaluated e = mlec::test::eval_one(dist("multinomial").op, x);
    CHECK(e.value == Approx(log_pmf_closed(x)).epsilon(1e-14));
    CHECK(e.d1 == Row{0, 0, 0, 2 / 0.2, 0, 5 / 0.5});
    for (int i = 0; i < 6; ++i) {
        for (int j = i; j < 6; ++j) {
            INFO(i << ", " << j);
            const double expected = i == j && i >= 3
                                        ? -x[static_cast<std::size_t>(i - 3)] /
                                              (x[static_cast<std::size_t>(i)] * x[static_cast<std::size_t>(i)])
                                        : 0.0;
            CHECK(e.d2[static_cast<std::size_t>(pair_index(i, j, 6))] == Approx(expected).epsilon(1e-15));
        }
    }
}

TEST_CASE("multinomial's sampler: the observed total, means N p_k, covariances -N p_j p_k") {
    const auto& d = dist("multinomial");
    REQUIRE(d.vector_outcome);
    REQUIRE(d.sample_vector != nullptr);
    CHECK(d.sample == nullptr);
    const Row p{0.1, 0.0, 0.35, 0.55};
    const double trials = 17;
    const Row inputs{4, 0, 6, 7, p[0], p[1], p[2], p[3]};  // observed counts: their total is N
    constexpr int draws = 200000;
    mlec::rt::Rng rng(2026);
    Row sum(4, 0.0);
    std::vector<Row> cross(4, Row(4, 0.0));
    Row out(4);
    bool totals_ok = true;
    for (int i = 0; i < draws; ++i) {
        d.sample_vector(inputs, rng, out);
        double total = 0;
        for (int k = 0; k < 4; ++k) {
            total += out[k];
            sum[k] += out[k];
            for (int j = 0; j < 4; ++j) cross[k][j] += out[k] * out[j];
        }
        totals_ok = totals_ok && total == trials && out[1] == 0;
    }
    CHECK(totals_ok);
    for (int k = 0; k < 4; ++k) {
        const double mean = sum[k] / draws;
        const double var = trials * p[k] * (1 - p[k]);
        INFO("k = " << k << ": mean " << mean << ", expected " << trials * p[k]);
        CHECK(std::abs(mean - trials * p[k]) <= 5 * std::sqrt(var / draws) + 1e-12);
        for (int j = 0; j < 4; ++j) {
            const double cov = cross[k][j] / draws - mean * (sum[j] / draws);
            const double expected = k == j ? var : -trials * p[k] * p[j];
            // within 5 standard errors of a sample covariance, sqrt(var_k var_j + cov^2 / n) (normal approx.)
            const double se =
                std::sqrt((trials * p[k] * (1 - p[k]) * trials * p[j] * (1 - p[j]) + expected * expected) / draws);
            INFO("cov(" << k << ", " << j << ") " << cov << ", expected " << expected);
            CHECK(std::abs(cov - expected) <= 5 * se + 1e-12);
        }
    }
    // p that does not sum to 1 has no distribution to draw from
    d.sample_vector(Row{1, 2, 0.5, 0.4}, rng, std::span<double>(out.data(), 2));
    CHECK(std::isnan(out[0]));
    CHECK(std::isnan(out[1]));
}

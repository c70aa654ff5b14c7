// multinomial(n_1, ..., n_K | p):
//     log p(n) = lgamma(N + 1) - sum_k lgamma(n_k + 1) + sum_k n_k log p_k,
//     N = n_1 + ... + n_K,
// the counts of N trials falling in K categories of probabilities p_1..p_K
// in [0, 1]. A vector outcome (DistributionDef::vector_outcome): the op's
// 2K inputs are n_1..n_K, then p_1..p_K. As categorical, p is taken as
// given, NOT renormalized: the model passes a probability vector
// (softmax(...), a simplex parameter), and a vector summing to less than 1
// simply loses likelihood instead of hiding a model error. A term whose
// count is 0 is 0 (so p_k = 0 with n_k = 0 is allowed, as binomial's);
// n_k > 0 with p_k = 0 gives -inf. The counts are never differentiated.
#include "runtime/distributions/detail.hpp"
#include "runtime/random.hpp"

namespace mlec::rt::detail {
namespace {

constexpr DistArg args[] = {{"p", Domain::unit_closed, true}};

void eval(OpCall& c);

// Conditional binomials: n_k ~ binomial(N - n_1 - ... - n_(k-1), p_k / (p_k
// + ... + p_K)), with the remaining mass summed from the p's (not 1 minus
// the used mass, which would cancel). N is the row's observed total: the
// model is one of the counts given their total, as multinom's. A vector
// whose sum is not 1 (beyond rounding, 1e-9) gives NaN draws, as
// categorical's.
void sample(std::span<const double> inputs, Rng& rng, std::span<double> out) {
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    const std::size_t k_count = inputs.size() / 2;
    const std::span<const double> counts = inputs.first(k_count);
    const std::span<const double> p = inputs.subspan(k_count);
    double trials = 0;
    double total = 0;
    bool ok = k_count > 0 && out.size() == k_count;
    for (std::size_t k = 0; k < k_count; ++k) {
        ok = ok && in_domain_fast(Domain::count, counts[k]) && in_domain_fast(Domain::unit_closed, p[k]);
        trials += counts[k];
        total += p[k];
    }
    if (!ok || !(std::abs(total - 1.0) <= 1e-9)) {
        std::fill(out.begin(), out.end(), nan);
        return;
    }
    double left = trials;
    for (std::size_t k = 0; k < k_count; ++k) {
        double rest = 0;
        for (std::size_t j = k; j < k_count; ++j) rest += p[j];
        const double share = k + 1 == k_count || rest <= 0 ? 1.0 : std::min(1.0, p[k] / rest);
        out[k] = left > 0 ? binomial_draw(rng, left, share) : 0.0;
        left -= out[k];
    }
}

// E[n_k | N] = N p_k.
int expected_entry(NodeMaker& make, int total, int argument) { return make.op(op_mul(), {total, argument}); }

constexpr DistributionDef def{
    .name = "multinomial",
    .discrete = true,
    .outcome = Domain::count,
    .args = args,
    .op = {.name = "multinomial", .arity = -1, .eval = &eval, .third = true},
    .no_cdf = "multinomial's outcome is a vector of counts, which has no distribution function",
    .vector_outcome = true,
    .sample_vector = &sample,
    .expected_entry = &expected_entry};

// d/dp_k = n_k/p_k,  d2/dp_k^2 = -n_k/p_k^2,  d3/dp_k^3 = 2 n_k/p_k^3 (0
// where n_k = 0), and no cross partials: the log density is a sum of one
// term per category.
void eval(OpCall& c) {
    const int arity = static_cast<int>(c.in.size());
    MLEC_ASSERT_PRECONDITION(arity % 2 == 0);
    const int k_count = arity / 2;
    const Eigen::Index rows = c.value.size();
    for (Col& d : c.d1) {
        if (d.size() > 0) d.setZero();
    }
    for (Col& d : c.d2) {
        if (d.size() > 0) d.setZero();
    }
    for (Col& d : c.d3) {
        if (d.size() > 0) d.setZero();
    }
    for (Eigen::Index r = 0; r < rows; ++r) {
        // Counts that are not non-negative integers (and p outside [0, 1]):
        // finish_rows sets the row to -inf; lgamma needs n_k >= 0 here.
        bool counts_ok = true;
        for (int k = 0; k < k_count; ++k) counts_ok = counts_ok && in_domain_fast(Domain::count, c.in[k][r]);
        if (!counts_ok) {
            c.value[r] = neg_inf;
            continue;
        }
        double trials = 0;
        double value = 0;
        for (int k = 0; k < k_count; ++k) {
            const double n = c.in[k][r];
            const double p = c.in[k_count + k][r];
            trials += n;
            value -= special::log_factorial(n);
            if (n == 0) continue;
            value += n * std::log(p);
            const int ip = k_count + k;
            if (c.want_d1(ip)) c.d1[ip][r] = n / p;
            if (c.want_d2(ip, ip)) c.d2[pair_index(ip, ip, arity)][r] = -n / (p * p);
            if (c.want_d3(ip, ip, ip)) c.d3[triple_index(ip, ip, ip, arity)][r] = 2 * n / (p * p * p);
        }
        c.value[r] = value + special::log_factorial(trials);
    }
    finish_rows(c, def);
}

}  // namespace

const DistributionDef& multinomial_def() { return def; }

}  // namespace mlec::rt::detail

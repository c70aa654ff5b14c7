// categorical(y | p):  log p(y) = log p_y,  y in {1, ..., K}, p a vector of
// K probabilities in [0, 1], passed as inputs 1..K (the op is variadic).
// p is taken as given, NOT renormalized: the model is responsible for passing
// a probability vector (softmax(...), a simplex parameter). Dividing by the
// sum would silently turn any positive vector into one and hide a model
// error; as it is, a vector summing to less than 1 simply loses likelihood.
// y > K and p_y = 0 give -inf with zero partials.
#include "runtime/distributions/detail.hpp"
#include "runtime/random.hpp"

namespace mlec::rt::detail {
namespace {

constexpr DistArg args[] = {{"p", Domain::unit_closed, true}};

void eval(OpCall& c);

// Inversion over p_1..p_K: the first k with U sum(p) < p_1 + ... + p_k. As
// the density does not renormalize p, neither does the draw: a vector whose
// sum is not 1 (beyond rounding, 1e-9) has no distribution to draw from and
// gives NaN. Scaling U by the sum absorbs the rounding, and a category of
// probability 0 is never drawn.
double sample(std::span<const double> a, Rng& rng) {
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    double total = 0;
    for (const double p : a) {
        if (!in_domain_fast(Domain::unit_closed, p)) return nan;
        total += p;
    }
    if (a.empty() || !(std::abs(total - 1.0) <= 1e-9)) return nan;
    const double u = rng.uniform() * total;
    double cumulative = 0;
    std::size_t last = 0;
    for (std::size_t k = 0; k < a.size(); ++k) {
        if (a[k] == 0) continue;
        cumulative += a[k];
        last = k;
        if (u < cumulative) return static_cast<double>(k + 1);
    }
    return static_cast<double>(last + 1);
}

constexpr DistributionDef def{.name = "categorical",
                              .discrete = true,
                              .outcome = Domain::category,
                              .args = args,
                              .op = {.name = "categorical", .arity = -1, .eval = &eval, .third = true},
                              .sample = &sample,
                              .no_cdf = "categorical's outcomes are categories, which have no order"};

// d/dp_k = 1/p_y if k == y else 0;  d2/dp_k dp_j = -1/p_y^2 if k == j == y,
// else 0; d3/dp_k^3 = 2/p_y^3 if k == y, every other third partial 0. Only
// the chosen category's column is touched per row; the others are zeroed
// once per block.
void eval(OpCall& c) {
    const int arity = static_cast<int>(c.in.size());
    const int categories = arity - 1;
    const ConstCol& y = c.in[0];
    const Eigen::Index rows = y.size();
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
        // Non-integer or out-of-range y: -inf (finish_rows zeroes the row).
        const double yr = y[r];
        if (!(yr >= 1 && yr <= categories && yr == std::floor(yr))) {
            c.value[r] = neg_inf;
            continue;
        }
        const int k = static_cast<int>(yr);
        const double p = c.in[k][r];
        c.value[r] = std::log(p);
        if (c.want_d1(k)) c.d1[k][r] = 1.0 / p;
        if (c.want_d2(k, k)) c.d2[pair_index(k, k, arity)][r] = -1.0 / (p * p);
        if (c.want_d3(k, k, k)) c.d3[triple_index(k, k, k, arity)][r] = 2.0 / (p * p * p);
    }
    finish_rows(c, def);
}

}  // namespace

const DistributionDef& categorical_def() { return def; }

}  // namespace mlec::rt::detail

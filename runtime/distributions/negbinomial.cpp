// negbinomial(y | mu, size), the NB2 form (R's dnbinom(y, size, mu = mu),
// Stan's neg_binomial_2): mean mu, variance mu + mu^2/size,
//     p(y) = Gamma(y + size)/(Gamma(size) y!) (size/(size + mu))^size (mu/(size + mu))^y,
// y a count, mu, size > 0. Written as
//     log p(y) = lc(y, size) - size log1p(mu/size) - y log1p(size/mu),
//     lc(y, size) = lgamma(y + size) - lgamma(size) - lgamma(y + 1)
//                 = -log B(size, y) - log y   (y >= 1; 0 at y = 0),
// every term is accurate as size -> inf (the Poisson limit; size = 1e10 loses
// nothing), where lgamma(y + size) - lgamma(size) would lose ten digits.
#include <array>

#include "runtime/distributions/cdf.hpp"
#include "runtime/distributions/detail.hpp"
#include "runtime/distributions/negbinomial_sides.hpp"
#include "runtime/distributions/negbinomial_terms.hpp"
#include "runtime/distributions/truncated_mean.hpp"
#include "runtime/random.hpp"
#include "runtime/special_functions.hpp"

namespace mlec::rt::detail {
namespace {

constexpr DistArg args[] = {{"mu", Domain::positive}, {"size", Domain::positive}};

void eval(OpCall& c);
void lcdf(OpCall& c);
void lccdf(OpCall& c);

// The gamma-Poisson mixture: lambda ~ Gamma(size, rate size/mu) (mean mu),
// y ~ Poisson(lambda), which has mean mu and variance mu + mu^2/size.
// lambda is formed from the gamma draw's log, which small sizes need.
double sample(std::span<const double> a, Rng& rng) {
    const double mu = a[0];
    const double size = a[1];
    if (!in_domain_fast(Domain::positive, mu) || !in_domain_fast(Domain::positive, size)) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    const double lambda = std::exp(log_gamma_draw(rng, size) + std::log(mu) - std::log(size));
    if (std::isinf(lambda)) return std::numeric_limits<double>::quiet_NaN();
    return poisson_draw(rng, lambda);
}

// E[y] = mu.
int mean(NodeMaker&, std::span<const int> a) { return a[0]; }

int truncated_mean(NodeMaker& make, std::span<const int> a, TruncationBounds b);

constexpr DistributionDef def{.name = "negbinomial",
                              .discrete = true,
                              .outcome = Domain::count,
                              .args = args,
                              .op = {.name = "negbinomial", .arity = 3, .eval = &eval, .third = true},
                              .sample = &sample,
                              .mean = &mean,
                              .truncated_mean = &truncated_mean,
                              .lcdf = {"negbinomial_lcdf", 3, &lcdf, false},
                              .lccdf = {"negbinomial_lccdf", 3, &lccdf, false}};

constexpr int mm = pair_index(1, 1, 3);
constexpr int ms = pair_index(1, 2, 3);
constexpr int ss = pair_index(2, 2, 3);
constexpr int mmm = triple_index(1, 1, 1, 3);
constexpr int mms = triple_index(1, 1, 2, 3);
constexpr int mss = triple_index(1, 2, 2, 3);
constexpr int sss = triple_index(2, 2, 2, 3);

// Each row from negbinomial_terms (negbinomial_terms.hpp, where the
// partials and the forms that keep them accurate in the Poisson limit are
// written out; the third partials by negbinomial_third). The size is usually one parameter broadcast to every row
// and y a small count: the (y, size) terms are cached per y below 64 until
// the size changes.
void eval(OpCall& c) {
    const ConstCol& y = c.in[0];
    const ConstCol& mu = c.in[1];
    const ConstCol& phi = c.in[2];
    const Eigen::Index rows = y.size();
    const bool d_phi = c.want_d1(2);
    const bool d_phiphi = c.want_d2(2, 2);
    const bool partials = want_any_partial(c);
    const bool third = c.want_any_d3();
    // the partials in y (discrete) are zeroed by finish_rows; set the rest
    if (third) {
        for (Col& d : c.d3) {
            if (d.size() > 0) d.setZero();
        }
    }
    constexpr int cache_size = 64;
    std::array<NegbinomialCount, cache_size> cache;
    std::array<bool, cache_size> cached{};
    double cache_phi = std::numeric_limits<double>::quiet_NaN();
    for (Eigen::Index r = 0; r < rows; ++r) {
        const double yr = y[r];
        const double pr = phi[r];
        NegbinomialCount count;
        if (yr >= 0 && yr < cache_size && yr == std::floor(yr)) {
            if (!(pr == cache_phi)) {
                cached.fill(false);
                cache_phi = pr;
            }
            const int k = static_cast<int>(yr);
            if (!cached[k]) {
                cache[k] = negbinomial_count(yr, pr, d_phi, d_phiphi, third);
                cached[k] = true;
            }
            count = cache[k];
        } else {
            count = negbinomial_count(yr, pr, d_phi, d_phiphi, third);
        }
        if (!partials) {
            c.value[r] = negbinomial_log_pmf(yr, mu[r], pr, count);
            continue;
        }
        const CountTerms t = negbinomial_terms(yr, mu[r], pr, count);
        c.value[r] = t.l;
        if (c.want_d1(1)) c.d1[1][r] = t.g[0];
        if (d_phi) c.d1[2][r] = t.g[1];
        if (c.want_d2(1, 1)) c.d2[mm][r] = t.h[0];
        if (c.want_d2(1, 2)) c.d2[ms][r] = t.h[1];
        if (d_phiphi) c.d2[ss][r] = t.h[2];
        if (!third) continue;
        const std::array<double, 4> t3 = negbinomial_third(yr, mu[r], pr, count);
        if (c.want_d3(1, 1, 1)) c.d3[mmm][r] = t3[0];
        if (c.want_d3(1, 1, 2)) c.d3[mms][r] = t3[1];
        if (c.want_d3(1, 2, 2)) c.d3[mss][r] = t3[2];
        if (c.want_d3(2, 2, 2)) c.d3[sss][r] = t3[3];
    }
    finish_rows(c, def);
}

// The distribution functions: negbinomial_sides (negbinomial_sides.hpp).
void lcdf(OpCall& c) {
    eval_cdf_rows<3>(c, def, CdfSide::lower,
                     [](const auto& x, CdfRow& out) { to_row(negbinomial_sides(x[0], x[1], x[2]).lower, out); });
}

void lccdf(OpCall& c) {
    eval_cdf_rows<3>(c, def, CdfSide::upper,
                     [](const auto& x, CdfRow& out) { to_row(negbinomial_sides(x[0], x[1], x[2]).upper, out); });
}

// E[y | lo <= y <= hi] = mu P'(lo - 1 <= Y <= hi - 1)/P(lo <= Y <= hi), P'
// the negbinomial with size + 1 and mean mu (size + 1)/size: with p =
// size/(size + mu), k p(k | size, p) = mu p(k - 1 | size + 1, p), and the
// latter's mean is (size + 1)(1 - p)/p.
int truncated_mean(NodeMaker& make, std::span<const int> a, TruncationBounds b) {
    const int size_up = make.op(op_add(), {a[1], make.constant(1)});
    const int shifted_args[] = {make.op(op_div(), {make.op(op_mul(), {a[0], size_up}), a[1]}), size_up};
    return scaled_ratio(make, a[0], count_log_mass(make, def, shifted_args, shifted(make, b, -1)),
                        count_log_mass(make, def, a, b));
}

}  // namespace

const DistributionDef& negbinomial_def() { return def; }

}  // namespace mlec::rt::detail

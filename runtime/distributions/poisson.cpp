// poisson(y | lambda):  log p(y) = y log lambda - lambda - log y!,
// y a count, lambda > 0.
#include "runtime/distributions/detail.hpp"
#include "runtime/distributions/poisson_tails.hpp"
#include "runtime/distributions/truncated_mean.hpp"
#include "runtime/random.hpp"
#include "runtime/special_functions.hpp"

namespace mlec::rt::detail {
namespace {

constexpr DistArg args[] = {{"lambda", Domain::positive}};

void eval(OpCall& c);
void lcdf(OpCall& c);
void lccdf(OpCall& c);

// Inversion below lambda = 10, PTRS above (poisson_draw in runtime/random.cpp).
double sample(std::span<const double> a, Rng& rng) {
    if (!in_domain_fast(Domain::positive, a[0])) return std::numeric_limits<double>::quiet_NaN();
    return poisson_draw(rng, a[0]);
}

// E[y] = lambda.
int mean(NodeMaker&, std::span<const int> a) { return a[0]; }

int truncated_mean(NodeMaker& make, std::span<const int> a, TruncationBounds b);

constexpr DistributionDef def{.name = "poisson",
                              .discrete = true,
                              .outcome = Domain::count,
                              .args = args,
                              .op = {.name = "poisson", .arity = 2, .eval = &eval, .third = true},
                              .sample = &sample,
                              .mean = &mean,
                              .truncated_mean = &truncated_mean,
                              .lcdf = {.name = "poisson_lcdf", .arity = 2, .eval = &lcdf, .third = true},
                              .lccdf = {.name = "poisson_lccdf", .arity = 2, .eval = &lccdf, .third = true}};

constexpr int ll = pair_index(1, 1, 2);
constexpr int lll = triple_index(1, 1, 1, 2);

void eval(OpCall& c) {
    const ConstCol& y = c.in[0];
    const ConstCol& lambda = c.in[1];
    const Eigen::Index rows = y.size();
    for (Eigen::Index r = 0; r < rows; ++r) c.value[r] = -special::log_factorial(y[r]);
    c.value += y * lambda.log() - lambda;
    // d/dlambda = y/lambda - 1,  d2/dlambda2 = -y/lambda^2,  d3/dlambda3 = 2y/lambda^3.
    if (c.want_d1(1)) c.d1[1] = y / lambda - 1.0;
    if (c.want_d2(1, 1)) c.d2[ll] = -y / lambda.square();
    if (c.want_d3(1, 1, 1)) c.d3[lll] = 2.0 * y / lambda.cube();
    finish_rows(c, def);
}

// The distribution functions: poisson_sides (poisson_tails.hpp).
void lcdf(OpCall& c) {
    eval_cdf_rows<2>(c, def, CdfSide::lower, [](const auto& x, CdfRow& out) {
        write_in_lambda(poisson_tails(x[0], x[1], std::log(x[1])).lower, x[1], out);
    });
}

void lccdf(OpCall& c) {
    eval_cdf_rows<2>(c, def, CdfSide::upper, [](const auto& x, CdfRow& out) {
        write_in_lambda(poisson_tails(x[0], x[1], std::log(x[1])).upper, x[1], out);
    });
}

// E[y | lo <= y <= hi] = lambda P(lo - 1 <= Y <= hi - 1)/P(lo <= Y <= hi)
// (k p(k | lambda) = lambda p(k - 1 | lambda)).
int truncated_mean(NodeMaker& make, std::span<const int> a, TruncationBounds b) {
    return scaled_ratio(make, a[0], count_log_mass(make, def, a, shifted(make, b, -1)),
                        count_log_mass(make, def, a, b));
}

}  // namespace

const DistributionDef& poisson_def() { return def; }

}  // namespace mlec::rt::detail

// poisson_log(y | eta) = poisson(y | exp(eta)):
//     log p(y) = y eta - exp(eta) - log y!,   y a count, eta real.
// No log(exp(eta)) round trip, so eta far below 0 stays exact.
#include "runtime/distributions/detail.hpp"
#include "runtime/distributions/poisson_tails.hpp"
#include "runtime/distributions/truncated_mean.hpp"
#include "runtime/random.hpp"
#include "runtime/special_functions.hpp"

namespace mlec::rt::detail {
namespace {

constexpr DistArg args[] = {{"eta", Domain::real}};

void eval(OpCall& c);
void lcdf(OpCall& c);
void lccdf(OpCall& c);

// poisson(exp(eta)); exp(eta) may underflow to 0 (then y = 0, as it should
// be to double precision) but not overflow.
double sample(std::span<const double> a, Rng& rng) {
    const double lambda = std::exp(a[0]);
    if (!std::isfinite(a[0]) || std::isinf(lambda)) return std::numeric_limits<double>::quiet_NaN();
    return poisson_draw(rng, lambda);
}

// E[y] = exp(eta).
int mean(NodeMaker& make, std::span<const int> a) { return make.op(op_exp(), {a[0]}); }

// poisson(exp(eta)) is evaluated as this.
constexpr std::string_view links[] = {"exp"};
constexpr StableForm stable{"poisson", links};

int truncated_mean(NodeMaker& make, std::span<const int> a, TruncationBounds b);

constexpr DistributionDef def{.name = "poisson_log",
                              .discrete = true,
                              .outcome = Domain::count,
                              .args = args,
                              .op = {.name = "poisson_log", .arity = 2, .eval = &eval, .third = true},
                              .sample = &sample,
                              .mean = &mean,
                              .truncated_mean = &truncated_mean,
                              .stable_form = &stable,
                              .linear_predictor = 0,
                              .lcdf = {.name = "poisson_log_lcdf", .arity = 2, .eval = &lcdf, .third = true},
                              .lccdf = {.name = "poisson_log_lccdf", .arity = 2, .eval = &lccdf, .third = true}};

constexpr int ee = pair_index(1, 1, 2);
constexpr int eee = triple_index(1, 1, 1, 2);

void eval(OpCall& c) {
    const ConstCol& y = c.in[0];
    const ConstCol& eta = c.in[1];
    const Eigen::Index rows = y.size();
    for (Eigen::Index r = 0; r < rows; ++r) c.value[r] = -special::log_factorial(y[r]);
    // d/deta = y - exp(eta),  d2/deta2 = d3/deta3 = -exp(eta): one exp per row.
    Eigen::ArrayXd rate(rows);
    special::assign_exp(rate, eta);
    c.value += y * eta - rate;
    if (c.want_d1(1)) c.d1[1] = y - rate;
    if (c.want_d2(1, 1)) c.d2[ee] = -rate;
    if (c.want_d3(1, 1, 1)) c.d3[eee] = -rate;
    finish_rows(c, def);
}

// The distribution functions (poisson_tails.hpp), whose partials are in
// eta already; lambda = e^eta may underflow (the upper tail stays right) or
// overflow.
void write(const PoissonSide& side, CdfRow& out) {
    out.value = side.value;
    out.d1[1] = side.d1;
    out.d2[pair_index(1, 1, 2)] = side.d2;
    if (out.third) out.d3[triple_index(1, 1, 1, 2)] = side.d3;
}

void lcdf(OpCall& c) {
    eval_cdf_rows<2>(c, def, CdfSide::lower,
                     [](const auto& x, CdfRow& out) { write(poisson_tails(x[0], std::exp(x[1]), x[1]).lower, out); });
}

void lccdf(OpCall& c) {
    eval_cdf_rows<2>(c, def, CdfSide::upper,
                     [](const auto& x, CdfRow& out) { write(poisson_tails(x[0], std::exp(x[1]), x[1]).upper, out); });
}

// E[y | lo <= y <= hi] = e^eta P(lo - 1 <= Y <= hi - 1)/P(lo <= Y <= hi), as
// poisson's.
int truncated_mean(NodeMaker& make, std::span<const int> a, TruncationBounds b) {
    return scaled_ratio(make, mean(make, a), count_log_mass(make, def, a, shifted(make, b, -1)),
                        count_log_mass(make, def, a, b));
}

}  // namespace

const DistributionDef& poisson_log_def() { return def; }

}  // namespace mlec::rt::detail

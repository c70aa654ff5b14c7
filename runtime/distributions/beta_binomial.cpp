// beta_binomial(y | n, a, b): a binomial(n, p) count with p ~ Beta(a, b)
// (Stan's beta_binomial, R's VGAM::dbetabinom.ab):
//     p(y) = C(n, y) B(y + a, n - y + b) / B(a, b),
// y, n counts with y <= n, a, b > 0. The log of the ratio of beta functions
// is the difference of two log_beta values, except when a and b are both
// large (towards the binomial limit), where those two values, of size
// (a + b) log(a + b), would cancel; there it is three ratios of gamma
// functions, each exact for large x (lgamma_ratio):
//     log B(y + a, n - y + b) - log B(a, b) = lg(a, y) + lg(b, n - y) - lg(a + b, n),
//     lg(x, k) = lgamma(x + k) - lgamma(x).
// (The second form would cancel instead for a small a or b and a large n.)
// n is an integer and not differentiable: its partials are zero.
#include "runtime/distributions/detail.hpp"
#include "runtime/random.hpp"
#include "runtime/special_functions.hpp"

namespace mlec::rt::detail {
namespace {

constexpr DistArg args[] = {{"n", Domain::count}, {"a", Domain::positive}, {"b", Domain::positive}};

void eval(OpCall& c);

// p ~ Beta(a, b), then y ~ binomial(n, p).
double sample(std::span<const double> a, Rng& rng) {
    if (!in_domain_fast(Domain::positive, a[1]) || !in_domain_fast(Domain::positive, a[2])) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    return binomial_draw(rng, a[0], beta_draw(rng, a[1], a[2]));
}

constexpr OutcomeLimit limits[] = {{0, true}};  // y <= n

// E[y] = n a/(a + b).
int mean(NodeMaker& make, std::span<const int> a) {
    return make.op(op_div(), {make.op(op_mul(), {a[0], a[1]}), make.op(op_add(), {a[1], a[2]})});
}

constexpr DistributionDef def{
    .name = "beta_binomial",
    .discrete = true,
    .outcome = Domain::count,
    .args = args,
    .op = {"beta_binomial", 4, &eval, false},
    .sample = &sample,
    .limits = limits,
    .mean = &mean,
    .no_cdf = "its derivatives in a and b (of an incomplete beta sum) are not implemented yet"};

// lgamma(x + k) - lgamma(x), x >= 10, k >= 0.
double log_gamma_ratio(double x, double k) { return k == 0 ? 0.0 : lgamma_ratio(x, k); }

// psi(x + k) - psi(x) and psi'(x + k) - psi'(x), from polygamma_diff's
// remainders and their leading terms.
struct Diffs {
    double psi = 0;
    double tri = 0;
};

Diffs polygamma_diffs(double x, double k, bool want_psi, bool want_tri) {
    const PolygammaDiff d = polygamma_diff(x, k, want_psi, want_tri);
    return {d.psi_rem + std::log1p(k / x), d.tri_rem - k / (x * (x + k))};
}

// With Pa = psi(a + y) - psi(a), Pb = psi(b + n - y) - psi(b),
// Pab = psi(a + b + n) - psi(a + b) and T the same for psi':
//   d/da = Pa - Pab,  d/db = Pb - Pab,
//   d2/da2 = Ta - Tab,  d2/db2 = Tb - Tab,  d2/da db = -Tab.
void eval(OpCall& c) {
    const ConstCol& y = c.in[0];
    const ConstCol& n = c.in[1];
    const ConstCol& a = c.in[2];
    const ConstCol& b = c.in[3];
    const Eigen::Index rows = y.size();
    const bool want_psi = c.want_d1(2) || c.want_d1(3);
    const bool want_tri = c.want_d2(2, 2) || c.want_d2(2, 3) || c.want_d2(3, 3);
    for (Eigen::Index r = 0; r < rows; ++r) {
        // Rows outside the domains, or with y > n, are rejected by
        // finish_rows; the helpers need 0 <= y <= n and a, b > 0.
        if (!(row_in_domain(def, c, r) && y[r] <= n[r])) {
            c.value[r] = neg_inf;
            continue;
        }
        const double f = n[r] - y[r];
        const double ab = a[r] + b[r];
        const double log_beta_ratio =
            std::min(a[r], b[r]) >= 10
                ? log_gamma_ratio(a[r], y[r]) + log_gamma_ratio(b[r], f) - log_gamma_ratio(ab, n[r])
                : log_beta(y[r] + a[r], f + b[r]) - log_beta(a[r], b[r]);
        c.value[r] = special::log_choose(n[r], y[r]) + log_beta_ratio;
        if (!want_psi && !want_tri) continue;
        const Diffs da = polygamma_diffs(a[r], y[r], want_psi, want_tri);
        const Diffs db = polygamma_diffs(b[r], f, want_psi, want_tri);
        const Diffs dab = polygamma_diffs(ab, n[r], want_psi, want_tri);
        if (c.want_d1(2)) c.d1[2][r] = da.psi - dab.psi;
        if (c.want_d1(3)) c.d1[3][r] = db.psi - dab.psi;
        if (c.want_d2(2, 2)) c.d2[pair_index(2, 2, 4)][r] = da.tri - dab.tri;
        if (c.want_d2(2, 3)) c.d2[pair_index(2, 3, 4)][r] = -dab.tri;
        if (c.want_d2(3, 3)) c.d2[pair_index(3, 3, 4)][r] = db.tri - dab.tri;
    }
    for (int j = 1; j < 4; ++j) {
        if (c.want_d2(1, j)) c.d2[pair_index(1, j, 4)].setZero();
    }
    if (c.want_d1(1)) c.d1[1].setZero();
    finish_rows(c, def);
}

}  // namespace

const DistributionDef& beta_binomial_def() { return def; }

}  // namespace mlec::rt::detail

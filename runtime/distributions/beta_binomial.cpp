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
#include <array>
#include <vector>

#include "runtime/distributions/cdf.hpp"
#include "runtime/distributions/detail.hpp"
#include "runtime/distributions/polygamma2_diff.hpp"
#include "runtime/random.hpp"
#include "runtime/special_functions.hpp"

namespace mlec::rt::detail {
namespace {

constexpr DistArg args[] = {{"n", Domain::count}, {"a", Domain::positive}, {"b", Domain::positive}};

void eval(OpCall& c);
void lcdf(OpCall& c);
void lccdf(OpCall& c);

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

constexpr DistributionDef def{.name = "beta_binomial",
                              .discrete = true,
                              .outcome = Domain::count,
                              .args = args,
                              .op = {.name = "beta_binomial", .arity = 4, .eval = &eval, .third = true},
                              .sample = &sample,
                              .limits = limits,
                              .mean = &mean,
                              .lcdf = {"beta_binomial_lcdf", 4, &lcdf, false},
                              .lccdf = {"beta_binomial_lccdf", 4, &lccdf, false}};

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

// psi''(x + k) - psi''(x) = quad_rem(x, k) + 1/x^2 - 1/(x + k)^2, the last
// two as k (2x + k)/(x (x + k))^2 (polygamma2_diff.hpp).
double psi2_diff(double x, double k) { return polygamma2_diff(x, k) + k * (2 * x + k) / (x * x * (x + k) * (x + k)); }

// log p(y) for 0 <= y <= n and a, b > 0.
double log_pmf(double y, double n, double a, double b) {
    const double f = n - y;
    const double log_beta_ratio = std::min(a, b) >= 10
                                      ? log_gamma_ratio(a, y) + log_gamma_ratio(b, f) - log_gamma_ratio(a + b, n)
                                      : log_beta(y + a, f + b) - log_beta(a, b);
    return special::log_choose(n, y) + log_beta_ratio;
}

// With Pa = psi(a + y) - psi(a), Pb = psi(b + n - y) - psi(b),
// Pab = psi(a + b + n) - psi(a + b) and T the same for psi':
//   d/da = Pa - Pab,  d/db = Pb - Pab,
//   d2/da2 = Ta - Tab,  d2/db2 = Tb - Tab,  d2/da db = -Tab,
// and Q the same for psi'' = polygamma(2, .):
//   d3/da3 = Qa - Qab,  d3/db3 = Qb - Qab,  d3/da2 db = d3/da db2 = -Qab;
// every partial in the integer n is 0.
void eval(OpCall& c) {
    const ConstCol& y = c.in[0];
    const ConstCol& n = c.in[1];
    const ConstCol& a = c.in[2];
    const ConstCol& b = c.in[3];
    const Eigen::Index rows = y.size();
    const bool want_psi = c.want_d1(2) || c.want_d1(3);
    const bool want_tri = c.want_d2(2, 2) || c.want_d2(2, 3) || c.want_d2(3, 3);
    const bool want_quad = c.want_d3(2, 2, 2) || c.want_d3(2, 2, 3) || c.want_d3(2, 3, 3) || c.want_d3(3, 3, 3);
    // the triples with y (discrete, zeroed by finish_rows) or n are 0
    if (c.want_any_d3()) {
        for (Col& d : c.d3) {
            if (d.size() > 0) d.setZero();
        }
    }
    for (Eigen::Index r = 0; r < rows; ++r) {
        // Rows outside the domains, or with y > n, are rejected by
        // finish_rows; the helpers need 0 <= y <= n and a, b > 0.
        if (!(row_in_domain(def, c, r) && y[r] <= n[r])) {
            c.value[r] = neg_inf;
            continue;
        }
        const double f = n[r] - y[r];
        const double ab = a[r] + b[r];
        c.value[r] = log_pmf(y[r], n[r], a[r], b[r]);
        if (want_quad) {
            const double q_ab = psi2_diff(ab, n[r]);
            if (c.want_d3(2, 2, 2)) c.d3[triple_index(2, 2, 2, 4)][r] = psi2_diff(a[r], y[r]) - q_ab;
            if (c.want_d3(2, 2, 3)) c.d3[triple_index(2, 2, 3, 4)][r] = -q_ab;
            if (c.want_d3(2, 3, 3)) c.d3[triple_index(2, 3, 3, 4)][r] = -q_ab;
            if (c.want_d3(3, 3, 3)) c.d3[triple_index(3, 3, 3, 4)][r] = psi2_diff(b[r], f) - q_ab;
        }
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

// The distribution functions are finite sums of the pmf:
// log S = log sum_{k in S} p(k) over S = {0..y} or {y+1..n}. The side with
// the smaller probability is the sum, exact in its tail; the other is its
// complement (the pmf's own rounding, a few 1e-14 relative, would otherwise
// leave the two sides that far from adding up to 1). In a and b,
// with g(k) = d/da log p(k) and h(k) = d2/da2 log p(k) (and the same in b),
// the partials are moments under the weights p(k)/S:
//     d/da log S = E[g],  d2/da2 log S = E[h] + Var[g],
//     d2/da db log S = -Tab + Cov[g_a, g_b]   (d2/da db log p = -Tab for every k).
// g and h are taken at S's first term and carried to the others as exact
// offsets (g_a(k + 1) - g_a(k) = 1/(a + k), g_b(k + 1) - g_b(k) =
// -1/(b + n - k - 1), and their squares for h), so that the variances, taken
// about the mean in a second pass, are of small numbers that do not cancel.
// n is data: its partials are zero. The cost is n + 1 log pmf values per row.
struct Term {
    double lp;  // log p(k)
    double ga;  // offsets from S's first term
    double gb;
    double ha;
    double hb;
};

LogSide<4> side_sum(double first, double last, double n, double a, double b) {
    constexpr auto ia = 2;
    constexpr auto ib = 3;
    LogSide<4> out;
    if (first > last) return out;
    std::vector<Term> terms;
    terms.reserve(static_cast<std::size_t>(last - first + 1));
    Term t{log_pmf(first, n, a, b), 0, 0, 0, 0};
    double top = t.lp;
    for (double k = first;; ++k) {
        terms.push_back(t);
        top = std::max(top, t.lp);
        if (k >= last) break;
        const double ia_k = 1 / (a + k);
        const double ib_k = 1 / (b + n - k - 1);
        t = {log_pmf(k + 1, n, a, b), t.ga + ia_k, t.gb - ib_k, t.ha - ia_k * ia_k, t.hb + ib_k * ib_k};
    }
    double total = 0;
    double ga = 0;
    double gb = 0;
    double ha = 0;
    double hb = 0;
    for (const Term& u : terms) {
        const double w = std::exp(u.lp - top);
        total += w;
        ga += w * u.ga;
        gb += w * u.gb;
        ha += w * u.ha;
        hb += w * u.hb;
    }
    ga /= total;
    gb /= total;
    double vaa = 0;
    double vab = 0;
    double vbb = 0;
    for (const Term& u : terms) {
        const double w = std::exp(u.lp - top);
        vaa += w * (u.ga - ga) * (u.ga - ga);
        vab += w * (u.ga - ga) * (u.gb - gb);
        vbb += w * (u.gb - gb) * (u.gb - gb);
    }
    // g and h at the first term.
    const Diffs da = polygamma_diffs(a, first, true, true);
    const Diffs db = polygamma_diffs(b, n - first, true, true);
    const Diffs dab = polygamma_diffs(a + b, n, true, true);
    out.value = top + std::log(total);
    out.d1[ia] = da.psi - dab.psi + ga;
    out.d1[ib] = db.psi - dab.psi + gb;
    out.d2[pair_index(ia, ia, 4)] = da.tri - dab.tri + ha / total + vaa / total;
    out.d2[pair_index(ia, ib, 4)] = -dab.tri + vab / total;
    out.d2[pair_index(ib, ib, 4)] = db.tri - dab.tri + hb / total + vbb / total;
    return out;
}

// Rows with y >= n: P(Y <= y) = 1, P(Y > y) = 0.
Sides<4> sides(const std::array<double, 4>& x) {
    const double y = x[0];
    const double n = x[1];
    if (y >= n) return {log_constant<4>(0), LogSide<4>{}};
    Sides<4> s{side_sum(0, y, n, x[2], x[3]), side_sum(y + 1, n, n, x[2], x[3])};
    if (s.lower.value <= s.upper.value) {
        s.upper = complement_side(s.lower);
    } else {
        s.lower = complement_side(s.upper);
    }
    return s;
}

void lcdf(OpCall& c) {
    eval_cdf_rows<4>(c, def, CdfSide::lower, [](const auto& x, CdfRow& out) { to_row(sides(x).lower, out); });
}

void lccdf(OpCall& c) {
    eval_cdf_rows<4>(c, def, CdfSide::upper, [](const auto& x, CdfRow& out) { to_row(sides(x).upper, out); });
}

}  // namespace

const DistributionDef& beta_binomial_def() { return def; }

}  // namespace mlec::rt::detail

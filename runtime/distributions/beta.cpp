// beta(y | a, b):  log p(y) = (a - 1) log y + (b - 1) log(1 - y) - log B(a, b),
// y in (0, 1), a, b > 0. log B without cancellation for large a or b
// (detail::log_beta), log(1 - y) as log1p(-y).
#include <algorithm>
#include <array>

#include "runtime/distributions/cdf.hpp"
#include "runtime/distributions/detail.hpp"
#include "runtime/distributions/incomplete_beta.hpp"
#include "runtime/distributions/polygamma2_diff.hpp"
#include "runtime/random.hpp"
#include "runtime/special_functions.hpp"

namespace mlec::rt::detail {
namespace {

constexpr DistArg args[] = {{"a", Domain::positive}, {"b", Domain::positive}};

void eval(OpCall& c);
void lcdf(OpCall& c);
void lccdf(OpCall& c);

// G_a / (G_a + G_b) (beta_draw in runtime/random.cpp: from the logs for
// small a or b, kept inside (0, 1)).
double sample(std::span<const double> a, Rng& rng) { return beta_draw(rng, a[0], a[1]); }

// E[y] = a/(a + b).
int mean(NodeMaker& make, std::span<const int> a) { return make.op(op_div(), {a[0], make.op(op_add(), {a[0], a[1]})}); }

constexpr DistributionDef def{.name = "beta",
                              .discrete = false,
                              .outcome = Domain::unit_open,
                              .args = args,
                              .op = {.name = "beta", .arity = 3, .eval = &eval, .third = true},
                              .sample = &sample,
                              .mean = &mean,
                              .lcdf = {"beta_lcdf", 3, &lcdf, false},
                              .lccdf = {"beta_lccdf", 3, &lccdf, false}};

constexpr int yy = pair_index(0, 0, 3);
constexpr int ya = pair_index(0, 1, 3);
constexpr int yb = pair_index(0, 2, 3);
constexpr int aa = pair_index(1, 1, 3);
constexpr int ab = pair_index(1, 2, 3);
constexpr int bb = pair_index(2, 2, 3);

// Partials, with psi = digamma, psi1 = trigamma:
//   d/dy = (a - 1)/y - (b - 1)/(1 - y)
//   d/da = log y - (psi(a) - psi(a + b))      d/db = log(1 - y) - (psi(b) - psi(a + b))
//   d2/dy2 = -(a - 1)/y^2 - (b - 1)/(1 - y)^2
//   d2/dy da = 1/y    d2/dy db = -1/(1 - y)
//   d2/da2 = psi1(a + b) - psi1(a)    d2/da db = psi1(a + b)    d2/db2 = psi1(a + b) - psi1(b)
// Third partials, with psi2 = polygamma(2, .):
//   d3/dy3 = 2(a - 1)/y^3 - 2(b - 1)/(1 - y)^3
//   d3/dy2 da = -1/y^2    d3/dy2 db = -1/(1 - y)^2    the others with y 0
//   d3/da3 = psi2(a + b) - psi2(a)    d3/da2 db = d3/da db2 = psi2(a + b)
//   d3/db3 = psi2(a + b) - psi2(b)
// The differences psi(x + d) - psi(x) come from detail::polygamma_diff (and
// psi2's from polygamma2_diff), exact also when x >> d.
struct ArgTerms {
    double lbeta = 0;                            // log B(a, b)
    double psi_a = 0, psi_b = 0;                 // psi(a + b) - psi(a), psi(a + b) - psi(b)
    double tri_a = 0, tri_b = 0, tri_ab = 0;     // d2/da2, d2/db2, d2/da db
    double quad_a = 0, quad_b = 0, quad_ab = 0;  // d3/da3, d3/db3, d3/da2 db = d3/da db2
};

// The terms at one (a, b). log_beta and polygamma_diff need a, b > 0: an
// (a, b) outside gives NaN, which finish_rows turns into -inf.
ArgTerms arg_terms(double a, double b, bool psi, bool tri, bool quad) {
    ArgTerms t;
    if (!in_domain_fast(args[0].domain, a) || !in_domain_fast(args[1].domain, b)) {
        constexpr double nan = std::numeric_limits<double>::quiet_NaN();
        return {nan, nan, nan, nan, nan, nan, nan, nan, nan};
    }
    if (quad) {
        // psi2(a+b) - psi2(a) = quad_rem(a, b) + 1/a^2 - 1/(a+b)^2, the last
        // two as b (2a + b)/(a (a+b))^2; likewise with a, b swapped.
        const double s2 = (a + b) * (a + b);
        t.quad_a = polygamma2_diff(a, b) + b * (2 * a + b) / (a * a * s2);
        t.quad_b = polygamma2_diff(b, a) + a * (2 * b + a) / (b * b * s2);
        t.quad_ab = boost::math::polygamma(2, a + b, special::Policy());
    }
    t.lbeta = log_beta(a, b);
    if (!psi && !tri) return t;
    // psi(a+b) - psi(a) = psi_rem(a, b) + log1p(b/a), and the same with a,
    // b swapped.
    const PolygammaDiff da = polygamma_diff(a, b, psi, tri);
    const PolygammaDiff db = polygamma_diff(b, a, psi, tri);
    t.psi_a = da.psi_rem + std::log1p(b / a);
    t.psi_b = db.psi_rem + std::log1p(a / b);
    if (tri) {
        // psi1(a+b) - psi1(a) = tri_rem(a, b) - b/(a (a+b))
        t.tri_a = da.tri_rem - b / (a * (a + b));
        t.tri_b = db.tri_rem - a / (b * (a + b));
        t.tri_ab = special::trigamma(a + b);
    }
    return t;
}

// a and b are usually parameters broadcast to every row: their terms are
// recomputed only when (a, b) changes.
void eval(OpCall& c) {
    const ConstCol& y = c.in[0];
    const ConstCol& a = c.in[1];
    const ConstCol& b = c.in[2];
    const Eigen::Index rows = y.size();
    const bool d_a = c.want_d1(1);
    const bool d_b = c.want_d1(2);
    const bool d_aa = c.want_d2(1, 1);
    const bool d_ab = c.want_d2(1, 2);
    const bool d_bb = c.want_d2(2, 2);
    const bool psi = d_a || d_b;
    const bool tri = d_aa || d_ab || d_bb;
    const bool quad = c.want_d3(1, 1, 1) || c.want_d3(1, 1, 2) || c.want_d3(1, 2, 2) || c.want_d3(2, 2, 2);
    double last_a = std::numeric_limits<double>::quiet_NaN();
    double last_b = last_a;
    ArgTerms t;
    for (Eigen::Index r = 0; r < rows; ++r) {
        if (!(a[r] == last_a && b[r] == last_b)) {
            last_a = a[r];
            last_b = b[r];
            t = arg_terms(last_a, last_b, psi, tri, quad);
        }
        c.value[r] = -t.lbeta;
        if (d_a) c.d1[1][r] = t.psi_a;
        if (d_b) c.d1[2][r] = t.psi_b;
        if (d_aa) c.d2[aa][r] = t.tri_a;
        if (d_ab) c.d2[ab][r] = t.tri_ab;
        if (d_bb) c.d2[bb][r] = t.tri_b;
        if (!quad) continue;
        if (c.want_d3(1, 1, 1)) c.d3[triple_index(1, 1, 1, 3)][r] = t.quad_a;
        if (c.want_d3(1, 1, 2)) c.d3[triple_index(1, 1, 2, 3)][r] = t.quad_ab;
        if (c.want_d3(1, 2, 2)) c.d3[triple_index(1, 2, 2, 3)][r] = t.quad_ab;
        if (c.want_d3(2, 2, 2)) c.d3[triple_index(2, 2, 2, 3)][r] = t.quad_b;
    }
    const Eigen::ArrayXd log_y = y.log();
    const Eigen::ArrayXd log_1my = (-y).log1p();
    c.value += (a - 1.0) * log_y + (b - 1.0) * log_1my;
    if (d_a) c.d1[1] += log_y;
    if (d_b) c.d1[2] += log_1my;
    if (c.want_d1(0)) c.d1[0] = (a - 1.0) / y - (b - 1.0) / (1.0 - y);
    if (c.want_d2(0, 0)) c.d2[yy] = -(a - 1.0) / y.square() - (b - 1.0) / (1.0 - y).square();
    if (c.want_d2(0, 1)) c.d2[ya] = y.inverse();
    if (c.want_d2(0, 2)) c.d2[yb] = -(1.0 - y).inverse();
    if (c.want_d3(0, 0, 0)) {
        c.d3[triple_index(0, 0, 0, 3)] = 2.0 * (a - 1.0) / y.cube() - 2.0 * (b - 1.0) / (1.0 - y).cube();
    }
    if (c.want_d3(0, 0, 1)) c.d3[triple_index(0, 0, 1, 3)] = -(y.inverse().square());
    if (c.want_d3(0, 0, 2)) c.d3[triple_index(0, 0, 2, 3)] = -((1.0 - y).inverse().square());
    for (const auto& [i, j, k] : {std::array{0, 1, 1}, std::array{0, 1, 2}, std::array{0, 2, 2}}) {
        if (c.want_d3(i, j, k)) c.d3[triple_index(i, j, k, 3)].setZero();
    }
    finish_rows(c, def);
}

// P(Y <= y) = I_y(a, b), whose inputs (x, a, b) are beta's (y, a, b)
// (incomplete_beta.hpp); 1 - y is exact for y >= 1/2 and rounds below.
void lcdf(OpCall& c) {
    eval_cdf_rows<3>(c, def, CdfSide::lower, [](const auto& x, CdfRow& out) {
        const IncBetaSide s = incomplete_beta_sides(x[0], 1 - x[0], x[1], x[2]).lower;
        out.value = s.value;
        std::copy(s.d1.begin(), s.d1.end(), out.d1.begin());
        std::copy(s.d2.begin(), s.d2.end(), out.d2.begin());
    });
}

void lccdf(OpCall& c) {
    eval_cdf_rows<3>(c, def, CdfSide::upper, [](const auto& x, CdfRow& out) {
        const IncBetaSide s = incomplete_beta_sides(x[0], 1 - x[0], x[1], x[2]).upper;
        out.value = s.value;
        std::copy(s.d1.begin(), s.d1.end(), out.d1.begin());
        std::copy(s.d2.begin(), s.d2.end(), out.d2.begin());
    });
}

}  // namespace

const DistributionDef& beta_def() { return def; }

}  // namespace mlec::rt::detail

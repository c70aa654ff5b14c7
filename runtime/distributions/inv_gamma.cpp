// inv_gamma(y | alpha, beta) with shape alpha and scale beta (Stan's form):
//     log p(y) = alpha log beta - lgamma(alpha) - (alpha + 1) log y - beta/y,
// y, alpha, beta > 0: 1/y ~ gamma(alpha, beta).
#include <boost/math/special_functions/polygamma.hpp>

#include <array>

#include "runtime/distributions/cdf.hpp"
#include "runtime/distributions/detail.hpp"
#include "runtime/distributions/incomplete_gamma.hpp"
#include "runtime/random.hpp"
#include "runtime/special_functions.hpp"

namespace mlec::rt::detail {
namespace {

constexpr DistArg args[] = {{"alpha", Domain::positive}, {"beta", Domain::positive}};

void eval(OpCall& c);
void lcdf(OpCall& c);
void lccdf(OpCall& c);

// beta/G(alpha), from the draw's log (a small alpha's gamma draw may
// underflow); the result is kept inside (0, inf), as y > 0 must be finite.
double sample(std::span<const double> a, Rng& rng) {
    if (!in_domain_fast(Domain::positive, a[0]) || !in_domain_fast(Domain::positive, a[1])) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    const double y = std::exp(std::log(a[1]) - log_gamma_draw(rng, a[0]));
    return std::clamp(y, std::numeric_limits<double>::denorm_min(), std::numeric_limits<double>::max());
}

// E[y] = beta/(alpha - 1) for alpha > 1, and +inf for alpha <= 1, where the
// mean does not exist: beta/max(alpha - 1, 0), whose division by 0 is +inf
// (beta > 0). `mlec predict` writes a non-finite value as NA.
int mean(NodeMaker& make, std::span<const int> a) {
    const int excess = make.op(op_max(), {make.op(op_sub(), {a[0], make.constant(1)}), make.constant(0)});
    return make.op(op_div(), {a[1], excess});
}

constexpr DistributionDef def{.name = "inv_gamma",
                              .discrete = false,
                              .outcome = Domain::positive,
                              .args = args,
                              .op = {.name = "inv_gamma", .arity = 3, .eval = &eval, .third = true},
                              .sample = &sample,
                              .mean = &mean,
                              .lcdf = {"inv_gamma_lcdf", 3, &lcdf, false},
                              .lccdf = {"inv_gamma_lccdf", 3, &lccdf, false}};

constexpr int yy = pair_index(0, 0, 3);
constexpr int ya = pair_index(0, 1, 3);
constexpr int yb = pair_index(0, 2, 3);
constexpr int aa = pair_index(1, 1, 3);
constexpr int ab = pair_index(1, 2, 3);
constexpr int bb = pair_index(2, 2, 3);

// With a = alpha, b = beta and u = 1/y:
//   d/dy = (b u - (a + 1)) u        d/da = log b - digamma(a) - log y    d/db = a/b - u
//   d2/dy2 = (a + 1 - 2 b u) u^2    d2/dy da = -u    d2/dy db = u^2
//   d2/da2 = -trigamma(a)           d2/da db = 1/b   d2/db2 = -a/b^2
//   d3/dy3 = (6 b u - 2(a + 1)) u^3    d3/dy2 da = u^2    d3/dy2 db = -2u^3
//   d3/da3 = -psi''(a)    d3/da db2 = -1/b^2    d3/db3 = 2a/b^3    the others 0
// The shape is usually one parameter broadcast to every row, so the
// log-gamma family is recomputed only when it changes from the last row
// (as in gamma).
void eval(OpCall& c) {
    const ConstCol& y = c.in[0];
    const ConstCol& a = c.in[1];
    const ConstCol& b = c.in[2];
    const Eigen::Index rows = y.size();
    const bool d_a = c.want_d1(1);
    const bool d_aa = c.want_d2(1, 1);
    const bool d_aaa = c.want_d3(1, 1, 1);
    double last = std::numeric_limits<double>::quiet_NaN();
    double lg = 0.0;
    double psi = 0.0;
    double psi1 = 0.0;
    double psi2 = 0.0;
    for (Eigen::Index r = 0; r < rows; ++r) {
        if (!(a[r] == last)) {
            last = a[r];
            lg = special::lgamma(last);
            if (d_a) psi = special::digamma(last);
            if (d_aa) psi1 = special::trigamma(last);
            // a <= 0 is rejected by finish_rows
            if (d_aaa) psi2 = last > 0 ? boost::math::polygamma(2, last, special::Policy()) : 0.0;
        }
        c.value[r] = -lg;
        if (d_a) c.d1[1][r] = -psi;
        if (d_aa) c.d2[aa][r] = -psi1;
        if (d_aaa) c.d3[triple_index(1, 1, 1, 3)][r] = -psi2;
    }
    const Eigen::ArrayXd log_y = y.log();
    const Eigen::ArrayXd u = y.inverse();
    c.value += a * b.log() - (a + 1.0) * log_y - b * u;
    if (d_a) c.d1[1] += b.log() - log_y;
    if (c.want_d1(0)) c.d1[0] = (b * u - (a + 1.0)) * u;
    if (c.want_d1(2)) c.d1[2] = a / b - u;
    if (c.want_d2(0, 0)) c.d2[yy] = (a + 1.0 - 2.0 * b * u) * u.square();
    if (c.want_d2(0, 1)) c.d2[ya] = -u;
    if (c.want_d2(0, 2)) c.d2[yb] = u.square();
    if (c.want_d2(1, 2)) c.d2[ab] = b.inverse();
    if (c.want_d2(2, 2)) c.d2[bb] = -a / b.square();
    if (c.want_d3(0, 0, 0)) c.d3[triple_index(0, 0, 0, 3)] = (6.0 * b * u - 2.0 * (a + 1.0)) * u.cube();
    if (c.want_d3(0, 0, 1)) c.d3[triple_index(0, 0, 1, 3)] = u.square();
    if (c.want_d3(0, 0, 2)) c.d3[triple_index(0, 0, 2, 3)] = -2.0 * u.cube();
    for (const auto& [i, j, k] : {std::array{0, 1, 1}, std::array{0, 1, 2}, std::array{0, 2, 2}, std::array{1, 1, 2}}) {
        if (c.want_d3(i, j, k)) c.d3[triple_index(i, j, k, 3)].setZero();
    }
    if (c.want_d3(1, 2, 2)) c.d3[triple_index(1, 2, 2, 3)] = -(b.inverse().square());
    if (c.want_d3(2, 2, 2)) c.d3[triple_index(2, 2, 2, 3)] = 2.0 * a / b.cube();
    finish_rows(c, def);
}

// 1/Y ~ gamma(alpha, beta): P(Y <= y) = Q(alpha, x) and P(Y > y) =
// P(alpha, x) at x = beta/y (incomplete_gamma.hpp), whose partials in
// (x, alpha) give those in (y, alpha, beta) by
//     x_y = -x/y, x_beta = 1/y, x_yy = 2x/y^2, x_ybeta = -1/y^2, x_betabeta = 0.
void write(const IncGammaSide& s, double y, double b, CdfRow& out) {
    const double x = b / y;
    const double lx = s.d1[0];
    const double lxx = s.d2[pair_index(0, 0, 2)];
    const double lxa = s.d2[pair_index(0, 1, 2)];
    const double x_y = -x / y;
    out.value = s.value;
    out.d1 = {lx * x_y, s.d1[1], lx / y, 0};
    out.d2[yy] = lxx * x_y * x_y + lx * 2 * x / (y * y);
    out.d2[ya] = lxa * x_y;
    out.d2[yb] = lxx * x_y / y - lx / (y * y);
    out.d2[aa] = s.d2[pair_index(1, 1, 2)];
    out.d2[ab] = lxa / y;
    out.d2[bb] = lxx / (y * y);
}

void lcdf(OpCall& c) {
    eval_cdf_rows<3>(c, def, CdfSide::lower, [](const auto& x, CdfRow& out) {
        write(incomplete_gamma_sides(x[2] / x[0], x[1]).upper, x[0], x[2], out);
    });
}

void lccdf(OpCall& c) {
    eval_cdf_rows<3>(c, def, CdfSide::upper, [](const auto& x, CdfRow& out) {
        write(incomplete_gamma_sides(x[2] / x[0], x[1]).lower, x[0], x[2], out);
    });
}

}  // namespace

const DistributionDef& inv_gamma_def() { return def; }

}  // namespace mlec::rt::detail

// gamma(y | shape, rate), shape a, rate b:
//     log p(y) = a log b - lgamma(a) + (a - 1) log y - b y,   y, a, b > 0.
#include <boost/math/special_functions/polygamma.hpp>

#include <array>

#include "runtime/distributions/cdf.hpp"
#include "runtime/distributions/detail.hpp"
#include "runtime/distributions/incomplete_gamma.hpp"
#include "runtime/distributions/truncated_mean.hpp"
#include "runtime/random.hpp"
#include "runtime/special_functions.hpp"

namespace mlec::rt::detail {
namespace {

constexpr DistArg args[] = {{"shape", Domain::positive}, {"rate", Domain::positive}};

void eval(OpCall& c);
void lcdf(OpCall& c);
void lccdf(OpCall& c);

// G(shape)/rate, from the draw's log so that a small shape does not lose
// the draws a double can express; one below the smallest double becomes that
// (y > 0 is the outcome's domain).
double sample(std::span<const double> a, Rng& rng) {
    if (!in_domain_fast(Domain::positive, a[0]) || !in_domain_fast(Domain::positive, a[1])) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    const double y = std::exp(log_gamma_draw(rng, a[0]) - std::log(a[1]));
    return std::max(y, std::numeric_limits<double>::denorm_min());
}

// E[y] = shape/rate.
int mean(NodeMaker& make, std::span<const int> a) { return make.op(op_div(), {a[0], a[1]}); }

int truncated_mean(NodeMaker& make, std::span<const int> a, TruncationBounds b);

constexpr DistributionDef def{.name = "gamma",
                              .discrete = false,
                              .outcome = Domain::positive,
                              .args = args,
                              .op = {.name = "gamma", .arity = 3, .eval = &eval, .third = true},
                              .sample = &sample,
                              .mean = &mean,
                              .truncated_mean = &truncated_mean,
                              .lcdf = {"gamma_lcdf", 3, &lcdf, false},
                              .lccdf = {"gamma_lccdf", 3, &lccdf, false}};

constexpr int yy = pair_index(0, 0, 3);
constexpr int ya = pair_index(0, 1, 3);
constexpr int yb = pair_index(0, 2, 3);
constexpr int aa = pair_index(1, 1, 3);
constexpr int ab = pair_index(1, 2, 3);
constexpr int bb = pair_index(2, 2, 3);

// Partials:
//   d/dy = (a - 1)/y - b     d/da = log b - digamma(a) + log y     d/db = a/b - y
//   d2/dy2 = -(a - 1)/y^2    d2/dy da = 1/y    d2/dy db = -1
//   d2/da2 = -trigamma(a)    d2/da db = 1/b    d2/db2 = -a/b^2
//   d3/dy3 = 2(a - 1)/y^3    d3/dy2 da = -1/y^2    d3/da3 = -psi''(a)
//   d3/da db2 = -1/b^2      d3/db3 = 2a/b^3       the others 0
// The shape is usually one parameter broadcast to every row, so the
// log-gamma family is recomputed only when it changes from the last row.
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
            // a <= 0 is rejected by finish_rows (and is a pole for a <= 0 integer)
            if (d_aaa) psi2 = last > 0 ? boost::math::polygamma(2, last, special::Policy()) : 0.0;
        }
        c.value[r] = -lg;
        if (d_a) c.d1[1][r] = -psi;
        if (d_aa) c.d2[aa][r] = -psi1;
        if (d_aaa) c.d3[triple_index(1, 1, 1, 3)][r] = -psi2;
    }
    const bool d_y = c.want_d1(0);
    if (!d_a && !d_y && !c.want_d2(0, 0)) {
        c.value += a * b.log() + (a - 1.0) * y.log() - b * y;
    } else {
        const Eigen::ArrayXd log_y = y.log();
        c.value += a * b.log() + (a - 1.0) * log_y - b * y;
        if (d_a) c.d1[1] += b.log() + log_y;
        if (d_y) c.d1[0] = (a - 1.0) / y - b;
        if (c.want_d2(0, 0)) c.d2[yy] = -(a - 1.0) / y.square();
    }
    if (c.want_d1(2)) c.d1[2] = a / b - y;
    if (c.want_d2(0, 1)) c.d2[ya] = y.inverse();
    if (c.want_d2(0, 2)) c.d2[yb].setConstant(-1.0);
    if (c.want_d2(1, 2)) c.d2[ab] = b.inverse();
    if (c.want_d2(2, 2)) c.d2[bb] = -a / b.square();
    if (c.want_d3(0, 0, 0)) c.d3[triple_index(0, 0, 0, 3)] = 2.0 * (a - 1.0) / y.cube();
    if (c.want_d3(0, 0, 1)) c.d3[triple_index(0, 0, 1, 3)] = -(y.inverse().square());
    for (const auto& [i, j, k] :
         {std::array{0, 0, 2}, std::array{0, 1, 1}, std::array{0, 1, 2}, std::array{0, 2, 2}, std::array{1, 1, 2}}) {
        if (c.want_d3(i, j, k)) c.d3[triple_index(i, j, k, 3)].setZero();
    }
    if (c.want_d3(1, 2, 2)) c.d3[triple_index(1, 2, 2, 3)] = -(b.inverse().square());
    if (c.want_d3(2, 2, 2)) c.d3[triple_index(2, 2, 2, 3)] = 2.0 * a / b.cube();
    finish_rows(c, def);
}

// P(Y <= y) = P(a, x) and P(Y > y) = Q(a, x) at x = b y (incomplete_gamma.hpp),
// whose partials in (x, a) give those in (y, a, b) by x_y = b, x_b = y,
// x_yb = 1.
void write(const IncGammaSide& s, double y, double b, CdfRow& out) {
    const double lx = s.d1[0];
    const double lxx = s.d2[pair_index(0, 0, 2)];
    const double lxa = s.d2[pair_index(0, 1, 2)];
    out.value = s.value;
    out.d1 = {lx * b, s.d1[1], lx * y, 0};
    out.d2[yy] = lxx * b * b;
    out.d2[ya] = lxa * b;
    out.d2[yb] = lxx * b * y + lx;
    out.d2[aa] = s.d2[pair_index(1, 1, 2)];
    out.d2[ab] = lxa * y;
    out.d2[bb] = lxx * y * y;
}

void lcdf(OpCall& c) {
    eval_cdf_rows<3>(c, def, CdfSide::lower, [](const auto& x, CdfRow& out) {
        write(incomplete_gamma_sides(x[2] * x[0], x[1]).lower, x[0], x[2], out);
    });
}

void lccdf(OpCall& c) {
    eval_cdf_rows<3>(c, def, CdfSide::upper, [](const auto& x, CdfRow& out) {
        write(incomplete_gamma_sides(x[2] * x[0], x[1]).upper, x[0], x[2], out);
    });
}

// E[y | lo < y < hi] = (shape/rate) P'(lo < Y < hi)/P(lo < Y < hi), P' the
// gamma with shape + 1 (y p(y | a, b) = (a/b) p(y | a + 1, b)).
int truncated_mean(NodeMaker& make, std::span<const int> a, TruncationBounds b) {
    const int shifted_args[] = {make.op(op_add(), {a[0], make.constant(1)}), a[1]};
    return scaled_ratio(make, mean(make, a), log_mass(make, def, shifted_args, b), log_mass(make, def, a, b));
}

}  // namespace

const DistributionDef& gamma_def() { return def; }

}  // namespace mlec::rt::detail

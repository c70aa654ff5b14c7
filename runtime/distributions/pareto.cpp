// pareto(y | y_min, alpha), Stan's form (type I):
//     log p(y) = log alpha + alpha log y_min - (alpha + 1) log y,   y >= y_min,
// y_min > 0, alpha > 0; -inf for y < y_min. The support starts at the
// argument y_min (an OutcomeLimit: data below a y_min that is data or a
// constant are a data error before fitting). As a parameter, y_min's
// likelihood rises up to the smallest outcome and drops to -inf past it:
// its estimate is that outcome, at the edge of the support, where curvature
// gives no standard error; y_min is usually known.
// The value is formed as log alpha - alpha (log y - log y_min) - log y, so
// that a large alpha multiplies the small difference of logs, not two large
// logs whose difference cancels.
#include "runtime/distributions/cdf.hpp"
#include "runtime/distributions/detail.hpp"
#include "runtime/random.hpp"

namespace mlec::rt::detail {
namespace {

constexpr DistArg args[] = {{"y_min", Domain::positive}, {"alpha", Domain::positive}};

void eval(OpCall& c);
void lcdf(OpCall& c);
void lccdf(OpCall& c);

// Inversion: y_min U^(-1/alpha), U on (0, 1), from the logs. A draw beyond
// the largest double (a tiny alpha, whose tail is that heavy) becomes that
// double, as y must be finite.
double sample(std::span<const double> a, Rng& rng) {
    if (!in_domain_fast(Domain::positive, a[0]) || !in_domain_fast(Domain::positive, a[1])) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    const double y = std::exp(std::log(a[0]) - std::log(rng.uniform_open()) / a[1]);
    return std::min(std::max(y, a[0]), std::numeric_limits<double>::max());
}

constexpr OutcomeLimit limits[] = {{0, false}};  // y >= y_min

// E[y] = alpha y_min/(alpha - 1) for alpha > 1, and +inf for alpha <= 1,
// where the mean does not exist: alpha y_min/max(alpha - 1, 0), whose
// division by 0 is +inf (alpha, y_min > 0). `mlec predict` writes a
// non-finite value as NA.
int mean(NodeMaker& make, std::span<const int> a) {
    const int excess = make.op(op_max(), {make.op(op_sub(), {a[1], make.constant(1)}), make.constant(0)});
    return make.op(op_div(), {make.op(op_mul(), {a[1], a[0]}), excess});
}

constexpr DistributionDef def{.name = "pareto",
                              .discrete = false,
                              .outcome = Domain::positive,
                              .args = args,
                              .op = {.name = "pareto", .arity = 3, .eval = &eval, .third = true},
                              .sample = &sample,
                              .limits = limits,
                              .mean = &mean,
                              .lcdf = {.name = "pareto_lcdf", .arity = 3, .eval = &lcdf, .third = true},
                              .lccdf = {.name = "pareto_lccdf", .arity = 3, .eval = &lccdf, .third = true}};

constexpr int yy = pair_index(0, 0, 3);
constexpr int ym = pair_index(0, 1, 3);
constexpr int ya = pair_index(0, 2, 3);
constexpr int mm = pair_index(1, 1, 3);
constexpr int ma = pair_index(1, 2, 3);
constexpr int aa = pair_index(2, 2, 3);

// With m = y_min, a = alpha and L = log y - log m:
//   d/dy = -(a + 1)/y     d/dm = a/m     d/da = 1/a - L
//   d2/dy2 = (a + 1)/y^2  d2/dy dm = 0   d2/dy da = -1/y
//   d2/dm2 = -a/m^2       d2/dm da = 1/m d2/da2 = -1/a^2
//   d3/dy3 = -2(a + 1)/y^3    d3/dy2 da = 1/y^2    d3/dm3 = 2a/m^3
//   d3/dm2 da = -1/m^2        d3/da3 = 2/a^3       the others 0
// At y == y_min the density jumps from 0; the row counts as inside (as in
// Stan and Boost.Math) and its partials are the one-sided ones above.
void eval(OpCall& c) {
    const ConstCol& y = c.in[0];
    const ConstCol& m = c.in[1];
    const ConstCol& a = c.in[2];
    const Eigen::ArrayXd log_y = y.log();
    const Eigen::ArrayXd excess = log_y - m.log();  // L
    // y >= y_min; a NaN fails the comparison and finish_rows sees its domain.
    c.value = (y >= m).select(a.log() - a * excess - log_y, neg_inf);
    if (c.want_d1(0)) c.d1[0] = -(a + 1.0) / y;
    if (c.want_d1(1)) c.d1[1] = a / m;
    if (c.want_d1(2)) c.d1[2] = a.inverse() - excess;
    if (c.want_d2(0, 0)) c.d2[yy] = (a + 1.0) / y.square();
    if (c.want_d2(0, 1)) c.d2[ym].setZero();
    if (c.want_d2(0, 2)) c.d2[ya] = -y.inverse();
    if (c.want_d2(1, 1)) c.d2[mm] = -a / m.square();
    if (c.want_d2(1, 2)) c.d2[ma] = m.inverse();
    if (c.want_d2(2, 2)) c.d2[aa] = -a.inverse().square();
    if (c.want_any_d3()) {
        for (Col& d : c.d3) {
            if (d.size() > 0) d.setZero();
        }
        if (c.want_d3(0, 0, 0)) c.d3[triple_index(0, 0, 0, 3)] = -2.0 * (a + 1.0) / y.cube();
        if (c.want_d3(0, 0, 2)) c.d3[triple_index(0, 0, 2, 3)] = y.inverse().square();
        if (c.want_d3(1, 1, 1)) c.d3[triple_index(1, 1, 1, 3)] = 2.0 * a / m.cube();
        if (c.want_d3(1, 1, 2)) c.d3[triple_index(1, 1, 2, 3)] = -(m.inverse().square());
        if (c.want_d3(2, 2, 2)) c.d3[triple_index(2, 2, 2, 3)] = 2.0 * a.inverse().cube();
    }
    finish_rows(c, def);
}

// The distribution functions, for y >= y_min: P(Y > y) = exp(-P) with
// P = alpha (log y - log y_min) >= 0, so lccdf = -P, and lcdf =
// log(1 - exp(-P)) = log1m_exp(-P) (cdf.hpp), with h' = 1/expm1(P) and
// h'' = -h' (1 + h'). Inputs (y, y_min, alpha):
//   P_y = alpha/y   P_ymin = -alpha/y_min   P_alpha = L = log(y/y_min)
//   P_yy = -alpha/y^2   P_y,alpha = 1/y   P_ymin,ymin = alpha/y_min^2
//   P_ymin,alpha = -1/y_min, the others 0;
//   P_yyy = 2 alpha/y^3   P_yy,alpha = -1/y^2   P_ymin,ymin,ymin = -2 alpha/y_min^3
//   P_ymin,ymin,alpha = 1/y_min^2, the other third partials 0.
// The lcdf's partials come instead from l = log P = log alpha + log L, as
// log1m_exp_exp(l) (cdf.hpp, as weibull's): near y_min, where P -> 0, the
// chain rule in P adds terms of order 1/P^2 (1/P^3 for the third partials)
// that cancel to order 1/L^2 (1/L^3): at P = 1.5e-7 the second partials
// kept 7 digits and the third none, while in l each term is at most of the
// size of the result.
// Below y_min, P(Y <= y) = 0 and P(Y > y) = 1, free of the inputs.
Inner<3> pareto_exponent(double y, double y_min, double alpha) {
    Inner<3> p;
    // log1p of the exact difference near y_min, where P is small and the
    // difference of two logs would lose its digits
    const double log_ratio = y < 2 * y_min ? std::log1p((y - y_min) / y_min) : std::log(y) - std::log(y_min);
    p.z = alpha * log_ratio;
    p.d1 = {alpha / y, -alpha / y_min, log_ratio};
    p.d2[pair_index(0, 0, 3)] = -alpha / (y * y);
    p.d2[pair_index(0, 2, 3)] = 1 / y;
    p.d2[pair_index(1, 1, 3)] = alpha / (y_min * y_min);
    p.d2[pair_index(1, 2, 3)] = -1 / y_min;
    p.d3[triple_index(0, 0, 0, 3)] = 2 * alpha / (y * y * y);
    p.d3[triple_index(0, 0, 2, 3)] = -1 / (y * y);
    p.d3[triple_index(1, 1, 1, 3)] = -2 * alpha / (y_min * y_min * y_min);
    p.d3[triple_index(1, 1, 2, 3)] = 1 / (y_min * y_min);
    return p;
}

// l = log P = log alpha + log L with its partials: L = log(y/y_min) has
// L_y = 1/y, L_ymin = -1/y_min, L_yy = -1/y^2, L_ymin,ymin = 1/y_min^2,
// L_yyy = 2/y^3, L_ymin,ymin,ymin = -2/y_min^3 (no mixed ones), and log's
// derivatives 1/L, -1/L^2, 2/L^3 by the chain rule; alpha's part is
// log alpha's, 1/alpha, -1/alpha^2, 2/alpha^3 (the third partials only with
// `third`).
Inner<3> log_pareto_exponent(double y, double y_min, double alpha, double log_ratio, bool third) {
    Inner<3> log_l;
    log_l.d1 = {1 / y, -1 / y_min, 0};
    log_l.d2[pair_index(0, 0, 3)] = -1 / (y * y);
    log_l.d2[pair_index(1, 1, 3)] = 1 / (y_min * y_min);
    log_l.d3[triple_index(0, 0, 0, 3)] = 2 / (y * y * y);
    log_l.d3[triple_index(1, 1, 1, 3)] = -2 / (y_min * y_min * y_min);
    const double inv = 1 / log_ratio;
    CdfRow row;
    row.third = third;
    chain({std::log(log_ratio), inv, -inv * inv, 2 * inv * inv * inv}, log_l, row);
    Inner<3> l;
    l.z = std::log(alpha) + row.value;
    for (int i = 0; i < 3; ++i) l.d1[i] = row.d1[i];
    for (int k = 0; k < pair_count(3); ++k) l.d2[k] = row.d2[k];
    for (int k = 0; k < triple_count(3); ++k) l.d3[k] = row.d3[k];
    l.d1[2] = 1 / alpha;
    l.d2[pair_index(2, 2, 3)] = -1 / (alpha * alpha);
    l.d3[triple_index(2, 2, 2, 3)] = 2 / (alpha * alpha * alpha);
    return l;
}

void lcdf(OpCall& c) {
    eval_cdf_rows<3>(c, def, CdfSide::lower, [](const auto& x, CdfRow& out) {
        if (x[0] < x[1]) return;
        const Inner<3> p = pareto_exponent(x[0], x[1], x[2]);
        if (!(p.z < 800)) {  // 1 - exp(-P) is 1 to double precision
            out.value = 0;
            return;
        }
        if (!(p.z > 0)) {  // y = y_min: log 0
            out.value = neg_inf;
            return;
        }
        chain(log1m_exp_exp(std::log(p.z)), log_pareto_exponent(x[0], x[1], x[2], p.d1[2], out.third), out);
        out.value = log1m_exp(-p.z);
    });
}

void lccdf(OpCall& c) {
    eval_cdf_rows<3>(c, def, CdfSide::upper, [](const auto& x, CdfRow& out) {
        if (x[0] < x[1]) {
            out.value = 0;
            return;
        }
        const Inner<3> p = pareto_exponent(x[0], x[1], x[2]);
        chain({-p.z, -1, 0, 0}, p, out);
    });
}

}  // namespace

const DistributionDef& pareto_def() { return def; }

}  // namespace mlec::rt::detail

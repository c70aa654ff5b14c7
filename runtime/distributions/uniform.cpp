// uniform(y | lo, hi):  log p(y) = -log(hi - lo) for lo <= y <= hi, else
// -inf;  lo < hi (lo >= hi: -inf, the density does not exist).
// The density does not depend on y inside the support, so its partials in y
// are 0; at y == lo or y == hi the row counts as inside (a closed interval,
// as R's dunif), although the density jumps there.
#include "runtime/distributions/cdf.hpp"
#include "runtime/distributions/detail.hpp"
#include "runtime/random.hpp"

namespace mlec::rt::detail {
namespace {

constexpr DistArg args[] = {{"lo", Domain::real}, {"hi", Domain::real}};

void eval(OpCall& c);
void lcdf(OpCall& c);
void lccdf(OpCall& c);

// lo + U (hi - lo); a width that overflows (lo = -1e308, hi = 1e308) is
// interpolated as lo (1 - U) + hi U instead.
double sample(std::span<const double> a, Rng& rng) {
    const double lo = a[0];
    const double hi = a[1];
    if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo < hi)) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    const double u = rng.uniform();
    const double width = hi - lo;
    const double y = std::isfinite(width) ? lo + u * width : lo * (1.0 - u) + hi * u;
    return std::min(y, hi);
}

constexpr OutcomeLimit limits[] = {{0, false}, {1, true}};  // lo <= y <= hi

// E[y] = (lo + hi)/2.
int mean(NodeMaker& make, std::span<const int> a) {
    return make.op(op_mul(), {make.constant(0.5), make.op(op_add(), {a[0], a[1]})});
}

constexpr DistributionDef def{.name = "uniform",
                              .discrete = false,
                              .outcome = Domain::real,
                              .args = args,
                              .op = {.name = "uniform", .arity = 3, .eval = &eval, .third = true},
                              .sample = &sample,
                              .limits = limits,
                              .mean = &mean,
                              .lcdf = {"uniform_lcdf", 3, &lcdf, false},
                              .lccdf = {"uniform_lccdf", 3, &lccdf, false}};

// With w = hi - lo:  d/dlo = 1/w,  d/dhi = -1/w,
//   d2/dlo2 = 1/w^2,  d2/dlo dhi = -1/w^2,  d2/dhi2 = 1/w^2,  every y-pair 0;
//   d3/dlo3 = d3/dlo dhi2 = 2/w^3,  d3/dlo2 dhi = d3/dhi3 = -2/w^3,  every
//   y-triple 0.
void eval(OpCall& c) {
    const ConstCol& y = c.in[0];
    const ConstCol& lo = c.in[1];
    const ConstCol& hi = c.in[2];
    const auto width = hi - lo;
    // lo < hi and y inside; a NaN anywhere fails every comparison.
    const auto inside = (lo < hi) && (y >= lo) && (y <= hi);
    c.value = inside.select(-width.log(), neg_inf);
    if (want_any_partial(c)) {
        const auto inv_w = width.inverse();
        if (c.want_d1(0)) c.d1[0].setZero();
        if (c.want_d1(1)) c.d1[1] = inv_w;
        if (c.want_d1(2)) c.d1[2] = -inv_w;
        for (int j = 0; j < 3; ++j) {
            if (c.want_d2(0, j)) c.d2[pair_index(0, j, 3)].setZero();
        }
        if (c.want_d2(1, 1)) c.d2[pair_index(1, 1, 3)] = inv_w.square();
        if (c.want_d2(1, 2)) c.d2[pair_index(1, 2, 3)] = -inv_w.square();
        if (c.want_d2(2, 2)) c.d2[pair_index(2, 2, 3)] = inv_w.square();
        for (int j = 0; j < 3; ++j) {
            for (int k = j; k < 3; ++k) {
                if (c.want_d3(0, j, k)) c.d3[triple_index(0, j, k, 3)].setZero();
            }
        }
        if (c.want_d3(1, 1, 1)) c.d3[triple_index(1, 1, 1, 3)] = 2.0 * inv_w.cube();
        if (c.want_d3(1, 1, 2)) c.d3[triple_index(1, 1, 2, 3)] = -2.0 * inv_w.cube();
        if (c.want_d3(1, 2, 2)) c.d3[triple_index(1, 2, 2, 3)] = 2.0 * inv_w.cube();
        if (c.want_d3(2, 2, 2)) c.d3[triple_index(2, 2, 2, 3)] = -2.0 * inv_w.cube();
    }
    finish_rows(c, def);
}

// The distribution functions, for lo <= y <= hi (w = hi - lo):
//   lcdf  = log(y - lo) - log w:  d/dy = 1/(y - lo), d/dlo = 1/w - 1/(y - lo),
//           d/dhi = -1/w; d2/dy2 = -d2/dy dlo = -1/(y - lo)^2,
//           d2/dlo2 = 1/w^2 - 1/(y - lo)^2, d2/dlo dhi = -1/w^2, d2/dhi2 = 1/w^2
//   lccdf = log(hi - y) - log w, the mirror image (y -> -y swaps lo and hi).
// Below lo, P(Y <= y) = 0 and P(Y > y) = 1; above hi the reverse; neither
// depends on the inputs there. lo >= hi: no distribution, both -inf.
void lower_part(double y, double lo, double hi, CdfRow& out) {
    const double w = hi - lo;
    if (y > hi) {
        out.value = 0;
        return;
    }
    if (y < lo) return;
    const double a = 1 / (y - lo);
    const double v = 1 / w;
    out.value = std::log(y - lo) - std::log(w);
    out.d1 = {a, v - a, -v};
    out.d2[pair_index(0, 0, 3)] = -a * a;
    out.d2[pair_index(0, 1, 3)] = a * a;
    out.d2[pair_index(1, 1, 3)] = v * v - a * a;
    out.d2[pair_index(1, 2, 3)] = -v * v;
    out.d2[pair_index(2, 2, 3)] = v * v;
}

void lcdf(OpCall& c) {
    eval_cdf_rows<3>(c, def, CdfSide::lower, [](const auto& x, CdfRow& out) {
        if (x[1] < x[2]) lower_part(x[0], x[1], x[2], out);
    });
}

// log P(Y > y | lo, hi) = log P(-Y < -y | -hi, -lo): the lower part at
// (-y, -hi, -lo), with the partials' signs and the lo/hi roles swapped.
void lccdf(OpCall& c) {
    eval_cdf_rows<3>(c, def, CdfSide::upper, [](const auto& x, CdfRow& out) {
        if (!(x[1] < x[2])) return;
        CdfRow m;
        lower_part(-x[0], -x[2], -x[1], m);
        out.value = m.value;
        // inputs of m: (y', lo', hi') = (-y, -hi, -lo)
        constexpr int from[] = {0, 2, 1};
        for (int i = 0; i < 3; ++i) {
            out.d1[static_cast<std::size_t>(i)] = -m.d1[static_cast<std::size_t>(from[i])];
            for (int j = i; j < 3; ++j) out.d2[pair_index(i, j, 3)] = m.d2[pair_index(from[i], from[j], 3)];
        }
    });
}

}  // namespace

const DistributionDef& uniform_def() { return def; }

}  // namespace mlec::rt::detail

#include "runtime/interval_probability.hpp"

#include <cmath>
#include <limits>

namespace mlec::rt {

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double ln_2 = 0.69314718055994530941723212145818;

// f(a, b) = log(e^a - e^b) for a > b, with d = b - a < 0 and
// g = 1/(1 - e^d) = -1/expm1(d) (>= 1):
//   df/da = g,  df/db = 1 - g = -e^d g,
//   d2f/da2 = d2f/db2 = -g(g - 1) = -e^d g^2,  d2f/da db = e^d g^2,
// and, f being a + k(d) with k(d) = log(1 - e^d), k'' = h = -e^d g^2 and
// k''' = h (2g - 1) = h (1 + 2 e^d g) (d(e^d g^2)/dd = e^d g^2 (1 + 2 e^d g)):
//   d3f/da^i db^j (i + j = 3) = (-1)^i k'''.
// The value is a + log(-expm1(d)) near d = 0 and a + log1p(-e^d) below
// -ln 2, where each keeps its digits (Maechler 2012).
struct Difference {
    double value = -inf;
    double da = 0;
    double db = 0;
    double h = 0;  // d2f/da2 = d2f/db2 = -d2f/da db
    double t = 0;  // d3f/db3 = -d3f/da3 = ..., k'''(d)
};

Difference log_difference(double a, double b) {
    Difference out;
    if (!(a > b) || !std::isfinite(a)) return out;  // empty interval, or no number to differentiate
    const double d = b - a;
    const double em1 = std::expm1(d);
    out.value = a + (d > -ln_2 ? std::log(-em1) : std::log1p(-std::exp(d)));
    const double g = -1 / em1;
    const double ed = std::exp(d);
    out.da = g;
    out.db = -ed * g;
    out.h = -ed * g * g;
    out.t = out.h * (1 + 2 * ed * g);
    if (!std::isfinite(out.value) || !std::isfinite(out.t)) out = Difference{};
    return out;
}

void interval_eval(OpCall& c) {
    const ConstCol& lcdf_hi = c.in[1];
    const ConstCol& lccdf_lo = c.in[2];
    const Eigen::Index n = lcdf_hi.size();
    for (Eigen::Index r = 0; r < n; ++r) {
        // Lower tail: F(hi) - F(lo), inputs 1 (a) and 0 (b); upper tail:
        // S(lo) - S(hi), inputs 2 (a) and 3 (b).
        const bool lower_tail = lcdf_hi[r] <= lccdf_lo[r];
        const int a = lower_tail ? 1 : 2;
        const int b = lower_tail ? 0 : 3;
        const Difference f = log_difference(c.in[a][r], c.in[b][r]);
        c.value[r] = f.value;
        for (int i = 0; i < 4; ++i) {
            if (c.want_d1(i)) c.d1[i][r] = i == a ? f.da : i == b ? f.db : 0;
            for (int j = i; j < 4; ++j) {
                if (!c.want_d2(i, j)) continue;
                const bool in_a_b = (i == a || i == b) && (j == a || j == b);
                c.d2[pair_index(i, j, 4)][r] = !in_a_b ? 0 : i == j ? f.h : -f.h;
            }
        }
        if (c.d3.empty()) continue;
        for (int i = 0; i < 4; ++i) {
            for (int j = i; j < 4; ++j) {
                for (int k = j; k < 4; ++k) {
                    if (!c.want_d3(i, j, k)) continue;
                    const int in_a = (i == a) + (j == a) + (k == a);
                    const int in_b = (i == b) + (j == b) + (k == b);
                    c.d3[triple_index(i, j, k, 4)][r] = in_a + in_b < 3 ? 0 : in_a % 2 == 1 ? -f.t : f.t;
                }
            }
        }
    }
}

}  // namespace

const OpDef& op_interval_probability() {
    static const OpDef def{.name = "interval_probability", .arity = 4, .eval = &interval_eval, .third = true};
    return def;
}

}  // namespace mlec::rt

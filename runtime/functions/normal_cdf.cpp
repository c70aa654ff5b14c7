// The standard normal CDF Phi(x) and its inverse probit(p). Kept together:
// an inverse pair sharing their constants and their tail arguments.
#include "runtime/functions/detail.hpp"

#include <boost/math/special_functions/erf.hpp>

#include "runtime/special_functions.hpp"

namespace mlec::rt::fn {
namespace {

constexpr double sqrt_2 = 1.4142135623730950488016887242097;
constexpr double inv_sqrt_2pi = 0.39894228040143267793994605993438;

// Phi(x) = erfc(-x/sqrt 2)/2, accurate to full relative precision in the
// lower tail (1 + erf would cancel to 0 below x = -8);
// Phi' = phi(x) = exp(-x^2/2)/sqrt(2 pi), Phi'' = -x phi(x),
// Phi''' = (x^2 - 1) phi(x).
void eval_phi(OpCall& c) {
    const ConstCol& x = c.in[0];
    const Eigen::Index n = x.size();
    for (Eigen::Index i = 0; i < n; ++i) c.value[i] = 0.5 * std::erfc(-x[i] / sqrt_2);
    const bool d1 = c.want_d1(0);
    const bool d2 = c.want_d2(0, 0);
    const bool d3 = c.want_d3(0, 0, 0);
    if (!d1 && !d2 && !d3) return;
    Col& pdf = d1 ? c.d1[0] : d2 ? c.d2[p00] : c.d3[t000];
    special::assign_exp(pdf, -0.5 * x.square());
    pdf *= inv_sqrt_2pi;
    // d3 before d2, as both may be formed in place from pdf.
    if (d3) c.d3[t000] = (x.square() - 1.0) * pdf;
    if (d2) c.d2[p00] = -x * pdf;  // in place when pdf is d2 itself
}

// probit(p) = Phi^-1(p) = -sqrt 2 erfc^-1(2p) (Boost.Math). Above p = 1/2 the
// upper tail is used instead, sqrt 2 erfc^-1(2(1 - p)), since 1 - p is exact
// there (Sterbenz) and erfc^-1 near 2 would see only the rounded 2p.
// probit(0) = -inf, probit(1) = +inf, NaN outside [0, 1].
//   probit'  = 1/phi(q)
//   probit'' = q/phi(q)^2       (q = probit(p); from phi'(q) = -q phi(q))
//   probit''' = (1 + 2 q^2)/phi(q)^3
//              (d/dp 1/phi(q) = q/phi(q) * probit' = q/phi(q)^2)
// The argument is often a broadcast parameter: recomputed only when it
// changes from the previous row.
void eval_probit(OpCall& c) {
    const ConstCol& p = c.in[0];
    const Eigen::Index n = p.size();
    const bool d1 = c.want_d1(0);
    const bool d2 = c.want_d2(0, 0);
    const bool d3 = c.want_d3(0, 0, 0);
    double last = nan;
    double q = nan;
    double inv_pdf = nan;
    for (Eigen::Index i = 0; i < n; ++i) {
        if (!(p[i] == last)) {
            last = p[i];
            if (!(last >= 0 && last <= 1)) {
                q = nan;
            } else if (last == 0) {
                q = -std::numeric_limits<double>::infinity();
            } else if (last == 1) {
                q = std::numeric_limits<double>::infinity();
            } else if (last < 0.5) {
                q = -sqrt_2 * boost::math::erfc_inv(2 * last, special::Policy());
            } else {
                q = sqrt_2 * boost::math::erfc_inv(2 * (1 - last), special::Policy());
            }
            // 1/phi(q) = sqrt(2 pi) exp(q^2/2); +inf at p = 0 or 1.
            inv_pdf = std::exp(0.5 * q * q) / inv_sqrt_2pi;
        }
        c.value[i] = q;
        if (d1) c.d1[0][i] = inv_pdf;
        if (d2) c.d2[p00][i] = q * inv_pdf * inv_pdf;
        if (d3) c.d3[t000][i] = (1 + 2 * q * q) * inv_pdf * inv_pdf * inv_pdf;
    }
}

constexpr OpDef phi_def{.name = "Phi", .arity = 1, .eval = &eval_phi, .third = true};
constexpr OpDef probit_def{.name = "probit", .arity = 1, .eval = &eval_probit, .third = true};

}  // namespace
}  // namespace mlec::rt::fn

namespace mlec::rt {

const OpDef& op_Phi() { return fn::phi_def; }
const OpDef& op_probit() { return fn::probit_def; }

}  // namespace mlec::rt

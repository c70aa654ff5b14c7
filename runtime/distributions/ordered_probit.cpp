// ordered_probit(y | eta, c): an ordered outcome y in {1, ..., K + 1} with
// K increasing cut-points c (runtime/distributions/ordinal.hpp),
//     P(y = k) = Phi(eta - c[k-1]) - Phi(eta - c[k]),
// Stan's ordered_probit and MASS::polr(method = "probit") (zeta = c).
// With a = eta - c[k-1] > b = eta - c[k], the difference is taken on the
// log scale from the tail both points lie nearer to, so it never subtracts
// two numbers close to 1:
//     a + b <= 0:  log P = log Phi(a) + log1m_exp(log Phi(b) - log Phi(a))
//     a + b > 0:   log P = log Phi(-b) + log1m_exp(log Phi(-a) - log Phi(-b))
// The outer categories are log Phi(a) and log Phi(-b) themselves.
#include <boost/math/special_functions/erf.hpp>

#include "runtime/distributions/ordinal.hpp"
#include "runtime/special_functions.hpp"

namespace mlec::rt::detail {
namespace {

constexpr DistArg args[] = {{"eta", Domain::real}, {"c", Domain::real, true}};

void eval(OpCall& c);
void lcdf(OpCall& c);
void lccdf(OpCall& c);

double sample(std::span<const double> a, Rng& rng) { return ordinal::sample(a, rng.normal()); }

int mean(NodeMaker& make, std::span<const int> a) { return ordinal::mean(make, a, op_Phi()); }

// Phi^-1(p) = -sqrt 2 erfc^-1(2p).
double probit(double p) { return -1.4142135623730950488016887242097 * boost::math::erfc_inv(2 * p); }

constexpr DistributionDef def{.name = "ordered_probit",
                              .discrete = true,
                              .outcome = Domain::category,
                              .args = args,
                              .op = {.name = "ordered_probit", .arity = -1, .eval = &eval, .third = true},
                              .sample = &sample,
                              .mean = &mean,
                              .ordinal = true,
                              .latent_quantile = &probit,
                              .lcdf = {.name = "ordered_probit_lcdf", .arity = -1, .eval = &lcdf, .third = true},
                              .lccdf = {.name = "ordered_probit_lccdf", .arity = -1, .eval = &lccdf, .third = true}};

// log Phi(x) with l1 = phi(x)/Phi(x) and l2 = -l1 (x + l1): the built-in
// log_Phi's evaluation (runtime/functions/log_phi.cpp), accurate in both
// tails, with x + l1 = -l2/l1 free of cancellation below x = -5.
struct LogPhi {
    double l = 0;
    double l1 = 0;
    double l2 = 0;
};

LogPhi log_phi(double x) {
    const auto [l, l1, l2] = special::log_phi(x, true, true);
    return {l, l1, l2};
}

double log1m_exp(double x) { return x > -0.6931471805599453 ? std::log(-std::expm1(x)) : std::log1p(-std::exp(x)); }

// A middle category with a + b <= 0 (a > b), from the lower tail: with
// L = log Phi and its terms at a and b, e = Phi(b)/Phi(a) = exp(L(b) - L(a))
// and m = 1 - e = -expm1(L(b) - L(a)), P = Phi(a) m, and
//     ra = phi(a)/P = l1(a)/m,   rb = phi(b)/P = l1(b) e/m,
//     f_a = ra, f_b = -rb, f_aa = -ra (a + ra), f_bb = rb (b - rb), f_ab = ra rb
// (from phi' = -x phi). a + ra = (a + l1(a)) + l1(a) e/m, with a + l1(a) =
// -l2(a)/l1(a) without cancellation far in the tail. The score in eta,
// s = ra - rb, gives f_aa + f_ab = -ra (a + s) and f_bb + f_ab = rb (b + s);
// for close cut-points ra and rb nearly cancel, so there
// s = rb (phi(a)/phi(b) - 1) = rb expm1(-gap (a + b)/2).
ordinal::Terms lower_tail_middle(double a, double b, double gap) {
    ordinal::Terms t;
    const LogPhi pa = log_phi(a);
    const LogPhi pb = log_phi(b);
    const double x = pb.l - pa.l;
    const double m = -std::expm1(x);
    const double e = std::exp(x);
    t.value = pa.l + log1m_exp(x);
    if (!(t.value > neg_inf)) return t;
    const double ra = pa.l1 / m;
    const double rb = pb.l1 * e / m;
    const double a_plus_ra = pa.l1 > 0 ? -pa.l2 / pa.l1 + pa.l1 * e / m : a;
    const double half = -0.5 * gap * (a + b);
    const bool close = std::abs(half) < 0.5;
    const double s = close ? rb * std::expm1(half) : ra - rb;
    const double a_plus_s = close ? a + s : a_plus_ra - rb;
    t.fa = ra;
    t.fb = -rb;
    t.faa = -ra * a_plus_ra;
    t.fbb = rb * (b - rb);
    t.fab = ra * rb;
    t.faa_ab = -ra * a_plus_s;
    t.fbb_ab = rb * (b + s);
    return t;
}

// The outer categories are log Phi(a) and log Phi(-b) with their own
// terms; a middle one with a + b > 0 is the lower-tail form at (-b, -a) by
// the symmetry Phi(a) - Phi(b) = Phi(-b) - Phi(-a), its partials swapped.
ordinal::Terms link(double a, double b, double gap, bool has_a, bool has_b, bool partials) {
    if (!has_b) {  // the highest category: Phi(a)
        const LogPhi p = log_phi(a);
        return {.value = p.l, .fa = p.l1, .faa = p.l2, .faa_ab = p.l2};
    }
    if (!has_a) {  // the lowest: 1 - Phi(b) = Phi(-b)
        const LogPhi p = log_phi(-b);
        return {.value = p.l, .fb = -p.l1, .fbb = p.l2, .fbb_ab = p.l2};
    }
    (void)partials;  // (the partials cost little beside the two log Phi)
    if (a + b <= 0) return lower_tail_middle(a, b, gap);
    const ordinal::Terms r = lower_tail_middle(-b, -a, gap);
    return {.value = r.value,
            .fa = -r.fb,
            .fb = -r.fa,
            .faa = r.fbb,
            .fbb = r.faa,
            .fab = r.fab,
            .faa_ab = r.fbb_ab,
            .fbb_ab = r.faa_ab};
}

// The third partials in (eta, c[k-1], c[k]) (ordinal.hpp), with L = log Phi
// and its derivatives from the built-in log_Phi (tail-exact):
//   highest category  L(a)                         a = eta - c[k-1]
//   lowest            L(-b)                        b = eta - c[k]
//   middle, a + b <= 0:  L(a) + log1m_exp(L(b) - L(a))
//   middle, a + b > 0:   L(-b) + log1m_exp(L(-a) - L(-b))
// (the values' forms above): each L of a linear form, and log1m_exp of a
// difference of two, by the chain rule (ordinal::add_log1m_exp_third). The
// difference's partials in eta, L'(b) - L'(a) and so on, lose digits as
// the cut-points close, and the terms of the chain rule grow as 1/gap^2:
// the third partials with eta in them lose about 1e-16/gap^3 relative
// (1e-13 at gap 0.1; 2e-6 at gap 0.002, against 50-digit differences).
// Those in the cut-points alone, 1/gap^3 themselves, keep their digits.
ordinal::Local3 third(double a, double b, double, bool has_a, bool has_b) {
    ordinal::Local3 d3{};
    if (!has_b) {
        ordinal::add_linear_third(d3, 1, 1.0, special::log_phi_third(a)[3]);
        return d3;
    }
    if (!has_a) {
        ordinal::add_linear_third(d3, 2, -1.0, special::log_phi_third(-b)[3]);
        return d3;
    }
    // the nearer tail: s = +1 with (p, q) = (a, b) at c[k-1], c[k]; s = -1
    // with (p, q) = (-b, -a) at c[k], c[k-1]
    const bool lower = a + b <= 0;
    const double s = lower ? 1.0 : -1.0;
    const int ip = lower ? 1 : 2;
    const int iq = lower ? 2 : 1;
    const std::array<double, 4> lp = special::log_phi_third(lower ? a : -b);
    const std::array<double, 4> lq = special::log_phi_third(lower ? b : -a);
    ordinal::add_linear_third(d3, ip, s, lp[3]);
    ordinal::LocalInner u;
    ordinal::add_linear(u, iq, s, 1.0, lq);
    ordinal::add_linear(u, ip, s, -1.0, lp);
    ordinal::add_log1m_exp_third(d3, u);
    return d3;
}

void eval(OpCall& c) { ordinal::eval(c, def, &link, &third); }

ordinal::LogF log_f(double z) {
    const std::array<double, 4> g = special::log_phi_third(z);
    return {g[0], g[1], g[2], g[3]};
}

void lcdf(OpCall& c) { ordinal::eval_cdf(c, def, &log_f, false); }
void lccdf(OpCall& c) { ordinal::eval_cdf(c, def, &log_f, true); }

}  // namespace

const DistributionDef& ordered_probit_def() { return def; }

}  // namespace mlec::rt::detail

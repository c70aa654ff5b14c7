// negbinomial(y | mu, size)'s log pmf and its partials for one row, in the
// forms that keep the Poisson limit exact: the one place these formulas are
// written, used by negbinomial itself and by its zero-inflated and hurdle
// forms (zero_modified.hpp, truncated_negbinomial.hpp).
//   l = lc(y, phi) - phi log1p(mu/phi) - y log1p(phi/mu),  phi = size,
//   lc = lgamma(y + phi) - lgamma(phi) - lgamma(y + 1)
//      = -log B(phi, y) - log y   (y >= 1; 0 at y = 0),
// and with u = (y - mu)/(phi + mu):
//   d/dmu = phi (y - mu)/(mu (phi + mu))
//   d/dphi = psi(y + phi) - psi(phi) - log1p(mu/phi) + (mu - y)/(phi + mu)
//          = psi_rem + log1pmx(u)          (log1p(y/phi) - log1p(mu/phi) = log1p(u))
//   d2/dmu2 = -y/mu^2 + (y + phi)/(phi + mu)^2
//   d2/dmu dphi = (y - mu)/(phi + mu)^2
//   d2/dphi2 = psi'(y + phi) - psi'(phi) + mu/(phi (phi + mu)) - (mu - y)/(phi + mu)^2
//            = tri_rem + (mu - y)^2/((phi + y)(phi + mu)^2)
// psi_rem = psi(phi + y) - psi(phi) - log1p(y/phi), tri_rem = psi'(phi + y) -
// psi'(phi) + y/(phi (phi + y)). In the Poisson limit d/dphi and d2/dphi2 are
// O(1/phi^2) and O(1/phi^3) while their separate terms are O(1/phi): the
// forms on the right keep them accurate. Third partials, with P = phi + mu:
//   d3/dmu3 = 2y/mu^3 - 2(y + phi)/P^3
//   d3/dmu2 dphi = 1/P^2 - 2(y + phi)/P^3 = (mu - phi - 2y)/P^3
//   d3/dmu dphi2 = -2(y - mu)/P^3
//   d3/dphi3 = psi''(y + phi) - psi''(phi) - mu (2 phi + mu)/(phi P)^2 + 2(mu - y)/P^3
//            = quad_rem - (mu - y)^2 (P + 2(phi + y))/((phi + y)^2 P^3)
// (the derivative in phi of the form of d2/dphi2 on the right), with
// quad_rem = d tri_rem/dphi = psi''(phi + y) - psi''(phi) - y (2 phi + y)/(phi (phi + y))^2
// (polygamma2_diff), O(1/phi^4) in the Poisson limit like d3/dphi3 itself.
#pragma once

#include "runtime/distributions/detail.hpp"
#include "runtime/distributions/polygamma2_diff.hpp"
#include "runtime/special_functions.hpp"

namespace mlec::rt::detail {

// A log pmf value with its gradient and Hessian in theta (one or two
// parameters): h = {d2/dt0 dt0, d2/dt0 dt1, d2/dt1 dt1}; and, where a user
// asks for them (the zero-modified counts), its third partials t3 = {000,
// 001, 011, 111}: the entry of the sorted triple (i, j, k) is t3[i + j + k],
// as h's of (i, j) is h[i + j].
struct CountTerms {
    double l = 0;
    double g[2] = {0, 0};
    double h[3] = {0, 0, 0};
    double t3[4] = {0, 0, 0, 0};
};

// The terms that depend only on (y, size): negbinomial caches them per y
// while the size stays the same.
struct NegbinomialCount {
    double lc = 0;
    double psi_rem = 0;
    double tri_rem = 0;
    double quad_rem = 0;  // only for third partials
};

// A y that is not a count, or a size outside (0, inf), gives zeros (the
// row is rejected by finish_rows; log_beta and polygamma_diff must not see
// them); at y = 0 every term is 0.
inline NegbinomialCount negbinomial_count(double y, double size, bool want_psi, bool want_tri, bool want_quad = false) {
    NegbinomialCount t;
    if (!(y > 0 && in_domain_fast(Domain::count, y) && in_domain_fast(Domain::positive, size))) return t;
    t.lc = -log_beta(size, y) - std::log(y);
    if (want_psi || want_tri) {
        const PolygammaDiff d = polygamma_diff(size, y, want_psi, want_tri);
        t.psi_rem = d.psi_rem;
        t.tri_rem = d.tri_rem;
    }
    if (want_quad) t.quad_rem = polygamma2_diff(size, y);
    return t;
}

// The log pmf alone (arguments in their domains, or finish_rows rejects the
// row).
inline double negbinomial_log_pmf(double y, double mu, double size, const NegbinomialCount& count) {
    return count.lc - size * std::log1p(mu / size) - y * std::log1p(size / mu);
}

// Every term of a row from its (y, size) terms. Arguments outside the
// domains give zeros (finish_rows rejects the row).
inline CountTerms negbinomial_terms(double y, double mu, double size, const NegbinomialCount& count) {
    CountTerms t;
    if (!(in_domain_fast(Domain::count, y) && in_domain_fast(Domain::positive, mu) &&
          in_domain_fast(Domain::positive, size))) {
        return t;
    }
    const double inv_pm = 1.0 / (size + mu);
    t.l = negbinomial_log_pmf(y, mu, size, count);
    t.g[0] = size * (y - mu) * inv_pm / mu;
    t.g[1] = count.psi_rem + log1pmx((y - mu) * inv_pm);
    t.h[0] = -y / (mu * mu) + (y + size) * inv_pm * inv_pm;
    t.h[1] = (y - mu) * inv_pm * inv_pm;
    t.h[2] = count.tri_rem + (mu - y) * (mu - y) * inv_pm * inv_pm / (size + y);
    return t;
}

// The third partials {mu mu mu, mu mu size, mu size size, size size size}
// (formulas above), from a count computed with want_quad. Arguments outside
// the domains give zeros.
inline std::array<double, 4> negbinomial_third(double y, double mu, double size, const NegbinomialCount& count) {
    if (!(in_domain_fast(Domain::count, y) && in_domain_fast(Domain::positive, mu) &&
          in_domain_fast(Domain::positive, size))) {
        return {0, 0, 0, 0};
    }
    const double inv_pm = 1.0 / (size + mu);
    const double inv_pm3 = inv_pm * inv_pm * inv_pm;
    const double py = size + y;
    return {2 * y / (mu * mu * mu) - 2 * py * inv_pm3, (mu - size - 2 * y) * inv_pm3, -2 * (y - mu) * inv_pm3,
            count.quad_rem - (mu - y) * (mu - y) * ((size + mu) + 2 * py) * inv_pm3 / (py * py)};
}

inline CountTerms negbinomial_terms(double y, double mu, double size) {
    return negbinomial_terms(y, mu, size, negbinomial_count(y, size, true, true));
}

}  // namespace mlec::rt::detail

// The estimates of parameters integrated out of the likelihood (REML's
// fixed effects, interp::integrate_fixed_effects): not coordinates of theta,
// so the fit knows nothing of them; they are added to its result last.
//
// Given theta, such a parameter b has the conditional density
// exp(-F(theta, b, z)) integrated over z, which for a linear mixed model is
// normal with mean the GLS estimate, the mode b_hat of F, and covariance the
// b block of H^-1 (H the Hessian of F in (z, b)): lmer's fixed effects and
// their covariance sigma^2 (X'V^-1 X)^-1 under REML. Like lmer's, the
// standard errors are conditional on theta (they ignore its uncertainty).
//
// A profiled group parameter's entry u (interp::profile_group_parameters)
// is an ordinary maximum likelihood estimate, the mode u_hat at theta_hat:
// its variance is the full inverse Hessian's, in blocks
//     (H^-1)_uu = H_uu^-1 + W S^-1 W',   W = H_uu^-1 H_u,theta,
// S = H_theta,theta - H_theta,u W the profile likelihood's Hessian, whose
// inverse is the fit's theta covariance.
#include <boost/math/distributions/normal.hpp>
#include <cmath>

#include "inference/fit_context.hpp"

namespace mlec::inference {

namespace {

ParameterEstimate integrated_estimate(const interp::IntegratedParameter& b, double mode, double variance,
                                      double confidence, bool with_error) {
    ParameterEstimate e;
    e.name = b.name;
    e.estimate = mode;
    e.implicit = b.implicit;
    e.integrated = !b.profiled;
    const double se = std::sqrt(variance);
    if (!with_error || !std::isfinite(se) || !std::isfinite(mode)) return e;
    const boost::math::normal standard_normal;
    const double zq = boost::math::quantile(boost::math::complement(standard_normal, (1 - confidence) / 2));
    e.std_error = se;
    if (se > 0) {
        e.z = mode / se;
        e.p_value = 2 * boost::math::cdf(boost::math::complement(standard_normal, std::abs(*e.z)));
    }
    e.ci_lower = mode - zq * se;
    e.ci_upper = mode + zq * se;
    return e;
}

// r.covariance with the integrated parameters' rows and columns inserted at
// their places: their block, and 0 with the others (conditional on theta).
Eigen::MatrixXd with_integrated(const Eigen::MatrixXd& covariance, const std::vector<std::size_t>& places,
                                const Eigen::MatrixXd& block) {
    const auto n = covariance.rows() + block.rows();
    std::vector<Eigen::Index> from(static_cast<std::size_t>(n), -1);  // -1 - j: integrated j
    for (Eigen::Index i = 0, old = 0, j = 0; i < n; ++i)
        from[static_cast<std::size_t>(i)] =
            j < block.rows() && places[static_cast<std::size_t>(j)] == static_cast<std::size_t>(i) ? -1 - j++ : old++;
    Eigen::MatrixXd out = Eigen::MatrixXd::Zero(n, n);
    for (Eigen::Index a = 0; a < n; ++a)
        for (Eigen::Index b = 0; b < n; ++b) {
            const Eigen::Index fa = from[static_cast<std::size_t>(a)], fb = from[static_cast<std::size_t>(b)];
            if (fa >= 0 && fb >= 0) out(a, b) = covariance(fa, fb);
            else if (fa < 0 && fb < 0) out(a, b) = block(-1 - fa, -1 - fb);
        }
    return out;
}

// The variances of the profiled entries z (the diagonal of the full inverse
// Hessian there), at the modes of the laplace's last value.
Eigen::VectorXd profiled_variances(const Problem::Impl& p, const rt::Laplace& laplace, const std::vector<int>& z,
                                   const Eigen::MatrixXd& theta_covariance) {
    const std::vector<double> inverse = laplace.inverse_on_pattern();
    const rt::EffectPattern& pattern = p.evaluator().effect_pattern();
    const Eigen::MatrixXd w = laplace.solve(laplace.cross());
    Eigen::VectorXd out(static_cast<Eigen::Index>(z.size()));
    for (std::size_t j = 0; j < z.size(); ++j) {
        // (a column's first entry on the pattern is its diagonal)
        const double own = inverse[static_cast<std::size_t>(pattern.col_start[static_cast<std::size_t>(z[j])])];
        const auto row = w.row(z[j]);
        out[static_cast<Eigen::Index>(j)] = own + row.dot(theta_covariance * row.transpose());
    }
    return out;
}

}  // namespace

void add_integrated_estimates(const Problem& problem, FitResult& r) {
    const Problem::Impl& p = problem.impl();
    const auto& integrated = p.model.integrated;
    if (integrated.empty() || !p.workspace.laplace) return;
    rt::Laplace& laplace = *p.workspace.laplace;
    const bool finite = r.theta.size() == problem.dimension() && std::isfinite(laplace.value(r.theta));
    const bool profiled = integrated.front().profiled;
    // Standard errors where the others have theirs: at a maximum.
    const bool with_errors =
        finite && r.status == FitStatus::converged && (!profiled || r.theta_covariance.rows() == problem.dimension());
    std::vector<int> z;
    for (const auto& b : integrated) z.push_back(b.z);
    const auto n = static_cast<Eigen::Index>(z.size());
    Eigen::MatrixXd block = Eigen::MatrixXd::Constant(n, n, std::numeric_limits<double>::quiet_NaN());
    if (finite && !profiled) block = laplace.inverse_block(z);
    if (with_errors && profiled) block.diagonal() = profiled_variances(p, laplace, z, r.theta_covariance);
    if (finite && profiled) r.effect_modes = laplace.modes();
    std::vector<std::size_t> places;
    for (std::size_t j = 0; j < integrated.size(); ++j) {
        const auto& b = integrated[j];
        const double mode = finite ? laplace.modes()[b.z] : std::numeric_limits<double>::quiet_NaN();
        const auto at = std::min(b.at, r.parameters.size());
        const auto jj = static_cast<Eigen::Index>(j);
        r.parameters.insert(r.parameters.begin() + static_cast<std::ptrdiff_t>(at),
                            integrated_estimate(b, mode, block(jj, jj), r.confidence, with_errors));
        places.push_back(at);
    }
    // (a profiled entry's covariances with theta's are not assembled: none)
    if (r.covariance.size() > 0 && with_errors && !profiled)
        r.covariance = with_integrated(r.covariance, places, block);
    else r.covariance.resize(0, 0);
    // They are estimated: AIC and BIC count them, as lmer's for a REML fit.
    r.n_params += static_cast<int>(integrated.size());
    if (std::isfinite(r.aic)) {
        r.aic = 2.0 * r.n_params - 2 * r.log_likelihood;
        r.bic = r.n_params * std::log(std::max(r.n_weighted, 1.0)) - 2 * r.log_likelihood;
    }
}

}  // namespace mlec::inference

// The Laplace approximation to the marginal likelihood of a model with
// random effects (docs/architecture.md, "Random effects").
//
// The effects are spherical: z ~ N(0, I), and the model writes each effect
// through its scale (u = sd * z, or sd * (L z) for correlated ones), so the
// parameters theta enter only the likelihood of the rows. With
//     F(theta, z) = NLL(theta, z) + z'z / 2,
// the marginal NLL, -log integral of exp(-F) (2 pi)^(-q/2) dz, is
// approximated by expanding F to second order about its minimum z_hat:
//     L(theta) = F(theta, z_hat) + 1/2 log det H,   H = d2F/dz2 at z_hat
// (the (2 pi)^(q/2) of the Gaussian integral cancels the prior's). It is
// exact when the rows' likelihood is normal in z (a linear mixed model).
// Writing the effects through their scales, as lme4 does, keeps L smooth
// where a scale reaches 0 (the effects then drop out and H = I).
//
// Flat effects (rt::Effect::flat: REML's fixed effects beta) have no prior:
// F adds z'Dz / 2 with D_jj = 0 for them, and the integral over beta against
// Lebesgue measure leaves (2 pi)^(p/2) uncancelled, so
//     L(theta) = F(theta, z_hat) + 1/2 log det H - (p/2) log(2 pi),
// for a linear mixed model exactly the REML criterion (the ML one plus
// 1/2 log det(X'V^-1 X) - (p/2) log(2 pi), as lme4's and glmmTMB's).
//
// When every effect is profiled (rt::Effect::profiled: group parameters
// maximized over, interp::profile_group_parameters), L is the profile
// likelihood's NLL, min_z NLL(theta, z): no prior, no log det, and its
// gradient is dNLL/dtheta at z_hat (the envelope theorem: dNLL/dz = 0 there).
#pragma once

#include <Eigen/Core>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/effect_factor.hpp"
#include "runtime/evaluator.hpp"
#include "runtime/gaussian_rows.hpp"
#include "runtime/inverse_ahead.hpp"

namespace mlec::rt {

// How the inner minimization over z ended: `not_a_minimum` is a stationary
// point where H is not positive definite (an integrand that is not
// log-concave in z there, such as one with two modes).
enum class InnerStatus { converged, not_finite, no_descent, iteration_limit, not_a_minimum };

// What computes the rows' part of F: the evaluator's joint sweep, or, for a
// linear mixed model, its cross-products (runtime/gaussian_rows: the same
// numbers, faster) when GaussianRows::detect finds one.
enum class LaplaceRows { automatic, sweep };

class Laplace {
public:
    // `evaluator` in Coordinates::parameters_and_effects; it must outlive this.
    explicit Laplace(Evaluator& evaluator, LaplaceRows rows = LaplaceRows::automatic);

    // L(theta); +inf when the inner minimization fails (inner_status() says
    // how). `gradient_next`: the caller asks for the gradient at these modes
    // next (value_gradient, minimize_linear), whose selected inverse may then
    // start on another thread.
    double value(const Eigen::VectorXd& theta, bool gradient_next = false);
    // L(theta) and its exact gradient, by implicit differentiation: with
    // P = H^-1 and phi = 1/2 tr(P H) differentiated at P fixed,
    //     dL/dtheta = dF/dtheta + dphi/dtheta - H_z,theta' H^-1 dphi/dz,
    // since dz_hat/dtheta = -H^-1 H_z,theta and dF/dz = 0 at z_hat. The
    // evaluator must have every third partial (third_partials_missing()).
    double value_gradient(const Eigen::VectorXd& theta, Eigen::VectorXd& gradient);
    // ... and its Hessian in theta, central differences of that gradient.
    double value_gradient_hessian(const Eigen::VectorXd& theta, Eigen::VectorXd& gradient, Eigen::MatrixXd& hessian);
    // L(theta), its gradient, and each coordinate's curvature |d2L/dtheta_a^2|
    // for scaling, at a fraction of the Hessian's cost: exact in the linear
    // coordinates (below), elsewhere a one-sided difference of the gradient.
    double curvature_diagonal(const Eigen::VectorXd& theta, Eigen::VectorXd& gradient, Eigen::VectorXd& diagonal);
    // For a linear mixed model (GaussianRows): the coordinates of theta
    // that are its fixed effects b, in which L is exactly quadratic, with a
    // Hessian independent of b. Empty for any other model.
    const std::vector<int>& linear_coordinates() const;
    // L minimized over the coordinates `b` of theta (some of
    // linear_coordinates()), the others held: one exact Newton step from
    // theta's b, written into theta. Returns L there, and its gradient when
    // `gradient` is given (zero in b but for rounding); +inf when the inner
    // minimization fails or L is not strictly convex in b.
    double minimize_linear(Eigen::VectorXd& theta, const std::vector<int>& b, Eigen::VectorXd* gradient);
    // The op whose third partials the gradient would need and which has
    // none (a distribution function); empty when the gradient is exact.
    std::string_view third_partials_missing() const { return evaluator_.missing_third_partials(); }

    // The next inner minimization starts from z = 0, as the first does (not
    // from the last modes): an optimization that starts over computes what
    // it would have from the beginning.
    void forget_modes() { z_.setZero(); }
    // The conditional modes z_hat of the last value(), and how many Newton
    // steps found them.
    const Eigen::VectorXd& modes() const { return z_; }
    InnerStatus inner_status() const { return status_; }
    // Where a failed inner minimization failed: the coordinate of z with the
    // least curvature (H not positive definite) or the largest gradient
    // (no descent, the iteration limit); -1 when none or not known.
    int failed_effect() const { return failed_effect_; }
    // The entries of H^-1 at the modes of the last value() on H's pattern
    // (Evaluator::effect_pattern): the modes' conditional covariance, as
    // lme4's condVar gives it (conditional on theta).
    std::vector<double> inverse_on_pattern() const;
    // The columns of H^-1 at the modes of the last value() for the
    // coordinates `z` (by solves: the entries off H's pattern too), and
    // their block.
    Eigen::MatrixXd inverse_columns(const std::vector<int>& z) const;
    // H^-1 B for the last factored H.
    Eigen::MatrixXd solve(const Eigen::MatrixXd& b) const;
    // H_z,theta at the modes of the last value() (effect_size x parameters).
    const Eigen::MatrixXd& cross() const { return derivatives_.ztheta; }
    bool profile() const { return profile_; }
    Eigen::MatrixXd inverse_block(const std::vector<int>& z) const;
    int inner_iterations() const { return iterations_; }
    // At the modes of the last value(): the sweep's derivatives in z (H_zz
    // on the pattern, H_z,theta) and the factor of H = H_zz + I, which
    // adaptive quadrature centers and scales its rule with.
    const EffectDerivatives& derivatives() const { return derivatives_; }
    const EffectFactor& factor() const { return factor_; }
    // Whether the rows are a linear mixed model's cross-products.
    bool gaussian() const { return gaussian_ != nullptr; }

private:
    // Minimizes F(theta, .) from z_ (the last modes: a warm start); leaves
    // the factor of H at the modes.
    InnerStatus minimize(const Eigen::VectorXd& theta, double& f);
    // F is quadratic in z (a linear mixed model): H is the same everywhere,
    // so one factorization and Newton steps from the warm start find z_hat.
    InnerStatus minimize_quadratic(const Eigen::VectorXd& theta, double& f);
    // The rows' NLL and derivatives at (theta, z), by the sweep or the
    // cross-products.
    double rows(const Eigen::VectorXd& theta, const Eigen::VectorXd& z, Eigen::VectorXd& gradient,
                EffectDerivatives& derivatives, bool hessian, bool cross);
    double inner_value(const Eigen::VectorXd& theta, const Eigen::VectorXd& z);
    // Waits for inverse_ahead_ and drops it: before H's factor changes, or
    // another selected inverse uses its workspace.
    void settle_inverse_ahead() const;
    // L's part beyond F(theta, z_hat) for the last factored H.
    double log_determinant_term() const;
    // L's gradient at the modes of the last value() (implicit derivatives).
    void gradient_at_modes(const Eigen::VectorXd& theta, Eigen::VectorXd& gradient);
    // L's Hessian in the linear coordinates `b` at the last value()'s theta,
    // and H^-1 F_zb into `solved`.
    Eigen::MatrixXd linear_hessian(const std::vector<int>& b, Eigen::MatrixXd* solved = nullptr) const;

    // F's prior term z'Dz / 2 and its gradient Dz.
    double prior_value(const Eigen::VectorXd& z) const { return 0.5 * z.dot(prior_.cwiseProduct(z)); }

    Evaluator& evaluator_;
    std::unique_ptr<GaussianRows> gaussian_;
    Eigen::VectorXd prior_;  // D's diagonal
    double flat_count_ = 0;  // p, the flat effects
    bool profile_ = false;   // every effect profiled
    EffectFactor factor_;
    Eigen::VectorXd z_;
    // The sweep at z_hat: F's gradient in theta and the derivatives in z.
    Eigen::VectorXd gradient_theta_;
    EffectDerivatives derivatives_;
    // The selected inverse of the last factored H, computed on another
    // thread while the modes are polished, when the gradient will read it
    // and the evaluator has more than one thread; the gradient helps with
    // what is left (runtime/inverse_ahead). The same numbers as computed
    // here. Declared after factor_, so destroyed (and waited for) before
    // it.
    mutable InverseAhead inverse_ahead_;
    bool gradient_next_ = false;
    // The point and gradient of the last evaluation, when it computed one
    // (value_gradient, minimize_linear's): a Hessian there starts from it.
    // Dropped by the next evaluation.
    std::optional<std::pair<Eigen::VectorXd, Eigen::VectorXd>> last_gradient_;
    // minimize_linear's step in b and polish of the modes run beside that
    // selected inverse, whose top then keeps to one thread (the other core
    // is the polish's); elsewhere its wide products take both.
    bool polish_beside_inverse_ = false;
    InnerStatus status_ = InnerStatus::converged;
    int iterations_ = 0;
    int failed_effect_ = -1;
};

}  // namespace mlec::rt

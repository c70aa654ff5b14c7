#include "runtime/laplace.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <utility>

#include "runtime/difference_hessian.hpp"

namespace mlec::rt {

namespace {

constexpr int max_inner_iterations = 100;
// Armijo's sufficient decrease along the Newton direction.
constexpr double sufficient_decrease = 1e-4;
constexpr double smallest_step = 1e-10;

// F's rounding level, as optim::rounding_level says for an objective: the
// Newton decrement below it is noise.
double rounding_level(double f) { return 16 * std::numeric_limits<double>::epsilon() * std::max(std::abs(f), 1.0); }

// The coordinate of H = H_zz + I (lower triangle on the pattern) with the
// least diagonal: where the integrand is least convex.
int least_curvature(const EffectPattern& pattern, const std::vector<double>& zz) {
    int worst = -1;
    double least = std::numeric_limits<double>::infinity();
    for (std::size_t j = 0; j + 1 < pattern.col_start.size(); ++j)
        for (int k = pattern.col_start[j]; k < pattern.col_start[j + 1]; ++k)
            if (pattern.row[static_cast<std::size_t>(k)] == static_cast<int>(j) &&
                zz[static_cast<std::size_t>(k)] + 1 < least) {
                least = zz[static_cast<std::size_t>(k)] + 1;
                worst = static_cast<int>(j);
            }
    return worst;
}

int largest(const Eigen::VectorXd& g) {
    Eigen::Index at = -1;
    if (g.size() > 0) g.cwiseAbs().maxCoeff(&at);
    return static_cast<int>(at);
}

// D's diagonal: 1 for a spherical effect's coordinates, 0 for a flat one's.
Eigen::VectorXd prior_diagonal(const Graph& graph) {
    Eigen::VectorXd d = Eigen::VectorXd::Ones(graph.effect_size());
    for (const Effect& e : graph.effects())
        if (e.flat) d.segment(e.first, e.levels).setZero();
    return d;
}

}  // namespace

Laplace::Laplace(Evaluator& evaluator, LaplaceRows rows)
    : evaluator_(evaluator), gaussian_(rows == LaplaceRows::automatic ? GaussianRows::detect(evaluator) : nullptr),
      prior_(prior_diagonal(evaluator.graph())), flat_count_(static_cast<double>((prior_.array() == 0).count())),
      factor_(evaluator.effect_pattern(), std::vector<double>(prior_.begin(), prior_.end())),
      z_(Eigen::VectorXd::Zero(evaluator.effects().size())) {
    const auto& effects = evaluator.graph().effects();
    profile_ =
        !effects.empty() && std::all_of(effects.begin(), effects.end(), [](const Effect& e) { return e.profiled; });
}

double Laplace::inner_value(const Eigen::VectorXd& theta, const Eigen::VectorXd& z) {
    evaluator_.set_effects(z);
    return (gaussian_ ? gaussian_->nll(theta, z) : evaluator_.nll(theta)) + prior_value(z);
}

double Laplace::rows(const Eigen::VectorXd& theta, const Eigen::VectorXd& z, Eigen::VectorXd& gradient,
                     EffectDerivatives& derivatives, bool hessian, bool cross) {
    evaluator_.set_effects(z);
    if (gaussian_) return gaussian_->nll_effects(theta, z, gradient, derivatives, hessian, cross);
    return evaluator_.nll_effects(theta, gradient, derivatives, hessian, cross);
}

InnerStatus Laplace::minimize_quadratic(const Eigen::VectorXd& theta, double& f) {
    Eigen::VectorXd z = z_.allFinite() ? z_ : Eigen::VectorXd::Zero(z_.size());
    failed_effect_ = -1;
    EffectDerivatives& d = derivatives_;
    double nll = rows(theta, z, gradient_theta_, d, true, false);
    if (!std::isfinite(nll)) return InnerStatus::not_finite;
    // Not positive definite (fixed effects that are not identified): the
    // general method's damping and diagnosis.
    settle_inverse_ahead();
    if (!factor_.factor(d.zz, 0, evaluator_.threads() > 1)) return minimize(theta, f);
    // (the gradient's selected inverse, on another thread while the modes
    // are polished: H no longer changes)
    // (where no thread is to be had, gradient_at_modes computes it)
    if (gradient_next_ && evaluator_.threads() > 1) inverse_ahead_.start(factor_, !polish_beside_inverse_);
    // The second step removes what rounding left of the first's.
    z -= factor_.solve(d.gradient_z + prior_.cwiseProduct(z));
    nll = rows(theta, z, gradient_theta_, d, false, false);
    if (!std::isfinite(nll)) return InnerStatus::not_finite;
    z -= factor_.solve(d.gradient_z + prior_.cwiseProduct(z));
    // (d.zz, H_zz, is the first call's: it does not depend on z)
    nll = rows(theta, z, gradient_theta_, d, false, true);
    if (!std::isfinite(nll)) return InnerStatus::not_finite;
    iterations_ = 2;
    f = nll + prior_value(z);
    z_ = z;
    return InnerStatus::converged;
}

// Newton's method on F(theta, .), which is strictly convex wherever the
// rows' likelihood is log-concave in z (every GLM with a canonical link):
// the full step, halved until F falls by a fair share of what the step
// promised. Where H is not positive definite, the step is damped toward
// the gradient (H + shift I). It stops when the Newton decrement g'H^-1 g,
// twice what the next step can gain, is within F's rounding, and then
// takes that step undamped: Newton converges quadratically, so the modes
// are then as exact as the gradient of F can be computed, which the
// implicit derivatives of L in theta rely on.
InnerStatus Laplace::minimize(const Eigen::VectorXd& theta, double& f) {
    Eigen::VectorXd z = z_.allFinite() ? z_ : Eigen::VectorXd::Zero(z_.size());
    Eigen::VectorXd& gradient_theta = gradient_theta_;
    EffectDerivatives& d = derivatives_;
    bool polish = false;
    failed_effect_ = -1;
    for (iterations_ = 0; iterations_ < max_inner_iterations; ++iterations_) {
        // H_z,theta only where the gradient reads it: at the modes, the
        // polishing step's point.
        const double nll = rows(theta, z, gradient_theta, d, true, polish);
        if (!std::isfinite(nll)) {
            // A warm start from another theta may lie where this theta's
            // likelihood has no value: start again from the prior's mode.
            if (iterations_ == 0 && z.any()) {
                z.setZero();
                --iterations_;
                continue;
            }
            return InnerStatus::not_finite;
        }
        f = nll + prior_value(z);
        const Eigen::VectorXd g = d.gradient_z + prior_.cwiseProduct(z);
        double shift = 0;
        settle_inverse_ahead();
        while (!factor_.factor(d.zz, shift, evaluator_.threads() > 1)) {
            shift = shift == 0 ? 1e-8 : shift * 10;
            if (shift > 1e8) {
                failed_effect_ = least_curvature(evaluator_.effect_pattern(), d.zz);
                return InnerStatus::no_descent;
            }
        }
        if (polish) {
            z_ = z;
            return InnerStatus::converged;
        }
        const Eigen::VectorXd step = -factor_.solve(g);
        const double decrement = -g.dot(step);
        if (decrement <= rounding_level(f)) {
            if (shift > 0) {
                // (stationary, but not a minimum: damping cannot leave it)
                failed_effect_ = least_curvature(evaluator_.effect_pattern(), d.zz);
                return InnerStatus::not_a_minimum;
            }
            z += step;
            polish = true;
            continue;
        }
        double t = 1;
        for (;;) {
            const Eigen::VectorXd trial = z + t * step;
            const double f_trial = inner_value(theta, trial);
            if (f_trial <= f - sufficient_decrease * t * decrement) {
                z = trial;
                break;
            }
            t /= 2;
            if (t < smallest_step) {
                failed_effect_ = largest(g);
                return InnerStatus::no_descent;
            }
        }
    }
    Eigen::VectorXd unused;
    rows(theta, z, unused, d, false, false);
    failed_effect_ = largest(d.gradient_z + prior_.cwiseProduct(z));
    return InnerStatus::iteration_limit;
}

double Laplace::value(const Eigen::VectorXd& theta, bool gradient_next) {
    gradient_next_ = gradient_next;
    last_gradient_.reset();
    double f = 0;
    status_ = gaussian_ ? minimize_quadratic(theta, f) : minimize(theta, f);
    if (status_ != InnerStatus::converged) return std::numeric_limits<double>::infinity();
    return f + log_determinant_term();
}

double Laplace::log_determinant_term() const {
    if (profile_) return 0;
    return 0.5 * factor_.log_determinant() - 0.5 * flat_count_ * std::log(2 * std::numbers::pi);
}

// Central differences of the exact gradient (runtime/difference_hessian);
// for a linear mixed model, only in the coordinates other than the fixed
// effects b, where linear_hessian is exact.
double Laplace::value_gradient_hessian(const Eigen::VectorXd& theta, Eigen::VectorXd& gradient,
                                       Eigen::MatrixXd& hessian) {
    const auto value_gradient = [this](const Eigen::VectorXd& x, Eigen::VectorXd& g) {
        return this->value_gradient(x, g);
    };
    const std::vector<int>& fixed = linear_coordinates();
    std::vector<int> others;
    for (int a = 0; a < static_cast<int>(theta.size()); ++a)
        if (std::find(fixed.begin(), fixed.end(), a) == fixed.end()) others.push_back(a);
    // (from the last evaluation's gradient when it was at theta: the modes
    // and factor are still its)
    const bool known = last_gradient_ && last_gradient_->first.size() == theta.size() && last_gradient_->first == theta;
    const Eigen::VectorXd center = known ? last_gradient_->second : Eigen::VectorXd();
    const double f = difference_hessian(value_gradient, theta, gradient, hessian, others, known ? &center : nullptr);
    if (fixed.empty()) return f;
    if (!std::isfinite(f)) return f;
    // (at theta's modes: difference_hessian evaluates there last)
    const Eigen::MatrixXd block = linear_hessian(fixed);
    for (std::size_t i = 0; i < fixed.size(); ++i)
        for (std::size_t j = 0; j < fixed.size(); ++j)
            hessian(fixed[i], fixed[j]) = block(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
    return f;
}

// difference_hessian's first probe of each coordinate, the center last so
// that the modes are left at theta's.
double Laplace::curvature_diagonal(const Eigen::VectorXd& theta, Eigen::VectorXd& gradient, Eigen::VectorXd& diagonal) {
    const std::vector<int>& linear = linear_coordinates();
    diagonal = Eigen::VectorXd::Zero(theta.size());
    std::vector<std::pair<int, Eigen::VectorXd>> probes;
    for (int a = 0; a < static_cast<int>(theta.size()); ++a) {
        if (std::find(linear.begin(), linear.end(), a) != linear.end()) continue;
        Eigen::VectorXd x = theta, g;
        x[a] += curvature_probe(theta[a]);
        if (std::isfinite(value_gradient(x, g))) probes.emplace_back(a, std::move(g));
    }
    const double f = value_gradient(theta, gradient);
    if (!std::isfinite(f)) return f;
    for (const auto& [a, g] : probes) diagonal[a] = std::abs((g[a] - gradient[a]) / curvature_probe(theta[a]));
    if (!linear.empty()) {
        const Eigen::VectorXd block = linear_hessian(linear).diagonal();
        for (std::size_t i = 0; i < linear.size(); ++i) diagonal[linear[i]] = block[static_cast<Eigen::Index>(i)];
    }
    return f;
}

const std::vector<int>& Laplace::linear_coordinates() const {
    static const std::vector<int> none;
    return gaussian_ && !profile_ ? gaussian_->fixed() : none;
}

// L is quadratic in b, its Hessian there exactly F_bb - F_bz H^-1 F_zb
// (dz_hat/db = -H^-1 F_zb; H does not depend on b nor on z).
Eigen::MatrixXd Laplace::linear_hessian(const std::vector<int>& b, Eigen::MatrixXd* solved) const {
    const std::vector<int>& fixed = gaussian_->fixed();
    const Eigen::MatrixXd rows = gaussian_->fixed_hessian();
    std::vector<Eigen::Index> at(b.size());
    for (std::size_t i = 0; i < b.size(); ++i) at[i] = std::find(fixed.begin(), fixed.end(), b[i]) - fixed.begin();
    const auto n = static_cast<Eigen::Index>(b.size());
    Eigen::MatrixXd cross(derivatives_.ztheta.rows(), n);
    for (Eigen::Index j = 0; j < n; ++j) cross.col(j) = derivatives_.ztheta.col(b[static_cast<std::size_t>(j)]);
    Eigen::MatrixXd h_cross = solve(cross);
    Eigen::MatrixXd block = -cross.transpose() * h_cross;
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j < n; ++j)
            block(i, j) += rows(at[static_cast<std::size_t>(i)], at[static_cast<std::size_t>(j)]);
    if (solved) *solved = std::move(h_cross);
    return block;
}

// One Newton step in b is exact: b + db with db = -A^-1 dL/db, A the
// linear_hessian, and dL/db = dF/db at the modes (log det H does not depend
// on b). The modes move by dz = -H^-1 F_zb db, H's factor unchanged; two
// passes over the rows then remove rounding as minimize_quadratic's do.
double Laplace::minimize_linear(Eigen::VectorXd& theta, const std::vector<int>& b, Eigen::VectorXd* gradient) {
    constexpr double infinity = std::numeric_limits<double>::infinity();
    if (b.empty()) return gradient ? value_gradient(theta, *gradient) : value(theta);
    polish_beside_inverse_ = true;
    const double at_theta = value(theta, gradient != nullptr);
    polish_beside_inverse_ = false;
    if (!std::isfinite(at_theta)) return infinity;
    Eigen::MatrixXd h_cross;
    const Eigen::LLT<Eigen::MatrixXd> a(linear_hessian(b, &h_cross));
    if (a.info() != Eigen::Success) return infinity;
    Eigen::VectorXd g(static_cast<Eigen::Index>(b.size()));
    for (std::size_t i = 0; i < b.size(); ++i) g[static_cast<Eigen::Index>(i)] = gradient_theta_[b[i]];
    const Eigen::VectorXd step = -a.solve(g);
    if (!step.allFinite()) return infinity;
    for (std::size_t i = 0; i < b.size(); ++i) theta[b[i]] += step[static_cast<Eigen::Index>(i)];
    Eigen::VectorXd z = z_ - h_cross * step;
    EffectDerivatives& d = derivatives_;
    double nll = rows(theta, z, gradient_theta_, d, false, false);
    if (!std::isfinite(nll)) return infinity;
    z -= factor_.solve(d.gradient_z + prior_.cwiseProduct(z));
    nll = rows(theta, z, gradient_theta_, d, false, true);
    if (!std::isfinite(nll)) return infinity;
    z_ = z;
    const double l = nll + prior_value(z) + log_determinant_term();
    if (gradient) {
        gradient_at_modes(theta, *gradient);
        last_gradient_.emplace(theta, *gradient);
    }
    return l;
}

void Laplace::settle_inverse_ahead() const { inverse_ahead_.settle(); }

std::vector<double> Laplace::inverse_on_pattern() const {
    settle_inverse_ahead();
    return factor_.selected_inverse(evaluator_.threads() > 1);
}

Eigen::MatrixXd Laplace::inverse_columns(const std::vector<int>& z) const {
    Eigen::MatrixXd out(z_.size(), static_cast<Eigen::Index>(z.size()));
    for (std::size_t j = 0; j < z.size(); ++j) {
        Eigen::VectorXd e = Eigen::VectorXd::Zero(z_.size());
        e[z[j]] = 1;
        out.col(static_cast<Eigen::Index>(j)) = factor_.solve(e);
    }
    return out;
}

Eigen::MatrixXd Laplace::solve(const Eigen::MatrixXd& b) const { return factor_.solve_columns(b); }

Eigen::MatrixXd Laplace::inverse_block(const std::vector<int>& z) const {
    const Eigen::MatrixXd columns = inverse_columns(z);
    Eigen::MatrixXd out(columns.cols(), columns.cols());
    for (Eigen::Index i = 0; i < out.rows(); ++i) out.row(i) = columns.row(z[static_cast<std::size_t>(i)]);
    return out;
}

double Laplace::value_gradient(const Eigen::VectorXd& theta, Eigen::VectorXd& gradient) {
    const double l = value(theta, true);
    if (std::isfinite(l)) {
        gradient_at_modes(theta, gradient);
        last_gradient_.emplace(theta, gradient);
    }
    return l;
}

void Laplace::gradient_at_modes(const Eigen::VectorXd& theta, Eigen::VectorXd& gradient) {
    if (profile_) {
        gradient = gradient_theta_;
        return;
    }
    const std::vector<double> p =
        inverse_ahead_.running() ? inverse_ahead_.get() : factor_.selected_inverse(evaluator_.threads() > 1);
    evaluator_.set_effects(z_);
    Eigen::VectorXd phi_theta, phi_z;
    if (gaussian_) gaussian_->trace_gradient(theta, z_, p, phi_theta, phi_z);
    else evaluator_.trace_gradient(theta, p, phi_theta, phi_z);
    gradient = gradient_theta_ + phi_theta;
    // (phi_z is 0 for a linear mixed model, whose H does not depend on z)
    if (phi_z.any()) gradient -= derivatives_.ztheta.transpose() * factor_.solve(phi_z);
}

}  // namespace mlec::rt

// What the phases of fit() share, private to api/: the problem, the options,
// the result being filled, and what each phase learns about the estimate.
//
// fit() runs, in order (inference/fit.cpp):
//   check the start            (fit_start.cpp)     a finite log-likelihood and gradient
//   optimize                   (fit_start.cpp)     from one start or several
//   assess the curvature       (fit_curvature.cpp) the scaled Hessian at the estimate
//   probe for divergence       (fit_divergence.cpp) and, when found, the limit fit
//   decide the status          (fit_curvature.cpp) converged, not identified, ...
//   standard errors, intervals (fit_curvature.cpp, fit_intervals.cpp)
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "inference/divergence.hpp"
#include "inference/fixed_parameters.hpp"
#include "optim/fixed_coordinates.hpp"
#include "optim/objective.hpp"
#include "optim/optimize.hpp"
#include "optim/scaled_hessian.hpp"
#include "problem/impl.hpp"

namespace mlec::inference {

// The compiled NLL as the optimizer sees it.
class ProblemObjective final : public optim::Objective {
public:
    explicit ProblemObjective(const Problem& p) : p_(p) {}
    int dimension() const override { return p_.dimension(); }
    double value(const Eigen::VectorXd& x) override { return p_.nll(x); }
    double value_gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) override { return p_.nll_gradient(x, g); }
    double value_gradient_hessian(const Eigen::VectorXd& x, Eigen::VectorXd& g, Eigen::MatrixXd& h) override {
        return p_.nll_gradient_hessian(x, g, h);
    }

private:
    const Problem& p_;
};

// Every phase works on the estimated coordinates of theta: those
// FitOptions::fixed does not hold. `objective` is the NLL over them (the
// full NLL with the held coordinates at their values), and every vector
// and matrix below is in its coordinates; full() gives theta.
struct FitContext {
    FitContext(const Problem& problem, const FitOptions& options, FitResult& result, const ParameterValues& values);

    const Problem& problem;
    const Problem::Impl& p;
    const FitOptions& options;
    FitResult& r;
    ProblemObjective full_objective;
    optim::FixedCoordinates objective;
    optim::OptimizeOptions optimize_options;
    const std::vector<interp::Estimand>& estimands;
    int k = 0;  // parameters estimated (coordinates of the objective)

    Eigen::VectorXd start;
    // sqrt|H_ii| at the start: each coordinate's curvature before the
    // optimizer moved (0 where there was none).
    Eigen::VectorXd start_curvature;

    // The estimate: theta, the NLL, its gradient and Hessian there.
    Eigen::VectorXd theta;
    double nll = 0;
    Eigen::VectorXd gradient;
    Eigen::MatrixXd hessian;
    optim::ScaledHessian curvature;
    // Row i: the gradient in theta of estimand i at theta (the delta
    // method's input).
    Eigen::MatrixXd jacobian;

    // The ParameterEstimate of estimand i (in r.parameters or r.derived).
    ParameterEstimate& estimate_of(std::size_t i);
    // Fills r.parameters / r.derived with the estimands' values at `at`, and
    // `jacobian` with their gradients.
    void fill_estimates(const Eigen::VectorXd& at);
    // Computes the NLL, gradient, Hessian and curvature at `theta`.
    void evaluate_at_estimate();
    // Each coordinate's probe unit (inference/divergence.hpp): 1 on a bounded
    // parameter's log or logit scale; for an unbounded one sqrt(n) / d_i
    // with d_i the larger of its start and final curvature scales, a change
    // that moves the model by about one per-observation unit (for a
    // coefficient of a logistic regression, about 2 / rms(x)).
    Eigen::VectorXd probe_units() const;
    // Coordinate i is a bounded parameter's log or logit scale.
    std::vector<bool> bounded() const;
    // What the divergence probes need (inference/divergence.hpp).
    inference::ProbeSetup probe_setup() const;
    // The parameter of coordinate i, and its name.
    const interp::ParameterInfo& parameter(int coordinate) const;
    const std::string& name(int coordinate) const;
    // theta from the estimated coordinates x (the held ones at their
    // values), and a direction in theta from one in x (0 in the held ones).
    Eigen::VectorXd full(const Eigen::VectorXd& x) const { return objective.full(x); }
    Eigen::VectorXd full_direction(const Eigen::VectorXd& d) const { return objective.full(d, 0.0); }
    // The estimated coordinate that is estimand i's coordinate of theta
    // (Estimand::coordinate), or -1: none, or a held one.
    int coordinate_of(const interp::Estimand& estimand) const;
    // Estimand `est` is a parameter that is a random effect's standard
    // deviation with lower bound 0 (ParameterEstimate::random_scale).
    bool random_scale(const interp::Estimand& est) const;

private:
    std::vector<std::size_t> slot_;   // estimand i -> its index in r.parameters or r.derived
    std::vector<int> position_;       // theta's coordinate -> its estimated coordinate, or -1 when held
    std::vector<double> held_value_;  // ParameterValues::value
};

// ---- phases ---------------------------------------------------------------

// Why the fit cannot start (the log-likelihood or its gradient is not
// finite at the start values), or nothing.
std::optional<std::string> start_failure(FitContext& c);
// Minimizes from the start (and from random starts with options.starts > 1),
// fills r.trace, r.starts and r.optima, and returns the best run.
optim::OptimizeResult optimize(FitContext& c);

// Why the Laplace approximation's inner minimization failed at the last
// point evaluated, naming the random effect and level; nothing when it did
// not fail, or failed for a non-finite likelihood (the rows say why).
std::optional<std::string> laplace_failure(const Problem::Impl& p);

// With random effects: their conditional modes and SDs at the estimate
// (FitResult::random_effects; inference/conditional_modes.cpp).
void conditional_modes(FitContext& c);

// REML's fixed effects (interp::IntegratedParameter), which are no
// coordinates of theta: their estimates inserted into r.parameters at their
// places, with standard errors conditional on theta when r has a maximum;
// n_params, AIC and BIC count them (inference/integrated_estimates.cpp).
void add_integrated_estimates(const Problem& problem, FitResult& r);

// The profiled group parameters' entries with no finite estimate at theta
// (inference/profiled_divergence.cpp): z's coordinate, the direction the
// likelihood rises along (+1, -1) and where the inner Newton stopped.
struct ProfiledDivergence {
    int z = -1;
    int direction = 0;
    double last_value = 0;
};
std::vector<ProfiledDivergence> profiled_divergence(const Problem::Impl& p, const Eigen::VectorXd& theta);
// The fit's result when some are: status diverged, those entries without
// an estimate (ParameterEstimate::diverging, or NaN when the likelihood does
// not depend on them), the others conditional on their limits, and a
// divergence diagnostic naming them.
void report_profiled_divergence(const Problem& problem, FitResult& r, const std::vector<ProfiledDivergence>& diverging);

// After a fit by the Laplace approximation: a laplace_inaccurate diagnostic
// where it is likely poor (inference/laplace_accuracy.cpp).
void check_laplace_accuracy(FitContext& c);

// A singular fit (inference/fit_singular.cpp): the estimated coordinates
// that are a random effect's standard deviation written as one parameter
// with lower bound 0 (`random u[g] ~ normal(0, s)`, `param s > 0`, or a
// positive multiple of it), of an independent effect (not a correlated
// block's).
std::vector<int> random_scale_coordinates(const FitContext& c);
// ... and those of a correlated block's standard deviations.
std::vector<int> block_scale_coordinates(const FitContext& c);
// The coordinates of theta a singular fit holds: SDs at 0, canonical
// partial correlations (CPCs) of correlated effects at +-1 (`signs`), and
// the CPCs that those leave without effect on the likelihood (or that the
// Cholesky factor of a singular matrix puts at 0), at 0.
struct SingularHolds {
    std::vector<int> zero_scales;
    std::vector<int> unit_cpcs;
    std::vector<int> signs;
    std::vector<int> idle_cpcs;
    bool empty() const { return zero_scales.empty() && unit_cpcs.empty(); }
};
// After evaluate_at_estimate: the boundaries `opt` is on its way to (an SD
// near 0, a CPC near +-1, whose coordinate the curvature determines to no
// better than a factor 20 in s, or +-3 in atanh(CPC)) where holding them
// fits as well, for a refit that holds them (hold_on_boundary); empty if none.
SingularHolds singular_holds(FitContext& c, const optim::OptimizeResult& opt);
// Whether `x`, with `hessian` there, is on its way to such a boundary: an
// SD or CPC coordinate that singular_holds would consider.
bool near_boundary(const FitContext& c, const Eigen::VectorXd& x, const Eigen::MatrixXd& hessian);
// When the divergence probes found `direction` (in probe units) and every
// coordinate that moves along it is an SD going to 0 or a CPC going to
// +-1 (a boundary the first fit did not come near enough to be a
// candidate), those as holds, if they fit as well; empty otherwise.
SingularHolds boundary_divergence(FitContext& c, const optim::OptimizeResult& opt, const Eigen::VectorXd& direction);
void hold_on_boundary(ParameterValues& values, const SingularHolds& holds);
// In the refit, after fill_estimates: per estimand, false for those the
// holds leave without a delta-method standard error (a correlation at +-1,
// or not identified); standard errors and profiles skip them.
std::vector<bool> off_boundary(FitContext& c, const SingularHolds& holds);
// In the refit: the boundary entries (an SD 0 and at_zero, a correlation
// +-1, both at_boundary, with a one-sided profile interval when the fit
// converged; a correlation of an SD at 0 not_identified, NaN), a
// singular_fit diagnostic each, and their count in the parameters, AIC and
// BIC. Returns theta when the profile met a better point than the
// boundary (then it was no maximum: refit).
std::optional<Eigen::VectorXd> report_singular(FitContext& c, const SingularHolds& holds);

// Where the scaled Hessian has a nearly flat direction, Newton's steps go
// on until no step lowers the NLL at working precision: a direction that is
// flat (a*b when only the product is identified) shows a small eigenvalue
// of the size of the remaining gradient, which vanishes only at the
// optimum itself. Updates the estimate and `opt` when that converged.
void polish_near_flat(FitContext& c, optim::OptimizeResult& opt);

// True when the estimate may be a point on the way to infinity rather than
// a maximum (docs/cli.md, "No finite maximum").
bool may_diverge(const FitContext& c, const optim::OptimizeResult& opt);
// Reports a divergence (status, message, diagnostics) and, when the
// likelihood tends to a finite limit, estimates the parameters that stay
// finite by the limit fit.
void report_divergence(FitContext& c, const inference::Divergence& divergence);

// Sets the status, message and curvature diagnostics of a fit that did not
// diverge.
void decide_status(FitContext& c, const optim::OptimizeResult& opt);
// Standard errors (delta method) and Wald intervals from the covariance of
// theta; estimands for which `identified` is false keep none.
void standard_errors(FitContext& c, const Eigen::MatrixXd& theta_covariance, const std::vector<bool>& identified);
// A diagnostic when the model reproduces the data to their round-off (a
// normal scale at the rounding level of the outcome).
void note_exact_fit(FitContext& c);

// Profile intervals of every estimand marked in `which`, on `objective`
// (the full NLL, or the limit fit's) whose coordinates are `coordinates`
// (theta's index of each of its coordinates); `at` is its minimum. Returns
// a better point when profiling met one.
std::optional<Eigen::VectorXd> profile_intervals(FitContext& c, optim::Objective& objective, const Eigen::VectorXd& at,
                                                 double nll, const std::vector<int>& coordinates,
                                                 const Eigen::MatrixXd& theta_covariance,
                                                 const std::vector<bool>& which);

// A combination of parameters, such as "1*a - 1*b", from a direction on the
// raw scale: parameters whose share of the scaled direction is below 5%
// (FitThresholds::direction_share) are left out, the rest printed with their raw coefficients relative to
// the largest.
std::string describe_direction(const FitContext& c, const Eigen::VectorXd& raw, const Eigen::VectorXd& scaled);

}  // namespace mlec::inference

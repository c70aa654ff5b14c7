// fit(): minimize the NLL, then read the curvature at the optimum — standard
// errors, intervals, and the diagnoses (divergence, a flat direction) that
// decide whether the numbers may be called estimates at all. The phases are
// in inference/fit_*.cpp (inference/fit_context.hpp lists them).
#include <algorithm>
#include <cmath>
#include <limits>

#include "inference/bootstrap.hpp"
#include "inference/fit_context.hpp"
#include "inference/fit_thresholds.hpp"
#include "mlec/mlec.hpp"
#include "problem/distributed.hpp"
#include "report/number_format.hpp"

namespace mlec {

bool FitOptions::is_valid(std::string* why) const {
    auto bad = [&](const char* text) {
        if (why) *why = text;
        return false;
    };
    if (max_iterations < 1) return bad("max_iterations must be at least 1");
    if (!(tolerance > 0) || !std::isfinite(tolerance)) return bad("tolerance must be a positive number");
    if (!(confidence > 0 && confidence < 1)) return bad("confidence must be between 0 and 1");
    if (starts < 1) return bad("starts must be at least 1");
    if (bootstrap < 0) return bad("bootstrap must not be negative");
    return true;
}

namespace inference {

namespace {

constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();

// The rows where an indicator (a node of data only) is 1, on every rank.
std::optional<std::size_t> rows_marked(const Problem::Impl& p, int node) {
    if (node < 0) return std::nullopt;
    const Eigen::VectorXd theta = Eigen::VectorXd::Zero(p.model.graph.parameter_count());
    const std::vector<double> values = p.evaluator().node_values(theta, node);
    std::size_t n = 0;
    if (values.size() == 1 && p.model.graph.node(node).row_invariant) n = values[0] == 1 ? p.rows : 0;
    else n = static_cast<std::size_t>(std::count(values.begin(), values.end(), 1.0));
    if (p.collective) n = problem::count_rows(*p.collective, n).total_rows;
    return n;
}

// What censored(...) and T[...] did, per statement.
void describe_censoring(const Problem::Impl& p, FitResult& r) {
    for (const interp::TermInfo& t : p.model.terms) {
        if (!t.censoring && t.truncation.empty()) continue;
        CensoringSummary s;
        s.statement = t.text;
        s.truncation = t.truncation;
        if (t.censoring) {
            s.right = rows_marked(p, t.censoring->right);
            s.left = rows_marked(p, t.censoring->left);
            s.interval = rows_marked(p, t.censoring->interval);
        }
        r.censoring.push_back(std::move(s));
    }
}

// What the report says about the problem itself, whatever the fit finds.
void describe_problem(const Problem::Impl& p, FitResult& r) {
    describe_censoring(p, r);
    r.model_name = p.model_name;
    r.data_name = p.data_name;
    r.n_obs = p.total_rows;
    r.rows_dropped = p.rows_dropped;
    r.weight = p.model.weight;
    r.n_weighted = p.weight_total;
    r.reml = !p.model.integrated.empty() && !p.model.integrated.front().profiled;
    for (const Diagnostic& w : p.model.warnings) r.warnings.push_back(w.message);
    r.notes = p.model.notes;
    if (p.rows_dropped > 0)
        r.notes.push_back(std::to_string(p.rows_dropped) + " of " + std::to_string(p.total_rows + p.rows_dropped) +
                          " rows were dropped for a missing value in a column the model uses (--na drop)");
}

// Nothing was fitted: no log-likelihood, AIC or BIC to show (NaN is
// printed as n/a and written as null, never as a number).
void not_fitted(FitContext& c, FitStatus status, std::string message) {
    c.r.status = status;
    c.r.message = std::move(message);
    c.r.log_likelihood = c.r.aic = c.r.bic = not_a_number;
    c.r.gradient_norm = c.r.newton_decrement = not_a_number;
    c.fill_estimates(c.start);
}

void check_gradient_at(FitContext& c, const Eigen::VectorXd& at, const char* where) {
    c.r.gradient_checks.push_back(check_gradient(c.problem, c.full(at), where));
}

void gradient_check_diagnostics(FitContext& c) {
    for (const GradientCheck& g : c.r.gradient_checks)
        c.r.diagnostics.push_back(FitDiagnostic{
            .kind = DiagnosticKind::gradient_check,
            .message = "gradient check at the " + g.where +
                       ": largest difference between the exact gradient and finite differences " +
                       report::format_digits(g.max_abs_error, 3) + " (relative " +
                       report::format_digits(g.max_rel_error, 3) + (g.parameter.empty() ? "" : ", in " + g.parameter) +
                       ")",
            .parameters = g.parameter.empty() ? std::vector<std::string>{} : std::vector<std::string>{g.parameter},
            .columns = {}});
}

// Where a fit starts, and what it holds beyond FitOptions::fixed.
struct FitStart {
    std::optional<Eigen::VectorXd> theta;  // theta; none: the start values
    SingularHolds holds;                   // theta's coordinates held on a boundary (a singular fit)
    optim::OptimizeResult before;          // a run before this fit's (its iterations count too)
};

FitResult fit_from(const Problem& problem, const FitOptions& options, const FitStart& from,
                   std::optional<Eigen::VectorXd>& better);

// The fit with `holds` (random effects' scales the first fit drove to 0,
// correlations to +-1) held there, from the first fit's start: the
// divergence probes compare the estimate with the start, and the first fit
// may have stopped far out on a ray (a separation) that they must see.
FitResult singular_fit(const Problem& problem, const FitOptions& options, const FitContext& first,
                       const optim::OptimizeResult& opt, SingularHolds holds, std::optional<Eigen::VectorXd>& better) {
    FitResult r = fit_from(problem, options, FitStart{first.full(first.start), std::move(holds), opt}, better);
    r.trace.insert(r.trace.begin(), first.r.trace.begin(), first.r.trace.end());
    return r;
}

// One fit from `from`. A better optimum met while profiling comes back in
// `better` (theta) for the caller to refit from.
FitResult fit_from(const Problem& problem, const FitOptions& options, const FitStart& from,
                   std::optional<Eigen::VectorXd>& better) {
    FitResult r;
    std::string why;
    std::optional<ParameterValues> values;
    if (options.is_valid(&why)) {
        Diagnostics mistakes;
        values = resolve_parameter_values(problem, options, mistakes);
        if (!values) why = mistakes.front().message;
    }
    const bool valid = values.has_value();
    if (!valid)
        values = ParameterValues{
            std::vector<bool>(static_cast<std::size_t>(problem.dimension()), false), problem.start(), {}};
    else hold_on_boundary(*values, from.holds);
    FitContext c(problem, options, r, *values);
    describe_problem(c.p, r);
    if (!valid) {
        c.start = c.objective.reduce(values->start);
        not_fitted(c, FitStatus::invalid_options, "invalid fit options: " + why);
        return r;
    }
    c.start = c.objective.reduce(from.theta ? *from.theta : values->start);
    if (auto failure = start_failure(c)) {
        not_fitted(c, FitStatus::non_finite_start, std::move(*failure));
        return r;
    }
    if (options.check_gradient) check_gradient_at(c, c.start, "start");

    optim::OptimizeResult opt = optimize(c);
    opt.iterations += from.before.iterations;
    opt.evaluations += from.before.evaluations;
    c.theta = opt.x;
    r.theta = c.full(opt.x);
    r.iterations = opt.iterations;
    r.evaluations = opt.evaluations;
    r.method = opt.method_used == optim::Method::lbfgs ? Method::lbfgs : Method::newton;
    if (!std::isnan(opt.lbfgs_f))
        r.notes.push_back("L-BFGS stopped at a worse point (log-likelihood " + report::format_digits(-opt.lbfgs_f, 10) +
                          "), a local maximum or a stall of its approximate curvature; the result is Newton's "
                          "from the same start");
    if (!std::isnan(opt.saddle_f))
        r.notes.push_back("L-BFGS stopped at a point that is not a maximum (log-likelihood " +
                          report::format_digits(-opt.saddle_f, 10) +
                          "): a saddle, or a plateau its parameters ran out onto; the fit went on from a better "
                          "point beside it");
    if (!std::isnan(opt.newton_f))
        r.notes.push_back("Newton's method stopped at a point that is not a maximum (log-likelihood " +
                          report::format_digits(-opt.newton_f, 10) +
                          "), where no step raises the likelihood; the result is L-BFGS's from the same start, "
                          "confirmed by Newton");
    r.seed = options.seed;
    c.fill_estimates(c.theta);
    if (options.check_gradient) {
        check_gradient_at(c, c.theta, "estimate");
        gradient_check_diagnostics(c);
    }
    c.evaluate_at_estimate();
    polish_near_flat(c, opt);
    if (from.holds.empty() && opt.status != optim::OptimizeStatus::cancelled)
        if (SingularHolds holds = singular_holds(c, opt); !holds.empty())
            return singular_fit(problem, options, c, opt, std::move(holds), better);

    if (opt.status != optim::OptimizeStatus::cancelled && may_diverge(c, opt)) {
        if (auto divergence = inference::find_divergence(c.objective, c.theta, c.start, c.curvature, c.probe_setup())) {
            // (a variance component running to its boundary is an estimate there)
            if (from.holds.empty())
                if (SingularHolds holds = boundary_divergence(c, opt, divergence->direction); !holds.empty())
                    return singular_fit(problem, options, c, opt, std::move(holds), better);
            report_divergence(c, *divergence);
            report_singular(c, from.holds);
            return r;
        }
    }
    decide_status(c, opt);
    // Only a maximum has an information criterion.
    if (!found_maximum(r)) r.aic = r.bic = std::numeric_limits<double>::quiet_NaN();
    if (r.status == FitStatus::converged) {
        const Eigen::MatrixXd covariance = c.curvature.inverse();
        // (a singular fit's boundary entries get theirs, none, from
        // report_singular; their rows of the covariance are 0, as a held
        // parameter's)
        standard_errors(c, covariance, std::vector<bool>(c.estimands.size(), true));
        const std::vector<bool> estimable = off_boundary(c, from.holds);
        note_exact_fit(c);
        if (options.bootstrap > 0) {
            std::vector<ParameterEstimate*> targets;
            for (std::size_t i = 0; i < c.estimands.size(); ++i) targets.push_back(&c.estimate_of(i));
            parametric_bootstrap(c.p, options, c.full(c.theta), values->held, c.optimize_options, c.probe_units(),
                                 targets, r);
        }
        if (options.ci == CiMethod::profile) {
            std::vector<int> coordinates(static_cast<std::size_t>(c.k));
            for (int i = 0; i < c.k; ++i) coordinates[static_cast<std::size_t>(i)] = i;
            if (auto at = profile_intervals(c, c.objective, c.theta, c.nll, coordinates, covariance, estimable)) {
                better = c.full(*at);
                return r;
            }
        }
    }
    if (r.status == FitStatus::converged) {
        conditional_modes(c);
        check_laplace_accuracy(c);
    }
    better = report_singular(c, from.holds);
    return r;
}

}  // namespace

// ---- FitContext -------------------------------------------------------------

FitContext::FitContext(const Problem& problem_, const FitOptions& options_, FitResult& result,
                       const ParameterValues& values)
    : problem(problem_), p(problem_.impl()), options(options_), r(result), full_objective(problem_),
      objective(full_objective, values.held, values.start), estimands(p.model.estimands), k(objective.dimension()) {
    held_value_ = values.value;
    position_.assign(values.held.size(), -1);
    for (int i = 0; i < k; ++i)
        position_[static_cast<std::size_t>(objective.free_coordinates()[static_cast<std::size_t>(i)])] = i;
    optimize_options.method = options.method == Method::newton  ? optim::Method::newton
                              : options.method == Method::lbfgs ? optim::Method::lbfgs
                                                                : optim::Method::automatic;
    optimize_options.max_iterations = options.max_iterations;
    optimize_options.tolerance = options.tolerance;
    // (the Laplace approximation's Hessian is central differences of its
    // gradient: 2k gradients, each an inner solve)
    optimize_options.expensive_hessian = p.workspace.laplace != nullptr;
    r.data_columns = problem.data_columns();
    r.n_params = k;
    r.confidence = options.confidence;
    for (std::size_t i = 0, parameters = 0, derived = 0; i < estimands.size(); ++i)
        slot_.push_back(estimands[i].derived ? derived++ : parameters++);
    start_curvature = Eigen::VectorXd::Zero(k);
}

ParameterEstimate& FitContext::estimate_of(std::size_t i) {
    return estimands[i].derived ? r.derived[slot_[i]] : r.parameters[slot_[i]];
}

std::vector<bool> FitContext::bounded() const {
    std::vector<bool> out;
    for (int i = 0; i < k; ++i) out.push_back(!parameter(i).bounds.unbounded());
    return out;
}

inference::ProbeSetup FitContext::probe_setup() const { return inference::ProbeSetup{probe_units(), bounded()}; }

const interp::ParameterInfo& FitContext::parameter(int coordinate) const {
    return p.model
        .parameters[static_cast<std::size_t>(objective.free_coordinates()[static_cast<std::size_t>(coordinate)])];
}

const std::string& FitContext::name(int coordinate) const { return parameter(coordinate).name; }

int FitContext::coordinate_of(const interp::Estimand& estimand) const {
    return estimand.coordinate >= 0 ? position_[static_cast<std::size_t>(estimand.coordinate)] : -1;
}

bool FitContext::random_scale(const interp::Estimand& est) const {
    if (est.derived || est.coordinate < 0 || est.bounds.lower != 0) return false;
    for (const interp::RandomEffect& e : p.model.random_effects)
        if (e.scale_parameter == est.node) return true;
    return false;
}

void FitContext::fill_estimates(const Eigen::VectorXd& at) {
    r.parameters.clear();
    r.derived.clear();
    jacobian.resize(static_cast<Eigen::Index>(estimands.size()), k);
    Eigen::VectorXd grad;
    const Eigen::VectorXd theta_at = full(at);
    for (std::size_t i = 0; i < estimands.size(); ++i) {
        const interp::Estimand& est = estimands[i];
        ParameterEstimate e;
        e.name = est.name;
        e.estimate = p.evaluator().invariant_gradient(theta_at, est.node, grad);
        // (no free coordinates: a row of a k = 0 matrix is a block of a null
        // pointer, undefined behaviour even though empty)
        if (k > 0) jacobian.row(static_cast<Eigen::Index>(i)) = objective.reduce(grad).transpose();
        e.implicit = est.implicit;
        e.random_scale = random_scale(est);
        e.fixed = est.coordinate >= 0 && coordinate_of(est) < 0;
        if (e.fixed) e.estimate = held_value_[static_cast<std::size_t>(est.coordinate)];
        e.bounds = ParameterBounds{.lower = est.bounds.lower, .upper = est.bounds.upper, .simplex = est.simplex};
        (est.derived ? r.derived : r.parameters).push_back(e);
    }
}

void FitContext::evaluate_at_estimate() {
    nll = objective.value_gradient_hessian(theta, gradient, hessian);
    const Eigen::VectorXd fallback = start_curvature.unaryExpr([](double d) { return d > 0 ? d : 1.0; });
    curvature = optim::scale_hessian(hessian, optim::curvature_scale(hessian, fallback));
    r.log_likelihood = -nll;
    r.gradient_norm = k > 0 ? gradient.cwiseAbs().maxCoeff() : 0.0;
    r.newton_decrement = curvature.newton_decrement(gradient);
    if (curvature.positive_definite()) r.hessian_condition = curvature.condition();
    r.aic = 2.0 * k + 2.0 * nll;
    r.bic = k * std::log(std::max(r.n_weighted, 1.0)) + 2.0 * nll;
}

Eigen::VectorXd FitContext::probe_units() const {
    const double per_observation = std::sqrt(std::max(p.weight_total, 1.0));
    Eigen::VectorXd unit = Eigen::VectorXd::Ones(k);
    for (int i = 0; i < k; ++i) {
        if (!parameter(i).bounds.unbounded()) continue;
        double d = start_curvature[i];
        if (hessian.rows() == k) {
            const double final_scale = std::sqrt(std::abs(hessian(i, i)));
            if (std::isfinite(final_scale)) d = std::max(d, final_scale);
        }
        if (d > 0 && std::isfinite(per_observation / d)) unit[i] = per_observation / d;
    }
    return unit;
}

}  // namespace inference

FitResult fit(const Problem& problem, const FitOptions& options) {
    std::optional<Eigen::VectorXd> better;
    FitResult r = inference::fit_from(problem, options, {}, better);
    // Profiling can find a point better than the optimizer's: refit from
    // there (a few times at most) and say so.
    for (int restart = 0; restart < inference::FitThresholds::profile_restarts && better; ++restart) {
        const double before = r.log_likelihood;
        const Eigen::VectorXd from = *better;
        better.reset();
        r = inference::fit_from(problem, options, inference::FitStart{from, {}, {}}, better);
        r.notes.push_back("profiling found a better optimum than the first fit (log-likelihood " +
                          report::format_digits(before, 10) + "); the fit was restarted from it");
    }
    const auto diverging = inference::profiled_divergence(problem.impl(), r.theta);
    inference::add_integrated_estimates(problem, r);
    inference::report_profiled_divergence(problem, r, diverging);
    return r;
}

}  // namespace mlec

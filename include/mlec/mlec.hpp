// mlec's public API: parse a model, read data, bind them into a compiled
// negative log-likelihood, fit it, and report the result. Expected failures
// (a malformed model, bad data, a fit that does not converge) are returned as
// values with positioned diagnostics; nothing here prints or exits.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mlec/diagnostic.hpp"

namespace mlec {

// A parsed model file, not yet bound to data.
class Model {
public:
    Model(Model&&) noexcept;
    Model& operator=(Model&&) noexcept;
    ~Model();

    // `name` is how diagnostics refer to the model (usually its path).
    static std::optional<Model> from_text(std::string text, std::string name, Diagnostics& diagnostics);
    static std::optional<Model> from_file(const std::string& path, Diagnostics& diagnostics);

    struct Impl;
    const Impl& impl() const { return *impl_; }

private:
    explicit Model(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// A data table: a CSV file (memory-mapped) whose columns are parsed when a
// model says which it needs, or columns in memory.
class Data {
public:
    Data(Data&&) noexcept;
    Data& operator=(Data&&) noexcept;
    ~Data();

    static std::optional<Data> from_csv_file(const std::string& path, Diagnostics& diagnostics);
    static std::optional<Data> from_csv_text(std::string text, std::string name, Diagnostics& diagnostics);
    // The rows of several CSV files (shards of one data set) one after
    // another, in the order given; each file is read whole, with the rules
    // of from_csv_file (one path: exactly from_csv_file). Every file must
    // have the header of the first. Messages name a row within its own file
    // ("row 5 of part-2.csv"); reports name the data by the files
    // ("a.csv, b.csv, c.csv", or "a.csv, ..., z.csv (12 files)").
    static std::optional<Data> from_csv_files(const std::vector<std::string>& paths, Diagnostics& diagnostics);
    // Columns already in memory (another program's arrays, NumPy buffers):
    // `columns[k]` holds the rows of column `names[k]`. They are NOT copied:
    // each must outlive this Data and every Problem bound to it. All must
    // have the same number of rows; names must be distinct and non-empty.
    // A missing value is NaN (an error unless BindOptions::drop_missing); a
    // group column holds whole numbers (its levels, in ascending order) or
    // any numbers (levels in order of first appearance). `name` is how
    // diagnostics refer to the table; they name the row and column.
    static std::optional<Data> from_columns(std::vector<std::string> names,
                                            std::vector<std::span<const double>> columns, std::string name,
                                            Diagnostics& diagnostics);
    // The same with labelled columns (a pandas Categorical, an R factor):
    // where `labels[k]` is not empty, column k holds codes 1..K into it (NaN
    // for a missing value), and is a group column whose levels are the
    // labels, in their order, as a CSV column of those texts would be (a
    // labelled column read as numbers is the CSV's data error). `labels`
    // has one entry per column, or none.
    static std::optional<Data> from_columns(std::vector<std::string> names,
                                            std::vector<std::span<const double>> columns,
                                            std::vector<std::vector<std::string>> labels, std::string name,
                                            Diagnostics& diagnostics);

    const std::vector<std::string>& column_names() const;

    struct Impl;
    const Impl& impl() const { return *impl_; }

private:
    friend class Cluster;  // a rank's part of distributed data (mlec/distributed.hpp)
    explicit Data(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

struct BindOptions {
    // A missing value (an empty cell or NA) in a column the model uses is a
    // data error by default; with drop_missing its row is left out, and
    // Problem::rows_dropped() says how many were.
    bool drop_missing = false;
    // Threads evaluating the likelihood (0: all cores). Results are
    // identical for every count: blocks of rows have fixed boundaries and
    // their sums are added in a fixed order.
    int threads = 0;
    // REML (restricted maximum likelihood), for normal models: the fixed
    // effects — the parameters that enter the normal means linearly and
    // are not a random effect's scale or correlation — are integrated out
    // with the random effects, as lmer's REML = TRUE. They are then no
    // parameters of the Problem; FitResult reports them with standard
    // errors conditional on the variance parameters (docs/language.md,
    // "REML"). A model where that is not defined is refused at binding.
    bool reml = false;
    // Random effects are integrated out by the Laplace approximation (1),
    // or by adaptive Gauss-Hermite quadrature with this many nodes per
    // level and dimension (lme4's nAGQ; 2 to 100): for a model whose random
    // effects are all on one grouping column, at most 3 per level
    // (docs/language.md, "Random effects"); binding refuses others, and a
    // model without random effects.
    int agq_nodes = 1;
};

// A model bound to data: names resolved, columns loaded and checked, and the
// negative log-likelihood compiled. theta is the optimizer's unconstrained
// vector (bounded parameters enter through a transform; see docs/).
class Problem {
public:
    Problem(Problem&&) noexcept;
    Problem& operator=(Problem&&) noexcept;
    // Keeps a pointer to `model`: the Model must outlive the Problem.
    ~Problem();

    static std::optional<Problem> bind(const Model& model, const Data& data, Diagnostics& diagnostics,
                                       const BindOptions& options = {});

    int dimension() const;
    std::size_t observations() const;  // rows used
    std::size_t rows_dropped() const;  // rows left out for a missing value
    std::vector<std::string> parameter_names() const;
    std::vector<std::string> data_columns() const;  // the columns the model uses
    // The outcome of each sampling statement (`~`) as written, without
    // whitespace ("log(y)"), in model order; `target +=` has none.
    std::vector<std::string> outcomes() const;
    Eigen::VectorXd start() const;  // unconstrained start values
    // theta mapped to the parameters' own scale, coordinate by coordinate
    // (x = lo + exp(u) for x > lo, ...; docs/c_api.md). A simplex's
    // coordinates stay the log ratios log(w[k] / w[1]), k = 2..K (named so
    // by parameter_names), not its weights: those are softmax(0, u_2, ...,
    // u_K), and FitResult::parameters lists them.
    Eigen::VectorXd to_user_scale(const Eigen::VectorXd& theta) const;

    // Non-error findings of binding (a parameter one edit from a column, an
    // unused declaration) and notes (stable forms chosen, implied bounds).
    const Diagnostics& warnings() const;
    const std::vector<std::string>& notes() const;

    // The compiled NLL, exact derivatives. +inf outside the domain.
    // const: an evaluation fills a workspace inside the Problem (buffers,
    // the last Hessian) but changes nothing any call returns, so a const
    // Problem can be fitted. Not for two threads at once: one Problem
    // evaluates on one thread at a time (bind one Problem per thread).
    double nll(const Eigen::VectorXd& theta) const;
    double nll_gradient(const Eigen::VectorXd& theta, Eigen::VectorXd& gradient) const;
    double nll_gradient_hessian(const Eigen::VectorXd& theta, Eigen::VectorXd& gradient,
                                Eigen::MatrixXd& hessian) const;

    struct Impl;
    const Impl& impl() const { return *impl_; }
    Impl& impl() { return *impl_; }

private:
    explicit Problem(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

enum class Method { automatic, newton, lbfgs };

// How intervals are computed: Wald (estimate +- z SE, on the optimizer's
// scale for bounded parameters) or profile likelihood (docs/cli.md).
enum class CiMethod { wald, profile };

// The names the reports, the C API and the Python module give them:
// "auto", "newton", "lbfgs"; "wald", "profile".
std::string_view to_string(Method method);
std::string_view to_string(CiMethod ci);

struct IterationInfo {
    int iteration = 0;
    double nll = 0;
    double gradient_norm = 0;
    double step = 0;
};

// A value for one parameter entry, named as the reports name it ("sigma",
// "beta[2]", "effect[red]"), on the parameter's own scale.
struct ParameterValue {
    std::string name;
    double value = 0;
};

struct FitOptions {
    Method method = Method::automatic;  // Newton up to 50 parameters, else L-BFGS
    // Newton iterations (L-BFGS: 10x, then Newton's own). Generous: hard nonlinear
    // problems need over a thousand where a long curved valley keeps the trust
    // region small (NIST's MGH17 and MGH10 from their first starts: about 1,200
    // and 1,900); a fit that converges takes far fewer, so the limit costs
    // time only on fits that would fail anyway.
    int max_iterations = 3000;
    // Converged when the estimate is within this many standard errors of
    // the maximum: the Newton decrement g' H^-1 g is at most tolerance^2
    // (docs/cli.md, "Convergence"); the same in any units.
    double tolerance = 1e-8;
    double confidence = 0.95;  // level of the intervals
    CiMethod ci = CiMethod::wald;
    // Parametric bootstrap: simulate this many data sets from the fit,
    // refit each, and give percentile intervals (0: off). Replicate b uses
    // the random stream (seed, b), so results do not depend on timing.
    int bootstrap = 0;
    std::function<void(int done, int total)> on_bootstrap;  // progress
    std::function<void(int done, int total)> on_profile;    // progress of --ci profile
    // Multi-start: the given start values, then starts - 1 random ones, each
    // coordinate of the optimizer's vector uniform within +-2 probe units of
    // the given start (a unit of a bounded parameter's log or logit scale;
    // for an unbounded one, a change that moves the model by about one
    // per-observation unit: docs/cli.md). The same seed gives the same result.
    int starts = 1;
    std::uint64_t seed = 1;
    // Called after every iteration; return false to cancel the fit.
    std::function<bool(const IterationInfo&)> on_iteration;
    // Compare the exact gradient with finite differences at the start and
    // at the estimate (FitResult::gradient_checks).
    bool check_gradient = false;
    // Parameters held at a value, not estimated (bbmle's `fixed=`): the fit
    // maximizes over the others, the reports list these as fixed (no
    // standard error or interval), and n_params, AIC and BIC count only the
    // estimated parameters (bbmle's logLik df). Simulation, prediction and
    // the bootstrap use the fixed values. check_parameter_values says what
    // may be named.
    std::vector<ParameterValue> fixed;
    // Start values in place of the model's (`param mu = 3`; bbmle's
    // `start=`): the first start begins there, and random starts
    // (starts > 1) are drawn around it.
    std::vector<ParameterValue> start;

    // True when the options make sense; otherwise `why` says what is wrong.
    bool is_valid(std::string* why = nullptr) const;
};

// A distinct optimum reached from several starts.
struct Optimum {
    double log_likelihood = 0;
    int starts = 0;  // how many starts ended there
};

// A sampling statement with censored(...) or T[...] (docs/language.md,
// "Censoring and truncation"): how many rows each indicator marks, over all
// rows (every rank's). A key the statement does not give is empty.
struct CensoringSummary {
    std::string statement;  // as written
    std::optional<std::size_t> right;
    std::optional<std::size_t> left;
    std::optional<std::size_t> interval;
    std::string truncation;  // "T[0, ]" as written; empty: not truncated
};

// A random effect's conditional modes (`random u[g] ~ ...`, integrated out
// by the Laplace approximation): per level of g, the mode of u given the
// data at the estimate, and its conditional standard deviation, the square
// root of the diagonal of H^-1 (H the Hessian of the integrand in the
// effects) scaled to u: lme4's `ranef(condVar = TRUE)`, conditional on the
// estimated parameters (it leaves their uncertainty out, as lme4 does).
struct RandomEffectLevel {
    std::string level;  // the level's label in the data
    double mode = 0;
    double std_error = 0;
};
struct RandomEffectModes {
    std::string name;                       // u
    std::string column;                     // g
    std::vector<RandomEffectLevel> levels;  // in the order of the levels (docs/language.md, "Parameters")
};

// What a fit found (docs/cli.md, "Statuses"). Only `converged` is a clean
// success: a finite maximum with a standard error for every estimate.
enum class FitStatus {
    converged,           // a finite maximum, found to the tolerance, every standard error given
    not_identified,      // a maximum, but the likelihood is flat along some direction: those
                         // parameters' standard errors are withheld
    not_a_maximum,       // the optimizer stopped where the likelihood is not a local maximum
    diverged,            // no finite maximum: the likelihood keeps rising to infinity
    max_iterations,      // stopped at the iteration limit
    line_search_failed,  // no step improved the likelihood, yet the point is not an optimum
    non_finite_start,    // the log-likelihood is not finite at the start values
    cancelled,           // the iteration callback stopped the fit
    invalid_options,     // FitOptions::is_valid failed; nothing was fitted
};

std::string_view to_string(FitStatus status);

// A quantity's bounds on its own scale: the open interval (lower, upper),
// an end infinite where there is none (a derived quantity has none). A
// simplex's weights are each in (0, 1), and sum to 1.
struct ParameterBounds {
    double lower = -std::numeric_limits<double>::infinity();
    double upper = std::numeric_limits<double>::infinity();
    bool simplex = false;  // one of a simplex's weights
};

struct ParameterEstimate {
    std::string name;
    double estimate = 0;
    // Absent when the Hessian at the estimate cannot be inverted.
    std::optional<double> std_error;
    std::optional<double> z;
    std::optional<double> p_value;
    std::optional<double> ci_lower;
    std::optional<double> ci_upper;
    bool implicit = false;   // an undeclared free name
    ParameterBounds bounds;  // the reports show "", "> 0", "(0, 1)", "< 5" or "simplex"
    bool diverging = false;  // part of the direction along which the fit diverges
    int direction = 0;       // +1 / -1: where a diverging parameter goes
    // Its limit: +inf, -inf, or the bound it approaches (such as 0); NaN
    // unless diverging. limit_text gives the reports' text ("+inf", "0").
    double diverges_to = std::numeric_limits<double>::quiet_NaN();
    // A diverging parameter has no estimate: `estimate` is NaN, and this is
    // where the optimizer stopped (for messages, never an estimate).
    double last_value = std::numeric_limits<double>::quiet_NaN();
    // After a divergence, the parameters that stay finite are estimated by
    // the limit fit (the model with the diverging ones at their limit); their
    // estimates, standard errors and intervals are conditional on that limit.
    bool conditional_on_limit = false;
    // Held at its value by FitOptions::fixed: `estimate` is that value, and
    // there is no standard error, interval or bootstrap for it.
    bool fixed = false;
    // A random effect's standard deviation estimated at 0, on the boundary
    // of its parameter space (a singular fit, DiagnosticKind::singular_fit):
    // `estimate` is 0, there is no standard error (curvature at a boundary
    // is not the estimate's precision), and the interval is the profile's,
    // one-sided: [0, ci_upper].
    bool at_zero = false;
    // Integrated out of the likelihood (BindOptions::reml: a fixed effect):
    // `estimate` is its conditional mode given the other parameters (the
    // GLS estimate), the standard error conditional on them, as lmer's, and
    // the interval a Wald interval.
    bool integrated = false;
    // Estimated on the boundary of its parameter space, where the maximum
    // is (a singular fit, DiagnosticKind::singular_fit): a random effect's
    // standard deviation at 0 (at_zero too), or a correlation of correlated
    // random effects at -1 or 1 (their correlation matrix singular).
    // `estimate` is the bound and there is no standard error (curvature at a
    // boundary is not the estimate's precision); the interval, when there is
    // one, is the profile's, one-sided: [0, ci_upper], [ci_lower, 1] or
    // [-1, ci_upper].
    bool at_boundary = false;
    // A correlation of correlated random effects that a singular fit leaves
    // without an estimate: one of its two effects has standard deviation 0,
    // so the likelihood does not depend on it (the singular_fit diagnostic
    // says which). `estimate` is NaN, with no standard error or interval.
    bool not_identified = false;
    // A random effect's standard deviation (`random u[g] ~ normal(0, s)`,
    // `param s > 0`): 0 is in its parameter space, on the boundary.
    bool random_scale = false;
    // Profile intervals: an open side has no end short of the quantity's
    // own bound (the value in ci_lower / ci_upper, possibly infinite).
    bool ci_lower_open = false;
    bool ci_upper_open = false;
    // The profile: (value, 2 (NLL - NLL at the estimate)), for plots.
    std::vector<std::pair<double, double>> profile;
    // Parametric bootstrap: percentile interval and standard deviation of
    // the replicates' estimates.
    std::optional<double> boot_lower, boot_upper, boot_se;
};

// The text of a diverging parameter's limit (ParameterEstimate::diverges_to)
// as the reports show it: "+inf", "-inf", or the bound to 6 significant
// digits ("0"); "" for NaN (no limit).
std::string limit_text(double limit);

// What a fit diagnostic is about (docs/cli.md describes each); to_string
// gives the name the reports, the C API and the Python module use
// ("separation", ...).
enum class DiagnosticKind {
    separation,             // a separating direction of the data, checked row by row (status diverged)
    divergence,             // no finite maximum, without a separation to show (status diverged)
    limit_fit,              // the finite parameters estimated with the diverging ones at their limit
    on_bound,               // a parameter runs to a finite bound: the bound itself is the estimate
    flat_direction,         // the likelihood is flat along a direction (status not_identified)
    not_positive_definite,  // negative curvature: not a maximum (status not_a_maximum)
    ill_conditioned,        // standard errors may have lost digits to rounding
    domain_edge,            // every step that would raise the likelihood leaves its domain
    exact_fit,              // a normal scale at the rounding level of the outcome: the data fitted exactly
    gradient_check,         // the exact gradient against finite differences (FitOptions::check_gradient)
    singular_fit,           // an SD of random effects at 0, or their correlation at +-1 (the bound is the estimate)
    laplace_inaccurate,  // the Laplace approximation is likely poor here: adaptive quadrature differs, or binary data
};

std::string_view to_string(DiagnosticKind kind);

// A finding about the fit, by kind: what a careful statistician checks
// after every fit (docs/cli.md lists the kinds).
struct FitDiagnostic {
    DiagnosticKind kind = DiagnosticKind::divergence;
    std::string message;
    std::vector<std::string> parameters;  // the parameters involved
    std::vector<std::string> columns;     // the data columns involved
};

// The exact gradient against central finite differences (Richardson
// extrapolated) at one point.
struct GradientCheck {
    std::string where;         // "start" or "estimate"
    double max_abs_error = 0;  // max_i |exact_i - fd_i|
    double max_rel_error = 0;  // max_i |exact_i - fd_i| / max(1, |fd_i|)
    std::string parameter;     // where the largest relative discrepancy is
};

GradientCheck check_gradient(const Problem& problem, const Eigen::VectorXd& theta, std::string where);

struct FitResult {
    FitStatus status = FitStatus::max_iterations;
    bool converged = false;
    std::string message;  // one sentence: what happened, in the user's terms

    std::vector<ParameterEstimate> parameters;
    std::vector<ParameterEstimate> derived;  // `report` quantities, delta-method errors
    Eigen::MatrixXd covariance;              // user scale; empty when unavailable
    Eigen::MatrixXd theta_covariance;        // optimizer's scale (inverse Hessian); empty when unavailable
    double log_likelihood = 0;
    // NaN unless the fit found a maximum (status converged or not_identified):
    // a point on the way to infinity, or where the optimizer gave up, has no
    // information criterion.
    double aic = 0;
    double bic = 0;
    std::size_t n_obs = 0;         // rows used
    std::size_t rows_dropped = 0;  // for a missing value (BindOptions::drop_missing)
    // With a `weight` statement (frequency weights: a row of weight w stands
    // for w identical observations), its expression as written and the sum
    // of the weights, the number of observations BIC counts; without one,
    // "" and n_obs.
    std::string weight;
    double n_weighted = 0;
    // Censored and truncated statements; n_obs counts their rows as any
    // other's, and log_likelihood includes their censored contributions.
    std::vector<CensoringSummary> censoring;
    int n_params = 0;  // parameters estimated: the coordinates of theta, less those held fixed
    int iterations = 0;
    int evaluations = 0;
    // The optimizer whose result this is: Method::newton or Method::lbfgs,
    // never automatic; empty when nothing was fitted.
    std::optional<Method> method;
    double gradient_norm = 0;  // max |dNLL/dtheta| at the estimate (optimizer's scale)
    // The convergence measure: g' H^-1 g at the estimate (its square root is
    // the distance to the maximum in standard errors).
    double newton_decrement = 0;
    // Of the Hessian at the estimate equilibrated to unit diagonal (the
    // same in any units); when it is positive definite.
    std::optional<double> hessian_condition;
    double confidence = 0.95;
    CiMethod ci_method = CiMethod::wald;

    // Divergence (status == diverged): the log-likelihood's limit along the
    // diverging direction.
    std::optional<double> log_likelihood_limit;

    int starts = 1;
    std::vector<Optimum> optima;   // with several starts: best first
    int bootstrap_replicates = 0;  // refits that converged and did not run off (used in the intervals)
    int bootstrap_failed = 0;      // refits that did not converge or ran off (left out)
    std::uint64_t seed = 1;
    Eigen::VectorXd theta;             // the estimate on the optimizer's (unconstrained) scale
    std::vector<IterationInfo> trace;  // the iterations of the first start's optimization

    std::string model_name;
    std::string data_name;
    // Bound with BindOptions::reml: log_likelihood is the REML (restricted)
    // log-likelihood, the fixed effects integrated out.
    bool reml = false;
    std::vector<std::string> data_columns;
    // With random effects and status converged: their conditional modes,
    // and the spherical effects' modes z_hat (the graph's order) that
    // conditional predictions use.
    std::vector<RandomEffectModes> random_effects;
    Eigen::VectorXd effect_modes;
    std::vector<FitDiagnostic> diagnostics;
    std::vector<GradientCheck> gradient_checks;  // with FitOptions::check_gradient
    std::vector<std::string> warnings;           // everything a careful user should read
    std::vector<std::string> notes;
};

// Whether FitOptions::fixed and FitOptions::start name the problem's
// parameters with values they can take; each mistake is an error (Category
// usage, naming the model) in `diagnostics`: a name that is no parameter
// entry (with "did you mean"), a whole vector (its entries are named one by
// one: "b[2]"), a simplex's weight (its weights sum to 1, so none can be
// held alone), a `report` quantity, a value that is not finite or not
// strictly inside the parameter's bounds, a name fixed twice or given two
// starts, and a name both fixed and given a start. fit() checks the same
// and returns status invalid_options with the first error's message.
bool check_parameter_values(const Problem& problem, const FitOptions& options, Diagnostics& diagnostics);

FitResult fit(const Problem& problem, const FitOptions& options = {});

// The mlec command's exit code for a fit (mlec/exit_codes.h; README, "Exit
// codes"): 0 only for FitStatus::converged; 5 for not_identified (estimates
// without all standard errors); 1 for invalid_options (a usage error); 4 for
// every other status (no maximum was found, or none exists).
// The C API and the Python module use the same rule.
int exit_code(const FitResult& result);

// True when the fit found a maximum (status converged or not_identified):
// only then are its log-likelihood, AIC and BIC those of a maximum.
bool found_maximum(const FitResult& result);

// With random effects, simulate draws new effects for every level by
// default, from their fitted distribution (lme4's simulate, use.u = FALSE);
// with fitted_effects, it draws given the fitted levels' conditional modes
// (use.u = TRUE), so only the rows' noise is new.
struct SimulateOptions {
    bool fitted_effects = false;
};

// New outcomes drawn from the fitted model (mlec simulate): a CSV with the
// columns the model uses, in the data file's order, the outcomes of its
// sampling statements replaced by draws at the estimate. Refuses a fit that
// did not converge, and models with `target +=` or mixture terms.
std::optional<std::string> simulate_csv(const Problem& problem, const FitResult& fit, std::uint64_t seed,
                                        Diagnostics& diagnostics, const SimulateOptions& options = {});

// SVG pictures of a fit (mlec --plot DIR): the convergence trace (NLL and
// gradient norm by iteration) and, for every parameter and reported
// quantity with a profile (FitOptions::ci = profile), its profile
// likelihood with the interval marked. (file name, SVG document) pairs.
std::vector<std::pair<std::string, std::string>> plot_files(const FitResult& fit);

// How predict treats random effects: conditional on the fitted levels'
// modes (lme4's default, re.form = NULL), or at the population level, every
// effect 0 (lme4's re.form = NA).
struct PredictOptions {
    bool population = false;
};

// Predictions on new rows (mlec predict): for every sampling statement, the
// expected value of its outcome per row (and the linear predictor of a
// logit or log link), each with a delta-method standard error, as CSV.
// `newdata` needs the columns the model uses except the outcomes; group
// levels are matched by name to those of the data the model was fitted to.
// With random effects, a conditional prediction has no standard error yet
// (NA, and a warning in `diagnostics` says why); a population-level one has
// the delta method's from the parameters. The Model that `problem` was
// bound from must still exist.
std::optional<std::string> predict_csv(const Problem& problem, const FitResult& fit, const Data& newdata,
                                       Diagnostics& diagnostics, const PredictOptions& options = {});

// Several models fitted to the same data, compared (mlec compare).
struct ModelComparison {
    struct Row {
        std::string model;
        int n_params = 0;
        // NaN for a model without a maximum (found_maximum), which takes no
        // part in the weights and tests.
        double log_likelihood = 0;
        double aic = 0, aicc = 0, bic = 0;
        double delta_aic = 0;
        double akaike_weight = 0;
        bool converged = false;
        bool has_maximum = false;
        std::string status;  // the fit's (to_string(FitStatus))
    };
    struct LikelihoodRatio {
        std::string smaller, larger;
        double statistic = 0;  // 2 (logL_larger - logL_smaller)
        int df = 0;
        double p_value = 1;
        std::string nesting;  // how nesting was established or that it was assumed
        // The larger model's one extra parameter is a random effect's SD,
        // which the smaller model puts on its boundary 0: the statistic is
        // then a 50:50 mixture of chi-square(0) and chi-square(1) (Self &
        // Liang 1987; Stram & Lee 1994), and p_value (chi-square(1)) is
        // conservative; this is the mixture's, p_value / 2. With several
        // extra SDs `boundary` says p_value is conservative, without a
        // mixture p-value (its weights depend on the information matrix).
        std::optional<double> p_value_boundary;
        std::string boundary;
    };
    std::size_t n_obs = 0;
    std::vector<Row> rows;               // in the order given
    std::vector<LikelihoodRatio> tests;  // consecutive models by parameter count, when nested
    std::vector<std::string> warnings;
};

// `fits` in the order given, with each model's parameter names, and
// `outcomes[i]` the outcomes of the Problem fits[i] came from
// (Problem::outcomes). Errors come back in `diagnostics`: models whose
// outcomes differ from the first's (a model error: their likelihoods are
// densities of different things), or fitted to different numbers of rows
// (a data error). A model without a maximum (found_maximum) is listed with
// its status but left out of the Akaike weights and likelihood-ratio tests.
std::optional<ModelComparison> compare(const std::vector<FitResult>& fits,
                                       const std::vector<std::vector<std::string>>& outcomes, Diagnostics& diagnostics);
std::string text_report(const ModelComparison& comparison);
std::string json_report(const ModelComparison& comparison);

// The report in text (a table, like R's summary) and as JSON (docs/json.md).
std::string text_report(const FitResult& result);
std::string json_report(const FitResult& result);

}  // namespace mlec

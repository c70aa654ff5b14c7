/* mlec's C API: the C++ API of mlec/mlec.hpp behind opaque handles, for C
 * programs and foreign-function interfaces (Python's ctypes, R's .Call).
 * docs/c_api.md is the reference; the rules in brief:
 *
 * - Errors. A function that creates a handle takes `mlec_error** err`
 *   (which may be NULL). On failure it returns NULL and, when err is not
 *   NULL, stores a new error in *err (the caller frees it with
 *   mlec_error_free); on success it stores NULL there. No C++ exception ever
 *   leaves this API: an unexpected one becomes an error with code
 *   MLEC_ERROR_INTERNAL.
 * - Ownership. Every handle is freed by its own *_free function, which
 *   accepts NULL. Strings and arrays returned by accessors belong to the
 *   handle they came from and live as long as it does. A problem keeps its
 *   model and data alive, so they may be freed as soon as it is bound.
 * - NULL safety. Every function accepts NULL for every pointer: it returns
 *   NULL, NaN, 0, "" or an error code as documented, and never crashes.
 * - Threads. Handles may be used from different threads, as long as one
 *   handle is not used by two threads at once (binding uses its model and
 *   data; fitting uses its problem).
 */
#ifndef MLEC_MLEC_H
#define MLEC_MLEC_H

#include <stddef.h>
#include <stdint.h>

#include "mlec/exit_codes.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mlec_error mlec_error;
typedef struct mlec_model mlec_model;
typedef struct mlec_data mlec_data;
typedef struct mlec_problem mlec_problem;
typedef struct mlec_fit mlec_fit;

/* Error codes: the mlec command's exit codes (README.md), plus one for a
 * failure inside mlec itself: MLEC_OK, MLEC_ERROR_USAGE (1), MLEC_ERROR_MODEL
 * (2), MLEC_ERROR_DATA (3), MLEC_ERROR_FIT (4), MLEC_FIT_NOT_IDENTIFIED (5)
 * and MLEC_ERROR_INTERNAL (70), defined in mlec/exit_codes.h. */

/* ---- Errors ---------------------------------------------------------- */

/* One of the MLEC_ERROR_* codes (MLEC_OK for NULL). */
int mlec_error_code(const mlec_error* err);
/* Every diagnostic, formatted as the mlec command prints them:
 * "file:line:col: error: message", the source line and a caret. */
const char* mlec_error_message(const mlec_error* err);
/* The individual diagnostics (errors, and warnings found on the way). */
size_t mlec_error_diagnostic_count(const mlec_error* err);
const char* mlec_error_diagnostic_message(const mlec_error* err, size_t i); /* without position */
const char* mlec_error_diagnostic_file(const mlec_error* err, size_t i);
int mlec_error_diagnostic_line(const mlec_error* err, size_t i);   /* 1-based; 0: no position */
int mlec_error_diagnostic_column(const mlec_error* err, size_t i); /* 1-based, in characters */
void mlec_error_free(mlec_error* err);

/* ---- Models ---------------------------------------------------------- */

/* `name` is how diagnostics refer to the model (NULL: "<model>"). */
mlec_model* mlec_model_from_text(const char* text, const char* name, mlec_error** err);
mlec_model* mlec_model_from_file(const char* path, mlec_error** err);
void mlec_model_free(mlec_model* model);

/* ---- Data ------------------------------------------------------------ */

mlec_data* mlec_data_from_csv_file(const char* path, mlec_error** err);
/* `name` is how diagnostics refer to the data (NULL: "<data>"). */
mlec_data* mlec_data_from_csv_text(const char* text, const char* name, mlec_error** err);
/* Columns already in memory: columns[j][row] for n_columns columns named
 * names[j], each n_rows long. NaN is a missing value. The columns are NOT
 * copied: they must stay valid and unchanged until the data and every
 * problem bound to them have been freed. */
mlec_data* mlec_data_from_columns(const char* const* names, const double* const* columns, size_t n_columns,
                                  size_t n_rows, const char* name, mlec_error** err);
/* The same with labelled columns (an R factor, a pandas Categorical, any
 * coded categories): where labels[j] is not NULL, column j holds codes 1..K
 * into its n_labels[j] texts labels[j][0..K-1] (NaN for a missing value),
 * and is a group column whose levels are those texts in that order, as a CSV
 * column of them would be. labels may be NULL (no labelled column); the
 * labels are copied. */
mlec_data* mlec_data_from_labelled_columns(const char* const* names, const double* const* columns,
                                           const char* const* const* labels, const size_t* n_labels, size_t n_columns,
                                           size_t n_rows, const char* name, mlec_error** err);
size_t mlec_data_column_count(const mlec_data* data);
const char* mlec_data_column_name(const mlec_data* data, size_t i); /* NULL when out of range */
void mlec_data_free(mlec_data* data);

/* ---- Problems: a model bound to data, its compiled likelihood --------- */

typedef struct mlec_bind_options {
    int drop_missing; /* nonzero: leave out rows with a missing value (default 0: error) */
    int threads;      /* threads evaluating the likelihood (default 0: all cores) */
    int reml;         /* nonzero: REML for a normal model, the fixed effects integrated out (default 0: ML) */
    int agq_nodes;    /* random effects by adaptive Gauss-Hermite quadrature, this many nodes per
                         level and dimension (2 to 100; every random effect on one grouping
                         column, at most 3 per level); 0 or 1 (default): the Laplace
                         approximation */
} mlec_bind_options;

mlec_bind_options mlec_bind_options_default(void);

/* `options` may be NULL (the defaults). */
mlec_problem* mlec_bind(const mlec_model* model, const mlec_data* data, const mlec_bind_options* options,
                        mlec_error** err);
void mlec_problem_free(mlec_problem* problem);

/* d, the length of theta: the optimizer's unconstrained vector (a bounded
 * parameter enters through a transform, e.g. sigma = exp(u) for sigma > 0;
 * docs/c_api.md). 0 for NULL. */
int mlec_problem_dimension(const mlec_problem* problem);
const char* mlec_problem_parameter_name(const mlec_problem* problem, int i); /* NULL when out of range */
size_t mlec_problem_observations(const mlec_problem* problem);
size_t mlec_problem_rows_dropped(const mlec_problem* problem);
/* Warnings found while binding, formatted like errors ("" when none). */
const char* mlec_problem_warnings(const mlec_problem* problem);

/* The start values (theta, d entries). Returns an MLEC_* code. */
int mlec_start(const mlec_problem* problem, double* theta);
/* theta mapped to the parameters' own scale (d entries each). */
int mlec_to_user_scale(const mlec_problem* problem, const double* theta, double* user);

/* The negative log-likelihood at theta with exact derivatives: +inf
 * outside the model's domain, NaN for a NULL argument or an internal
 * failure. `gradient` has d entries; `hessian` d * d, column-major. */
double mlec_nll(const mlec_problem* problem, const double* theta);
double mlec_nll_gradient(const mlec_problem* problem, const double* theta, double* gradient);
double mlec_nll_gradient_hessian(const mlec_problem* problem, const double* theta, double* gradient, double* hessian);

/* ---- Fitting --------------------------------------------------------- */

enum { MLEC_METHOD_AUTO = 0, MLEC_METHOD_NEWTON = 1, MLEC_METHOD_LBFGS = 2 };

typedef struct mlec_fit_options {
    int method;         /* MLEC_METHOD_*; AUTO: Newton up to 50 parameters, else L-BFGS */
    int max_iterations; /* Newton iterations (L-BFGS: 10x, then Newton's own); default 3000 */
    double tolerance;   /* converged within this many standard errors of the maximum
                           (Newton decrement <= tolerance^2; docs/cli.md); default 1e-8 */
    double confidence;  /* level of the intervals; default 0.95 */
    int ci_profile;     /* nonzero: profile-likelihood intervals; default 0: Wald */
    int bootstrap;      /* parametric bootstrap replicates; default 0: off */
    int starts;         /* multi-start: the start values plus starts - 1 random ones; default 1 */
    uint64_t seed;      /* for random starts and the bootstrap; default 1 */
    int check_gradient; /* nonzero: compare the gradient with finite differences */
    /* Called after every iteration (may be NULL); return 0 to cancel the
     * fit, which then has status "cancelled". */
    int (*on_iteration)(void* user, int iteration, double nll, double gradient_norm);
    void* user; /* passed to on_iteration */
    /* Parameters held at a value, not estimated (bbmle's fixed=; docs/c_api.md):
     * n_fixed names, as mlec_fit_name gives them ("sigma", "beta[2]"), and
     * their values on the parameters' own scale. The arrays may be NULL when
     * n_fixed is 0 (the default), and are read only during mlec_fit_run. */
    size_t n_fixed;
    const char* const* fixed_names;
    const double* fixed_values;
    /* Start values in place of the model's (bbmle's start=), in the same way. */
    size_t n_start;
    const char* const* start_names;
    const double* start_values;
} mlec_fit_options;

mlec_fit_options mlec_fit_options_default(void);

/* Fits `problem` (options may be NULL: the defaults). A fit that does not
 * converge is still a result (see mlec_fit_status); errors are NULL
 * arguments, invalid options (MLEC_ERROR_USAGE: among them a fixed or start
 * name that is no parameter entry, with "did you mean", or a value outside
 * the parameter's bounds; one diagnostic per mistake) and internal
 * failures. */
mlec_fit* mlec_fit_run(const mlec_problem* problem, const mlec_fit_options* options, mlec_error** err);
void mlec_fit_free(mlec_fit* fit);

/* "converged", "not_identified" (a maximum, but standard errors withheld
 * along a flat direction), "not_a_maximum", "diverged", "max_iterations",
 * "line_search_failed", "non_finite_start" or "cancelled" ("" for NULL). */
const char* mlec_fit_status(const mlec_fit* fit);
int mlec_fit_converged(const mlec_fit* fit);
/* The mlec command's exit code for the fit: MLEC_OK when converged,
 * MLEC_FIT_NOT_IDENTIFIED when some standard errors are withheld, else
 * MLEC_ERROR_FIT (mlec::exit_code). */
int mlec_fit_exit_code(const mlec_fit* fit);
const char* mlec_fit_message(const mlec_fit* fit); /* one sentence: what happened */
double mlec_fit_log_likelihood(const mlec_fit* fit);
/* NaN unless the fit found a maximum (status "converged" or "not_identified"). */
double mlec_fit_aic(const mlec_fit* fit);
double mlec_fit_bic(const mlec_fit* fit);
size_t mlec_fit_observations(const mlec_fit* fit);
/* The sum of the rows' weights (a `weight` statement): the observations they
   stand for, BIC's n; the number of rows without one. */
double mlec_fit_weighted_observations(const mlec_fit* fit);
int mlec_fit_iterations(const mlec_fit* fit);
int mlec_fit_n_params(const mlec_fit* fit); /* parameters estimated: the problem's dimension less those fixed */

/* The table of estimates: the parameter entries on their own scale
 * (indices 0 .. parameter_count - 1; a simplex of K weights has K entries),
 * then the model's `report` quantities (derived_count more). */
size_t mlec_fit_parameter_count(const mlec_fit* fit);
size_t mlec_fit_derived_count(const mlec_fit* fit);
const char* mlec_fit_name(const mlec_fit* fit, size_t i); /* NULL when out of range */
/* NaN when out of range or absent (no estimate for a parameter that
 * diverges; no standard error when the Hessian cannot be inverted).
 * Intervals: Wald or profile, per the options. */
double mlec_fit_estimate(const mlec_fit* fit, size_t i);
double mlec_fit_std_error(const mlec_fit* fit, size_t i);
double mlec_fit_ci_lower(const mlec_fit* fit, size_t i);
double mlec_fit_ci_upper(const mlec_fit* fit, size_t i);
/* For a parameter that diverges (status "diverged"): where the optimizer
 * stopped, which is not an estimate; NaN for every other entry. */
double mlec_fit_last_value(const mlec_fit* fit, size_t i);
/* 1 when the entry's estimate holds only at the limit of the diverging
 * parameters (estimated with them at their limits), else 0. */
int mlec_fit_conditional_on_limit(const mlec_fit* fit, size_t i);
/* 1 when the entry is a random effect's standard deviation estimated at 0
 * (a singular fit, diagnostic "singular_fit"): its estimate is 0, it has no
 * standard error, and its interval is the profile's, [0, upper]; else 0. */
int mlec_fit_at_zero(const mlec_fit* fit, size_t i);
/* 1 when the entry is a fixed effect integrated out by REML (the bind
 * options' reml): its estimate is the conditional mode given the variance
 * parameters, its standard error conditional on them; else 0. */
int mlec_fit_integrated(const mlec_fit* fit, size_t i);
/* 1 when the log-likelihood is the REML one (bound with reml), else 0. */
int mlec_fit_reml(const mlec_fit* fit);
/* 1 when the entry is estimated on the boundary of its parameter space (a
 * singular fit, diagnostic "singular_fit"): a random effect's standard
 * deviation at 0 (mlec_fit_at_zero is 1 too) or a correlation of correlated
 * random effects at -1 or 1; it has no standard error, and its interval,
 * when there is one, is the profile's, one-sided; else 0. */
int mlec_fit_at_boundary(const mlec_fit* fit, size_t i);
/* 1 when the entry is a correlation of correlated random effects that a
 * singular fit leaves without an estimate (one of its effects has standard
 * deviation 0, so the likelihood does not depend on it): mlec_fit_estimate
 * is NaN, with no standard error or interval; else 0. */
int mlec_fit_not_identified(const mlec_fit* fit, size_t i);
/* 1 when the entry is a parameter held at its value by the options'
 * fixed_names (mlec_fit_estimate is that value; it has no standard error
 * or interval), else 0. */
int mlec_fit_fixed(const mlec_fit* fit, size_t i);
/* The covariance of the parameter entries, parameter_count squared,
 * column-major (a fixed entry's row and column are 0); NULL when
 * unavailable. */
const double* mlec_fit_covariance(const mlec_fit* fit);

/* Findings about the fit (docs/cli.md lists the kinds: "separation",
 * "divergence", "on_bound", ...). NULL when out of range. */
size_t mlec_fit_diagnostic_count(const mlec_fit* fit);
const char* mlec_fit_diagnostic_kind(const mlec_fit* fit, size_t i);
const char* mlec_fit_diagnostic_message(const mlec_fit* fit, size_t i);
size_t mlec_fit_warning_count(const mlec_fit* fit);
const char* mlec_fit_warning(const mlec_fit* fit, size_t i);

/* The reports the mlec command prints: JSON (docs/json.md) and text. */
/* Random effects (`random u[g] ~ ...`): for effect e (model order) and its
 * level k (the levels' order, docs/language.md), the conditional mode and
 * SD given the data at the estimate (lme4's ranef(condVar = TRUE); JSON
 * random_effects). Names are NULL and numbers NaN out of range; none
 * without a converged fit. */
size_t mlec_fit_random_effect_count(const mlec_fit* fit);
const char* mlec_fit_random_effect_name(const mlec_fit* fit, size_t e);   /* "u" */
const char* mlec_fit_random_effect_column(const mlec_fit* fit, size_t e); /* "g" */
size_t mlec_fit_random_effect_levels(const mlec_fit* fit, size_t e);
const char* mlec_fit_random_effect_level(const mlec_fit* fit, size_t e, size_t k);
double mlec_fit_random_effect_mode(const mlec_fit* fit, size_t e, size_t k);
double mlec_fit_random_effect_std_error(const mlec_fit* fit, size_t e, size_t k);

const char* mlec_fit_json(const mlec_fit* fit);
const char* mlec_fit_text(const mlec_fit* fit);

#ifdef __cplusplus
}
#endif

#endif /* MLEC_MLEC_H */

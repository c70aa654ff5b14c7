/* The C API, used from C. A plain C program: it stops at the first failed
 * check with a message and exit code 1. Expected values come from closed
 * forms (least squares, the Poisson mean), models/xor.expected.json (R),
 * finite differences and the exact messages of tests/cases. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlec/mlec.h"

#ifndef MLEC_SOURCE_DIR
#error "MLEC_SOURCE_DIR must name the source tree (for models/)"
#endif

static void fail(const char* file, int line, const char* what) {
    fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
    exit(1);
}

#define CHECK(cond)                                   \
    do {                                              \
        if (!(cond)) fail(__FILE__, __LINE__, #cond); \
    } while (0)

/* |actual - expected| <= tolerance * max(1, |expected|) */
static void check_close_at(const char* file, int line, const char* what, double actual, double expected,
                           double tolerance) {
    const double scale = fabs(expected) > 1 ? fabs(expected) : 1;
    if (!(fabs(actual - expected) <= tolerance * scale)) {
        fprintf(stderr, "%s:%d: %s is %.17g, expected %.17g (tolerance %g)\n", file, line, what, actual, expected,
                tolerance);
        exit(1);
    }
}
#define CHECK_CLOSE(actual, expected, tolerance) \
    check_close_at(__FILE__, __LINE__, #actual, (actual), (expected), (tolerance))

static void check_string_at(const char* file, int line, const char* what, const char* actual, const char* expected) {
    if (!actual || strcmp(actual, expected) != 0) {
        fprintf(stderr, "%s:%d: %s is\n[%s]\nexpected\n[%s]\n", file, line, what, actual ? actual : "(null)", expected);
        exit(1);
    }
}
#define CHECK_STRING(actual, expected) check_string_at(__FILE__, __LINE__, #actual, (actual), (expected))

/* Stops with the error's text when a handle was not made. */
static void require_at(const char* file, int line, const void* handle, mlec_error* err) {
    if (!handle) {
        fprintf(stderr, "%s:%d: unexpected error (code %d):\n%s", file, line, mlec_error_code(err),
                mlec_error_message(err));
        exit(1);
    }
    if (err) fail(file, line, "a handle was made, yet an error was reported");
}
#define REQUIRE(handle, err) require_at(__FILE__, __LINE__, (handle), (err))

static int parameter_index(const mlec_problem* problem, const char* name) {
    for (int i = 0; i < mlec_problem_dimension(problem); ++i)
        if (strcmp(mlec_problem_parameter_name(problem, i), name) == 0) return i;
    fprintf(stderr, "no parameter named %s\n", name);
    exit(1);
}

static size_t fit_index(const mlec_fit* fit, const char* name) {
    for (size_t i = 0; i < mlec_fit_parameter_count(fit) + mlec_fit_derived_count(fit); ++i)
        if (strcmp(mlec_fit_name(fit, i), name) == 0) return i;
    fprintf(stderr, "no estimate named %s\n", name);
    exit(1);
}

/* models/xor.mle: the score vanishes at w1 = w2 = c = 0, where every p is
 * 1/2 (log L = 4 log 1/2), and the covariance is (X'X / 4)^-1 with X's rows
 * (a, b, 1) (models/xor.expected.json, cross-checked with R's glm). */
static void test_xor_from_files(void) {
    mlec_error* err = NULL;
    mlec_model* model = mlec_model_from_file(MLEC_SOURCE_DIR "/models/xor.mle", &err);
    REQUIRE(model, err);
    mlec_data* data = mlec_data_from_csv_file(MLEC_SOURCE_DIR "/models/xor.csv", &err);
    REQUIRE(data, err);
    CHECK(mlec_data_column_count(data) == 3);
    CHECK_STRING(mlec_data_column_name(data, 2), "y");
    CHECK(mlec_data_column_name(data, 3) == NULL);

    mlec_problem* problem = mlec_bind(model, data, NULL, &err);
    REQUIRE(problem, err);
    /* The problem keeps what it needs: free these before using it. */
    mlec_model_free(model);
    mlec_data_free(data);
    CHECK(mlec_problem_dimension(problem) == 3);
    CHECK(mlec_problem_observations(problem) == 4);
    CHECK_STRING(mlec_problem_warnings(problem), "");

    mlec_fit* fit = mlec_fit_run(problem, NULL, &err);
    REQUIRE(fit, err);
    CHECK_STRING(mlec_fit_status(fit), "converged");
    CHECK(mlec_fit_converged(fit) == 1);
    CHECK(mlec_fit_exit_code(fit) == MLEC_OK);
    CHECK_CLOSE(mlec_fit_log_likelihood(fit), -2.7725887222397811, 1e-12);
    /* AIC = 2k - 2 log L, BIC = k log n - 2 log L with k = 3, n = 4 */
    CHECK_CLOSE(mlec_fit_aic(fit), 6 + 2 * 2.7725887222397811, 1e-12);
    CHECK_CLOSE(mlec_fit_bic(fit), 3 * log(4.0) + 2 * 2.7725887222397811, 1e-12);
    CHECK(mlec_fit_observations(fit) == 4);
    CHECK(mlec_fit_weighted_observations(fit) == 4.0); /* no weight statement: the rows */
    CHECK(mlec_fit_n_params(fit) == 3);
    CHECK(mlec_fit_parameter_count(fit) == 3);
    CHECK(mlec_fit_derived_count(fit) == 0);

    const char* names[3] = {"w1", "w2", "c"};
    const double se[3] = {2, 2, 1.7320508075688772};
    const double covariance[9] = {4, 0, -2, 0, 4, -2, -2, -2, 3}; /* symmetric: either order */
    for (size_t i = 0; i < 3; ++i) {
        CHECK_STRING(mlec_fit_name(fit, i), names[i]);
        CHECK_CLOSE(mlec_fit_estimate(fit, i), 0, 1e-8);
        CHECK_CLOSE(mlec_fit_std_error(fit, i), se[i], 1e-8);
        /* Wald 95%: estimate -+ 1.959963984540054 SE */
        CHECK_CLOSE(mlec_fit_ci_lower(fit, i), -1.959963984540054 * se[i], 1e-8);
        CHECK_CLOSE(mlec_fit_ci_upper(fit, i), 1.959963984540054 * se[i], 1e-8);
    }
    for (size_t i = 0; i < 3; ++i) {
        CHECK(isnan(mlec_fit_last_value(fit, i))); /* only a diverging parameter has one */
        CHECK(mlec_fit_conditional_on_limit(fit, i) == 0);
    }
    CHECK(mlec_fit_name(fit, 3) == NULL);
    CHECK(isnan(mlec_fit_estimate(fit, 3)));
    const double* cov = mlec_fit_covariance(fit);
    CHECK(cov != NULL);
    for (int k = 0; k < 9; ++k) CHECK_CLOSE(cov[k], covariance[k], 1e-8);

    CHECK(strstr(mlec_fit_json(fit), "\"log_likelihood\"") != NULL);
    CHECK(strstr(mlec_fit_json(fit), "\"w1\"") != NULL);
    CHECK(strstr(mlec_fit_text(fit), "w2") != NULL);
    CHECK(strlen(mlec_fit_message(fit)) > 0);
    CHECK(mlec_fit_diagnostic_kind(fit, mlec_fit_diagnostic_count(fit)) == NULL);

    mlec_fit_free(fit);
    mlec_problem_free(problem);
}

/* Least squares in closed form: b = Sxy / Sxx, a = ybar - b xbar, and the
 * MLE of sigma is sqrt(RSS / n) (not n - 2). */
enum { N = 12 };
static const double xs[N] = {0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0};
static const double ys[N] = {1.1, 2.3, 2.2, 3.9, 4.1, 4.4, 6.2, 5.8, 7.1, 7.4, 8.9, 8.6};
static const double counts[N] = {3, 0, 2, 5, 1, 4, 2, 3, 6, 2, 1, 3};

static mlec_data* regression_data(void) {
    const char* names[3] = {"x", "y", "n"};
    const double* columns[3] = {xs, ys, counts};
    mlec_error* err = NULL;
    mlec_data* data = mlec_data_from_columns(names, columns, 3, N, "memory", &err);
    REQUIRE(data, err);
    CHECK(mlec_data_column_count(data) == 3);
    CHECK_STRING(mlec_data_column_name(data, 1), "y");
    return data;
}

static mlec_problem* bind_text(const char* model_text, const mlec_data* data) {
    mlec_error* err = NULL;
    mlec_model* model = mlec_model_from_text(model_text, "model.mle", &err);
    REQUIRE(model, err);
    mlec_problem* problem = mlec_bind(model, data, NULL, &err);
    REQUIRE(problem, err);
    mlec_model_free(model);
    return problem;
}

static void test_regression_from_columns(void) {
    mlec_data* data = regression_data();
    mlec_problem* problem = bind_text("y ~ normal(a + b*x, sigma)\n", data);
    mlec_data_free(data);
    CHECK(mlec_problem_dimension(problem) == 3);
    CHECK(mlec_problem_observations(problem) == N);

    double xbar = 0, ybar = 0;
    for (int i = 0; i < N; ++i) {
        xbar += xs[i] / N;
        ybar += ys[i] / N;
    }
    double sxx = 0, sxy = 0;
    for (int i = 0; i < N; ++i) {
        sxx += (xs[i] - xbar) * (xs[i] - xbar);
        sxy += (xs[i] - xbar) * (ys[i] - ybar);
    }
    const double b = sxy / sxx, a = ybar - b * xbar;
    double rss = 0;
    for (int i = 0; i < N; ++i) rss += (ys[i] - a - b * xs[i]) * (ys[i] - a - b * xs[i]);
    const double sigma = sqrt(rss / N);

    mlec_fit_options options = mlec_fit_options_default();
    options.method = MLEC_METHOD_NEWTON;
    mlec_error* err = NULL;
    mlec_fit* fit = mlec_fit_run(problem, &options, &err);
    REQUIRE(fit, err);
    CHECK(mlec_fit_converged(fit));
    CHECK_CLOSE(mlec_fit_estimate(fit, fit_index(fit, "a")), a, 1e-8);
    CHECK_CLOSE(mlec_fit_estimate(fit, fit_index(fit, "b")), b, 1e-8);
    CHECK_CLOSE(mlec_fit_estimate(fit, fit_index(fit, "sigma")), sigma, 1e-8);
    /* log L at the MLE: -n/2 (log(2 pi sigma^2) + 1) */
    const double pi = 3.14159265358979323846;
    CHECK_CLOSE(mlec_fit_log_likelihood(fit), -N / 2.0 * (log(2 * pi * sigma * sigma) + 1), 1e-10);
    /* The inverse observed information at the MLE: Var(b) = sigma^2 / Sxx,
     * Var(sigma) = sigma^2 / (2n) (sigma is orthogonal to a and b there). */
    CHECK_CLOSE(mlec_fit_std_error(fit, fit_index(fit, "b")), sigma / sqrt(sxx), 1e-6);
    CHECK_CLOSE(mlec_fit_std_error(fit, fit_index(fit, "sigma")), sigma / sqrt(2.0 * N), 1e-6);
    mlec_fit_free(fit);

    /* The NLL in closed form at a point, sigma = exp(u) for sigma > 0:
     * n/2 log(2 pi) + n log sigma + RSS / (2 sigma^2). */
    double theta[3];
    const int ia = parameter_index(problem, "a"), ib = parameter_index(problem, "b"),
              is = parameter_index(problem, "sigma");
    theta[ia] = 0.3;
    theta[ib] = 1.2;
    theta[is] = 0.2;
    double rss_at = 0;
    for (int i = 0; i < N; ++i) rss_at += (ys[i] - 0.3 - 1.2 * xs[i]) * (ys[i] - 0.3 - 1.2 * xs[i]);
    const double s = exp(0.2);
    CHECK_CLOSE(mlec_nll(problem, theta), N / 2.0 * log(2 * pi) + N * log(s) + rss_at / (2 * s * s), 1e-12);
    double user[3];
    CHECK(mlec_to_user_scale(problem, theta, user) == MLEC_OK);
    CHECK_CLOSE(user[is], s, 1e-15);
    CHECK_CLOSE(user[ia], 0.3, 0);

    /* Gradient and Hessian against central differences (error O(h^2)). */
    double gradient[3], g2[3], hessian[9], plus[3], minus[3];
    const double value = mlec_nll_gradient_hessian(problem, theta, g2, hessian);
    CHECK_CLOSE(mlec_nll_gradient(problem, theta, gradient), value, 0);
    CHECK_CLOSE(value, mlec_nll(problem, theta), 0);
    const double h = 1e-5;
    for (int j = 0; j < 3; ++j) {
        CHECK_CLOSE(g2[j], gradient[j], 1e-12);
        memcpy(plus, theta, sizeof theta);
        memcpy(minus, theta, sizeof theta);
        plus[j] += h;
        minus[j] -= h;
        CHECK_CLOSE(gradient[j], (mlec_nll(problem, plus) - mlec_nll(problem, minus)) / (2 * h), 1e-6);
        double gp[3], gm[3];
        mlec_nll_gradient(problem, plus, gp);
        mlec_nll_gradient(problem, minus, gm);
        for (int i = 0; i < 3; ++i) CHECK_CLOSE(hessian[i + 3 * j], (gp[i] - gm[i]) / (2 * h), 1e-6);
    }
    double start[3] = {NAN, NAN, NAN};
    CHECK(mlec_start(problem, start) == MLEC_OK);
    for (int j = 0; j < 3; ++j) CHECK(isfinite(start[j]));
    mlec_problem_free(problem);
}

/* The same regression through a user function: the same closed-form
 * estimates, and the same NLL as the model written out, at any point. */
static void test_user_function(void) {
    mlec_data* data = regression_data();
    mlec_problem* with_def = bind_text("def line(t, a0, a1) = a0 + a1*t\ny ~ normal(line(x, a, b), sigma)\n", data);
    mlec_problem* written_out = bind_text("y ~ normal(a + b*x, sigma)\n", data);
    mlec_data_free(data);
    double xbar = 0, ybar = 0;
    for (int i = 0; i < N; ++i) {
        xbar += xs[i] / N;
        ybar += ys[i] / N;
    }
    double sxx = 0, sxy = 0;
    for (int i = 0; i < N; ++i) {
        sxx += (xs[i] - xbar) * (xs[i] - xbar);
        sxy += (xs[i] - xbar) * (ys[i] - ybar);
    }
    const double b = sxy / sxx, a = ybar - b * xbar;
    mlec_error* err = NULL;
    mlec_fit* fit = mlec_fit_run(with_def, NULL, &err);
    REQUIRE(fit, err);
    CHECK(mlec_fit_converged(fit));
    CHECK_CLOSE(mlec_fit_estimate(fit, fit_index(fit, "a")), a, 1e-8);
    CHECK_CLOSE(mlec_fit_estimate(fit, fit_index(fit, "b")), b, 1e-8);
    mlec_fit_free(fit);
    CHECK(mlec_problem_dimension(with_def) == 3);
    double theta[3], other[3];
    theta[parameter_index(with_def, "a")] = 0.3;
    theta[parameter_index(with_def, "b")] = 1.2;
    theta[parameter_index(with_def, "sigma")] = 0.2;
    for (int j = 0; j < 3; ++j)
        other[parameter_index(written_out, mlec_problem_parameter_name(with_def, j))] = theta[j];
    CHECK_CLOSE(mlec_nll(with_def, theta), mlec_nll(written_out, other), 0);
    mlec_problem_free(with_def);
    mlec_problem_free(written_out);
}

/* The Poisson MLE of a constant rate is the sample mean, with SE
 * sqrt(lambda / n). */
static void test_poisson_from_columns(void) {
    mlec_data* data = regression_data();
    mlec_problem* problem = bind_text("n ~ poisson(lambda)\n", data);
    mlec_data_free(data);
    double mean = 0;
    for (int i = 0; i < N; ++i) mean += counts[i] / N;
    mlec_error* err = NULL;
    mlec_fit* fit = mlec_fit_run(problem, NULL, &err);
    REQUIRE(fit, err);
    CHECK_STRING(mlec_fit_name(fit, 0), "lambda");
    CHECK_CLOSE(mlec_fit_estimate(fit, 0), mean, 1e-9);
    CHECK_CLOSE(mlec_fit_std_error(fit, 0), sqrt(mean / N), 1e-7);
    mlec_fit_free(fit);
    mlec_problem_free(problem);
}

/* All-zero counts: the Poisson likelihood prod exp(-lambda) rises to 1 as
 * lambda -> 0, its lower bound, so there is no estimate and no AIC or BIC,
 * only where the optimizer stopped (a small positive lambda). */
static void test_diverged_fit(void) {
    static const double zeros[5] = {0, 0, 0, 0, 0};
    const char* names[1] = {"y"};
    const double* columns[1] = {zeros};
    mlec_error* err = NULL;
    mlec_data* data = mlec_data_from_columns(names, columns, 1, 5, "zeros", &err);
    REQUIRE(data, err);
    mlec_problem* problem = bind_text("y ~ poisson(lambda)\n", data);
    mlec_data_free(data);
    mlec_fit* fit = mlec_fit_run(problem, NULL, &err);
    REQUIRE(fit, err);
    CHECK_STRING(mlec_fit_status(fit), "diverged");
    CHECK(mlec_fit_converged(fit) == 0);
    CHECK(mlec_fit_exit_code(fit) == MLEC_ERROR_FIT);
    CHECK(isnan(mlec_fit_aic(fit)));
    CHECK(isnan(mlec_fit_bic(fit)));
    CHECK_STRING(mlec_fit_name(fit, 0), "lambda");
    CHECK(isnan(mlec_fit_estimate(fit, 0)));
    CHECK(isnan(mlec_fit_std_error(fit, 0)));
    const double last = mlec_fit_last_value(fit, 0);
    CHECK(last > 0 && last < 1e-3);
    /* log L = -5 lambda where the optimizer stopped */
    CHECK_CLOSE(mlec_fit_log_likelihood(fit), -5 * last, 1e-9);
    CHECK(strstr(mlec_fit_json(fit), "\"aic\": null") != NULL);
    /* The findings, in the order the fit made them, and the one warning. */
    CHECK(mlec_fit_diagnostic_count(fit) == 2);
    CHECK_STRING(mlec_fit_diagnostic_kind(fit, 0), "divergence");
    CHECK_STRING(mlec_fit_diagnostic_message(fit, 0),
                 "no finite maximum likelihood estimate: the log-likelihood keeps increasing as lambda -> 0 (its "
                 "lower bound), towards 0: the likelihood tends to 1, the model reproducing every observation with "
                 "certainty (as with perfectly separated data, or a rate of 0 for all-zero counts). The maximum "
                 "lies at infinity, so no finite MLE exists: merge or drop the covariate levels or categories whose "
                 "rows the model fits with certainty there, or add a penalty or prior (e.g. target += "
                 "normal_lpdf(lambda | 0, 10)), or hold lambda at a chosen value with --fix lambda=VALUE");
    CHECK_STRING(mlec_fit_diagnostic_kind(fit, 1), "on_bound");
    CHECK_STRING(mlec_fit_diagnostic_message(fit, 1),
                 "lambda is on its bound 0: the likelihood is largest there, so the bound itself is the estimate "
                 "and intervals built from curvature do not apply");
    CHECK(mlec_fit_diagnostic_message(fit, 2) == NULL);
    CHECK(mlec_fit_warning_count(fit) == 1);
    CHECK_STRING(mlec_fit_warning(fit, 0),
                 "the diverging parameters have no estimate and no standard error; the values where the optimizer "
                 "stopped are not estimates");
    CHECK(mlec_fit_warning(fit, 1) == NULL);
    mlec_fit_free(fit);
    mlec_problem_free(problem);
}

/* A missing value (NaN) is a data error unless rows are dropped. */
static void test_missing_values(void) {
    const double x[4] = {1, 2, 3, 4};
    const double y[4] = {2, NAN, 3, 5};
    const char* names[2] = {"x", "y"};
    const double* columns[2] = {x, y};
    mlec_error* err = NULL;
    mlec_data* data = mlec_data_from_columns(names, columns, 2, 4, NULL, &err);
    REQUIRE(data, err);
    mlec_model* model = mlec_model_from_text("y ~ normal(mu, sigma)", NULL, &err);
    REQUIRE(model, err);
    CHECK(mlec_bind(model, data, NULL, &err) == NULL);
    CHECK(mlec_error_code(err) == MLEC_ERROR_DATA);
    CHECK(strstr(mlec_error_message(err), "<columns>") == mlec_error_message(err));
    mlec_error_free(err);

    mlec_bind_options options = mlec_bind_options_default();
    options.drop_missing = 1;
    mlec_problem* problem = mlec_bind(model, data, &options, &err);
    REQUIRE(problem, err);
    CHECK(mlec_problem_observations(problem) == 3);
    CHECK(mlec_problem_rows_dropped(problem) == 1);
    mlec_fit* fit = mlec_fit_run(problem, NULL, &err);
    REQUIRE(fit, err);
    CHECK_CLOSE(mlec_fit_estimate(fit, fit_index(fit, "mu")), 10.0 / 3, 1e-9);
    mlec_fit_free(fit);
    mlec_problem_free(problem);
    mlec_model_free(model);
    mlec_data_free(data);

    /* Columns of different lengths cannot be expressed; two with one name can. */
    const char* twice[2] = {"x", "x"};
    CHECK(mlec_data_from_columns(twice, columns, 2, 4, "t", &err) == NULL);
    CHECK(mlec_error_code(err) == MLEC_ERROR_DATA);
    CHECK_STRING(mlec_error_message(err), "t: error: column 'x' appears twice\n");
    mlec_error_free(err);
}

/* The exact messages of tests/cases/parse_missing_comma and not_a_number. */
static void test_error_messages(void) {
    mlec_error* err = NULL;
    CHECK(mlec_model_from_text("y ~ normal(mu sigma)\n", "bad.mle", &err) == NULL);
    CHECK(mlec_error_code(err) == MLEC_ERROR_MODEL);
    CHECK_STRING(mlec_error_message(err),
                 "bad.mle:1:15: error: expected ',' between the arguments of 'normal', found 'sigma'\n"
                 "    y ~ normal(mu sigma)\n"
                 "                  ^^^^^\n");
    CHECK(mlec_error_diagnostic_count(err) == 1);
    CHECK_STRING(mlec_error_diagnostic_file(err, 0), "bad.mle");
    CHECK(mlec_error_diagnostic_line(err, 0) == 1);
    CHECK(mlec_error_diagnostic_column(err, 0) == 15);
    CHECK_STRING(mlec_error_diagnostic_message(err, 0),
                 "expected ',' between the arguments of 'normal', found 'sigma'");
    CHECK(mlec_error_diagnostic_message(err, 1) == NULL);
    mlec_error_free(err);

    mlec_data* data = mlec_data_from_csv_text("x,y\n1,2.5\n2,abc\n3,4.1\n", "bad.csv", &err);
    REQUIRE(data, err);
    mlec_model* model = mlec_model_from_text("y ~ normal(mu + b*x, sigma)\n", "m.mle", &err);
    REQUIRE(model, err);
    CHECK(mlec_bind(model, data, NULL, &err) == NULL);
    CHECK(mlec_error_code(err) == MLEC_ERROR_DATA);
    CHECK_STRING(mlec_error_message(err),
                 "bad.csv:3:3: error: row 2, column 'y': expected a number, found 'abc'\n"
                 "    2,abc\n"
                 "      ^^^\n");
    mlec_error_free(err);
    mlec_model_free(model);
    mlec_data_free(data);

    CHECK(mlec_model_from_file(MLEC_SOURCE_DIR "/models/no_such_model.mle", &err) == NULL);
    CHECK(mlec_error_code(err) == MLEC_ERROR_USAGE);
    CHECK(strstr(mlec_error_message(err), "no_such_model.mle: error: cannot open model file\n") != NULL);
    mlec_error_free(err);
}

/* b held at 0 and a started at 5: the model is y ~ normal(a, sigma), whose
 * MLE is a = ybar, sigma = sqrt(mean((y - ybar)^2)), Var(a) = sigma^2 / n;
 * only a and sigma are estimated (n_params 2). */
static void test_fixed_and_start(void) {
    mlec_data* data = regression_data();
    mlec_problem* problem = bind_text("param sigma > 0\ny ~ normal(a + b*x, sigma)\n", data);
    mlec_data_free(data);
    double ybar = 0, ss = 0;
    for (int i = 0; i < N; ++i) ybar += ys[i] / N;
    for (int i = 0; i < N; ++i) ss += (ys[i] - ybar) * (ys[i] - ybar);
    const double sigma = sqrt(ss / N);

    const char* fixed_names[1] = {"b"};
    const double fixed_values[1] = {0};
    const char* start_names[1] = {"a"};
    const double start_values[1] = {5};
    mlec_fit_options options = mlec_fit_options_default();
    CHECK(options.n_fixed == 0 && options.fixed_names == NULL && options.n_start == 0);
    options.n_fixed = 1;
    options.fixed_names = fixed_names;
    options.fixed_values = fixed_values;
    options.n_start = 1;
    options.start_names = start_names;
    options.start_values = start_values;
    mlec_error* err = NULL;
    mlec_fit* fit = mlec_fit_run(problem, &options, &err);
    REQUIRE(fit, err);
    CHECK(mlec_fit_converged(fit));
    CHECK(mlec_fit_n_params(fit) == 2);
    const size_t ia = fit_index(fit, "a"), ib = fit_index(fit, "b"), is = fit_index(fit, "sigma");
    CHECK_CLOSE(mlec_fit_estimate(fit, ia), ybar, 1e-10);
    CHECK_CLOSE(mlec_fit_std_error(fit, ia), sigma / sqrt((double)N), 1e-8);
    CHECK_CLOSE(mlec_fit_estimate(fit, is), sigma, 1e-8);
    CHECK(mlec_fit_fixed(fit, ib) == 1 && mlec_fit_fixed(fit, ia) == 0 && mlec_fit_fixed(fit, 99) == 0);
    CHECK(mlec_fit_estimate(fit, ib) == 0);
    CHECK(isnan(mlec_fit_std_error(fit, ib)) && isnan(mlec_fit_ci_lower(fit, ib)));
    const double* cov = mlec_fit_covariance(fit);
    CHECK(cov != NULL);
    CHECK(cov[ib * 3 + ib] == 0);
    CHECK(strstr(mlec_fit_json(fit), "\"fixed\": true") != NULL);
    mlec_fit_free(fit);

    /* A name that is no parameter: a usage error with "did you mean". */
    fixed_names[0] = "sigm";
    CHECK(mlec_fit_run(problem, &options, &err) == NULL);
    CHECK(mlec_error_code(err) == MLEC_ERROR_USAGE);
    CHECK_STRING(mlec_error_message(err),
                 "model.mle: error: cannot fix 'sigm': the model has no parameter of that name; did you mean "
                 "'sigma'?\n");
    mlec_error_free(err);
    /* Names without values. */
    options.fixed_values = NULL;
    CHECK(mlec_fit_run(problem, &options, &err) == NULL);
    CHECK(mlec_error_code(err) == MLEC_ERROR_USAGE);
    mlec_error_free(err);
    mlec_problem_free(problem);
}

struct counter {
    int calls;
    int stop_after;
    double last_nll;
};

/* models/mixed/singular.mle: lmer's ML fit is singular (the group SD at 0;
 * models/mixed/reference/singular.R prints the values). */
static void test_singular_fit(void) {
    mlec_error* err = NULL;
    mlec_model* model = mlec_model_from_file(MLEC_SOURCE_DIR "/models/mixed/singular.mle", &err);
    REQUIRE(model, err);
    mlec_data* data = mlec_data_from_csv_file(MLEC_SOURCE_DIR "/models/mixed/singular.csv", &err);
    REQUIRE(data, err);
    mlec_problem* problem = mlec_bind(model, data, NULL, &err);
    REQUIRE(problem, err);
    mlec_fit* fit = mlec_fit_run(problem, NULL, &err);
    REQUIRE(fit, err);
    CHECK_STRING(mlec_fit_status(fit), "converged");
    CHECK_CLOSE(mlec_fit_log_likelihood(fit), -171.46284995625899, 1e-6);
    const size_t is = fit_index(fit, "s"), ib = fit_index(fit, "b1");
    CHECK(mlec_fit_at_zero(fit, is) == 1 && mlec_fit_at_zero(fit, ib) == 0 && mlec_fit_at_zero(fit, 99) == 0);
    CHECK(mlec_fit_at_boundary(fit, is) == 1 && mlec_fit_at_boundary(fit, ib) == 0 &&
          mlec_fit_at_boundary(fit, 99) == 0);
    CHECK(mlec_fit_not_identified(fit, is) == 0 && mlec_fit_not_identified(fit, 99) == 0);
    CHECK(mlec_fit_estimate(fit, is) == 0 && isnan(mlec_fit_std_error(fit, is)));
    CHECK(mlec_fit_ci_lower(fit, is) == 0);
    CHECK_CLOSE(mlec_fit_ci_upper(fit, is), 0.40566850131383198, 1e-5);
    CHECK_STRING(mlec_fit_diagnostic_kind(fit, 0), "singular_fit");
    CHECK(strstr(mlec_fit_json(fit), "\"at_zero\": true") != NULL);
    CHECK(strstr(mlec_fit_json(fit), "\"at_boundary\": true") != NULL);
    mlec_fit_free(fit);
    mlec_problem_free(problem);
    mlec_model_free(model);
    mlec_data_free(data);
}

/* models/mixed/cbpp.mle by adaptive quadrature (agq_nodes = 7) against
 * glmer's nAGQ = 7 fit (models/mixed/cbpp.expected.json: its log-likelihood
 * -50.005000552823127 plus the saturated binomial terms it leaves out,
 * -41.97835376893557); 0, as a zeroed struct holds, is the Laplace
 * approximation (glmmTMB's -92.026281864761643). */
static void test_adaptive_quadrature(void) {
    mlec_error* err = NULL;
    mlec_model* model = mlec_model_from_file(MLEC_SOURCE_DIR "/models/mixed/cbpp.mle", &err);
    REQUIRE(model, err);
    mlec_data* data = mlec_data_from_csv_file(MLEC_SOURCE_DIR "/models/mixed/cbpp.csv", &err);
    REQUIRE(data, err);
    mlec_bind_options options = mlec_bind_options_default();
    CHECK(options.agq_nodes == 1);
    const int nodes[2] = {7, 0};
    const double expected[2] = {-50.005000552823127 - 41.97835376893557, -92.026281864761643};
    for (int k = 0; k < 2; ++k) {
        options.agq_nodes = nodes[k];
        mlec_problem* problem = mlec_bind(model, data, &options, &err);
        REQUIRE(problem, err);
        mlec_fit* fit = mlec_fit_run(problem, NULL, &err);
        REQUIRE(fit, err);
        CHECK_STRING(mlec_fit_status(fit), "converged");
        CHECK_CLOSE(mlec_fit_log_likelihood(fit), expected[k], 1e-6);
        mlec_fit_free(fit);
        mlec_problem_free(problem);
    }
    options.agq_nodes = 101;
    CHECK(mlec_bind(model, data, &options, &err) == NULL);
    CHECK(mlec_error_code(err) == MLEC_ERROR_USAGE);
    mlec_error_free(err);
    mlec_model_free(model);
    mlec_data_free(data);
}

static int stop_early(void* user, int iteration, double nll, double gradient_norm) {
    struct counter* c = (struct counter*)user;
    (void)iteration;
    (void)gradient_norm;
    c->calls++;
    c->last_nll = nll;
    return c->calls < c->stop_after;
}

/* models/mixed/sleepstudy.mle by REML: lmer's REML fit (sleepstudy.expected.json). */
static void test_reml(void) {
    mlec_error* err = NULL;
    mlec_model* model = mlec_model_from_file(MLEC_SOURCE_DIR "/models/mixed/sleepstudy.mle", &err);
    REQUIRE(model, err);
    mlec_data* data = mlec_data_from_csv_file(MLEC_SOURCE_DIR "/models/mixed/sleepstudy.csv", &err);
    REQUIRE(data, err);
    mlec_bind_options options = mlec_bind_options_default();
    CHECK(options.reml == 0);
    options.reml = 1;
    mlec_problem* problem = mlec_bind(model, data, &options, &err);
    REQUIRE(problem, err);
    CHECK(mlec_problem_dimension(problem) == 4); /* sa, sb, sigma, R: b0 and b1 are integrated out */
    mlec_fit* fit = mlec_fit_run(problem, NULL, &err);
    REQUIRE(fit, err);
    CHECK_STRING(mlec_fit_status(fit), "converged");
    CHECK(mlec_fit_reml(fit) == 1);
    CHECK_CLOSE(mlec_fit_log_likelihood(fit), -871.8141359792456, 1e-6);
    const size_t b0 = fit_index(fit, "b0"), sa = fit_index(fit, "sa");
    CHECK(mlec_fit_integrated(fit, b0) == 1 && mlec_fit_integrated(fit, sa) == 0);
    CHECK_CLOSE(mlec_fit_estimate(fit, b0), 251.40510484848417, 1e-6);
    CHECK_CLOSE(mlec_fit_std_error(fit, b0), 6.82455577032695, 1e-4);
    CHECK(strstr(mlec_fit_json(fit), "\"reml\": true") != NULL);
    /* The conditional modes: two effects on Subject, 18 levels each. */
    CHECK(mlec_fit_random_effect_count(fit) == 2);
    CHECK_STRING(mlec_fit_random_effect_name(fit, 1), "b");
    CHECK_STRING(mlec_fit_random_effect_column(fit, 0), "Subject");
    CHECK(mlec_fit_random_effect_levels(fit, 0) == 18 && mlec_fit_random_effect_levels(fit, 2) == 0);
    CHECK_STRING(mlec_fit_random_effect_level(fit, 0, 0), "308");
    CHECK(mlec_fit_random_effect_level(fit, 0, 18) == NULL && isnan(mlec_fit_random_effect_mode(fit, 0, 18)));
    CHECK(mlec_fit_random_effect_std_error(fit, 0, 0) > 0);
    mlec_fit_free(fit);
    mlec_problem_free(problem);
    mlec_model_free(model);
    mlec_data_free(data);
}

static void test_cancel_and_options(void) {
    mlec_error* err = NULL;
    mlec_model* model = mlec_model_from_file(MLEC_SOURCE_DIR "/models/logistic.mle", &err);
    REQUIRE(model, err);
    mlec_data* data = mlec_data_from_csv_file(MLEC_SOURCE_DIR "/models/logistic.csv", &err);
    REQUIRE(data, err);
    mlec_problem* problem = mlec_bind(model, data, NULL, &err);
    REQUIRE(problem, err);

    struct counter c = {0, 2, 0};
    mlec_fit_options options = mlec_fit_options_default();
    options.on_iteration = stop_early;
    options.user = &c;
    mlec_fit* fit = mlec_fit_run(problem, &options, &err);
    REQUIRE(fit, err);
    CHECK(c.calls == 2);
    CHECK(isfinite(c.last_nll));
    CHECK_STRING(mlec_fit_status(fit), "cancelled");
    CHECK(mlec_fit_converged(fit) == 0);
    CHECK(mlec_fit_exit_code(fit) == MLEC_ERROR_FIT);
    CHECK_STRING(mlec_fit_message(fit), "cancelled by the caller");
    mlec_fit_free(fit);

    /* A callback that never cancels sees every iteration. */
    c.calls = 0;
    c.stop_after = 1000000;
    fit = mlec_fit_run(problem, &options, &err);
    REQUIRE(fit, err);
    CHECK_STRING(mlec_fit_status(fit), "converged");
    CHECK(c.calls == mlec_fit_iterations(fit));
    mlec_fit_free(fit);

    options = mlec_fit_options_default();
    options.confidence = 1.5;
    CHECK(mlec_fit_run(problem, &options, &err) == NULL);
    CHECK(mlec_error_code(err) == MLEC_ERROR_USAGE);
    CHECK(strncmp(mlec_error_message(err), "mlec_fit_run: error: invalid fit options: ", 42) == 0);
    mlec_error_free(err);
    options = mlec_fit_options_default();
    options.method = 7;
    CHECK(mlec_fit_run(problem, &options, &err) == NULL);
    CHECK(mlec_error_code(err) == MLEC_ERROR_USAGE);
    mlec_error_free(err);

    mlec_problem_free(problem);
    mlec_model_free(model);
    mlec_data_free(data);
}

static void test_null_arguments(void) {
    mlec_error* err = NULL;
    CHECK(mlec_model_from_text(NULL, NULL, &err) == NULL);
    CHECK(mlec_error_code(err) == MLEC_ERROR_USAGE);
    CHECK_STRING(mlec_error_message(err), "mlec_model_from_text: error: the model text is NULL\n");
    mlec_error_free(err);
    CHECK(mlec_model_from_file(NULL, &err) == NULL && mlec_error_code(err) == MLEC_ERROR_USAGE);
    mlec_error_free(err);
    CHECK(mlec_data_from_csv_file(NULL, &err) == NULL && mlec_error_code(err) == MLEC_ERROR_USAGE);
    mlec_error_free(err);
    CHECK(mlec_data_from_csv_text(NULL, "x", &err) == NULL && mlec_error_code(err) == MLEC_ERROR_USAGE);
    mlec_error_free(err);
    CHECK(mlec_data_from_columns(NULL, NULL, 2, 3, NULL, &err) == NULL && mlec_error_code(err) == MLEC_ERROR_USAGE);
    mlec_error_free(err);
    const char* names[1] = {"x"};
    const double* columns[1] = {NULL};
    CHECK(mlec_data_from_columns(names, columns, 1, 3, NULL, &err) == NULL);
    CHECK_STRING(mlec_error_message(err), "mlec_data_from_columns: error: column 'x' is NULL\n");
    mlec_error_free(err);
    CHECK(mlec_data_from_columns(names, columns, 0, 0, NULL, &err) == NULL);
    CHECK(mlec_error_code(err) == MLEC_ERROR_DATA); /* "no columns" */
    mlec_error_free(err);
    CHECK(mlec_bind(NULL, NULL, NULL, &err) == NULL);
    CHECK_STRING(mlec_error_message(err), "mlec_bind: error: the model is NULL\n");
    mlec_error_free(err);
    CHECK(mlec_fit_run(NULL, NULL, &err) == NULL && mlec_error_code(err) == MLEC_ERROR_USAGE);
    mlec_error_free(err);
    /* err itself may be NULL. */
    CHECK(mlec_model_from_text("y ~ normal(mu sigma)", NULL, NULL) == NULL);

    /* Accessors of NULL handles. */
    CHECK(mlec_error_code(NULL) == MLEC_OK);
    CHECK_STRING(mlec_error_message(NULL), "");
    CHECK(mlec_error_diagnostic_count(NULL) == 0 && mlec_error_diagnostic_message(NULL, 0) == NULL);
    CHECK(mlec_data_column_count(NULL) == 0 && mlec_data_column_name(NULL, 0) == NULL);
    CHECK(mlec_problem_dimension(NULL) == 0 && mlec_problem_parameter_name(NULL, 0) == NULL);
    CHECK(mlec_problem_observations(NULL) == 0 && mlec_problem_rows_dropped(NULL) == 0);
    CHECK_STRING(mlec_problem_warnings(NULL), "");
    double theta[1] = {0}, out[1];
    CHECK(isnan(mlec_nll(NULL, theta)));
    CHECK(isnan(mlec_nll_gradient(NULL, theta, out)));
    CHECK(isnan(mlec_nll_gradient_hessian(NULL, theta, out, out)));
    CHECK(mlec_start(NULL, theta) == MLEC_ERROR_USAGE);
    CHECK(mlec_to_user_scale(NULL, theta, out) == MLEC_ERROR_USAGE);
    CHECK_STRING(mlec_fit_status(NULL), "");
    CHECK(mlec_fit_converged(NULL) == 0 && mlec_fit_exit_code(NULL) == MLEC_ERROR_USAGE);
    CHECK(isnan(mlec_fit_log_likelihood(NULL)) && isnan(mlec_fit_std_error(NULL, 0)));
    CHECK(mlec_fit_parameter_count(NULL) == 0 && mlec_fit_name(NULL, 0) == NULL && mlec_fit_fixed(NULL, 0) == 0);
    CHECK(mlec_fit_covariance(NULL) == NULL && mlec_fit_diagnostic_count(NULL) == 0);
    CHECK(mlec_fit_warning(NULL, 0) == NULL && mlec_fit_warning_count(NULL) == 0);
    CHECK(mlec_fit_diagnostic_kind(NULL, 0) == NULL && mlec_fit_diagnostic_message(NULL, 0) == NULL);
    CHECK_STRING(mlec_fit_json(NULL), "");
    CHECK_STRING(mlec_fit_text(NULL), "");
    mlec_error_free(NULL);
    mlec_model_free(NULL);
    mlec_data_free(NULL);
    mlec_problem_free(NULL);
    mlec_fit_free(NULL);

    /* A NULL theta on a real problem. */
    mlec_data* data = regression_data();
    mlec_problem* problem = bind_text("y ~ normal(mu, sigma)", data);
    CHECK(isnan(mlec_nll(problem, NULL)));
    CHECK(isnan(mlec_nll_gradient(problem, theta, NULL)));
    CHECK(mlec_start(problem, NULL) == MLEC_ERROR_USAGE);
    CHECK(mlec_problem_parameter_name(problem, -1) == NULL);
    CHECK(mlec_problem_parameter_name(problem, 2) == NULL);
    mlec_problem_free(problem);
    mlec_data_free(data);
}

/* Labelled columns (an R factor, a pandas Categorical): codes 1..K into
 * labels are a group column whose levels are the labels in their order, the
 * same fit as a CSV column of those texts in that order of first appearance;
 * one mean per level is the level's sample mean. */
static void test_labelled_columns(void) {
    static const double codes[6] = {1, 2, 3, 1, 2, 3};
    static const double ys[6] = {1.0, 4.0, 10.0, 3.0, 6.0, 14.0};
    static const char* const colors[3] = {"red", "green", "blue"};
    const char* names[2] = {"color", "y"};
    const double* columns[2] = {codes, ys};
    const char* const* labels[2] = {colors, NULL};
    const size_t n_labels[2] = {3, 0};
    mlec_error* err = NULL;
    mlec_data* data = mlec_data_from_labelled_columns(names, columns, labels, n_labels, 2, 6, "memory", &err);
    REQUIRE(data, err);
    const char* model_text = "param mu[color], sigma > 0\ny ~ normal(mu[color], sigma)\n";
    mlec_problem* problem = bind_text(model_text, data);
    mlec_fit* fit = mlec_fit_run(problem, NULL, &err);
    REQUIRE(fit, err);
    CHECK_STRING(mlec_fit_name(fit, 0), "mu[red]");
    CHECK_STRING(mlec_fit_name(fit, 2), "mu[blue]");
    CHECK_CLOSE(mlec_fit_estimate(fit, 0), 2.0, 1e-9);
    CHECK_CLOSE(mlec_fit_estimate(fit, 1), 5.0, 1e-9);
    CHECK_CLOSE(mlec_fit_estimate(fit, 2), 12.0, 1e-9);

    mlec_data* csv =
        mlec_data_from_csv_text("color,y\nred,1\ngreen,4\nblue,10\nred,3\ngreen,6\nblue,14\n", "memory", &err);
    REQUIRE(csv, err);
    mlec_problem* from_csv = bind_text(model_text, csv);
    mlec_fit* csv_fit = mlec_fit_run(from_csv, NULL, &err);
    REQUIRE(csv_fit, err);
    CHECK_STRING(mlec_fit_json(fit), mlec_fit_json(csv_fit));
    mlec_fit_free(csv_fit);
    mlec_problem_free(from_csv);
    mlec_data_free(csv);

    /* A labelled column read as a number is the CSV's data error. */
    mlec_model* model = mlec_model_from_text("y ~ normal(a + b*color, sigma)\n", "model.mle", &err);
    REQUIRE(model, err);
    CHECK(mlec_bind(model, data, NULL, &err) == NULL);
    CHECK(mlec_error_code(err) == MLEC_ERROR_DATA);
    CHECK(strstr(mlec_error_message(err), "expected a number, found 'red'") != NULL);
    mlec_error_free(err);
    err = NULL;
    mlec_model_free(model);

    /* A NULL label is the caller's mistake, named. */
    static const char* const broken[3] = {"red", NULL, "blue"};
    const char* const* broken_labels[2] = {broken, NULL};
    CHECK(mlec_data_from_labelled_columns(names, columns, broken_labels, n_labels, 2, 6, NULL, &err) == NULL);
    CHECK_STRING(mlec_error_message(err),
                 "mlec_data_from_labelled_columns: error: label 2 of column 'color' is NULL\n");
    mlec_error_free(err);
    mlec_fit_free(fit);
    mlec_problem_free(problem);
    mlec_data_free(data);
}

int main(void) {
    test_xor_from_files();
    test_regression_from_columns();
    test_poisson_from_columns();
    test_user_function();
    test_diverged_fit();
    test_missing_values();
    test_error_messages();
    test_fixed_and_start();
    test_singular_fit();
    test_reml();
    test_adaptive_quadrature();
    test_cancel_and_options();
    test_null_arguments();
    test_labelled_columns();
    printf("test_c_api: all checks passed\n");
    return 0;
}

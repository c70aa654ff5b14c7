# mlec(): bind a model to data and fit it (man/mlec.Rd documents it).
mlec <- function(model, data, ci = c("wald", "profile"), level = 0.95, starts = 1L, seed = 1L,
                 method = c("auto", "newton", "lbfgs"), fix = NULL, start = NULL, threads = 0L,
                 bootstrap = 0L, na = c("error", "drop"), reml = FALSE, agq = 1L,
                 max_iterations = 3000L, tolerance = 1e-8, check_gradient = FALSE) {
  call <- match.call()
  options <- fit_options(ci = match.arg(ci), level = level, starts = starts, seed = seed,
                         method = match.arg(method), fix = fix, start = start, bootstrap = bootstrap,
                         max_iterations = max_iterations, tolerance = tolerance,
                         check_gradient = check_gradient)
  binding <- list(drop_missing = match.arg(na) == "drop", threads = whole(threads, "threads", 0),
                  reml = flag(reml, "reml"), agq = whole(agq, "agq", 1))
  bound <- native_answer(.Call(C_mlec_bind, model_spec(model), data_spec(data), binding))
  fit_bound(bound, options, call)
}

# A whole number at least `least`, as an integer.
whole <- function(x, what, least) {
  if (!is.numeric(x) || length(x) != 1L || is.na(x) || x != round(x) || x < least || x > .Machine$integer.max) {
    usage_error(sprintf("%s must be a whole number of at least %d", what, least))
  }
  as.integer(x)
}

flag <- function(x, what) {
  if (!is.logical(x) || length(x) != 1L || is.na(x)) usage_error(sprintf("%s must be TRUE or FALSE", what))
  x
}

# fix= and start=: NULL, or parameter values by name (a named numeric
# vector or list), on the parameters' own scale.
parameter_values <- function(values, what) {
  if (is.null(values)) return(stats::setNames(numeric(0), character(0)))
  if (is.list(values)) values <- unlist(values)
  if (!is.numeric(values) || is.null(names(values)) || any(names(values) == "")) {
    usage_error(sprintf("%s must be a named numeric vector (or list) of parameter values", what))
  }
  stats::setNames(as.double(values), names(values))
}

# A seed: a whole number from 0 below 2^53 (exact as a double), as a double.
seed_of <- function(seed) {
  if (!is.numeric(seed) || length(seed) != 1L || is.na(seed) || seed < 0 || seed != round(seed) ||
      seed >= 2^53) {
    usage_error("seed must be a whole number from 0 to 2^53")
  }
  as.double(seed)
}

fit_options <- function(ci, level, starts, seed, method, fix, start, bootstrap, max_iterations, tolerance,
                        check_gradient) {
  if (!is.numeric(level) || length(level) != 1L || is.na(level)) usage_error("level must be a number in (0, 1)")
  if (!is.numeric(tolerance) || length(tolerance) != 1L || is.na(tolerance)) {
    usage_error("tolerance must be a positive number")
  }
  list(ci = ci, level = as.double(level), starts = whole(starts, "starts", 1), seed = seed_of(seed),
       method = method, fix = parameter_values(fix, "fix"), start = parameter_values(start, "start"),
       bootstrap = whole(bootstrap, "bootstrap", 0), max_iterations = whole(max_iterations, "max_iterations", 1),
       tolerance = as.double(tolerance), check_gradient = flag(check_gradient, "check_gradient"))
}

# Fits a bound model and makes the fit object. A fit that found no clean
# maximum warns, with its status and the reason in the fit's own words.
fit_bound <- function(bound, options, call) {
  native <- native_answer(.Call(C_mlec_fit, bound$session, options))
  fit <- new_fit(bound, options, call, native)
  if (!fit$converged) {
    warning(mlec_condition("mlec_convergence_warning", base = "warning", status = fit$status,
                           sprintf("mlec: the fit did not converge (%s): %s", fit$status, fit$message)))
  }
  fit
}

# The same model and data fitted again with some options changed (profile
# intervals, another level): the same start and path, so the same estimate.
# Unless the refit ends elsewhere: a profile can meet a higher likelihood
# than the fit's (the fit was not at the maximum), and the refit then
# reports that point, as `mlec --ci profile` does. The caller's fit is then
# not the maximum, and an mlec_refit_warning says so (as it does for a
# refit that ends with another status).
refit <- function(object, ...) {
  options <- utils::modifyList(object$options, list(...))
  again <- suppressWarnings(fit_bound(object$bound, options, object$call))
  higher <- is.finite(object$log_likelihood) && is.finite(again$log_likelihood) &&
    again$log_likelihood - object$log_likelihood > 1e-9 * max(1, abs(object$log_likelihood))
  if (higher || !identical(object$status, again$status)) {
    warning(mlec_condition("mlec_refit_warning", base = "warning", refit = again, sprintf(
      "mlec: fitted again for these intervals, the fit ended elsewhere: log-likelihood %s, status %s, where this fit has %s, %s%s. The refit: %s",
      format(again$log_likelihood, digits = 8), again$status, format(object$log_likelihood, digits = 8),
      object$status, if (higher) " (a higher likelihood: this fit is not the maximum)" else "", again$message)))
  }
  again
}

estimate_frame <- function(table) {
  frame <- as.data.frame(table, stringsAsFactors = FALSE)
  rownames(frame) <- frame$name
  frame
}

new_fit <- function(bound, options, call, native) {
  v <- native$values
  parameters <- estimate_frame(v$parameters)
  covariance <- v$covariance
  if (length(covariance) == 0L) covariance <- matrix(NA_real_, nrow(parameters), nrow(parameters))
  dimnames(covariance) <- list(parameters$name, parameters$name)
  fit <- list(call = call,
              coefficients = stats::setNames(parameters$estimate, parameters$name),
              parameters = parameters,
              derived = estimate_frame(v$derived),
              covariance = covariance,
              outcomes = bound$info$outcomes,
              columns = bound$info$columns,
              options = options,
              json = native$json,
              report = native$report,
              bound = bound,
              pointer = native$result)
  structure(c(fit, v[setdiff(names(v), c("parameters", "derived", "covariance"))]), class = "mlec")
}

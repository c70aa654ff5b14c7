# The generics every fitted model in R answers, for mlec fits.

# The lines print and summary share: what was fitted to what (first), and
# the likelihood with the status (last). `x` is a fit or its summary.
print_heading <- function(x) {
  cat("mlec fit: ", x$model_name, " to ", x$data_name, " (", x$n_obs, " observations)\n", sep = "")
  if (!is.null(x$call)) cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n", sep = "")
  cat("\nCoefficients:\n")
}

print_likelihood <- function(x, digits) {
  cat("\n", if (isTRUE(x$reml)) "REML log-likelihood" else "Log-likelihood", ": ",
      format(x$log_likelihood, digits = digits + 3L), " (df = ", x$n_params, ")  AIC: ",
      format(x$aic, digits = digits + 3L), "  BIC: ", format(x$bic, digits = digits + 3L), "\n", sep = "")
  cat("Status: ", x$status, ". ", x$message, "\n", sep = "")
}

print.mlec <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  print_heading(x)
  print.default(format(stats::coef(x), digits = digits), print.gap = 2L, quote = FALSE)
  print_likelihood(x, digits)
  invisible(x)
}

coef.mlec <- function(object, ...) object$coefficients

vcov.mlec <- function(object, ...) object$covariance

nobs.mlec <- function(object, ...) object$n_obs

# df counts the estimated parameters (not those held by fix=), and nobs is
# what BIC counts (the sum of the weights with a `weight` statement), so
# AIC() and BIC() give mlec's numbers. A fit that found no maximum has no
# log-likelihood of one: NA, as its AIC and BIC are.
logLik.mlec <- function(object, ...) {
  value <- if (is.na(object$aic)) NA_real_ else object$log_likelihood
  structure(value, df = object$n_params, nobs = object$n_weighted, class = "logLik")
}

# The coefficient table (as summary.glm's), the reported quantities, and
# every diagnostic by name.
summary.mlec <- function(object, ...) {
  table <- function(frame) {
    m <- cbind(Estimate = frame$estimate, `Std. Error` = frame$std_error, `z value` = frame$z,
               `Pr(>|z|)` = frame$p_value)
    rownames(m) <- frame$name
    m
  }
  kinds <- vapply(object$diagnostics, function(d) d$kind, "")
  diagnostics <- stats::setNames(lapply(object$diagnostics, function(d) d$message), kinds)
  structure(list(call = object$call, model_name = object$model_name, data_name = object$data_name,
                 coefficients = table(object$parameters), derived = table(object$derived),
                 fixed = object$parameters$name[object$parameters$fixed],
                 log_likelihood = object$log_likelihood, n_params = object$n_params, aic = object$aic,
                 bic = object$bic, n_obs = object$n_obs, status = object$status, converged = object$converged,
                 message = object$message, diagnostics = diagnostics, warnings = object$warnings,
                 reml = object$reml),
            class = "summary.mlec")
}

print.summary.mlec <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  print_heading(x)
  stats::printCoefmat(x$coefficients, digits = digits, na.print = "NA")
  if (length(x$fixed) > 0L) cat("Held fixed: ", paste(x$fixed, collapse = ", "), "\n", sep = "")
  if (nrow(x$derived) > 0L) {
    cat("\nReported quantities:\n")
    stats::printCoefmat(x$derived, digits = digits, na.print = "NA")
  }
  print_likelihood(x, digits)
  for (kind in names(x$diagnostics)) cat("Diagnostic ", kind, ": ", x$diagnostics[[kind]], "\n", sep = "")
  for (w in x$warnings) cat("Warning: ", w, "\n", sep = "")
  invisible(x)
}

# "2.5 %" and "97.5 %", as confint.default names its columns.
percent_names <- function(level) {
  a <- (1 - level) / 2
  paste(format(100 * c(a, 1 - a), trim = TRUE, scientific = FALSE, digits = 3), "%")
}

# Wald intervals are mlec's (on the optimizer's scale for a bounded
# parameter, so they stay inside its bounds); profile intervals invert the
# likelihood-ratio test. Either is the stored one when the fit computed it
# at this level, else the model is fitted again for it (the same start and
# path, so the same estimate). `parm` may name reported quantities too.
confint.mlec <- function(object, parm, level = 0.95, method = c("wald", "profile"), ...) {
  method <- match.arg(method)
  if (object$ci != method || !isTRUE(all.equal(object$level, level))) {
    object <- refit(object, ci = method, level = as.double(level))
  }
  frame <- rbind(object$parameters, object$derived)
  if (missing(parm)) parm <- object$parameters$name
  if (is.numeric(parm)) parm <- frame$name[parm]
  unknown <- setdiff(parm, frame$name)
  if (length(unknown) > 0L) usage_error(sprintf("no parameter named '%s'", unknown[1]))
  intervals <- cbind(frame[parm, "ci_lower"], frame[parm, "ci_upper"])
  dimnames(intervals) <- list(parm, percent_names(level))
  intervals
}

# The report as the mlec command prints it (text, or JSON: docs/json.md).
mlec_report <- function(fit, format = c("text", "json")) {
  if (match.arg(format) == "json") fit$json else fit$report
}

# The SVG pictures mlec --plot writes: the convergence traces (NLL and
# gradient), and each profile (a fit with ci = "profile"), by file name.
mlec_plots <- function(fit) .Call(C_mlec_plots, fit$pointer)

# The exact gradient against finite differences at theta (the optimizer's
# unconstrained scale; by default the estimate).
mlec_check_gradient <- function(fit, theta = NULL) {
  if (is.null(theta)) theta <- .Call(C_mlec_thetas, fit$bound$session, fit$pointer)$estimate
  native_answer(.Call(C_mlec_check_gradient, fit$bound$session, as.double(theta)))
}

# broom's tidy() and glance() (the generics package's generics, which broom
# re-exports): registered when generics is loaded (NAMESPACE), and callable
# as mlec::tidy.mlec without it.

tidy.mlec <- function(x, conf.int = FALSE, conf.level = 0.95, ...) {
  p <- x$parameters
  out <- data.frame(term = p$name, estimate = p$estimate, std.error = p$std_error, statistic = p$z,
                    p.value = p$p_value, stringsAsFactors = FALSE)
  if (conf.int) {
    intervals <- stats::confint(x, level = conf.level)
    out$conf.low <- intervals[, 1]
    out$conf.high <- intervals[, 2]
  }
  out
}

glance.mlec <- function(x, ...) {
  data.frame(logLik = x$log_likelihood, AIC = x$aic, BIC = x$bic, nobs = x$n_obs, df = x$n_params,
             converged = x$converged, status = x$status, iterations = x$iterations, stringsAsFactors = FALSE)
}

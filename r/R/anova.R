# Models fitted to the same data compared, as mlec compare: the
# likelihood-ratio test of each nested pair (by parameter count), AIC and
# BIC. Rows are named by the arguments as written (anova.glm does so too).
anova.mlec <- function(object, ...) {
  fits <- c(list(object), list(...))
  if (!all(vapply(fits, inherits, TRUE, "mlec"))) usage_error("anova compares mlec fits only")
  names <- vapply(as.list(match.call())[-1L], function(e) paste(deparse(e), collapse = ""), "")
  names <- make.unique(names[seq_along(fits)])
  answer <- native_answer(.Call(C_mlec_compare, lapply(fits, `[[`, "pointer"), lapply(fits, `[[`, "outcomes"),
                                names))
  rows <- answer$rows
  table <- data.frame(npar = rows$n_params, logLik = rows$log_likelihood, AIC = rows$aic, BIC = rows$bic,
                      Chisq = NA_real_, Df = NA_integer_, `Pr(>Chisq)` = NA_real_, check.names = FALSE,
                      row.names = names)
  tests <- answer$tests
  for (k in seq_along(tests$larger)) {
    row <- tests$larger[k]
    table[row, "Chisq"] <- tests$statistic[k]
    table[row, "Df"] <- tests$df[k]
    table[row, "Pr(>Chisq)"] <- if (is.na(tests$p_value_boundary[k])) tests$p_value[k] else tests$p_value_boundary[k]
  }
  heading <- c("Likelihood-ratio tests of mlec fits (mlec compare)\n", paste0(answer$warnings, "\n"))
  structure(table, heading = heading, class = c("anova", "data.frame"), comparison = answer)
}

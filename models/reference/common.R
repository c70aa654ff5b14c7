# Helpers shared by the reference scripts in models/reference/.
# Every script is run from the repository root: Rscript models/reference/NAME.R

# Minimal JSON writer (jsonlite is not assumed to be installed). Numbers are
# printed with 17 significant digits so that a double round-trips exactly.
json_value <- function(x, indent = 0L) {
  pad <- strrep("  ", indent)
  pad_in <- strrep("  ", indent + 1L)
  if (is.list(x)) {
    if (length(x) == 0L) return(if (is.null(names(x))) "[]" else "{}")
    inner <- vapply(x, json_value, character(1), indent = indent + 1L)
    # a list of scalars (one parameter, one covariance row) fits on one line
    flat <- !any(vapply(x, is.list, logical(1)))
    if (!is.null(names(x))) {
      inner <- paste0(json_string(names(x)), ": ", inner)
      if (flat && indent > 0L) return(paste0("{", paste(inner, collapse = ", "), "}"))
      return(paste0("{\n", paste0(pad_in, inner, collapse = ",\n"), "\n", pad, "}"))
    }
    if (flat) return(paste0("[", paste(inner, collapse = ", "), "]"))
    return(paste0("[\n", paste0(pad_in, inner, collapse = ",\n"), "\n", pad, "]"))
  }
  stopifnot(length(x) == 1L)
  if (is.character(x)) return(json_string(x))
  if (is.logical(x)) return(if (x) "true" else "false")
  if (is.numeric(x)) {
    stopifnot(is.finite(x))
    if (x == 0) return("0")  # avoids "-0"
    return(sprintf("%.17g", x))
  }
  stop("unsupported JSON value")
}

json_string <- function(s) {
  s <- gsub("\\", "\\\\", s, fixed = TRUE)
  s <- gsub("\"", "\\\"", s, fixed = TRUE)
  paste0("\"", s, "\"")
}

write_json_file <- function(x, path) {
  writeLines(json_value(x), path, useBytes = TRUE)
  cat("wrote", path, "\n")
}

# parameters: named estimate and std_error vectors in model-text order.
parameter_list <- function(estimate, std_error) {
  stopifnot(identical(names(estimate), names(std_error)))
  unname(Map(function(n, e, s) list(name = n, estimate = unname(e), std_error = unname(s)),
             names(estimate), estimate, std_error))
}

# CSV without quotes or row names; the caller formats numbers as text first.
write_plain_csv <- function(df, path) {
  write.table(df, path, sep = ",", quote = FALSE, row.names = FALSE, eol = "\n")
  cat("wrote", path, "\n")
}

r_version <- function() paste0("R ", getRversion())

# Cross-check helper: numerical optimum and Hessian of a negative log-likelihood,
# started at the reference estimate; reports the largest differences.
cross_check <- function(nll, theta_ref, se_ref, label) {
  opt <- optim(theta_ref, nll, method = "BFGS",
               control = list(reltol = 1e-15, maxit = 1000))
  h <- optimHess(opt$par, nll)
  se_num <- sqrt(diag(solve(h)))
  cat(sprintf("[%s] cross-check: max |theta_num - theta_ref| = %.3g, max |se_num - se_ref| = %.3g, nll diff = %.3g\n",
              label, max(abs(opt$par - theta_ref)), max(abs(se_num - se_ref)),
              opt$value - nll(theta_ref)))
  stopifnot(max(abs(opt$par - theta_ref)) < 1e-4, max(abs(se_num - se_ref)) < 1e-4)
  invisible(list(par = opt$par, se = se_num))
}

# --- Helpers for the models whose estimates need iteration -------------------
# Convention: `grad` and `hess` are the ANALYTIC gradient and Hessian of the
# negative log-likelihood (so the Hessian at the MLE is the observed information).

# Newton steps theta <- theta - H^{-1} g; stops once the step is below `tol`
# relative to max(1, |theta|). Returns the polished point and the size of the last step.
newton_polish <- function(theta, grad, hess, tol = 1e-14, max_iter = 100) {
  last <- Inf
  for (iter in seq_len(max_iter)) {
    step <- solve(hess(theta), grad(theta))
    theta <- theta - step
    last <- max(abs(step) / pmax(1, abs(theta)))
    if (last < tol) break
  }
  list(par = theta, iter = iter, last_step = last)
}

# Hessian by central differences of an analytic gradient with two levels of
# Richardson extrapolation (steps h, h/2, h/4): the truncation error is O(h^6),
# far below the 1e-6 relative accuracy asked of the standard errors. The
# log-likelihood itself is never differenced.
hessian_from_gradient <- function(grad, theta, h = 1e-3) {
  p <- length(theta)
  H <- matrix(0, p, p)
  for (j in seq_len(p)) {
    hj <- h * max(1, abs(theta[j]))
    central <- function(s) {
      e <- numeric(p)
      e[j] <- s
      (grad(theta + e) - grad(theta - e)) / (2 * s)
    }
    d1 <- central(hj)
    d2 <- central(hj / 2)
    d3 <- central(hj / 4)
    r1 <- (4 * d2 - d1) / 3
    r2 <- (4 * d3 - d2) / 3
    H[, j] <- (16 * r2 - r1) / 15
  }
  (H + t(H)) / 2
}

# Largest relative difference between two matrices (relative to the largest entry
# of the row and column it sits in, so near-zero off-diagonal entries do not blow up).
max_rel_diff <- function(a, b) {
  scale <- outer(sqrt(abs(diag(a))), sqrt(abs(diag(a))))
  max(abs(a - b) / scale)
}

# Checks an analytic gradient against Richardson differences of the NLL at a point
# away from the optimum (a plain check of the derivative code; the standard errors
# never use differences of the NLL).
check_gradient <- function(nll, grad, theta, label, tol = 1e-6) {
  p <- length(theta)
  num <- vapply(seq_len(p), function(j) {
    hj <- 1e-3 * max(1, abs(theta[j]))
    e <- numeric(p)
    d <- function(s) { e[j] <- s; (nll(theta + e) - nll(theta - e)) / (2 * s) }
    (4 * d(hj / 2) - d(hj)) / 3
  }, numeric(1))
  rel <- max(abs(num - grad(theta)) / pmax(1, abs(num)))
  cat(sprintf("[%s] analytic gradient vs differences of the NLL: max rel diff %.3g\n", label, rel))
  stopifnot(rel < tol)
  invisible(rel)
}

# --- Helpers for the censored models (survreg references) ---------------------
# survreg fitted to convergence far below what the comparison needs.
survreg_tight <- function(formula, data, dist) {
  survival::survreg(formula, data = data, dist = dist,
                    control = survival::survreg.control(rel.tolerance = 1e-14, toler.chol = 1e-15, iter.max = 200))
}

# survreg's coefficients and, when it has one, its scale, with standard errors
# from vcov (the inverse of survreg's observed information, on the scale of
# log(scale)). At the MLE the observed information of a reparametrization
# phi = g(theta) is J' I J exactly (the gradient vanishes), so a parameter
# f(log scale) has SE |f'(log scale)| SE(log scale): the delta method is exact
# there. `scale_as` maps survreg's scale to the model's parameter and
# `scale_slope` gives |d parameter / d log(scale)|.
survreg_parameters <- function(fit, names, scale_name = NULL, scale_as = NULL, scale_slope = NULL) {
  v <- vcov(fit)
  se <- sqrt(diag(v))
  p <- length(coef(fit))
  estimate <- setNames(unname(coef(fit)), names)
  std_error <- setNames(unname(se[seq_len(p)]), names)
  if (!is.null(scale_name)) {
    estimate[[scale_name]] <- scale_as(fit$scale)
    std_error[[scale_name]] <- scale_slope(fit$scale) * se[[p + 1]]
  }
  list(estimate = estimate, std_error = std_error)
}

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

# Singular fits of correlated random effects, `(x | g)` by maximum likelihood with lmer:
#  - singular.csv (written by singular.R): lmer with bobyqa ends with the correlation at
#    1 (lmer's default optimizer stops at a worse point, log-likelihood -171.39892, with
#    the intercept's SD at 0: both are singular, bobyqa's is the maximum);
#  - zero_slope.csv: every group has the same x, centred, and residuals orthogonal to
#    (1, x) within each group, so the groups' least-squares slopes are all equal: with a
#    balanced design the likelihood depends on the groups only through their
#    least-squares (intercept, slope), and the ML estimate of the slope's SD is 0;
#  - unit_correlation.csv: the same, with each group's slope a fixed multiple of its
#    intercept deviation: the groups' (intercept, slope) lie on a line, their sample
#    covariance has rank 1, and the ML covariance of the effects has rank 1 too (the
#    correlation at -1 here).
# Writes the two CSVs and models/mixed/singular_blocks.expected.json (lme4's fits and, for
# a correlation at +-1, the one-sided profile interval computed here from lme4's deviance
# function: lme4's own confint fails on zero_slope and gives [-1, 1] without saying why);
# tests/test_singular_fits.cpp holds mlec to them. Run from the repository root.
source("models/mixed/reference/common.R")

balanced <- function(seed, slope_of_intercept) {
  set.seed(seed)
  groups <- 15
  x_one <- seq(-1.5, 1.5, length.out = 8)
  g <- rep(seq_len(groups), each = length(x_one))
  x <- rep(x_one, groups)
  c_g <- rnorm(groups, 0, 1)
  e <- rnorm(length(x))
  # (the residuals orthogonal to (1, x) within each group)
  e <- unlist(lapply(split(e, g), function(v) residuals(lm(v ~ x_one))), use.names = FALSE)
  y <- 1 + 0.5 * x + c_g[g] + slope_of_intercept * c_g[g] * x + e
  data.frame(y = y, x = x, g = g)
}

datasets <- list(
  singular = NULL,
  zero_slope = balanced(11, 0),
  unit_correlation = balanced(12, -0.6)
)

# The profile deviance of the correlation r of (x | g), 2 (max logLik - max logLik at r):
# lme4's deviance function (-2 logLik, beta and sigma profiled out) at relative Cholesky
# factor theta = (l11, t r, t sqrt(1 - r^2)), minimized over l11, t >= 0 by Nelder-Mead
# then BFGS from its end.
profile_deviance <- function(fit, data) {
  dev <- lmer(y ~ x + (x | g), data, REML = FALSE, devFunOnly = TRUE)
  best <- deviance(fit)
  theta <- getME(fit, "theta")
  function(r) {
    f <- function(p) dev(c(abs(p[1]), abs(p[2]) * r, abs(p[2]) * sqrt(1 - r^2)))
    start <- c(theta[1], sqrt(theta[2]^2 + theta[3]^2))
    o <- optim(start, f, control = list(reltol = 1e-15, maxit = 1e5))
    o <- optim(o$par, f, method = "BFGS", control = list(reltol = 1e-15, maxit = 1e5))
    o$value - best
  }
}

# The end of the one-sided profile interval of a correlation at `bound` (+-1): where the
# deviance reaches the chi-square(1) 95% quantile, or the other bound when it does not.
correlation_interval <- function(deviance, bound) {
  cutoff <- qchisq(0.95, 1)
  if (deviance(-bound) < cutoff) return(sort(c(-bound, bound)))
  end <- uniroot(function(r) deviance(r) - cutoff, sort(c(-bound, bound * (1 - 1e-9))), tol = 1e-12)$root
  sort(c(end, bound))
}

records <- list()
for (name in names(datasets)) {
  if (!is.null(datasets[[name]])) write_mixed_csv(datasets[[name]], csv_path(name))
  d <- read.csv(csv_path(name))
  if (!is.null(datasets[[name]])) check_same_data(datasets[[name]], d)
  spec <- list(id = paste0(name, "_lmer_ML"), tool = "lme4", method = "ML",
               call = "lmer(y ~ x + (x | g), data, REML = FALSE, control = lmerControl(optimizer = \"bobyqa\", optCtrl = list(maxfun = 1e5)))",
               formula = "y ~ x + (x | g)", family = "gaussian", link = "identity",
               run = function(data) lmer(y ~ x + (x | g), data, REML = FALSE, control = lmer_tight()))
  r <- timed_fit(spec$run, read.csv, csv_path(name), reps = 1)
  record <- lme4_record(spec, r)
  stopifnot(record$singular)
  record$data <- paste0(name, ".csv")
  r12 <- record$variance_components[[1]]$correlation[[1]][[2]]
  sds <- unlist(record$variance_components[[1]]$sd)
  if (abs(r12) > 1 - 1e-6 && min(sds) > 1e-4) {
    profile_at <- profile_deviance(r$fit, d)
    record$correlation_profile_interval <- as.list(correlation_interval(profile_at, round(r12)))
    record$correlation_profile_deviance <- lapply(c(0.99, 0.9, 0.5, 0) * round(r12), function(r)
      list(correlation = r, deviance = profile_at(r)))
  }
  cat(sprintf("%s: logLik %.10f, sd %s, corr %.6f\n", name, record$log_likelihood,
              paste(sprintf("%.6f", unlist(record$variance_components[[1]]$sd)), collapse = " "), r12))
  if (!is.null(record$correlation_profile_interval)) print(unlist(record$correlation_profile_interval))
  records[[name]] <- record
}

write_json_file(list(
  data_sets = as.list(names(datasets)),
  generated_by = "reference/singular_blocks.R",
  r_version = r_version(),
  notes = list("lmer's fits are singular (isSingular): a correlation at +-1 or an SD at 0, where the other correlation is arbitrary (lme4 prints one).",
               "correlation_profile_interval: where 2 (max logLik - max logLik with the correlation held) reaches qchisq(0.95, 1), by lme4's deviance function minimized over the other variance parameters (beta and sigma profiled out by lme4); the whole [-1, 1] when it stays below."),
  fits = unname(records)), file.path(mixed_dir, "singular_blocks.expected.json"))

# Reference fits for models/mixed/sleepstudy.csv (lme4::sleepstudy, 180 rows):
#   Reaction ~ Days + (Days | Subject), gaussian, by ML and by REML,
# with lme4::lmer and glmmTMB. The marginal model is y_i ~ N(X_i b, Z_i S Z_i' + s^2 I)
# per subject, so the ML log-likelihood has a closed form: the script recomputes it at
# each fit's estimates (and the REML one, l_ML at the GLS b minus
# (1/2) log det(X'V^-1 X) plus (p/2) log(2 pi)), independently of either package.
source("models/mixed/reference/common.R")

name <- "sleepstudy"
original <- lme4::sleepstudy[, c("Reaction", "Days", "Subject")]
write_mixed_csv(original, csv_path(name))

read_data <- function(path) {
  d <- read.csv(path)
  d$Subject <- as_factor(d$Subject)
  d
}
d <- read_data(csv_path(name))
check_same_data(original, d)

formula_text <- "Reaction ~ Days + (Days | Subject)"
spec <- function(id, tool, method, call, run) {
  list(id = id, tool = tool, method = method, call = call, formula = formula_text,
       family = "gaussian", link = "identity", run = run)
}
specs <- list(
  spec("lmer_ML", "lme4", "ML",
       "lmer(Reaction ~ Days + (Days | Subject), data, REML = FALSE, control = lmerControl(optimizer = \"bobyqa\", optCtrl = list(maxfun = 1e5)))",
       function(data) lmer(Reaction ~ Days + (Days | Subject), data, REML = FALSE, control = lmer_tight())),
  spec("lmer_REML", "lme4", "REML",
       "lmer(Reaction ~ Days + (Days | Subject), data, REML = TRUE, control = lmerControl(optimizer = \"bobyqa\", optCtrl = list(maxfun = 1e5)))",
       function(data) lmer(Reaction ~ Days + (Days | Subject), data, REML = TRUE, control = lmer_tight())),
  spec("glmmTMB_ML", "glmmTMB", "ML",
       "glmmTMB(Reaction ~ Days + (Days | Subject), data, family = gaussian, REML = FALSE)",
       function(data) glmmTMB(Reaction ~ Days + (Days | Subject), data, family = gaussian, REML = FALSE)),
  spec("glmmTMB_REML", "glmmTMB", "REML",
       "glmmTMB(Reaction ~ Days + (Days | Subject), data, family = gaussian, REML = TRUE)",
       function(data) glmmTMB(Reaction ~ Days + (Days | Subject), data, family = gaussian, REML = TRUE))
)
fits <- run_fits(specs, read_data, csv_path(name), reps = 3, with_modes = TRUE)

# The closed-form marginal log-likelihood at a fit's variance components; beta is the
# GLS estimate given them (the ML and REML estimates of beta both are).
marginal_log_likelihood <- function(record, reml) {
  vc <- record$variance_components[[1]]
  sd <- unlist(vc$sd)
  S <- diag(sd) %*% matrix(unlist(vc$correlation), 2) %*% diag(sd)
  s2 <- record$residual_sd^2
  X <- cbind(1, d$Days)
  blocks <- split(seq_len(nrow(d)), d$Subject)
  XtVX <- matrix(0, 2, 2)
  XtVy <- numeric(2)
  logdet <- 0
  inverses <- list()
  for (rows in blocks) {
    Z <- X[rows, ]
    V <- Z %*% S %*% t(Z) + s2 * diag(length(rows))
    Vi <- solve(V)
    inverses[[length(inverses) + 1]] <- Vi
    logdet <- logdet + as.numeric(determinant(V)$modulus)
    XtVX <- XtVX + t(Z) %*% Vi %*% Z
    XtVy <- XtVy + t(Z) %*% Vi %*% d$Reaction[rows]
  }
  beta <- solve(XtVX, XtVy)
  quad <- 0
  for (i in seq_along(blocks)) {
    r <- d$Reaction[blocks[[i]]] - X[blocks[[i]], ] %*% beta
    quad <- quad + as.numeric(t(r) %*% inverses[[i]] %*% r)
  }
  n <- nrow(d)
  ll <- -0.5 * (n * log(2 * pi) + logdet + quad)
  if (reml) ll <- ll - 0.5 * as.numeric(determinant(XtVX)$modulus) + 0.5 * ncol(X) * log(2 * pi)
  list(log_likelihood = ll, beta = as.numeric(beta))
}

checks <- list()
for (id in names(fits$records)) {
  record <- fits$records[[id]]
  reml <- record$method == "REML"
  closed <- marginal_log_likelihood(record, reml)
  beta_fit <- vapply(record$fixed_effects, function(p) p$estimate, numeric(1))
  diff_ll <- closed$log_likelihood - record$log_likelihood
  diff_beta <- max(abs(closed$beta - beta_fit))
  cat(sprintf("[%s] closed-form log-likelihood %.10f, minus the fit's: %.3g; GLS beta minus the fit's: %.3g\n",
              id, closed$log_likelihood, diff_ll, diff_beta))
  stopifnot(abs(diff_ll) < 1e-6, diff_beta < 1e-4)
  checks[[id]] <- list(closed_form_log_likelihood = closed$log_likelihood,
                       difference_from_fit = diff_ll,
                       gls_beta_max_difference = diff_beta)
}

write_expected(name, origin = paste0("lme4::sleepstudy (lme4 ", package_version_text("lme4"), ")"),
               data = d, factor_columns = "Subject",
               notes = c("Closed-form check: each fit's log-likelihood recomputed from the multivariate normal marginal (per subject V = Z S Z' + sigma^2 I) at its variance components, beta by GLS; REML adds -(1/2) log det(X'V^-1 X) + (p/2) log(2 pi).",
                         "lmer's fixed-effect SEs are conditional on the variance parameters (sigma^2 (X'V^-1 X)^-1); glmmTMB's come from the inverse Hessian in all parameters. Here they agree to about 1e-6 relative (see the fits)."),
               fits = fits, checks = list(closed_form = checks))
record_timings(name, fits$timings)

# Reference fits for models/mixed/Salamanders.csv (glmmTMB::Salamanders, 644 counts at
# 23 sites):
#   count ~ mined + (1 | site), negative binomial NB2 (log), variance mu + mu^2 / size,
# with glmmTMB (family nbinom2, Laplace) and, as a cross-check, lme4::glmer.nb (Laplace,
# size estimated by alternating with glmer fits). mined keeps the package's level order
# ("yes" then "no"), so the coefficient is "minedno".
# Independent check, as for cbpp: with one scalar effect per site the marginal likelihood
# is a product of one-dimensional integrals, computed by stats::integrate at each fit's
# estimates, and its Laplace approximation is computed by hand with the observed
# curvature, g''(u) = -s^2 sum k mu (y + k) / (k + mu)^2 - 1 (NB2 with log link is not a
# canonical GLM, so observed and expected information differ).
# What the check found: glmmTMB's value is that Laplace approximation; glmer.nb's is not
# (0.06 above it at glmer.nb's estimates, which are 0.01 below glmmTMB's on both the
# Laplace and the exact marginal log-likelihood): glmer's Laplace uses the expected
# information (its PIRLS weights) where the family is not canonical.
source("models/mixed/reference/common.R")

name <- "Salamanders"
data(Salamanders, package = "glmmTMB")
original <- Salamanders[, c("count", "mined", "site")]
write_mixed_csv(original, csv_path(name))

read_data <- function(path) {
  d <- read.csv(path)
  d$mined <- as_factor(d$mined, levels = c("yes", "no"))
  d$site <- factor(d$site, levels = levels(Salamanders$site))
  d
}
d <- read_data(csv_path(name))
check_same_data(original, d, fixed_factors = "mined")

formula_text <- "count ~ mined + (1 | site)"
specs <- list(
  list(id = "glmmTMB_Laplace", tool = "glmmTMB", method = "Laplace", formula = formula_text,
       family = "nbinom2", link = "log",
       call = "glmmTMB(count ~ mined + (1 | site), data, family = nbinom2)",
       run = function(data) glmmTMB(count ~ mined + (1 | site), data, family = nbinom2)),
  list(id = "glmer.nb_Laplace", tool = "lme4", method = "Laplace", formula = formula_text,
       family = "negative binomial (glmer.nb)", link = "log",
       call = "glmer.nb(count ~ mined + (1 | site), data, control = glmerControl(optimizer = \"bobyqa\", optCtrl = list(maxfun = 1e5)))",
       run = function(data) glmer.nb(count ~ mined + (1 | site), data, control = glmer_tight()))
)
fits <- run_fits(specs, read_data, csv_path(name), reps = 3)
agreement <- tool_agreement(fits, "glmer.nb_Laplace", "glmmTMB_Laplace")

X <- model.matrix(~ mined, d)
site_integrals <- function(beta, s, k, laplace) {
  eta <- drop(X %*% beta)
  sum(vapply(split(seq_len(nrow(d)), d$site), function(rows) {
    y <- d$count[rows]
    g <- function(u) {
      vapply(u, function(v) sum(dnbinom(y, size = k, mu = exp(eta[rows] + s * v), log = TRUE)) + dnorm(v, log = TRUE),
             numeric(1))
    }
    slope <- function(u) { mu <- exp(eta[rows] + s * u); s * sum(k * (y - mu) / (k + mu)) - u }
    curvature <- function(u) { mu <- exp(eta[rows] + s * u); -s^2 * sum(k * mu * (y + k) / (k + mu)^2) - 1 }
    u <- optimize(g, c(-10, 10), maximum = TRUE, tol = 1e-10)$maximum
    for (i in 1:20) u <- u - slope(u) / curvature(u)
    if (laplace) return(g(u) + 0.5 * log(2 * pi) - 0.5 * log(-curvature(u)))
    top <- g(u)
    top + log(integrate(function(v) exp(g(v) - top), -Inf, Inf, rel.tol = 1e-12)$value)
  }, numeric(1)))
}
checks <- list()
for (id in names(fits$records)) {
  record <- fits$records[[id]]
  beta <- vapply(record$fixed_effects, function(p) p$estimate, numeric(1))
  s <- record$variance_components[[1]]$sd[[1]]
  k <- record$nbinom2_size
  exact <- site_integrals(beta, s, k, laplace = FALSE)
  laplace <- site_integrals(beta, s, k, laplace = TRUE)
  cat(sprintf("[%s] at its estimates: exact %.10f, Laplace by hand %.10f; reported minus exact %.6g, minus Laplace %.6g\n",
              id, exact, laplace, record$log_likelihood - exact, record$log_likelihood - laplace))
  checks[[id]] <- list(exact_log_likelihood = exact,
                       laplace_log_likelihood = laplace,
                       reported_minus_exact = record$log_likelihood - exact,
                       reported_minus_laplace = record$log_likelihood - laplace)
}
stopifnot(abs(checks$glmmTMB_Laplace$reported_minus_laplace) < 1e-6)

# Standard errors of beta from numDeriv's Hessian of the hand-made Laplace log-likelihood
# in (beta, s, size) at glmmTMB's estimates: independent of both packages.
tmb <- fits$records$glmmTMB_Laplace
tmb_beta <- vapply(tmb$fixed_effects, function(p) p$estimate, numeric(1))
tmb_se <- vapply(tmb$fixed_effects, function(p) p$std_error, numeric(1))
laplace_hessian <- numDeriv::hessian(function(p) -site_integrals(p[1:2], p[3], p[4], laplace = TRUE),
                                     c(tmb_beta, tmb$variance_components[[1]]$sd[[1]], tmb$nbinom2_size))
laplace_se <- sqrt(diag(solve(laplace_hessian)))[1:2]
cat(sprintf("SEs from the hand Laplace: %s; glmmTMB's relative difference %.3g\n",
            paste(sprintf("%.8f", laplace_se), collapse = " "), max(abs(tmb_se / laplace_se - 1))))
stopifnot(max(abs(tmb_se / laplace_se - 1)) < 1e-5)
laplace_standard_errors <- list(
  at = "glmmTMB_Laplace estimates",
  std_error = as.list(setNames(laplace_se, vapply(tmb$fixed_effects, function(p) p$name, character(1)))),
  glmmTMB_max_relative_difference = max(abs(tmb_se / laplace_se - 1)))

write_expected(name, origin = paste0("glmmTMB::Salamanders (glmmTMB ", package_version_text("glmmTMB"), ")"),
               data = d, factor_columns = c("mined"),
               notes = c("Reference: glmmTMB. Its log-likelihood equals the Laplace approximation computed by hand with the observed curvature (checks.at_each_fit); glmer.nb's differs from it by about 0.06 (glmer's Laplace uses the expected information, the PIRLS weights, and NB2 with a log link is not canonical), and glmer.nb's estimates are lower on both the Laplace and the exact marginal log-likelihood.",
                         "nbinom2_size is the NB2 size (glmmTMB's sigma(), glmer.nb's theta): variance mu + mu^2 / size.",
                         "site labels as in glmmTMB (an ordered factor there, used only as a grouping factor).",
                         "glmer.nb's df counts the size; its fixed-effect SEs are glmer's, given the size. lme4_objective_at_glmmTMB_estimates evaluates glmer's Laplace objective at glmmTMB's beta and site SD with the size glmer.nb found."),
               fits = fits, checks = list(at_each_fit = checks, tools = agreement,
                                          laplace_standard_errors = laplace_standard_errors))
record_timings(name, fits$timings)

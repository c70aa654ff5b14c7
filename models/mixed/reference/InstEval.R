# Reference fits for models/mixed/InstEval.csv (lme4::InstEval, 73,421 ratings y of
# lecturers d by students s, 14 departments):
#   y ~ service + lectage + studage + (1 | s) + (1 | d) + (1 | dept), gaussian,
# by ML with lme4::lmer (REML = FALSE) and glmmTMB; one timed run each.
# In the package lectage and studage are ordered factors, which R codes with polynomial
# contrasts; the CSV holds only their labels, and the reference reads them back as plain
# factors with treatment contrasts (the first level the reference: lectage2..6,
# studage4..8). The two codings span the same columns, so the log-likelihood, sigma and
# the variance components do not depend on it; the script checks that by one more lmer
# fit on the package's own ordered factors.
source("models/mixed/reference/common.R")

name <- "InstEval"
original <- lme4::InstEval[, c("y", "service", "lectage", "studage", "s", "d", "dept")]
write_mixed_csv(original, csv_path(name))
cat(sprintf("%s: %.2f MB\n", csv_path(name), file.size(csv_path(name)) / 1e6))

read_data <- function(path) {
  d <- read.csv(path)
  for (column in c("service", "lectage", "studage", "s", "d", "dept")) d[[column]] <- as_factor(d[[column]])
  d
}
d <- read_data(csv_path(name))
check_same_data(original, d, fixed_factors = c("service", "lectage", "studage"))

formula_text <- "y ~ service + lectage + studage + (1 | s) + (1 | d) + (1 | dept)"
specs <- list(
  list(id = "lmer_ML", tool = "lme4", method = "ML", formula = formula_text,
       family = "gaussian", link = "identity",
       call = "lmer(y ~ service + lectage + studage + (1 | s) + (1 | d) + (1 | dept), data, REML = FALSE, control = lmerControl(optimizer = \"bobyqa\", optCtrl = list(maxfun = 1e5)))",
       run = function(data) {
         lmer(y ~ service + lectage + studage + (1 | s) + (1 | d) + (1 | dept), data,
              REML = FALSE, control = lmer_tight())
       }),
  list(id = "glmmTMB_ML", tool = "glmmTMB", method = "ML", formula = formula_text,
       family = "gaussian", link = "identity",
       call = "glmmTMB(y ~ service + lectage + studage + (1 | s) + (1 | d) + (1 | dept), data, family = gaussian)",
       run = function(data) {
         glmmTMB(y ~ service + lectage + studage + (1 | s) + (1 | d) + (1 | dept), data,
                 family = gaussian)
       })
)
fits <- run_fits(specs, read_data, csv_path(name), reps = 1)

# the same model on the package's data frame, ordered factors and polynomial contrasts
polynomial <- lmer(y ~ service + lectage + studage + (1 | s) + (1 | d) + (1 | dept),
                   lme4::InstEval, REML = FALSE, control = lmer_tight())
treatment <- fits$records$lmer_ML
coding <- list(polynomial_contrasts_log_likelihood = as.numeric(logLik(polynomial)),
               minus_treatment = as.numeric(logLik(polynomial)) - treatment$log_likelihood,
               polynomial_contrasts_residual_sd = sigma(polynomial),
               polynomial_contrasts_fixed_effects = fixed_effects(fixef(polynomial), vcov(polynomial)))
cat(sprintf("ordered factors (polynomial contrasts): logLik %.10f, minus the treatment coding's %.3g\n",
            coding$polynomial_contrasts_log_likelihood, coding$minus_treatment))
stopifnot(abs(coding$minus_treatment) < 1e-6)

write_expected(name, origin = paste0("lme4::InstEval (lme4 ", package_version_text("lme4"), ")"),
               data = d, factor_columns = c("service", "lectage", "studage"),
               notes = c("lectage and studage are ordered factors in lme4; here they are plain factors with treatment contrasts (see checks.contrasts for the package's polynomial coding: same log-likelihood).",
                         "s (students), d (lecturers) and dept are grouping factors (labels as in lme4); service is 0/1 as a factor.",
                         "lmer's fixed-effect SEs are conditional on the variance parameters (sigma^2 (X'V^-1 X)^-1); glmmTMB's come from the inverse Hessian in all parameters."),
               fits = fits, checks = list(contrasts = coding))
record_timings(name, fits$timings)

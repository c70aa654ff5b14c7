# Reference fits for models/mixed/Contraception.csv (mlmRev::Contraception, 1934 women
# in 60 districts):
#   use ~ urban + age + I(age^2) + livch + (urban | district), binomial (logit),
# with lme4::glmer (Laplace) and glmmTMB (Laplace). `use` is written as 0/1 (1 = "Y"),
# the model's response; age is the data set's centred age, and age^2 is left to the model.
source("models/mixed/reference/common.R")

name <- "Contraception"
data(Contraception, package = "mlmRev")
original <- Contraception[, c("use", "urban", "age", "livch", "district")]
original$use <- as.integer(original$use == "Y")
write_mixed_csv(original, csv_path(name))

read_data <- function(path) {
  d <- read.csv(path)
  d$urban <- as_factor(d$urban)
  d$livch <- as_factor(d$livch)
  d$district <- as_factor(d$district)
  d
}
d <- read_data(csv_path(name))
check_same_data(original, d, fixed_factors = c("urban", "livch"))

formula_text <- "use ~ urban + age + I(age^2) + livch + (urban | district)"
specs <- list(
  list(id = "glmer_Laplace", tool = "lme4", method = "Laplace", formula = formula_text,
       family = "binomial", link = "logit",
       call = "glmer(use ~ urban + age + I(age^2) + livch + (urban | district), data, family = binomial, control = glmerControl(optimizer = \"bobyqa\", optCtrl = list(maxfun = 1e5)))",
       run = function(data) {
         glmer(use ~ urban + age + I(age^2) + livch + (urban | district), data,
               family = binomial, control = glmer_tight())
       }),
  list(id = "glmmTMB_Laplace", tool = "glmmTMB", method = "Laplace", formula = formula_text,
       family = "binomial", link = "logit",
       call = "glmmTMB(use ~ urban + age + I(age^2) + livch + (urban | district), data, family = binomial)",
       run = function(data) {
         glmmTMB(use ~ urban + age + I(age^2) + livch + (urban | district), data,
                 family = binomial)
       })
)
fits <- run_fits(specs, read_data, csv_path(name), reps = 3)

agreement <- tool_agreement(fits, "glmer_Laplace", "glmmTMB_Laplace")

# glmer warns of a very large eigenvalue and reports a gradient near 1 on I(age^2)
# (values to ~400): a refit with bobyqa's final trust radius 1e-10 shows whether the
# optimum moves.
glmer_fit <- fit_of(fits$records$glmer_Laplace)
finer <- suppressWarnings(glmer(use ~ urban + age + I(age^2) + livch + (urban | district), d,
                                family = binomial,
                                control = glmerControl(optimizer = "bobyqa", optCtrl = list(maxfun = 1e5, rhoend = 1e-10))))
refit <- list(call_control = "glmerControl(optimizer = \"bobyqa\", optCtrl = list(maxfun = 1e5, rhoend = 1e-10))",
              log_likelihood = as.numeric(logLik(finer)),
              minus_reference = as.numeric(logLik(finer)) - fits$records$glmer_Laplace$log_likelihood,
              max_abs_fixed_effect_change = max(abs(fixef(finer) - fixef(glmer_fit))),
              max_abs_gradient = max(abs(finer@optinfo$derivs$gradient)))
cat(sprintf("refit with rhoend 1e-10: logLik %.10f (%.3g more), fixed effects moved by %.3g, max |gradient| %.3g\n",
            refit$log_likelihood, refit$minus_reference, refit$max_abs_fixed_effect_change, refit$max_abs_gradient))
stopifnot(abs(refit$minus_reference) < 1e-6)

write_expected(name, origin = paste0("mlmRev::Contraception (mlmRev ", package_version_text("mlmRev"), ")"),
               data = d, factor_columns = c("urban", "livch"),
               notes = c("use is 1 for \"Y\", 0 for \"N\"; district labels as in mlmRev (district 54 has no women).",
                         "glmer's warning and its gradient of 0.9 (on I(age^2)) do not mean an unconverged optimum: checks.glmer_finer_refit refits with bobyqa's rhoend = 1e-10 (log-likelihood, largest change of a fixed effect, gradient).",
                         "glmer's fixed-effect SEs come from the finite-difference Hessian of the deviance in (theta, beta); glmmTMB's from the inverse Hessian of the Laplace marginal in all parameters."),
               fits = fits, checks = list(tools = agreement, glmer_finer_refit = refit))
record_timings(name, fits$timings)

# Reference fits for models/mixed/grouseticks.csv (lme4::grouseticks, 403 rows):
#   TICKS ~ YEAR + cHEIGHT + (1 | BROOD) + (1 | INDEX) + (1 | LOCATION), poisson (log),
# with lme4::glmer (Laplace) and glmmTMB (Laplace). The random effects are nested:
# INDEX (one level a row: an observation-level effect for overdispersion) within BROOD
# within LOCATION. cHEIGHT is the data set's own column, HEIGHT minus its mean (the
# script checks that), as in lme4's example; it is written with enough digits to read
# back as the same doubles.
source("models/mixed/reference/common.R")

name <- "grouseticks"
g <- lme4::grouseticks
stopifnot(isTRUE(all.equal(g$cHEIGHT, g$HEIGHT - mean(g$HEIGHT), tolerance = 1e-14)))
original <- g[, c("TICKS", "YEAR", "cHEIGHT", "BROOD", "INDEX", "LOCATION")]
write_mixed_csv(original, csv_path(name))

read_data <- function(path) {
  d <- read.csv(path)
  for (column in c("YEAR", "BROOD", "INDEX", "LOCATION")) d[[column]] <- as_factor(d[[column]])
  d
}
d <- read_data(csv_path(name))
check_same_data(original, d, fixed_factors = "YEAR")
# the nesting the brief states: every INDEX in one BROOD, every BROOD in one LOCATION
stopifnot(all(tapply(d$BROOD, d$INDEX, function(b) length(unique(b))) == 1),
          all(tapply(d$LOCATION, d$BROOD, function(l) length(unique(l))) == 1))

formula_text <- "TICKS ~ YEAR + cHEIGHT + (1 | BROOD) + (1 | INDEX) + (1 | LOCATION)"
specs <- list(
  list(id = "glmer_Laplace", tool = "lme4", method = "Laplace", formula = formula_text,
       family = "poisson", link = "log",
       call = "glmer(TICKS ~ YEAR + cHEIGHT + (1 | BROOD) + (1 | INDEX) + (1 | LOCATION), data, family = poisson, control = glmerControl(optimizer = \"bobyqa\", optCtrl = list(maxfun = 1e5)))",
       run = function(data) {
         glmer(TICKS ~ YEAR + cHEIGHT + (1 | BROOD) + (1 | INDEX) + (1 | LOCATION), data,
               family = poisson, control = glmer_tight())
       }),
  list(id = "glmmTMB_Laplace", tool = "glmmTMB", method = "Laplace", formula = formula_text,
       family = "poisson", link = "log",
       call = "glmmTMB(TICKS ~ YEAR + cHEIGHT + (1 | BROOD) + (1 | INDEX) + (1 | LOCATION), data, family = poisson)",
       run = function(data) {
         glmmTMB(TICKS ~ YEAR + cHEIGHT + (1 | BROOD) + (1 | INDEX) + (1 | LOCATION), data,
                 family = poisson)
       })
)
fits <- run_fits(specs, read_data, csv_path(name), reps = 3)

agreement <- tool_agreement(fits, "glmer_Laplace", "glmmTMB_Laplace")

write_expected(name, origin = paste0("lme4::grouseticks (lme4 ", package_version_text("lme4"), ")"),
               data = d, factor_columns = c("YEAR"),
               notes = c(sprintf("cHEIGHT = HEIGHT - mean(HEIGHT), mean(HEIGHT) = %.17g; BROOD, INDEX and LOCATION are grouping factors (labels as in lme4).", mean(g$HEIGHT)),
                         "glmer's fixed-effect SEs come from the finite-difference Hessian of the deviance in (theta, beta); glmmTMB's from the inverse Hessian of the Laplace marginal in all parameters."),
               fits = fits, checks = list(tools = agreement))
record_timings(name, fits$timings)

# Reference fits for models/mixed/VerbAgg.csv (lme4::VerbAgg, 7584 responses of 316
# people to 24 items):
#   r2 ~ Anger + Gender + btype + situ + (1 | id) + (1 | item), binomial (logit),
# crossed random effects, with lme4::glmer (Laplace) and glmmTMB (Laplace). r2 is
# written as 0/1 (1 = "Y"), the model's response, as Contraception's use.
source("models/mixed/reference/common.R")

name <- "VerbAgg"
original <- lme4::VerbAgg[, c("r2", "Anger", "Gender", "btype", "situ", "id", "item")]
original$r2 <- as.integer(original$r2 == "Y")
write_mixed_csv(original, csv_path(name))

read_data <- function(path) {
  d <- read.csv(path)
  for (column in c("Gender", "btype", "situ", "id")) d[[column]] <- as_factor(d[[column]])
  # items in the package's order (S1WantCurse, S1WantScold, ...), not sorted
  d$item <- factor(d$item, levels = unique(d$item))
  d
}
d <- read_data(csv_path(name))
check_same_data(original, d, fixed_factors = c("Gender", "btype", "situ"))

formula_text <- "r2 ~ Anger + Gender + btype + situ + (1 | id) + (1 | item)"
specs <- list(
  list(id = "glmer_Laplace", tool = "lme4", method = "Laplace", formula = formula_text,
       family = "binomial", link = "logit",
       call = "glmer(r2 ~ Anger + Gender + btype + situ + (1 | id) + (1 | item), data, family = binomial, control = glmerControl(optimizer = \"bobyqa\", optCtrl = list(maxfun = 1e5)))",
       run = function(data) {
         glmer(r2 ~ Anger + Gender + btype + situ + (1 | id) + (1 | item), data,
               family = binomial, control = glmer_tight())
       }),
  list(id = "glmmTMB_Laplace", tool = "glmmTMB", method = "Laplace", formula = formula_text,
       family = "binomial", link = "logit",
       call = "glmmTMB(r2 ~ Anger + Gender + btype + situ + (1 | id) + (1 | item), data, family = binomial)",
       run = function(data) {
         glmmTMB(r2 ~ Anger + Gender + btype + situ + (1 | id) + (1 | item), data,
                 family = binomial)
       })
)
fits <- run_fits(specs, read_data, csv_path(name), reps = 3)
agreement <- tool_agreement(fits, "glmer_Laplace", "glmmTMB_Laplace")

write_expected(name, origin = paste0("lme4::VerbAgg (lme4 ", package_version_text("lme4"), ")"),
               data = d, factor_columns = c("Gender", "btype", "situ"),
               notes = c("r2 is 1 for \"Y\", 0 for \"N\"; id and item are crossed grouping factors (labels as in lme4).",
                         "glmer's fixed-effect SEs come from the finite-difference Hessian of the deviance in (theta, beta); glmmTMB's from the inverse Hessian of the Laplace marginal in all parameters."),
               fits = fits, checks = list(tools = agreement))
record_timings(name, fits$timings)

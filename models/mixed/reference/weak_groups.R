# A linear mixed model whose group SD is estimated above 0 but whose
# profile interval reaches 0: simulated with no variation between the
# groups (a seed where the estimate is not 0). Writes
# models/mixed/weak_groups.csv and prints the values
# tests/test_mixed_models.cpp holds (the ML fit and lme4's profile
# intervals). Run from the repository root.
library(lme4)
set.seed(3)
groups <- 20; per_group <- 6
g <- rep(seq_len(groups), each = per_group)
x <- round(rnorm(groups * per_group), 6)
y <- round(1 + 0.5 * x + rnorm(groups * per_group), 6)
write.csv(data.frame(y = y, x = x, g = g), "models/mixed/weak_groups.csv", row.names = FALSE, quote = FALSE)
d <- read.csv("models/mixed/weak_groups.csv")
m <- lmer(y ~ x + (1 | g), d, REML = FALSE)
stopifnot(!isSingular(m))
cat(sprintf("logLik %.17g\n", as.numeric(logLik(m))))
v <- as.data.frame(VarCorr(m))
cat(sprintf("sd %s %.17g\n", v$grp, v$sdcor), sep = "")
ci <- confint(m, method = "profile", oldNames = FALSE)
cat(sprintf("profile %s %.17g %.17g\n", rownames(ci), ci[, 1], ci[, 2]), sep = "")
# lme4 interpolates its profile by splines, to about 2e-5 here: the
# deviance of a direct refit with the slope held (as an offset) at
# mlec's upper end and at lme4's, against the chi-square(1) cutoff.
for (b in c(0.6302279891, 0.63023969691560799)) {
  mb <- lmer(y ~ 1 + (1 | g), d, REML = FALSE, offset = b * x,
             control = lmerControl(optimizer = "bobyqa", optCtrl = list(rhobeg = 1e-3, rhoend = 1e-12)))
  cat(sprintf("deviance at x = %.10f: %.10f (cutoff %.10f)\n", b, 2 * (as.numeric(logLik(m)) - as.numeric(logLik(mb))),
              qchisq(0.95, 1)))
}

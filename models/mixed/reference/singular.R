# A linear mixed model whose maximum likelihood fit is singular: simulated
# with no variation between the groups, so lmer's ML estimate of the group
# SD is 0 ("boundary (singular) fit"). Writes models/mixed/singular.csv and
# prints the values tests/test_mixed_models.cpp holds (the fit, its standard
# errors and lme4's profile interval of the SD). Run from the repository root.
library(lme4)
set.seed(5)
groups <- 20; per_group <- 6
g <- rep(seq_len(groups), each = per_group)
x <- round(rnorm(groups * per_group), 6)
y <- round(1 + 0.5 * x + rnorm(groups * per_group), 6)
write.csv(data.frame(y = y, x = x, g = g), "models/mixed/singular.csv", row.names = FALSE, quote = FALSE)
d <- read.csv("models/mixed/singular.csv")
m <- lmer(y ~ x + (1 | g), d, REML = FALSE)
stopifnot(isSingular(m))
cat(sprintf("logLik %.17g\n", as.numeric(logLik(m))))
cat(sprintf("%s %.17g se %.17g\n", names(fixef(m)), fixef(m), sqrt(diag(as.matrix(vcov(m))))), sep = "")
v <- as.data.frame(VarCorr(m))
cat(sprintf("sd %s %.17g\n", v$grp, v$sdcor), sep = "")
ci <- confint(m, method = "profile", oldNames = FALSE)
cat(sprintf("profile %s %.17g %.17g\n", rownames(ci), ci[, 1], ci[, 2]), sep = "")

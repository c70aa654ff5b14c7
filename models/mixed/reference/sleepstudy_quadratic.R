# sleepstudy with correlated random intercepts, slopes and curvatures on centred, scaled days,
# by maximum likelihood (lme4's lmer; a linear mixed model, so the likelihood is exact): the
# reference of models/mixed/sleepstudy_quadratic.mle, three correlated effects. Run from the
# repository root; prints the values tests/test_correlated_effects.cpp holds.
library(lme4)
d <- read.csv("models/mixed/sleepstudy.csv")
d$Subject <- factor(d$Subject)
d$x <- (d$Days - 4.5) / 4.5
m <- lmer(Reaction ~ x + I(x^2) + (x + I(x^2) | Subject), d, REML = FALSE,
          control = lmerControl(optimizer = "bobyqa", optCtrl = list(maxfun = 1e5)))
cat(sprintf("logLik %.17g\n", as.numeric(logLik(m))))
cat(sprintf("%s %.17g\n", names(fixef(m)), fixef(m)), sep = "")
v <- as.data.frame(VarCorr(m))
cat(sprintf("%s %s %s %.17g\n", v$grp, v$var1, v$var2, v$sdcor), sep = "")
cat(sprintf("max |gradient| %.3g, singular %s\n", max(abs(m@optinfo$derivs$gradient)), isSingular(m)))

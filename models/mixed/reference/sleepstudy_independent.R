# sleepstudy with independent random intercepts and slopes, by maximum likelihood
# (lme4's lmer; a linear mixed model, so the likelihood is exact): the reference of
# models/mixed/sleepstudy_independent.mle. Run from the repository root; prints the
# values tests/test_mixed_models.cpp holds.
library(lme4)
d <- read.csv("models/mixed/sleepstudy.csv")
d$Subject <- factor(d$Subject)
m <- lmer(Reaction ~ Days + (1 | Subject) + (0 + Days | Subject), d, REML = FALSE,
          control = lmerControl(optimizer = "bobyqa", optCtrl = list(maxfun = 1e5)))
cat(sprintf("logLik %.17g\n", as.numeric(logLik(m))))
cat(sprintf("%s %.17g\n", names(fixef(m)), fixef(m)), sep = "")
v <- as.data.frame(VarCorr(m))
cat(sprintf("sd %s %.17g\n", paste(v$grp, v$var1), v$sdcor), sep = "")
# The conditional modes and SDs (lme4's condVar, conditional on the
# estimates), per term and Subject in the levels' order.
re <- as.data.frame(ranef(m, condVar = TRUE))
cat(sprintf("mode %s %s %.17g %.17g\n", re$term, re$grp, re$condval, re$condsd), sep = "")

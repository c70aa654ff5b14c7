# What R makes of the fit cases. pscl::zeroinfl on the two zero-inflated
# cases: a zero-model coefficient near +-20 with a standard error in the
# thousands (NaN for the count coefficient of x in the first): no finite MLE,
# yet no error.
library(pscl)
for (f in c("zip_all_zero_level.csv", "zip_no_zero_level.csv")) {
  d <- read.csv(f)
  m <- suppressWarnings(zeroinfl(y ~ x | x, data = d))
  cat(f, "\n")
  print(suppressWarnings(summary(m)$coefficients))
  cat("log-likelihood", format(logLik(m), digits = 10), "\n")
}

# The limit fits mlec reports beside the divergence: the logistic model on the
# rows at x = 0 (a = 0.2006707, log-likelihood -13.762776), and polr on the
# three categories observed (c[1], c[2] = -0.4652748, 0.5962009, b = 0.7582799,
# log-likelihood -60.557211).
d <- read.csv("bernoulli_ifelse_separated.csv")
m <- glm(y ~ 1, binomial, subset = x == 0, data = d)
print(coef(m)); print(logLik(m), digits = 10)
library(MASS)
o <- read.csv("ordinal_empty_top.csv")
p <- polr(factor(y) ~ x, data = o)
print(p$zeta); print(coef(p)); print(logLik(p), digits = 10)

# hurdle_negbinomial_no_zero_level: pscl::hurdle (its zero model is P(y > 0),
# so the sign of x flips) stops at a zero coefficient of 19.3 (standard error
# 3237) and log(theta) = 11.4 (standard error 92), log-likelihood -115.18812:
# both the zero model's x and the size run off.
d <- read.csv("hurdle_negbinomial_no_zero_level.csv")
h <- suppressWarnings(hurdle(y ~ x | x, data = d, dist = "negbin"))
print(summary(h)$coefficients); print(logLik(h), digits = 10)

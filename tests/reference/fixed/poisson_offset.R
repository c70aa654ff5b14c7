# Reference for `mlec models/poisson.mle models/poisson.csv --fix b2=-0.4`:
# holding b2 at -0.4 makes -0.4*x2 an offset of the log link, so the fit is
# glm(y ~ x1, offset = -0.4 * x2, family = poisson). For the canonical log
# link the observed and expected information coincide: I = X' diag(mu) X
# over the estimated coefficients (b0, b1), recomputed at the estimate. AIC
# counts the two estimated coefficients, as R's AIC(glm) and bbmle's
# logLik df (length(coef(fit)), the fixed ones left out) do.
# Run from the repository root: Rscript tests/reference/fixed/poisson_offset.R
source("models/reference/common.R")

b2 <- -0.4
d <- read.csv("models/poisson.csv")
fit <- glm(y ~ x1, offset = b2 * x2, family = poisson, data = d,
           control = glm.control(epsilon = 1e-15, maxit = 100))
stopifnot(fit$converged)
estimate <- setNames(coef(fit), c("b0", "b1"))
X <- cbind(1, d$x1)
mu_hat <- exp(drop(X %*% estimate) + b2 * d$x2)
std_error <- setNames(sqrt(diag(solve(crossprod(X, X * mu_hat)))), names(estimate))
se_glm <- summary(fit)$coefficients[, "Std. Error"]
cat("max |SE - glm SE|:", max(abs(std_error - se_glm)), "\n")
stopifnot(max(abs(std_error - se_glm)) < 1e-9)
loglik <- as.numeric(logLik(fit))
stopifnot(attr(logLik(fit), "df") == 2)
stopifnot(abs(loglik - sum(dpois(d$y, mu_hat, log = TRUE))) < 1e-9)
score <- drop(crossprod(X, d$y - mu_hat))
cat("max |score| at the MLE:", max(abs(score)), "\n")
stopifnot(max(abs(score)) < 1e-8)
print(cbind(estimate, std_error))
cat("log-likelihood:", format(loglik, digits = 17), " AIC:", format(AIC(fit), digits = 17), "\n")

write_json_file(list(
  model = "models/poisson.mle",
  data = "models/poisson.csv",
  fixed = list(b2 = b2),
  source = paste0(r_version(), " glm(y ~ x1, offset = -0.4 * x2, family = poisson), standard errors ",
                  "sqrt(diag(solve(X' diag(mu) X))) at the estimate, log-likelihood and AIC of the fit; ",
                  "see tests/reference/fixed/poisson_offset.R"),
  log_likelihood = loglik,
  aic = AIC(fit),
  bic = BIC(fit),
  n_params = 2,
  parameters = parameter_list(estimate, std_error)
), "tests/reference/fixed/poisson_offset.expected.json")

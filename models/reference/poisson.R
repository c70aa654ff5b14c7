# Reference for models/poisson.mle on models/poisson.csv.
# glm(family = poisson) gives the MLE; for the canonical log link the observed
# and expected information coincide: I = X' diag(mu) X, recomputed at the estimate.
source("models/reference/common.R")
set.seed(20240503)

n <- 300
truth <- c(b0 = 0.5, b1 = 0.3, b2 = -0.4)
x1 <- round(rnorm(n), 6)
x2 <- round(rnorm(n), 6)
y <- rpois(n, exp(truth[["b0"]] + truth[["b1"]] * x1 + truth[["b2"]] * x2))
write_plain_csv(data.frame(x1 = sprintf("%.6f", x1), x2 = sprintf("%.6f", x2), y = y),
                "models/poisson.csv")

d <- read.csv("models/poisson.csv")
fit <- glm(y ~ x1 + x2, family = poisson, data = d,
           control = glm.control(epsilon = 1e-15, maxit = 100))
stopifnot(fit$converged)
estimate <- setNames(coef(fit), c("b0", "b1", "b2"))
X <- cbind(1, d$x1, d$x2)
mu_hat <- exp(drop(X %*% estimate))
std_error <- setNames(sqrt(diag(solve(crossprod(X, X * mu_hat)))), names(estimate))
se_glm <- summary(fit)$coefficients[, "Std. Error"]
cat("max |SE - glm SE|:", max(abs(std_error - se_glm)), "\n")
stopifnot(max(abs(std_error - se_glm)) < 1e-9)
loglik <- as.numeric(logLik(fit))
stopifnot(abs(loglik - sum(dpois(d$y, mu_hat, log = TRUE))) < 1e-9)
print(cbind(truth, estimate, std_error))
cat("log-likelihood:", format(loglik, digits = 17), " range of y:", range(d$y), "\n")

score <- drop(crossprod(X, d$y - mu_hat))
cat("max |score| at the MLE:", max(abs(score)), "\n")
stopifnot(max(abs(score)) < 1e-8)
nll <- function(theta) {
  eta <- drop(X %*% theta)
  -sum(d$y * eta - exp(eta) - lgamma(d$y + 1))
}
cross_check(nll, unname(estimate), unname(std_error), "poisson")

write_json_file(list(
  model = "poisson.mle",
  data = "poisson.csv",
  source = paste0(r_version(), " glm(y ~ x1 + x2, family = poisson), standard errors ",
                  "sqrt(diag(solve(X' diag(mu) X))) at the estimate, log-likelihood logLik(fit); ",
                  "see models/reference/poisson.R"),
  converged = TRUE,
  log_likelihood = loglik,
  n_obs = nrow(d),
  parameters = parameter_list(estimate, std_error),
  true_values = as.list(truth)
), "models/poisson.expected.json")

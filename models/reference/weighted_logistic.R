# Reference for models/weighted_logistic.mle on models/weighted_logistic.csv:
# a logistic regression on aggregated rows, each row (dose, y) with the count
# n of identical observations it stands for (frequency weights).
# glm(family = binomial, weights = n) gives the MLE, its standard errors
# (canonical link: observed = expected information, X' diag(n mu (1 - mu)) X)
# and logLik = sum(n * log p(y)); the same fit on the rows written out n
# times agrees, which is what frequency weights mean.
source("models/reference/common.R")
set.seed(20261205)

dose <- rep(c(0, 0.5, 1, 1.5, 2, 2.5, 3), each = 2)
y <- rep(c(0, 1), times = 7)
truth <- c(a = -2, b = 1.3)
p_true <- plogis(truth[["a"]] + truth[["b"]] * dose)
n <- rbinom(length(dose), 40, ifelse(y == 1, p_true, 1 - p_true))
write_plain_csv(data.frame(dose = dose, y = y, n = n), "models/weighted_logistic.csv")

d <- read.csv("models/weighted_logistic.csv")
fit <- glm(y ~ dose, family = binomial, weights = n, data = d,
           control = glm.control(epsilon = 1e-15, maxit = 100))
stopifnot(fit$converged)
estimate <- setNames(coef(fit), c("a", "b"))
X <- cbind(1, d$dose)
mu <- plogis(drop(X %*% estimate))
std_error <- setNames(sqrt(diag(solve(crossprod(X, X * (d$n * mu * (1 - mu)))))), names(estimate))
se_glm <- summary(fit)$coefficients[, "Std. Error"]
stopifnot(max(abs(std_error - se_glm)) < 1e-9)
loglik <- as.numeric(logLik(fit))
stopifnot(abs(loglik - sum(d$n * dbinom(d$y, 1, mu, log = TRUE))) < 1e-9)

# The same rows written out n times: the same estimates, SEs and log-likelihood.
long <- d[rep(seq_len(nrow(d)), d$n), c("dose", "y")]
fit_long <- glm(y ~ dose, family = binomial, data = long,
                control = glm.control(epsilon = 1e-15, maxit = 100))
stopifnot(max(abs(coef(fit_long) - estimate)) < 1e-9)
stopifnot(abs(as.numeric(logLik(fit_long)) - loglik) < 1e-8)
stopifnot(max(abs(summary(fit_long)$coefficients[, "Std. Error"] - std_error)) < 1e-9)
print(cbind(truth, estimate, std_error))
cat("log-likelihood:", format(loglik, digits = 17), " observations:", sum(d$n), "\n")

nll <- function(theta) {
  eta <- drop(X %*% theta)
  -sum(d$n * (d$y * eta - log1p(exp(eta))))
}
cross_check(nll, unname(estimate), unname(std_error), "weighted_logistic")

write_json_file(list(
  model = "weighted_logistic.mle",
  data = "weighted_logistic.csv",
  source = paste0(r_version(), " glm(y ~ dose, family = binomial, weights = n), standard errors ",
                  "sqrt(diag(solve(X' diag(n mu (1 - mu)) X))) at the estimate, log-likelihood logLik(fit), ",
                  "equal to the fit on the rows repeated n times; see models/reference/weighted_logistic.R"),
  converged = TRUE,
  log_likelihood = loglik,
  n_obs = nrow(d),
  n_weighted = sum(d$n),
  parameters = parameter_list(estimate, std_error),
  true_values = as.list(truth)
), "models/weighted_logistic.expected.json")

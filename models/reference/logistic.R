# Reference for models/logistic.mle on models/logistic.csv.
# Simulates 400 rows, writes the CSV, reads it back and fits glm(family = binomial);
# for the canonical logit link the observed and expected information coincide,
# so the standard errors are sqrt(diag(solve(X' diag(p (1 - p)) X))) at the MLE
# (checked against glm's own summary).
source("models/reference/common.R")
set.seed(20240501)

n <- 400
truth <- c(b0 = 0.3, b1 = 1.2, b2 = -0.8, b3 = 0.5)
x1 <- round(rnorm(n), 6)
x2 <- round(rnorm(n), 6)
x3 <- round(runif(n, -1.7, 1.7), 6)
eta <- truth[["b0"]] + truth[["b1"]] * x1 + truth[["b2"]] * x2 + truth[["b3"]] * x3
y <- rbinom(n, 1, plogis(eta))
label <- sample(c("north", "south", "east", "west"), n, replace = TRUE)
write_plain_csv(data.frame(x1 = sprintf("%.6f", x1), label = label,
                           x2 = sprintf("%.6f", x2), x3 = sprintf("%.6f", x3), y = y),
                "models/logistic.csv")

d <- read.csv("models/logistic.csv")
fit <- glm(y ~ x1 + x2 + x3, family = binomial, data = d,
           control = glm.control(epsilon = 1e-15, maxit = 100))
stopifnot(fit$converged)
estimate <- setNames(coef(fit), c("b0", "b1", "b2", "b3"))
X <- cbind(1, d$x1, d$x2, d$x3)
# glm's summary uses the IRLS weights of its last iteration; recompute the
# information X' diag(p (1 - p)) X exactly at the final estimate.
p_hat <- plogis(drop(X %*% estimate))
std_error <- setNames(sqrt(diag(solve(crossprod(X, X * (p_hat * (1 - p_hat)))))), names(estimate))
se_glm <- summary(fit)$coefficients[, "Std. Error"]
cat("max |SE - glm SE|:", max(abs(std_error - se_glm)), "\n")
stopifnot(max(abs(std_error - se_glm)) < 1e-9)
loglik <- as.numeric(logLik(fit))
print(cbind(truth, estimate, std_error))
cat("log-likelihood:", format(loglik, digits = 17), "\n")

nll <- function(theta) {
  eta <- drop(X %*% theta)
  -sum(d$y * eta - log1p(exp(eta)))
}
score <- drop(crossprod(X, d$y - plogis(drop(X %*% estimate))))
cat("max |score| at the MLE:", max(abs(score)), "\n")
stopifnot(max(abs(score)) < 1e-8, abs(-nll(estimate) - loglik) < 1e-9)
cross_check(nll, unname(estimate), unname(std_error), "logistic")

write_json_file(list(
  model = "logistic.mle",
  data = "logistic.csv",
  source = paste0(r_version(), " glm(y ~ x1 + x2 + x3, family = binomial), standard errors ",
                  "sqrt(diag(solve(X' diag(p (1 - p)) X))) at the estimate; ",
                  "see models/reference/logistic.R"),
  converged = TRUE,
  log_likelihood = loglik,
  n_obs = nrow(d),
  parameters = parameter_list(estimate, std_error),
  true_values = as.list(truth)
), "models/logistic.expected.json")

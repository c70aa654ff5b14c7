# Reference for models/linear.mle on models/linear.csv.
# Closed form: beta_hat = lm coefficients (least squares = MLE of beta),
# sigma_hat = sqrt(RSS / n) (the MLE, not lm's sqrt(RSS / (n - p))).
# The observed information at the MLE is block diagonal:
#   I_beta = X'X / sigma^2, I_sigma = 2 n / sigma^2 (cross term X'r / sigma^3 = 0),
# so SE(beta) = sqrt(diag(sigma_hat^2 solve(X'X))), SE(sigma) = sigma_hat / sqrt(2 n).
source("models/reference/common.R")
set.seed(20240502)

n <- 200
truth <- c(sigma = 1.5, b0 = 1.0, b1 = 2.0, b2 = -0.5)
x1 <- round(rnorm(n, 0, 1), 6)
x2 <- round(runif(n, 0, 4), 6)
y <- round(truth[["b0"]] + truth[["b1"]] * x1 + truth[["b2"]] * x2 + rnorm(n, 0, truth[["sigma"]]), 6)
write_plain_csv(data.frame(x1 = sprintf("%.6f", x1), x2 = sprintf("%.6f", x2),
                           y = sprintf("%.6f", y)),
                "models/linear.csv")

d <- read.csv("models/linear.csv")
fit <- lm(y ~ x1 + x2, data = d)
X <- model.matrix(fit)
beta <- setNames(coef(fit), c("b0", "b1", "b2"))
rss <- sum(residuals(fit)^2)
n_obs <- nrow(d)
sigma_hat <- sqrt(rss / n_obs)
se_beta <- sqrt(diag(sigma_hat^2 * solve(crossprod(X))))
se_sigma <- sigma_hat / sqrt(2 * n_obs)
loglik <- sum(dnorm(d$y, drop(X %*% beta), sigma_hat, log = TRUE))
# closed form of the same: -n/2 (log(2 pi sigma^2) + 1)
stopifnot(abs(loglik - (-n_obs / 2 * (log(2 * pi * sigma_hat^2) + 1))) < 1e-9)

# parameters in the order they first appear in the model text: sigma (param line), b0, b1, b2
estimate <- c(sigma = sigma_hat, beta)
std_error <- c(sigma = se_sigma, setNames(se_beta, names(beta)))
print(cbind(truth, estimate, std_error))
cat("log-likelihood:", format(loglik, digits = 17), " lm residual SE (not the MLE):",
    summary(fit)$sigma, "\n")

nll <- function(theta) -sum(dnorm(d$y, drop(X %*% theta[2:4]), theta[1], log = TRUE))
cross_check(nll, unname(estimate), unname(std_error), "linear")

write_json_file(list(
  model = "linear.mle",
  data = "linear.csv",
  source = paste0(r_version(), " closed form: lm(y ~ x1 + x2) coefficients, sigma = sqrt(RSS / n), ",
                  "SE(beta) = sqrt(diag(sigma^2 solve(X'X))), SE(sigma) = sigma / sqrt(2 n), ",
                  "log-likelihood sum(dnorm(y, X beta, sigma, log = TRUE)); see models/reference/linear.R"),
  converged = TRUE,
  log_likelihood = loglik,
  n_obs = n_obs,
  parameters = parameter_list(estimate, std_error),
  lm_residual_standard_error = summary(fit)$sigma,
  true_values = as.list(truth)
), "models/linear.expected.json")

# Reference for models/inv_gamma.mle on models/inv_gamma.csv.
# y ~ inv_gamma(alpha, beta) means 1/y ~ gamma(alpha, rate beta), so with x = 1/y the
# MLE is the gamma one: beta = alpha / mean(x), and alpha solves
# log(alpha) - digamma(alpha) = log(mean(x)) - mean(log(x)) (uniroot). Per row
#   l = alpha log beta - lgamma(alpha) - (alpha + 1) log y - beta / y
#   d2l/dalpha2 = -trigamma(alpha),  d2l/dalpha dbeta = 1/beta,  d2l/dbeta2 = -alpha/beta^2
# Standard errors: inverse of that observed information. The log-likelihood is R's
# dgamma(1/y, alpha, beta, log = TRUE) - 2 log y (the Jacobian of y -> 1/y).
source("models/reference/common.R")
set.seed(20261204)

n <- 300
truth <- c(alpha = 3.0, beta = 2.0)
y <- 1 / rgamma(n, shape = truth[["alpha"]], rate = truth[["beta"]])
write_plain_csv(data.frame(y = sprintf("%.10g", y)), "models/inv_gamma.csv")

d <- read.csv("models/inv_gamma.csv")
y <- d$y
stopifnot(all(y > 0))
n_obs <- length(y)
x <- 1 / y
rhs <- log(mean(x)) - mean(log(x))
root <- uniroot(function(a) log(a) - digamma(a) - rhs, c(1e-3, 1e4), tol = 1e-15)
alpha_hat <- root$root
beta_hat <- alpha_hat / mean(x)
nll <- function(theta) -sum(dgamma(x, shape = theta[1], rate = theta[2], log = TRUE) - 2 * log(y))
grad <- function(theta) {
  a <- theta[1]; b <- theta[2]
  -c(sum(log(b) - digamma(a) - log(y)), sum(a / b - x))
}
hess <- function(theta) {
  a <- theta[1]; b <- theta[2]
  -matrix(c(-n_obs * trigamma(a), n_obs / b, n_obs / b, -n_obs * a / b^2), 2, 2)
}
check_gradient(nll, grad, c(alpha_hat * 1.1, beta_hat * 0.9), "inv_gamma")
pol <- newton_polish(c(alpha_hat, beta_hat), grad, hess)
theta_hat <- pol$par
g_hat <- grad(theta_hat)
cat("root: alpha", format(alpha_hat, digits = 17), "beta", format(beta_hat, digits = 17),
    "; Newton polish moved it by", max(abs(theta_hat - c(alpha_hat, beta_hat))), "; max |gradient|:",
    max(abs(g_hat)), "\n")
stopifnot(max(abs(theta_hat - c(alpha_hat, beta_hat))) < 1e-9, max(abs(g_hat)) < 1e-9)
H <- hess(theta_hat)
stopifnot(max_rel_diff(H, hessian_from_gradient(grad, theta_hat)) < 1e-8)
estimate <- setNames(theta_hat, c("alpha", "beta"))
std_error <- setNames(sqrt(diag(solve(H))), names(estimate))
loglik <- -nll(theta_hat)
print(cbind(truth, estimate, std_error))
cat("log-likelihood:", format(loglik, digits = 17), "\n")
cross_check(nll, unname(estimate), unname(std_error), "inv_gamma")

write_json_file(list(
  model = "inv_gamma.mle",
  data = "inv_gamma.csv",
  source = paste0(r_version(), ": the gamma MLE of 1/y (alpha from uniroot of ",
                  "log(alpha) - digamma(alpha) = log(mean(1/y)) - mean(log(1/y)), beta = alpha / mean(1/y)), ",
                  "Newton-polished on the analytic gradient; standard errors from the inverse analytic ",
                  "observed information; cross-checked with optim + optimHess; ",
                  "see models/reference/inv_gamma.R"),
  converged = TRUE,
  log_likelihood = loglik,
  n_obs = n_obs,
  parameters = parameter_list(estimate, std_error),
  true_values = as.list(truth)
), "models/inv_gamma.expected.json")

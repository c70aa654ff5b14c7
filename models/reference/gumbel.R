# Reference for models/gumbel.mle on models/gumbel.csv.
# With z = (y - mu) / beta and e = exp(-z), per row
#   l = -log beta - z - e
#   dl/dmu = (1 - e) / beta,                 dl/dbeta = (z (1 - e) - 1) / beta
#   d2l/dmu2 = -e / beta^2,                  d2l/dmu dbeta = (e - 1 - z e) / beta^2
#   d2l/dbeta2 = (1 + 2 z (e - 1) - z^2 e) / beta^2
# The mu score gives exp(-mu/beta) = mean(exp(-y/beta)); substituting it, beta solves
# the 1-D profile equation beta = mean(y) - sum(y w) / sum(w), w = exp(-y/beta) (uniroot).
# Standard errors: inverse of the analytic observed information above.
source("models/reference/common.R")
set.seed(20261201)

n <- 300
truth <- c(mu = 2.0, beta = 1.5)
y <- truth[["mu"]] - truth[["beta"]] * log(-log(runif(n)))  # inversion of the Gumbel cdf
write_plain_csv(data.frame(y = sprintf("%.10g", y)), "models/gumbel.csv")

d <- read.csv("models/gumbel.csv")
y <- d$y
n_obs <- length(y)

profile_score <- function(b) {
  # w scaled by its largest entry so that exp cannot overflow; the ratio is unchanged
  w <- exp(-(y - min(y)) / b)
  b - mean(y) + sum(y * w) / sum(w)
}
root <- uniroot(profile_score, c(0.05, 50), tol = 1e-15)
beta_hat <- root$root
mu_hat <- min(y) - beta_hat * log(mean(exp(-(y - min(y)) / beta_hat)))

nll <- function(theta) {
  z <- (y - theta[1]) / theta[2]
  -sum(-log(theta[2]) - z - exp(-z))
}
grad <- function(theta) {
  b <- theta[2]
  z <- (y - theta[1]) / b
  e <- exp(-z)
  -c(sum((1 - e) / b), sum((z * (1 - e) - 1) / b))
}
hess <- function(theta) {
  b <- theta[2]
  z <- (y - theta[1]) / b
  e <- exp(-z)
  hmm <- sum(-e) / b^2
  hmb <- sum(e - 1 - z * e) / b^2
  hbb <- sum(1 + 2 * z * (e - 1) - z^2 * e) / b^2
  -matrix(c(hmm, hmb, hmb, hbb), 2, 2)
}
check_gradient(nll, grad, c(mu_hat * 1.1, beta_hat * 0.9), "gumbel")
theta_root <- c(mu_hat, beta_hat)
pol <- newton_polish(theta_root, grad, hess)
theta_hat <- pol$par
g_hat <- grad(theta_hat)
cat("profile root: mu", format(mu_hat, digits = 17), "beta", format(beta_hat, digits = 17),
    "; Newton polish moved it by", max(abs(theta_hat - theta_root)), "; max |gradient|:", max(abs(g_hat)), "\n")
stopifnot(max(abs(theta_hat - theta_root)) < 1e-9, max(abs(g_hat)) < 1e-9)

H <- hess(theta_hat)
H_num <- hessian_from_gradient(grad, theta_hat)
cat("analytic Hessian vs Richardson differences of the analytic gradient: max rel diff",
    max_rel_diff(H, H_num), "\n")
stopifnot(max_rel_diff(H, H_num) < 1e-8)
estimate <- setNames(theta_hat, c("mu", "beta"))
std_error <- setNames(sqrt(diag(solve(H))), names(estimate))
loglik <- -nll(theta_hat)
print(cbind(truth, estimate, std_error))
cat("log-likelihood:", format(loglik, digits = 17), "\n")
cross_check(nll, unname(estimate), unname(std_error), "gumbel")

write_json_file(list(
  model = "gumbel.mle",
  data = "gumbel.csv",
  source = paste0(r_version(), ": beta from uniroot of the profile score ",
                  "beta - mean(y) + sum(y w) / sum(w) = 0, w = exp(-y/beta), ",
                  "mu = -beta log(mean(w)), Newton-polished on the analytic gradient; standard errors ",
                  "from the inverse analytic observed information; cross-checked with optim + optimHess; ",
                  "see models/reference/gumbel.R"),
  converged = TRUE,
  log_likelihood = loglik,
  n_obs = n_obs,
  parameters = parameter_list(estimate, std_error),
  true_values = as.list(truth)
), "models/gumbel.expected.json")

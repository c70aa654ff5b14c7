# Reference for models/beta_binomial.mle on models/beta_binomial.csv.
# Per row, with s = a + b,
#   l = lchoose(n, y) + lbeta(y + a, n - y + b) - lbeta(a, b)
#   dl/da = digamma(y + a) - digamma(n + s) - digamma(a) + digamma(s)
#   dl/db = digamma(n - y + b) - digamma(n + s) - digamma(b) + digamma(s)
#   d2l/da2 = trigamma(y + a) - trigamma(a) - T,  d2l/db2 = trigamma(n - y + b) - trigamma(b) - T,
#   d2l/da db = -T,   T = trigamma(n + s) - trigamma(s)
# The estimate maximizes the log-likelihood with optim (BFGS), polished by
# Newton steps on the analytic gradient and Hessian; the standard errors are
# from the inverse analytic observed information.
source("models/reference/common.R")
set.seed(20261207)

n_rows <- 300
truth <- c(a = 2.5, b = 4.0)
trials <- sample(5:30, n_rows, replace = TRUE)
p <- rbeta(n_rows, truth[["a"]], truth[["b"]])
y <- rbinom(n_rows, trials, p)
write_plain_csv(data.frame(n = trials, y = y), "models/beta_binomial.csv")

d <- read.csv("models/beta_binomial.csv")
n_obs <- nrow(d)
y <- d$y
n <- d$n
nll <- function(theta) {
  a <- theta[1]
  b <- theta[2]
  -sum(lchoose(n, y) + lbeta(y + a, n - y + b) - lbeta(a, b))
}
grad <- function(theta) {
  a <- theta[1]
  b <- theta[2]
  s <- a + b
  common <- -digamma(n + s) + digamma(s)
  -c(sum(digamma(y + a) - digamma(a) + common), sum(digamma(n - y + b) - digamma(b) + common))
}
hess <- function(theta) {
  a <- theta[1]
  b <- theta[2]
  s <- a + b
  tt <- trigamma(n + s) - trigamma(s)
  haa <- sum(trigamma(y + a) - trigamma(a) - tt)
  hbb <- sum(trigamma(n - y + b) - trigamma(b) - tt)
  hab <- sum(-tt)
  -matrix(c(haa, hab, hab, hbb), 2, 2)
}
check_gradient(nll, grad, c(2, 3), "beta_binomial")
opt <- optim(c(1, 1), nll, grad, method = "L-BFGS-B", lower = c(1e-6, 1e-6),
             control = list(factr = 1, maxit = 1000))
pol <- newton_polish(opt$par, grad, hess)
theta_hat <- pol$par
g_hat <- grad(theta_hat)
cat("optim:", format(opt$par, digits = 17), "; Newton polish moved it by", max(abs(theta_hat - opt$par)),
    "; max |gradient|:", max(abs(g_hat)), "\n")
stopifnot(max(abs(theta_hat - opt$par)) < 1e-4, max(abs(g_hat)) < 1e-9)

H <- hess(theta_hat)
H_num <- hessian_from_gradient(grad, theta_hat)
cat("analytic Hessian vs Richardson differences of the analytic gradient: max rel diff",
    max_rel_diff(H, H_num), "\n")
stopifnot(max_rel_diff(H, H_num) < 1e-8)
estimate <- setNames(theta_hat, c("a", "b"))
std_error <- setNames(sqrt(diag(solve(H))), names(estimate))
loglik <- -nll(theta_hat)
print(cbind(truth, estimate, std_error))
cat("log-likelihood:", format(loglik, digits = 17), "\n")
cross_check(nll, unname(estimate), unname(std_error), "beta_binomial")

write_json_file(list(
  model = "beta_binomial.mle",
  data = "beta_binomial.csv",
  source = paste0(r_version(), ": the log-likelihood lchoose(n, y) + lbeta(y + a, n - y + b) - lbeta(a, b) ",
                  "maximized by optim, polished by Newton steps on the analytic gradient and Hessian; ",
                  "standard errors from the inverse analytic observed information; ",
                  "see models/reference/beta_binomial.R"),
  converged = TRUE,
  log_likelihood = loglik,
  n_obs = n_obs,
  parameters = parameter_list(estimate, std_error),
  true_values = as.list(truth)
), "models/beta_binomial.expected.json")

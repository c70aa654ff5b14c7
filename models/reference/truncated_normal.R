# Reference for models/truncated_normal.mle on models/truncated_normal.csv.
# y = b0 + b1 x + sigma Z kept only where y > 0 (the others never reach the
# data), so each row's log density is
#   l = log dnorm(y, mu, sigma) - log P(Y >= 0) = log dnorm(y, mu, sigma) - log Phi(mu / sigma).
# With m = mu / sigma and the inverse Mills ratio r = phi(m) / Phi(m):
#   dl/dmu = (y - mu) / sigma^2 - r / sigma
#   dl/dsigma = (y - mu)^2 / sigma^3 - 1 / sigma + r mu / sigma^2
# optim (BFGS on the analytic gradient), then Newton steps on the Hessian from
# Richardson differences of the analytic gradient (common.R); standard errors
# from that observed information; cross-checked with optimHess.
source("models/reference/common.R")
set.seed(20261210)

truth <- c(b0 = 0.3, b1 = 1.0, sigma = 1.2)
x_all <- round(rnorm(800), 4)
y_all <- round(truth[["b0"]] + truth[["b1"]] * x_all + rnorm(800, 0, truth[["sigma"]]), 6)
keep <- which(y_all > 0)[1:300]
write_plain_csv(data.frame(x = sprintf("%.4f", x_all[keep]), y = sprintf("%.6f", y_all[keep])),
                "models/truncated_normal.csv")

d <- read.csv("models/truncated_normal.csv")
stopifnot(nrow(d) == 300, all(d$y > 0))
nll <- function(theta) {
  mu <- theta[1] + theta[2] * d$x
  -sum(dnorm(d$y, mu, theta[3], log = TRUE) - pnorm(0, mu, theta[3], lower.tail = FALSE, log.p = TRUE))
}
grad <- function(theta) {
  mu <- theta[1] + theta[2] * d$x
  s <- theta[3]
  m <- mu / s
  r <- exp(dnorm(m, log = TRUE) - pnorm(m, log.p = TRUE))
  dmu <- (d$y - mu) / s^2 - r / s
  ds <- (d$y - mu)^2 / s^3 - 1 / s + r * mu / s^2
  -c(sum(dmu), sum(dmu * d$x), sum(ds))
}
hess <- function(theta) hessian_from_gradient(grad, theta)
start <- c(mean(d$y), 0, sd(d$y))
check_gradient(nll, grad, c(0.2, 0.8, 1.1), "truncated_normal")
# (BFGS may try a negative sigma on its way, where dnorm warns of NaNs: harmless)
opt <- suppressWarnings(optim(start, nll, grad, method = "BFGS", control = list(reltol = 1e-15, maxit = 1000)))
pol <- newton_polish(opt$par, grad, hess)
theta_hat <- pol$par
cat("Newton polish moved optim's point by", max(abs(theta_hat - opt$par)), "; max |gradient|:",
    max(abs(grad(theta_hat))), "\n")
stopifnot(max(abs(grad(theta_hat))) < 1e-8)
H <- hess(theta_hat)
estimate <- setNames(theta_hat, c("b0", "b1", "sigma"))
std_error <- setNames(sqrt(diag(solve(H))), names(estimate))
loglik <- -nll(theta_hat)
print(cbind(truth, estimate, std_error))
cat("log-likelihood:", format(loglik, digits = 17), "\n")
cross_check(nll, unname(estimate), unname(std_error), "truncated_normal")

write_json_file(list(
  model = "truncated_normal.mle",
  data = "truncated_normal.csv",
  source = paste0(r_version(), ": the closed-form truncated-normal log-likelihood ",
                  "dnorm(y, mu, sigma, log) - pnorm(0, mu, sigma, lower.tail = FALSE, log.p = TRUE), ",
                  "optim (BFGS, analytic gradient), Newton-polished on the Hessian from Richardson differences ",
                  "of the analytic gradient; standard errors from its inverse; cross-checked with optimHess; ",
                  "see models/reference/truncated_normal.R"),
  converged = TRUE,
  log_likelihood = loglik,
  n_obs = nrow(d),
  parameters = parameter_list(estimate, std_error),
  true_values = as.list(truth)
), "models/truncated_normal.expected.json")

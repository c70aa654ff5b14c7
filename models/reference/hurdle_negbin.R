# Reference for models/hurdle_negbin.mle on models/hurdle_negbin.csv:
# pscl::hurdle(y ~ x | z, dist = "negbin") with a tight reltol, polished by
# Newton steps. The model's pi = P(y = 0) = plogis(g0 + g1 z); pscl's binomial
# zero model is P(y > 0) = plogis(c0 + c1 z), so g = -c. With mu = exp(eta),
# eta = b0 + b1 x, size k and f0 = (k / (k + mu))^k, per row
#   y = 0: l = log(pi)
#   y > 0: l = log(1 - pi) + log dnbinom(y, k, mu) - log(1 - f0)
#     dl/deta = k (y - mu) / (k + mu) - r mu k / (k + mu)         r = f0 / (1 - f0)
#     dl/dk   = digamma(y + k) - digamma(k) + log(k / (k + mu)) + (mu - y) / (k + mu)
#               + r (log(k / (k + mu)) + mu / (k + mu))
#   dl/dzeta = 1 - pi at y = 0, -pi at y > 0    (zeta = g0 + g1 z)
# The Hessian is Richardson differences of this analytic gradient
# (hessian_from_gradient), not hurdle's optim Hessian; the standard errors
# are from its inverse (the observed information).
source("models/reference/common.R")
suppressPackageStartupMessages(library(pscl))
set.seed(20261206)

n <- 600
truth <- c(size = 1.5, b0 = 1.0, b1 = 0.5, g0 = -0.3, g1 = 0.9)
x <- round(rnorm(n), 6)
z <- round(runif(n, -2, 2), 6)
mu <- exp(truth[["b0"]] + truth[["b1"]] * x)
hurdle_zero <- runif(n) < plogis(truth[["g0"]] + truth[["g1"]] * z)
draw_truncated <- function(m) {
  repeat {
    k <- rnbinom(1, size = truth[["size"]], mu = m)
    if (k > 0) return(k)
  }
}
y <- ifelse(hurdle_zero, 0L, vapply(mu, draw_truncated, numeric(1)))
write_plain_csv(data.frame(x = sprintf("%.6f", x), z = sprintf("%.6f", z), y = y), "models/hurdle_negbin.csv")

d <- read.csv("models/hurdle_negbin.csv")
n_obs <- nrow(d)
X <- cbind(1, d$x)
Z <- cbind(1, d$z)
y <- d$y
zero <- y == 0
# theta = (size, b0, b1, g0, g1): the order of first appearance in the model text
nll <- function(theta) {
  k <- theta[1]
  m <- exp(drop(X %*% theta[2:3]))
  p <- plogis(drop(Z %*% theta[4:5]))
  log_f0 <- k * log(k / (k + m))
  pos <- log1p(-p) + dnbinom(y, size = k, mu = m, log = TRUE) - log(-expm1(log_f0))
  -sum(ifelse(zero, log(p), pos))
}
grad <- function(theta) {
  k <- theta[1]
  m <- exp(drop(X %*% theta[2:3]))
  p <- plogis(drop(Z %*% theta[4:5]))
  f0 <- exp(k * log(k / (k + m)))
  r <- f0 / (1 - f0)
  deta <- ifelse(zero, 0, k * (y - m) / (k + m) - r * m * k / (k + m))
  dk <- ifelse(zero, 0, digamma(y + k) - digamma(k) + log(k / (k + m)) + (m - y) / (k + m) +
                          r * (log(k / (k + m)) + m / (k + m)))
  dzeta <- ifelse(zero, 1 - p, -p)
  -c(sum(dk), drop(crossprod(X, deta)), drop(crossprod(Z, dzeta)))
}
hess <- function(theta) hessian_from_gradient(grad, theta)

fit <- hurdle(y ~ x | z, data = d, dist = "negbin", zero.dist = "binomial",
              control = hurdle.control(reltol = 1e-14))
theta_pscl <- c(fit$theta[["count"]], coef(fit, "count"), -coef(fit, "zero"))
check_gradient(nll, grad, theta_pscl * 1.1, "hurdle_negbin")
pol <- newton_polish(unname(theta_pscl), grad, hess)
theta_hat <- pol$par
g_hat <- grad(theta_hat)
cat("hurdle:", format(theta_pscl, digits = 17), "\nNewton polish moved it by",
    max(abs(theta_hat - theta_pscl) / abs(theta_hat)), "(relative); max |gradient|:", max(abs(g_hat)), "\n")
stopifnot(max(abs(theta_hat - theta_pscl) / abs(theta_hat)) < 1e-6, max(abs(g_hat)) < 1e-9)

H <- hess(theta_hat)
estimate <- setNames(theta_hat, c("size", "b0", "b1", "g0", "g1"))
std_error <- setNames(sqrt(diag(solve(H))), names(estimate))
se_pscl <- c(fit$SE.logtheta * fit$theta[["count"]], sqrt(diag(vcov(fit))))
cat("hurdle's SEs (optim Hessian; size by the delta method from log(theta)) vs these: max rel diff",
    max(abs(se_pscl - std_error) / std_error), "\n")
loglik <- -nll(theta_hat)
cat("log-likelihood:", format(loglik, digits = 17), " hurdle's:", format(as.numeric(logLik(fit)), digits = 17), "\n")
stopifnot(abs(loglik - as.numeric(logLik(fit))) < 1e-8)
print(cbind(truth, estimate, std_error))

write_json_file(list(
  model = "hurdle_negbin.mle",
  data = "hurdle_negbin.csv",
  source = paste0(r_version(), ": pscl::hurdle(y ~ x | z, dist = \"negbin\") with reltol 1e-14 ",
                  "(size = theta, g = minus the zero coefficients), polished by Newton steps on the ",
                  "analytic gradient; standard errors from the inverse observed information, Richardson ",
                  "differences of the analytic gradient; see models/reference/hurdle_negbin.R"),
  converged = TRUE,
  log_likelihood = loglik,
  n_obs = n_obs,
  parameters = parameter_list(estimate, std_error),
  true_values = as.list(truth)
), "models/hurdle_negbin.expected.json")

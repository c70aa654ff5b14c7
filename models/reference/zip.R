# Reference for models/zip.mle on models/zip.csv: pscl::zeroinfl(y ~ x | z,
# dist = "poisson") with a tight reltol, polished by Newton steps. With
# lambda = exp(eta), eta = b0 + b1 x, pi = plogis(zeta), zeta = g0 + g1 z,
# per row
#   y = 0: l = log(pi + (1 - pi) exp(-lambda)) = log(D)
#          dl/deta = -(1 - pi) exp(-lambda) lambda / D
#          dl/dzeta = pi (1 - pi) (1 - exp(-lambda)) / D
#   y > 0: l = log(1 - pi) + y eta - lambda - lgamma(y + 1)
#          dl/deta = y - lambda,  dl/dzeta = -pi
# The Hessian is Richardson differences of this analytic gradient
# (hessian_from_gradient), not zeroinfl's optim Hessian; the standard errors
# are from its inverse (the observed information).
source("models/reference/common.R")
suppressPackageStartupMessages(library(pscl))
set.seed(20261205)

n <- 500
truth <- c(b0 = 0.6, b1 = 0.7, g0 = -0.4, g1 = 1.2)
x <- round(rnorm(n), 6)
z <- round(runif(n, -2, 2), 6)
lambda <- exp(truth[["b0"]] + truth[["b1"]] * x)
structural <- runif(n) < plogis(truth[["g0"]] + truth[["g1"]] * z)
y <- ifelse(structural, 0L, rpois(n, lambda))
write_plain_csv(data.frame(x = sprintf("%.6f", x), z = sprintf("%.6f", z), y = y), "models/zip.csv")

d <- read.csv("models/zip.csv")
n_obs <- nrow(d)
X <- cbind(1, d$x)
Z <- cbind(1, d$z)
y <- d$y
zero <- y == 0
# theta = (b0, b1, g0, g1): the order of first appearance in the model text
loglik_rows <- function(theta) {
  lam <- exp(drop(X %*% theta[1:2]))
  p <- plogis(drop(Z %*% theta[3:4]))
  ifelse(zero, log(p + (1 - p) * exp(-lam)), log1p(-p) + dpois(y, lam, log = TRUE))
}
nll <- function(theta) -sum(loglik_rows(theta))
grad <- function(theta) {
  lam <- exp(drop(X %*% theta[1:2]))
  p <- plogis(drop(Z %*% theta[3:4]))
  D <- p + (1 - p) * exp(-lam)
  deta <- ifelse(zero, -(1 - p) * exp(-lam) * lam / D, y - lam)
  dzeta <- ifelse(zero, p * (1 - p) * (1 - exp(-lam)) / D, -p)
  -c(drop(crossprod(X, deta)), drop(crossprod(Z, dzeta)))
}
hess <- function(theta) hessian_from_gradient(grad, theta)

fit <- zeroinfl(y ~ x | z, data = d, dist = "poisson", control = zeroinfl.control(reltol = 1e-14))
theta_pscl <- c(coef(fit, "count"), coef(fit, "zero"))
check_gradient(nll, grad, theta_pscl * 1.1, "zip")
pol <- newton_polish(unname(theta_pscl), grad, hess)
theta_hat <- pol$par
g_hat <- grad(theta_hat)
cat("zeroinfl:", format(theta_pscl, digits = 17), "\nNewton polish moved it by",
    max(abs(theta_hat - theta_pscl) / abs(theta_hat)), "(relative); max |gradient|:", max(abs(g_hat)), "\n")
stopifnot(max(abs(theta_hat - theta_pscl) / abs(theta_hat)) < 1e-6, max(abs(g_hat)) < 1e-9)

H <- hess(theta_hat)
estimate <- setNames(theta_hat, c("b0", "b1", "g0", "g1"))
std_error <- setNames(sqrt(diag(solve(H))), names(estimate))
se_pscl <- sqrt(diag(vcov(fit)))
cat("zeroinfl's SEs (optim Hessian) vs these: max rel diff", max(abs(se_pscl - std_error) / std_error), "\n")
loglik <- -nll(theta_hat)
cat("log-likelihood:", format(loglik, digits = 17), " zeroinfl's:", format(as.numeric(logLik(fit)), digits = 17), "\n")
stopifnot(abs(loglik - as.numeric(logLik(fit))) < 1e-8)
print(cbind(truth, estimate, std_error))

write_json_file(list(
  model = "zip.mle",
  data = "zip.csv",
  source = paste0(r_version(), ": pscl::zeroinfl(y ~ x | z, dist = \"poisson\") with reltol 1e-14, ",
                  "polished by Newton steps on the analytic gradient; standard errors from the inverse ",
                  "observed information, Richardson differences of the analytic gradient; ",
                  "see models/reference/zip.R"),
  converged = TRUE,
  log_likelihood = loglik,
  n_obs = n_obs,
  parameters = parameter_list(estimate, std_error),
  true_values = as.list(truth)
), "models/zip.expected.json")

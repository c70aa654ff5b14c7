# Reference for `mlec predict` on models/truncated_normal.mle (y ~ normal(b0 +
# b1*x, sigma) T[0, ]), fitted to models/truncated_normal.csv, at the new
# rows of models/truncated_normal_new.csv. The prediction is the mean of the
# truncated normal, E[Y | Y > 0] = mu + sigma phi(a) / (1 - Phi(a)) with
# mu = b0 + b1 x and a = -mu / sigma (closed form; the ratio from the log
# density and the log upper tail, so that a row far below 0 keeps its
# digits); its standard error is the delta method's, sqrt(J V J'), with J
# numDeriv's Jacobian of the predictions in (b0, b1, sigma) and V the inverse
# of the observed information at the maximum (the fit of truncated_normal.R,
# repeated here: optim, then Newton steps on the Hessian from Richardson
# differences of the analytic gradient).
# Run from the repository's root: Rscript models/reference/truncated_normal_predict.R
source("models/reference/common.R")
library(numDeriv)

d <- read.csv("models/truncated_normal.csv")
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
start <- c(mean(d$y), 0, sd(d$y))
opt <- suppressWarnings(optim(start, nll, grad, method = "BFGS", control = list(reltol = 1e-15, maxit = 1000)))
theta_hat <- newton_polish(opt$par, grad, function(theta) hessian_from_gradient(grad, theta))$par
stopifnot(max(abs(grad(theta_hat))) < 1e-8)
V <- solve(hessian_from_gradient(grad, theta_hat))

new_x <- c(-8, -2, -0.5, 0, 0.7, 2.5)
write_plain_csv(data.frame(x = new_x), "models/truncated_normal_new.csv")
truncated_mean <- function(theta) {
  mu <- theta[1] + theta[2] * new_x
  s <- theta[3]
  a <- -mu / s
  mu + s * exp(dnorm(a, log = TRUE) - pnorm(a, lower.tail = FALSE, log.p = TRUE))
}
expected <- truncated_mean(theta_hat)
J <- jacobian(truncated_mean, theta_hat, method = "Richardson")
se <- sqrt(diag(J %*% V %*% t(J)))
print(cbind(x = new_x, expected, se))

write_json_file(list(
  model = "truncated_normal.mle",
  data = "truncated_normal.csv",
  newdata = "truncated_normal_new.csv",
  source = paste0(r_version(), ": E[Y | Y > 0] = mu + sigma phi(a) / (1 - Phi(a)), a = -mu / sigma, at the ",
                  "maximum of truncated_normal.R's likelihood; standard errors by the delta method with ",
                  "numDeriv's Jacobian (Richardson) and the inverse observed information; see ",
                  "models/reference/truncated_normal_predict.R"),
  rows = unname(Map(function(x, e, s) list(x = x, y_expected = e, y_expected_se = s), new_x, expected, se))
), "models/truncated_normal.predict.json")

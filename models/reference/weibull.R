# Reference for models/weibull.mle on models/weibull.csv.
# With z = y / lambda (shape k, scale lambda), per row
#   l = log k - k log lambda + (k - 1) log y - z^k
#   dl/dk = 1/k + log z - z^k log z,          dl/dlambda = (k / lambda) (z^k - 1)
#   d2l/dk2 = -1/k^2 - z^k (log z)^2
#   d2l/dlambda2 = -(k / lambda^2) (z^k - 1) - (k / lambda)^2 z^k
#   d2l/dk dlambda = (z^k - 1) / lambda + (k / lambda) z^k log z
# The scale score gives lambda^k = mean(y^k); substituting it, the shape solves the
# 1-D profile equation 1/k + mean(log y) - sum(y^k log y) / sum(y^k) = 0 (uniroot).
# Standard errors: inverse of the analytic observed information above.
source("models/reference/common.R")
suppressPackageStartupMessages(library(MASS))
set.seed(20240506)

n <- 300
truth <- c(shape = 1.8, scale = 3.0)
y <- rweibull(n, shape = truth[["shape"]], scale = truth[["scale"]])
write_plain_csv(data.frame(y = sprintf("%.10g", y)), "models/weibull.csv")

d <- read.csv("models/weibull.csv")
stopifnot(all(d$y > 0))
y <- d$y
n_obs <- length(y)
ly <- log(y)

profile_score <- function(k) {
  # scale y by its maximum so that y^k cannot overflow; the ratio is unchanged
  w <- (y / max(y))^k
  1 / k + mean(ly) - sum(w * ly) / sum(w)
}
root <- uniroot(profile_score, c(0.05, 50), tol = 1e-15)
shape_hat <- root$root
scale_hat <- mean(y^shape_hat)^(1 / shape_hat)

nll <- function(theta) -sum(dweibull(y, shape = theta[1], scale = theta[2], log = TRUE))
grad <- function(theta) {
  k <- theta[1]; lam <- theta[2]
  z <- y / lam
  zk <- z^k
  -c(sum(1 / k + log(z) - zk * log(z)), sum((k / lam) * (zk - 1)))
}
hess <- function(theta) {
  k <- theta[1]; lam <- theta[2]
  z <- y / lam
  zk <- z^k
  hkk <- sum(-1 / k^2 - zk * log(z)^2)
  hll <- sum(-(k / lam^2) * (zk - 1) - (k / lam)^2 * zk)
  hkl <- sum((zk - 1) / lam + (k / lam) * zk * log(z))
  -matrix(c(hkk, hkl, hkl, hll), 2, 2)
}
check_gradient(nll, grad, c(shape_hat * 1.1, scale_hat * 0.9), "weibull")
theta_root <- c(shape_hat, scale_hat)
pol <- newton_polish(theta_root, grad, hess)
theta_hat <- pol$par
g_hat <- grad(theta_hat)
cat("profile root: shape", format(shape_hat, digits = 17), "scale", format(scale_hat, digits = 17),
    "; Newton polish moved it by", max(abs(theta_hat - theta_root)), "; max |gradient|:", max(abs(g_hat)), "\n")
stopifnot(max(abs(theta_hat - theta_root)) < 1e-9, max(abs(g_hat)) < 1e-9)

H <- hess(theta_hat)
H_num <- hessian_from_gradient(grad, theta_hat)
cat("analytic Hessian vs Richardson differences of the analytic gradient: max rel diff",
    max_rel_diff(H, H_num), "\n")
stopifnot(max_rel_diff(H, H_num) < 1e-8)
estimate <- setNames(theta_hat, c("shape", "scale"))
std_error <- setNames(sqrt(diag(solve(H))), names(estimate))
loglik <- -nll(theta_hat)

# fitdistr's unconstrained Nelder-Mead may try a negative shape (dweibull NaN warnings): harmless
fd <- suppressWarnings(fitdistr(y, "weibull", control = list(reltol = 1e-15, maxit = 5000)))
cat("MASS::fitdistr: estimate", format(fd$estimate, digits = 12), "sd", format(fd$sd, digits = 12),
    "logLik", format(fd$loglik, digits = 17), "\n")
cat("max |estimate - fitdistr|:", max(abs(estimate - fd$estimate)),
    " max |SE - fitdistr SE| (optimHess):", max(abs(std_error - fd$sd)), "\n")
stopifnot(max(abs(estimate - fd$estimate)) < 1e-5, max(abs(std_error - fd$sd)) < 1e-4)
print(cbind(truth, estimate, std_error))
cat("log-likelihood:", format(loglik, digits = 17), "\n")
cross_check(nll, unname(estimate), unname(std_error), "weibull")

write_json_file(list(
  model = "weibull.mle",
  data = "weibull.csv",
  source = paste0(r_version(), ": shape from uniroot of the profile score ",
                  "1/k + mean(log y) - sum(y^k log y) / sum(y^k) = 0, scale = mean(y^k)^(1/k), ",
                  "Newton-polished on the analytic gradient; standard errors from the inverse analytic ",
                  "observed information; cross-checked with MASS::fitdistr(y, \"weibull\"); ",
                  "see models/reference/weibull.R"),
  converged = TRUE,
  log_likelihood = loglik,
  n_obs = n_obs,
  parameters = parameter_list(estimate, std_error),
  true_values = as.list(truth)
), "models/weibull.expected.json")

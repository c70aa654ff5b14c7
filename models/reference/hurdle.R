# Reference for models/hurdle.mle on models/hurdle.csv: pscl::hurdle with a
# Poisson count part (log link, covariate x) and a binomial zero hurdle (logit
# link, covariate z). The likelihood splits into the hurdle's logistic
# regression of (y > 0) on z and a zero-truncated Poisson regression of the
# positive y on x, so each part is polished by Newton steps on its analytic
# gradient and Hessian; the standard errors are from the observed information
# at the MLE (pscl's own come from optim's numerical Hessian, which the script
# prints for comparison).
source("models/reference/common.R")
suppressPackageStartupMessages(library(pscl))
set.seed(20261205)

n <- 500
truth <- c(b0 = 0.7, b1 = 0.4, g0 = 0.3, g1 = 0.8)
x <- round(rnorm(n), 6)
z <- round(rnorm(n), 6)
positive <- runif(n) < plogis(truth[["g0"]] + truth[["g1"]] * z)
lambda <- exp(truth[["b0"]] + truth[["b1"]] * x)
y <- integer(n)
for (i in which(positive)) {
  repeat {  # zero-truncated Poisson by rejection
    y[i] <- rpois(1, lambda[i])
    if (y[i] > 0) break
  }
}
write_plain_csv(data.frame(x = sprintf("%.6f", x), z = sprintf("%.6f", z), y = y), "models/hurdle.csv")

d <- read.csv("models/hurdle.csv")
fit <- hurdle(y ~ x | z, data = d, dist = "poisson", zero.dist = "binomial",
              control = hurdle.control(reltol = 1e-15, maxit = 10000))
start <- c(coef(fit)[c("count_(Intercept)", "count_x", "zero_(Intercept)", "zero_z")])
names(start) <- c("b0", "b1", "g0", "g1")

X <- cbind(1, d$x)
Z <- cbind(1, d$z)
pos <- d$y > 0
# Zero-truncated Poisson part: l = y eta - lambda - log(1 - exp(-lambda)) - lgamma(y + 1)
# on the positive rows; d l / d eta = y - m, m = lambda / (1 - exp(-lambda)),
# -d2 l / d eta2 = lambda dm/dlambda.
count_grad <- function(b) {
  lam <- exp(drop(X[pos, ] %*% b))
  -drop(crossprod(X[pos, ], d$y[pos] - lam / -expm1(-lam)))
}
count_hess <- function(b) {
  lam <- exp(drop(X[pos, ] %*% b))
  q <- -expm1(-lam)
  w <- lam * (q - lam * exp(-lam)) / q^2
  crossprod(X[pos, ], X[pos, ] * w)
}
# Logistic hurdle: P(y > 0) = plogis(Z g).
zero_grad <- function(g) -drop(crossprod(Z, pos - plogis(drop(Z %*% g))))
zero_hess <- function(g) {
  p <- plogis(drop(Z %*% g))
  crossprod(Z, Z * (p * (1 - p)))
}
b <- newton_polish(unname(start[1:2]), count_grad, count_hess)$par
g <- newton_polish(unname(start[3:4]), zero_grad, zero_hess)$par
estimate <- setNames(c(b, g), names(start))
info <- matrix(0, 4, 4)
info[1:2, 1:2] <- count_hess(b)
info[3:4, 3:4] <- zero_hess(g)
std_error <- setNames(sqrt(diag(solve(info))), names(estimate))

nll <- function(theta) {
  lam <- exp(drop(X %*% theta[1:2]))
  eta <- drop(Z %*% theta[3:4])
  -sum(ifelse(pos, plogis(eta, log.p = TRUE) + dpois(d$y, lam, log = TRUE) - log(-expm1(-lam)),
              plogis(-eta, log.p = TRUE)))
}
loglik <- -nll(estimate)
cat("max |estimate - pscl|:", max(abs(estimate - start)), "\n")
cat("max |SE - pscl SE|:", max(abs(std_error - sqrt(diag(vcov(fit)))[c(1, 2, 3, 4)])), "\n")
cat("log-likelihood:", format(loglik, digits = 17), " pscl:", format(as.numeric(logLik(fit)), digits = 17), "\n")
stopifnot(max(abs(estimate - start)) < 1e-5, abs(loglik - as.numeric(logLik(fit))) < 1e-8)
stopifnot(max(abs(count_grad(b))) < 1e-9, max(abs(zero_grad(g))) < 1e-9)
print(cbind(truth, estimate, std_error))
cross_check(nll, unname(estimate), unname(std_error), "hurdle")

write_json_file(list(
  model = "hurdle.mle",
  data = "hurdle.csv",
  source = paste0(r_version(), " pscl::hurdle(y ~ x | z, dist = \"poisson\", zero.dist = \"binomial\") ",
                  "polished by Newton steps on each part's analytic gradient and Hessian, standard errors ",
                  "from the analytic observed information; see models/reference/hurdle.R"),
  converged = TRUE,
  log_likelihood = loglik,
  n_obs = nrow(d),
  parameters = parameter_list(estimate, std_error),
  true_values = as.list(truth)
), "models/hurdle.expected.json")

# Reference for models/zip_censored.mle on models/zip_censored.csv.
# Zero-inflated Poisson counts (lambda = exp(eta), eta = b0 + b1 x;
# pi = plogis(zeta), zeta = g0 + g1 z) recorded up to a cap: a count above 4
# is written as 4 with cens = 1 and contributes
#   log P(Y > 4) = log(1 - pi) + ppois(4, lambda, lower.tail = FALSE, log.p = TRUE).
# Per row, with D = pi + (1 - pi) exp(-lambda) and Q = P(Poisson > y):
#   observed y = 0: l = log D,  dl/deta = -(1 - pi) exp(-lambda) lambda / D,
#                   dl/dzeta = pi (1 - pi) (1 - exp(-lambda)) / D
#   observed y > 0: l = log(1 - pi) + y eta - lambda - lgamma(y + 1),
#                   dl/deta = y - lambda,  dl/dzeta = -pi
#   censored:       l = log(1 - pi) + log Q,  dl/deta = lambda dpois(y, lambda) / Q,
#                   dl/dzeta = -pi        (d/dlambda P(Y > y) = dpois(y, lambda))
# The MLE by optim, then Newton steps on that analytic gradient with its
# Hessian from Richardson differences of it (hessian_from_gradient); standard
# errors from the observed information. Cross-checked with optim + optimHess.
source("models/reference/common.R")
set.seed(20261207)

n <- 500
cap <- 4
truth <- c(b0 = 0.8, b1 = 0.5, g0 = -0.7, g1 = 0.9)
x <- round(runif(n, -1, 1), 4)
z <- round(runif(n, -2, 2), 4)
lambda <- exp(truth[["b0"]] + truth[["b1"]] * x)
pi <- plogis(truth[["g0"]] + truth[["g1"]] * z)
y <- ifelse(runif(n) < pi, 0, rpois(n, lambda))
cens <- as.integer(y > cap)
y <- pmin(y, cap)
write_plain_csv(data.frame(x = sprintf("%.4f", x), z = sprintf("%.4f", z), y = y, cens = cens),
                "models/zip_censored.csv")

d <- read.csv("models/zip_censored.csv")
ev <- d$cens == 0

loglik_rows <- function(theta) {
  lambda <- exp(theta[1] + theta[2] * d$x)
  zeta <- theta[3] + theta[4] * d$z
  log_pi <- plogis(zeta, log.p = TRUE)
  log_1m_pi <- plogis(zeta, lower.tail = FALSE, log.p = TRUE)
  ifelse(!ev, log_1m_pi + ppois(d$y, lambda, lower.tail = FALSE, log.p = TRUE),
         ifelse(d$y == 0, log(exp(log_pi) + exp(log_1m_pi - lambda)),
                log_1m_pi + dpois(d$y, lambda, log = TRUE)))
}
nll <- function(theta) -sum(loglik_rows(theta))

grad <- function(theta) {
  lambda <- exp(theta[1] + theta[2] * d$x)
  pi <- plogis(theta[3] + theta[4] * d$z)
  D <- pi + (1 - pi) * exp(-lambda)
  Q <- ppois(d$y, lambda, lower.tail = FALSE)
  g_eta <- ifelse(!ev, lambda * dpois(d$y, lambda) / Q,
                  ifelse(d$y == 0, -(1 - pi) * exp(-lambda) * lambda / D, d$y - lambda))
  g_zeta <- ifelse(ev & d$y == 0, pi * (1 - pi) * (1 - exp(-lambda)) / D, -pi)
  -c(sum(g_eta), sum(g_eta * d$x), sum(g_zeta), sum(g_zeta * d$z))
}

start <- optim(c(0, 0, 0, 0), nll, method = "BFGS", control = list(reltol = 1e-15, maxit = 1000))$par
check_gradient(nll, grad, start + c(0.1, -0.05, 0.05, 0.1), "zip_censored")
polished <- newton_polish(start, grad, function(th) hessian_from_gradient(grad, th), tol = 1e-13)
estimate <- setNames(polished$par, names(truth))
hess <- hessian_from_gradient(grad, polished$par)
std_error <- setNames(sqrt(diag(solve(hess))), names(truth))
loglik <- -nll(polished$par)
cat("censored rows:", sum(d$cens), "of", nrow(d), "; zeros:", sum(d$y == 0), "; Newton steps:", polished$iter,
    "last step:", polished$last_step, "; max |gradient|:", max(abs(grad(polished$par))), "\n")
stopifnot(max(abs(grad(polished$par))) < 1e-8)
print(cbind(truth, estimate, std_error))
cross_check(nll, unname(estimate), unname(std_error), "zip_censored")

write_json_file(list(
  model = "zip_censored.mle",
  data = "zip_censored.csv",
  source = paste0(r_version(), ": the capped zero-inflated Poisson log-likelihood from dpois and ",
                  "ppois(lower.tail = FALSE, log.p = TRUE), optim then Newton steps on its analytic gradient, ",
                  "observed-information standard errors; cross-checked with optim + optimHess; ",
                  "see models/reference/zip_censored.R"),
  converged = TRUE,
  log_likelihood = loglik,
  n_obs = nrow(d),
  parameters = parameter_list(estimate, std_error),
  true_values = as.list(truth)
), "models/zip_censored.expected.json")

# Reference for models/negbin.mle on models/negbin.csv.
# NB2 with mu = exp(x'b) and size k (MASS::glm.nb's theta), per row:
#   l = lgamma(y + k) - lgamma(k) - lgamma(y + 1) + k log(k / (k + mu)) + y log(mu / (k + mu))
#   dl/deta   = k (y - mu) / (k + mu)
#   dl/dk     = digamma(y + k) - digamma(k) + log(k / (k + mu)) + 1 - (y + k) / (k + mu)
#   d2l/deta2 = -k mu (y + k) / (k + mu)^2
#   d2l/dk2   = trigamma(y + k) - trigamma(k) + 1/k - 1/(k + mu) - (mu - y) / (k + mu)^2
#   d2l/dk deta = mu (y - mu) / (k + mu)^2
# The estimate is MASS::glm.nb's, polished by Newton steps on this analytic
# gradient/Hessian; the standard errors come from the inverse of the analytic
# observed information (glm.nb's beta SEs use the expected information for beta,
# so they differ slightly and are only reported).
source("models/reference/common.R")
suppressPackageStartupMessages(library(MASS))
set.seed(20240505)

n <- 400
truth <- c(size = 2.0, b0 = 1.0, b1 = 0.4, b2 = -0.6)
x1 <- round(rnorm(n), 6)
x2 <- round(runif(n, -1.5, 1.5), 6)
mu <- exp(truth[["b0"]] + truth[["b1"]] * x1 + truth[["b2"]] * x2)
y <- rnbinom(n, size = truth[["size"]], mu = mu)
write_plain_csv(data.frame(x1 = sprintf("%.6f", x1), x2 = sprintf("%.6f", x2), y = y),
                "models/negbin.csv")

d <- read.csv("models/negbin.csv")
n_obs <- nrow(d)
X <- cbind(1, d$x1, d$x2)
# theta = (size, b0, b1, b2): the order of first appearance in the model text
nll <- function(theta) {
  k <- theta[1]
  m <- exp(drop(X %*% theta[2:4]))
  -sum(dnbinom(d$y, size = k, mu = m, log = TRUE))
}
grad <- function(theta) {
  k <- theta[1]
  m <- exp(drop(X %*% theta[2:4]))
  dk <- sum(digamma(d$y + k) - digamma(k) + log(k / (k + m)) + 1 - (d$y + k) / (k + m))
  deta <- k * (d$y - m) / (k + m)
  -c(dk, drop(crossprod(X, deta)))
}
hess <- function(theta) {
  k <- theta[1]
  m <- exp(drop(X %*% theta[2:4]))
  y <- d$y
  hkk <- sum(trigamma(y + k) - trigamma(k) + 1 / k - 1 / (k + m) - (m - y) / (k + m)^2)
  hke <- m * (y - m) / (k + m)^2
  hee <- -k * m * (y + k) / (k + m)^2
  -rbind(c(hkk, drop(crossprod(X, hke))),
         cbind(drop(crossprod(X, hke)), crossprod(X, X * hee)))
}

fit <- glm.nb(y ~ x1 + x2, data = d, control = glm.control(epsilon = 1e-15, maxit = 200))
theta_nb <- c(fit$theta, coef(fit))
check_gradient(nll, grad, theta_nb + c(0.1, 0.05, -0.05, 0.05), "negbin")
pol <- newton_polish(unname(theta_nb), grad, hess)
theta_hat <- pol$par
g_hat <- grad(theta_hat)
cat("Newton polish from glm.nb: moved by", max(abs(theta_hat - theta_nb)), "in", pol$iter,
    "steps; max |gradient| at the MLE:", max(abs(g_hat)), "\n")
stopifnot(max(abs(theta_hat - theta_nb)) < 1e-6, max(abs(g_hat)) < 1e-8)

H <- hess(theta_hat)
H_num <- hessian_from_gradient(grad, theta_hat)
cat("analytic Hessian vs Richardson differences of the analytic gradient: max rel diff",
    max_rel_diff(H, H_num), "\n")
stopifnot(max_rel_diff(H, H_num) < 1e-8)
estimate <- setNames(theta_hat, c("size", "b0", "b1", "b2"))
std_error <- setNames(sqrt(diag(solve(H))), names(estimate))
loglik <- -nll(theta_hat)

se_nb <- c(fit$SE.theta, summary(fit)$coefficients[, "Std. Error"])
cat("glm.nb: theta", format(fit$theta, digits = 17), "SE.theta", format(fit$SE.theta, digits = 17),
    "logLik", format(as.numeric(logLik(fit)), digits = 17), "\n")
cat("max |estimate - glm.nb|:", max(abs(estimate - theta_nb)),
    " max |SE - glm.nb SE| (glm.nb beta SEs are expected-information):", max(abs(std_error - se_nb)), "\n")
stopifnot(abs(loglik - as.numeric(logLik(fit))) < 1e-8, max(abs(std_error - se_nb)) < 1e-3)
print(cbind(truth, estimate, std_error, se_glm_nb = se_nb))
cat("log-likelihood:", format(loglik, digits = 17), " range of y:", range(d$y), "\n")
cross_check(nll, unname(estimate), unname(std_error), "negbin")

write_json_file(list(
  model = "negbin.mle",
  data = "negbin.csv",
  source = paste0(r_version(), ": MASS::glm.nb(y ~ x1 + x2) (size = theta) polished by Newton steps on the ",
                  "analytic gradient and Hessian of the NB2 log-likelihood, standard errors from the inverse ",
                  "analytic observed information (checked against Richardson differences of the analytic gradient), ",
                  "log-likelihood sum(dnbinom(y, size, mu = mu, log = TRUE)); see models/reference/negbin.R"),
  converged = TRUE,
  log_likelihood = loglik,
  n_obs = n_obs,
  parameters = parameter_list(estimate, std_error),
  true_values = as.list(truth)
), "models/negbin.expected.json")

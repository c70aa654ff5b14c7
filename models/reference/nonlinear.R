# Reference for models/nonlinear.mle on models/nonlinear.csv.
# f(x; b) = b1 (1 - e), e = exp(-b2 x), residuals r = y - f. With
#   l = -n log sigma - n/2 log(2 pi) - RSS / (2 sigma^2)
# the MLE of b minimizes RSS (nls), and sigma = sqrt(RSS / n). The observed information
# of the full normal likelihood (J = df/db, H_i = d2f_i/db2):
#   -d2l/db db'      = (J'J - sum_i r_i H_i) / sigma^2
#   -d2l/dsigma2     = -n / sigma^2 + 3 RSS / sigma^4     (= 2 n / sigma^2 at the MLE)
#   -d2l/dsigma db   = -2 sum_i r_i J_i / sigma^3         (= 0 at the MLE)
# with df/db1 = 1 - e, df/db2 = b1 x e, d2f/db1 db2 = x e, d2f/db2^2 = -b1 x^2 e, d2f/db1^2 = 0.
# The r_i H_i term makes these standard errors differ from nls's, which use
# s^2 (J'J)^-1 with s^2 = RSS / (n - 2); both are printed, the JSON holds the MLE ones.
source("models/reference/common.R")
set.seed(20240510)

n <- 200
truth <- c(sigma = 0.3, b1 = 5, b2 = 0.4)
x <- round(runif(n, 0, 10), 6)
y <- truth[["b1"]] * (1 - exp(-truth[["b2"]] * x)) + rnorm(n, 0, truth[["sigma"]])
write_plain_csv(data.frame(x = sprintf("%.6f", x), y = sprintf("%.10g", y)), "models/nonlinear.csv")

d <- read.csv("models/nonlinear.csv")
stopifnot(all(d$x > 0 & d$x < 10))
x <- d$x
y <- d$y
n_obs <- nrow(d)

# nls's relative-offset criterion cannot go far below sqrt(machine epsilon) (a tighter
# tol stalls with "step factor reduced below minFactor"), so it runs with tol = 1e-8 and
# the Newton steps below finish the job.
fit <- nls(y ~ b1 * (1 - exp(-b2 * x)), data = d, start = list(b1 = 4, b2 = 0.5),
           control = nls.control(tol = 1e-8, maxiter = 200))
b_nls <- coef(fit)

# theta = (sigma, b1, b2): the order of first appearance in the model text
nll <- function(theta) -sum(dnorm(y, theta[2] * (1 - exp(-theta[3] * x)), theta[1], log = TRUE))
grad <- function(theta) {
  s <- theta[1]; b1 <- theta[2]; b2 <- theta[3]
  e <- exp(-b2 * x)
  r <- y - b1 * (1 - e)
  J <- cbind(1 - e, b1 * x * e)
  -c(-n_obs / s + sum(r^2) / s^3, drop(crossprod(J, r)) / s^2)
}
hess <- function(theta) {
  s <- theta[1]; b1 <- theta[2]; b2 <- theta[3]
  e <- exp(-b2 * x)
  r <- y - b1 * (1 - e)
  J <- cbind(1 - e, b1 * x * e)
  rH <- matrix(c(0, sum(r * x * e), sum(r * x * e), sum(-r * b1 * x^2 * e)), 2, 2)
  info <- matrix(0, 3, 3)
  info[1, 1] <- -n_obs / s^2 + 3 * sum(r^2) / s^4
  info[1, 2:3] <- info[2:3, 1] <- -2 * drop(crossprod(J, r)) / s^3
  info[2:3, 2:3] <- (crossprod(J) - rH) / s^2
  info
}
theta_nls <- unname(c(sqrt(deviance(fit) / n_obs), b_nls))
check_gradient(nll, grad, theta_nls * c(1.2, 0.95, 1.1), "nonlinear")
pol <- newton_polish(theta_nls, grad, hess)
theta_hat <- pol$par
g_hat <- grad(theta_hat)
cat("Newton polish moved the nls estimate by", max(abs(theta_hat - theta_nls)), "in", pol$iter,
    "steps; max |gradient| at the MLE:", max(abs(g_hat)), "\n")
stopifnot(max(abs(theta_hat - theta_nls)) < 1e-7, max(abs(g_hat)) < 1e-8)

H <- hess(theta_hat)
H_num <- hessian_from_gradient(grad, theta_hat)
cat("analytic Hessian vs Richardson differences of the analytic gradient: max rel diff",
    max_rel_diff(H, H_num), "\n")
stopifnot(max_rel_diff(H, H_num) < 1e-8)
estimate <- setNames(theta_hat, c("sigma", "b1", "b2"))
std_error <- setNames(sqrt(diag(solve(H))), names(estimate))
loglik <- -nll(theta_hat)
stopifnot(abs(loglik - (-n_obs / 2 * (log(2 * pi * theta_hat[1]^2) + 1))) < 1e-9)

se_nls <- summary(fit)$coefficients[, "Std. Error"]
e_hat <- exp(-theta_hat[3] * x)
J_hat <- cbind(1 - e_hat, theta_hat[2] * x * e_hat)
se_gauss_newton_mle <- sqrt(diag(solve(crossprod(J_hat)))) * theta_hat[1]
cat("nls estimates", format(b_nls, digits = 15), "\n")
cat("standard errors of (b1, b2):\n")
print(rbind(mle_observed_information = std_error[2:3],
            nls_summary = se_nls,
            sigma_mle_times_JtJ = se_gauss_newton_mle))
print(cbind(truth, estimate, std_error))
cat("log-likelihood:", format(loglik, digits = 17), "\n")
cross_check(nll, unname(estimate), unname(std_error), "nonlinear")

write_json_file(list(
  model = "nonlinear.mle",
  data = "nonlinear.csv",
  source = paste0(r_version(), ": b1, b2 from nls(y ~ b1 * (1 - exp(-b2 * x))) polished by Newton steps on the ",
                  "analytic gradient/Hessian of the normal log-likelihood, sigma = sqrt(RSS / n); standard errors ",
                  "from the inverse analytic observed information of the full normal likelihood, which includes ",
                  "the residual-weighted second derivatives of the mean function (nls's own standard errors, ",
                  "s^2 (J'J)^-1 with s^2 = RSS / (n - 2), differ; both printed by the script); ",
                  "see models/reference/nonlinear.R"),
  converged = TRUE,
  log_likelihood = loglik,
  n_obs = n_obs,
  parameters = parameter_list(estimate, std_error),
  true_values = as.list(truth)
), "models/nonlinear.expected.json")

# Reference for models/michaelis_menten.mle on models/michaelis_menten.csv: the
# treated cells of R's Puromycin data (datasets), rate = Vm conc / (K + conc).
# f(c; Vm, K) = Vm c / (K + c), residuals r = rate - f. With
#   l = -n log sigma - n/2 log(2 pi) - RSS / (2 sigma^2)
# the MLE of (Vm, K) minimizes RSS (nls), and sigma = sqrt(RSS / n). The observed
# information of the full normal likelihood (J = df/db, H_i = d2f_i/db2):
#   -d2l/db db'      = (J'J - sum_i r_i H_i) / sigma^2
#   -d2l/dsigma2     = -n / sigma^2 + 3 RSS / sigma^4
#   -d2l/dsigma db   = -2 sum_i r_i J_i / sigma^3
# with df/dVm = c / (K + c), df/dK = -Vm c / (K + c)^2, d2f/dVm2 = 0,
# d2f/dVm dK = -c / (K + c)^2, d2f/dK2 = 2 Vm c / (K + c)^3.
# nls's own standard errors, s^2 (J'J)^-1 with s^2 = RSS / (n - 2), differ; both are
# printed, the JSON holds the MLE ones.
source("models/reference/common.R")

treated <- datasets::Puromycin[datasets::Puromycin$state == "treated", ]
write_plain_csv(data.frame(conc = as.character(treated$conc), rate = as.character(treated$rate)),
                "models/michaelis_menten.csv")

d <- read.csv("models/michaelis_menten.csv")
stopifnot(nrow(d) == 12, all(d$conc == treated$conc), all(d$rate == treated$rate))
conc <- d$conc
y <- d$rate
n_obs <- nrow(d)

fit <- nls(rate ~ Vm * conc / (K + conc), data = d, start = list(Vm = 200, K = 0.1),
           control = nls.control(tol = 1e-8, maxiter = 200))
b_nls <- coef(fit)

# theta = (sigma, Vm, K): the order of first appearance in the model text
mean_of <- function(theta) theta[2] * conc / (theta[3] + conc)
nll <- function(theta) -sum(dnorm(y, mean_of(theta), theta[1], log = TRUE))
jacobian <- function(theta) cbind(conc / (theta[3] + conc), -theta[2] * conc / (theta[3] + conc)^2)
grad <- function(theta) {
  s <- theta[1]
  r <- y - mean_of(theta)
  -c(-n_obs / s + sum(r^2) / s^3, drop(crossprod(jacobian(theta), r)) / s^2)
}
hess <- function(theta) {
  s <- theta[1]; vm <- theta[2]; k <- theta[3]
  r <- y - mean_of(theta)
  J <- jacobian(theta)
  h12 <- sum(r * -conc / (k + conc)^2)
  rH <- matrix(c(0, h12, h12, sum(r * 2 * vm * conc / (k + conc)^3)), 2, 2)
  info <- matrix(0, 3, 3)
  info[1, 1] <- -n_obs / s^2 + 3 * sum(r^2) / s^4
  info[1, 2:3] <- info[2:3, 1] <- -2 * drop(crossprod(J, r)) / s^3
  info[2:3, 2:3] <- (crossprod(J) - rH) / s^2
  info
}
theta_nls <- unname(c(sqrt(deviance(fit) / n_obs), b_nls))
check_gradient(nll, grad, theta_nls * c(1.2, 0.95, 1.1), "michaelis_menten")
pol <- newton_polish(theta_nls, grad, hess)
theta_hat <- pol$par
g_hat <- grad(theta_hat)
cat("Newton polish moved the nls estimate by", max(abs(theta_hat - theta_nls)), "in", pol$iter,
    "steps; max |gradient| at the MLE:", max(abs(g_hat)), "\n")
stopifnot(max(abs(theta_hat - theta_nls)) < 1e-5, max(abs(g_hat)) < 1e-8)

H <- hess(theta_hat)
H_num <- hessian_from_gradient(grad, theta_hat)
cat("analytic Hessian vs Richardson differences of the analytic gradient: max rel diff",
    max_rel_diff(H, H_num), "\n")
stopifnot(max_rel_diff(H, H_num) < 1e-8)
estimate <- setNames(theta_hat, c("sigma", "Vm", "K"))
std_error <- setNames(sqrt(diag(solve(H))), names(estimate))
loglik <- -nll(theta_hat)
stopifnot(abs(loglik - (-n_obs / 2 * (log(2 * pi * theta_hat[1]^2) + 1))) < 1e-9)

cat("nls estimates", format(b_nls, digits = 15), "\n")
cat("standard errors of (Vm, K):\n")
print(rbind(mle_observed_information = std_error[2:3],
            nls_summary = summary(fit)$coefficients[, "Std. Error"]))
print(cbind(estimate, std_error))
cat("log-likelihood:", format(loglik, digits = 17), "\n")
# (common.R's cross_check compares standard errors to 1e-4 absolutely; Vm's is 6.5,
# where optimHess's differences carry about 1e-3, so the check here is relative.)
se_num <- sqrt(diag(solve(optimHess(unname(estimate), nll))))
cat("optimHess standard errors: max rel diff", max(abs(se_num / std_error - 1)), "\n")
stopifnot(max(abs(se_num / std_error - 1)) < 1e-3)

write_json_file(list(
  model = "michaelis_menten.mle",
  data = "michaelis_menten.csv",
  source = paste0(r_version(), ": Vm, K from nls(rate ~ Vm * conc / (K + conc)) on datasets::Puromycin ",
                  "(state == \"treated\") polished by Newton steps on the analytic gradient/Hessian of the ",
                  "normal log-likelihood, sigma = sqrt(RSS / n); standard errors from the inverse analytic ",
                  "observed information of the full normal likelihood (nls's own standard errors, ",
                  "s^2 (J'J)^-1 with s^2 = RSS / (n - 2), differ; both printed by the script); ",
                  "see models/reference/michaelis_menten.R"),
  converged = TRUE,
  log_likelihood = loglik,
  n_obs = n_obs,
  parameters = parameter_list(estimate, std_error)
), "models/michaelis_menten.expected.json")

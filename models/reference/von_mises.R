# Reference for models/von_mises.mle on models/von_mises.csv.
# Per row, with d = y - mu and A = I1(kappa)/I0(kappa),
#   l = kappa cos(d) - log(2 pi) - log I0(kappa)
#   dl/dmu = kappa sin(d),          dl/dkappa = cos(d) - A
#   d2l/dmu2 = -kappa cos(d),       d2l/dmu dkappa = sin(d),   d2l/dkappa2 = -A',
#   A' = 1 - A/kappa - A^2.
# The MLE in closed form: mu = atan2(sum sin y, sum cos y), and kappa solves
# A(kappa) = Rbar = |sum exp(i y)| / n (uniroot on besselI's exponentially
# scaled values), polished by Newton steps; standard errors from the inverse
# analytic observed information.
source("models/reference/common.R")
set.seed(20261208)

n <- 300
truth <- c(mu = 1.0, kappa = 2.5)
# Best and Fisher's (1979) rejection sampler, then wrapped into [-pi, pi].
draw_von_mises <- function(mu, kappa) {
  tau <- 1 + sqrt(1 + 4 * kappa^2)
  rho <- (tau - sqrt(2 * tau)) / (2 * kappa)
  r <- (1 + rho^2) / (2 * rho)
  repeat {
    z <- cos(pi * runif(1))
    f <- (1 + r * z) / (r + z)
    c <- kappa * (r - f)
    u2 <- runif(1)
    if (c * (2 - c) - u2 > 0 || log(c / u2) + 1 - c >= 0) break
  }
  theta <- mu + sign(runif(1) - 0.5) * acos(f)
  (theta + pi) %% (2 * pi) - pi
}
y <- vapply(seq_len(n), function(i) draw_von_mises(truth[["mu"]], truth[["kappa"]]), numeric(1))
write_plain_csv(data.frame(y = sprintf("%.10g", y)), "models/von_mises.csv")

d <- read.csv("models/von_mises.csv")
y <- d$y
n_obs <- length(y)
ratio <- function(k) besselI(k, 1, expon.scaled = TRUE) / besselI(k, 0, expon.scaled = TRUE)
log_i0 <- function(k) log(besselI(k, 0, expon.scaled = TRUE)) + k
nll <- function(theta) -sum(theta[2] * cos(y - theta[1]) - log(2 * pi) - log_i0(theta[2]))
grad <- function(theta) -c(sum(theta[2] * sin(y - theta[1])), sum(cos(y - theta[1]) - ratio(theta[2])))
hess <- function(theta) {
  k <- theta[2]
  a <- ratio(k)
  -matrix(c(-k * sum(cos(y - theta[1])), sum(sin(y - theta[1])),
            sum(sin(y - theta[1])), -n_obs * (1 - a / k - a^2)), 2, 2)
}
mu_hat <- atan2(sum(sin(y)), sum(cos(y)))
r_bar <- sqrt(sum(sin(y))^2 + sum(cos(y))^2) / n_obs
kappa_hat <- uniroot(function(k) ratio(k) - r_bar, c(1e-3, 1e3), tol = 1e-15)$root
check_gradient(nll, grad, c(mu_hat * 1.1, kappa_hat * 0.9), "von_mises")
theta_root <- c(mu_hat, kappa_hat)
pol <- newton_polish(theta_root, grad, hess)
theta_hat <- pol$par
g_hat <- grad(theta_hat)
cat("closed form / uniroot: mu", format(mu_hat, digits = 17), "kappa", format(kappa_hat, digits = 17),
    "; Newton polish moved it by", max(abs(theta_hat - theta_root)), "; max |gradient|:", max(abs(g_hat)), "\n")
stopifnot(max(abs(theta_hat - theta_root)) < 1e-9, max(abs(g_hat)) < 1e-9)

H <- hess(theta_hat)
H_num <- hessian_from_gradient(grad, theta_hat)
cat("analytic Hessian vs Richardson differences of the analytic gradient: max rel diff",
    max_rel_diff(H, H_num), "\n")
stopifnot(max_rel_diff(H, H_num) < 1e-8)
estimate <- setNames(theta_hat, c("mu", "kappa"))
std_error <- setNames(sqrt(diag(solve(H))), names(estimate))
loglik <- -nll(theta_hat)
print(cbind(truth, estimate, std_error))
cat("log-likelihood:", format(loglik, digits = 17), "\n")
cross_check(nll, unname(estimate), unname(std_error), "von_mises")

write_json_file(list(
  model = "von_mises.mle",
  data = "von_mises.csv",
  source = paste0(r_version(), ": mu = atan2(sum sin y, sum cos y), kappa from uniroot of ",
                  "I1(kappa)/I0(kappa) = Rbar (besselI, exponentially scaled), Newton-polished on the ",
                  "analytic gradient; standard errors from the inverse analytic observed information; ",
                  "cross-checked with optim + optimHess; see models/reference/von_mises.R"),
  converged = TRUE,
  log_likelihood = loglik,
  n_obs = n_obs,
  parameters = parameter_list(estimate, std_error),
  true_values = as.list(truth)
), "models/von_mises.expected.json")

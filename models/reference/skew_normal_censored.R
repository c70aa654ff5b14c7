# Reference for models/skew_normal_censored.mle on models/skew_normal_censored.csv.
# A skew-normal regression y = b0 + b1 x + omega e, e ~ SN(alpha) (Azzalini's),
# with y above a detection limit of 3.5 recorded as 3.5 and cens = 1: a
# censored row contributes log P(Y > 3.5) = log(1 - F(z)), z = (3.5 - b0 - b1 x)/omega,
# with the sn-package-free formula 1 - F(z) = pnorm(-z) + 2 T(z, alpha),
# Owen's T(h, a) = (1/2 pi) integral_0^a exp(-h^2 (1 + t^2)/2)/(1 + t^2) dt
# by R's integrate (QUADPACK) to 1e-12 relative. (For alpha > 0 and these z
# the two terms add, so nothing cancels.) The gradient is analytic:
#   d/dz log(1 - F) = -2 dnorm(z) pnorm(alpha z)/(1 - F),
#   d/dalpha log(1 - F) = 2 dT/dalpha/(1 - F) = exp(-z^2 (1 + alpha^2)/2)/(pi (1 + alpha^2) (1 - F)).
# The MLE by optim, then Newton steps on that gradient with its Hessian from
# Richardson differences of it (hessian_from_gradient); standard errors from
# the inverse of that Hessian (observed information). Cross-checked with
# optim + optimHess.
source("models/reference/common.R")
set.seed(20261206)

n <- 400
truth <- c(b0 = 1, b1 = 2, omega = 1.5, alpha = 4)
limit <- 3.5
x <- round(runif(n, -1, 1), 4)
u0 <- rnorm(n)
v <- rnorm(n)
delta <- truth[["alpha"]] / sqrt(1 + truth[["alpha"]]^2)
e <- ifelse(u0 >= 0, 1, -1) * (delta * u0 + sqrt(1 - delta^2) * v)
y <- truth[["b0"]] + truth[["b1"]] * x + truth[["omega"]] * e
cens <- as.integer(y > limit)
y <- pmin(y, limit)
write_plain_csv(data.frame(x = sprintf("%.4f", x), y = sprintf("%.10g", y), cens = cens),
                "models/skew_normal_censored.csv")

d <- read.csv("models/skew_normal_censored.csv")
ev <- d$cens == 0

owens_t <- function(h, a) {
  integrate(function(t) exp(-h^2 * (1 + t^2) / 2) / (1 + t^2), 0, a, rel.tol = 1e-12, abs.tol = 0)$value / (2 * pi)
}
log_survival <- function(z, alpha) log(pnorm(-z) + 2 * vapply(z, function(h) owens_t(h, alpha), numeric(1)))

nll <- function(theta) {
  omega <- theta[3]
  alpha <- theta[4]
  z <- (d$y - theta[1] - theta[2] * d$x) / omega
  ll_ev <- log(2) - log(omega) + dnorm(z[ev], log = TRUE) + pnorm(alpha * z[ev], log.p = TRUE)
  -(sum(ll_ev) + sum(log_survival(z[!ev], alpha)))
}

grad <- function(theta) {
  omega <- theta[3]
  alpha <- theta[4]
  z <- (d$y - theta[1] - theta[2] * d$x) / omega
  g_z <- numeric(nrow(d))  # d log-likelihood / dz per row
  g_alpha <- numeric(nrow(d))
  ze <- z[ev]
  mills <- exp(dnorm(alpha * ze, log = TRUE) - pnorm(alpha * ze, log.p = TRUE))
  g_z[ev] <- -ze + alpha * mills
  g_alpha[ev] <- ze * mills
  zc <- z[!ev]
  s <- exp(log_survival(zc, alpha))
  g_z[!ev] <- -2 * dnorm(zc) * pnorm(alpha * zc) / s
  g_alpha[!ev] <- exp(-zc^2 * (1 + alpha^2) / 2) / (pi * (1 + alpha^2) * s)
  g_omega <- -g_z * z / omega - ev / omega
  -c(sum(-g_z / omega), sum(-g_z * d$x / omega), sum(g_omega), sum(g_alpha))
}

# optim on (b0, b1, log omega, alpha), so that no trial omega is negative,
# from alpha = 3: from alpha = 1 BFGS ends at the likelihood's stationary
# point near alpha = 0 (the normal fit, log-likelihood -477.7, a saddle).
to_theta <- function(u) c(u[1], u[2], exp(u[3]), u[4])
start <- optim(c(0, 0, 0, 3), function(u) nll(to_theta(u)), method = "BFGS",
               control = list(reltol = 1e-15, maxit = 2000))$par
start <- to_theta(start)
check_gradient(nll, grad, start + c(0.1, -0.05, 0.05, 0.2), "skew_normal_censored")
polished <- newton_polish(start, grad, function(th) hessian_from_gradient(grad, th), tol = 1e-13)
estimate <- setNames(polished$par, names(truth))
hess <- hessian_from_gradient(grad, polished$par)
std_error <- setNames(sqrt(diag(solve(hess))), names(truth))
loglik <- -nll(polished$par)
cat("censored rows:", sum(d$cens), "of", nrow(d), "; Newton steps:", polished$iter,
    "last step:", polished$last_step, "; max |gradient|:", max(abs(grad(polished$par))), "\n")
stopifnot(max(abs(grad(polished$par))) < 1e-8)
print(cbind(truth, estimate, std_error))
cross_check(nll, unname(estimate), unname(std_error), "skew_normal_censored")

write_json_file(list(
  model = "skew_normal_censored.mle",
  data = "skew_normal_censored.csv",
  source = paste0(r_version(), ": the right-censored skew-normal log-likelihood, log(1 - F) = ",
                  "log(pnorm(-z) + 2 T(z, alpha)) with Owen's T by integrate to 1e-12, optim then ",
                  "Newton steps on its analytic gradient, observed-information standard errors; ",
                  "cross-checked with optim + optimHess; see models/reference/skew_normal_censored.R"),
  converged = TRUE,
  log_likelihood = loglik,
  n_obs = nrow(d),
  parameters = parameter_list(estimate, std_error),
  true_values = as.list(truth)
), "models/skew_normal_censored.expected.json")

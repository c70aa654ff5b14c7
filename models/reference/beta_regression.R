# Reference for models/beta_regression.mle on models/beta_regression.csv.
# With mu = plogis(eta), eta = b0 + b1 x, per row
#   l = lgamma(phi) - lgamma(mu phi) - lgamma((1 - mu) phi) + (mu phi - 1) log y + ((1 - mu) phi - 1) log(1 - y)
#   dl/dmu   = phi (ystar - mustar),  ystar = log(y / (1 - y)), mustar = digamma(mu phi) - digamma((1 - mu) phi)
#   dl/dphi  = digamma(phi) - mu digamma(mu phi) - (1 - mu) digamma((1 - mu) phi) + mu log y + (1 - mu) log(1 - y)
#   d2l/dmu2     = -phi^2 (trigamma(mu phi) + trigamma((1 - mu) phi))
#   d2l/dphi2    = trigamma(phi) - mu^2 trigamma(mu phi) - (1 - mu)^2 trigamma((1 - mu) phi)
#   d2l/dmu dphi = (ystar - mustar) - phi (mu trigamma(mu phi) - (1 - mu) trigamma((1 - mu) phi))
# and the chain rule through eta with m' = mu (1 - mu), m'' = m' (1 - 2 mu):
#   d2l/deta2 = d2l/dmu2 m'^2 + dl/dmu m'',   d2l/deta dphi = d2l/dmu dphi m'.
# There is no betareg package in Debian: the fit is optim BFGS with this analytic
# gradient (phi on the log scale), polished by Newton steps; standard errors from the
# inverse analytic observed information, checked against Richardson differences of the
# analytic gradient.
source("models/reference/common.R")
set.seed(20240512)

n <- 300
truth <- c(phi = 8, b0 = -0.4, b1 = 0.9)
x <- round(runif(n, -2, 2), 6)
mu <- plogis(truth[["b0"]] + truth[["b1"]] * x)
y <- rbeta(n, mu * truth[["phi"]], (1 - mu) * truth[["phi"]])
write_plain_csv(data.frame(x = sprintf("%.6f", x), y = sprintf("%.10g", y)), "models/beta_regression.csv")

d <- read.csv("models/beta_regression.csv")
stopifnot(all(d$y > 0 & d$y < 1))
n_obs <- nrow(d)
X <- cbind(1, d$x)
ystar <- qlogis(d$y)

# theta = (phi, b0, b1): the order of first appearance in the model text
nll <- function(theta) {
  m <- plogis(drop(X %*% theta[2:3]))
  -sum(dbeta(d$y, m * theta[1], (1 - m) * theta[1], log = TRUE))
}
row_terms <- function(theta) {
  phi <- theta[1]
  m <- plogis(drop(X %*% theta[2:3]))
  a <- m * phi; b <- (1 - m) * phi
  resid <- ystar - (digamma(a) - digamma(b))
  list(phi = phi, m = m, a = a, b = b, resid = resid,
       dmu = phi * resid,
       dphi = digamma(phi) - m * digamma(a) - (1 - m) * digamma(b) + m * log(d$y) + (1 - m) * log1p(-d$y))
}
grad <- function(theta) {
  q <- row_terms(theta)
  mp <- q$m * (1 - q$m)
  -c(sum(q$dphi), drop(crossprod(X, q$dmu * mp)))
}
hess <- function(theta) {
  q <- row_terms(theta)
  phi <- q$phi; m <- q$m
  mp <- m * (1 - m)
  mpp <- mp * (1 - 2 * m)
  d2mu <- -phi^2 * (trigamma(q$a) + trigamma(q$b))
  d2phi <- trigamma(phi) - m^2 * trigamma(q$a) - (1 - m)^2 * trigamma(q$b)
  dmudphi <- q$resid - phi * (m * trigamma(q$a) - (1 - m) * trigamma(q$b))
  d2eta <- d2mu * mp^2 + q$dmu * mpp
  cross <- drop(crossprod(X, dmudphi * mp))
  -rbind(c(sum(d2phi), cross), cbind(cross, crossprod(X, X * d2eta)))
}
check_gradient(nll, grad, c(5, 0, 0.5), "beta_regression")

to_natural <- function(u) c(exp(u[1]), u[2:3])
opt <- optim(c(log(1), 0, 0), function(u) nll(to_natural(u)),
             function(u) grad(to_natural(u)) * c(exp(u[1]), 1, 1),
             method = "BFGS", control = list(reltol = 1e-15, maxit = 5000))
theta_opt <- to_natural(opt$par)
pol <- newton_polish(theta_opt, grad, hess)
theta_hat <- pol$par
g_hat <- grad(theta_hat)
cat("optim BFGS from (phi, b0, b1) = (1, 0, 0):", format(theta_opt, digits = 12),
    "; Newton polish moved it by", max(abs(theta_hat - theta_opt)), "in", pol$iter,
    "steps; max |gradient| at the MLE:", max(abs(g_hat)), "\n")
stopifnot(max(abs(theta_hat - theta_opt)) < 1e-4, max(abs(g_hat)) < 1e-9)

H <- hess(theta_hat)
H_num <- hessian_from_gradient(grad, theta_hat)
cat("analytic Hessian vs Richardson differences of the analytic gradient: max rel diff",
    max_rel_diff(H, H_num), "\n")
stopifnot(max_rel_diff(H, H_num) < 1e-8)
estimate <- setNames(theta_hat, c("phi", "b0", "b1"))
std_error <- setNames(sqrt(diag(solve(H))), names(estimate))
loglik <- -nll(theta_hat)
print(cbind(truth, estimate, std_error))
cat("log-likelihood:", format(loglik, digits = 17), "\n")
cross_check(nll, unname(estimate), unname(std_error), "beta_regression")

write_json_file(list(
  model = "beta_regression.mle",
  data = "beta_regression.csv",
  source = paste0(r_version(), ": optim BFGS with the analytic gradient of ",
                  "sum(dbeta(y, mu phi, (1 - mu) phi, log = TRUE)), mu = plogis(b0 + b1 x), polished by Newton steps ",
                  "on the analytic gradient and Hessian (no betareg package in Debian); standard errors from the ",
                  "inverse analytic observed information (checked against Richardson differences of the analytic ",
                  "gradient); cross-checked with optim BFGS + optimHess on the NLL; see models/reference/beta_regression.R"),
  converged = TRUE,
  log_likelihood = loglik,
  n_obs = n_obs,
  parameters = parameter_list(estimate, std_error),
  true_values = as.list(truth)
), "models/beta_regression.expected.json")

# Reference for models/gamma.mle on models/gamma.csv.
# Per row, with mu = exp(x'beta) and rate = k / mu:
#   l = k log k - k log mu + (k - 1) log y - k y / mu - lgamma(k)
#   dl/dbeta = k (y/mu - 1) x          -> beta_hat solves the Gamma(log) glm score
#                                         equations, which do not involve k
#   dl/dk    = log k + 1 - digamma(k) + log(y/mu) - y/mu
#   -d2l/dbeta dbeta' = k (y/mu) x x',  -d2l/dk2 = trigamma(k) - 1/k,
#   -d2l/dk dbeta     = (1 - y/mu) x   (sums to 0 at beta_hat; kept anyway)
# The standard errors are the square roots of the diagonal of the inverse of the
# observed information assembled from these sums at (beta_hat, k_hat).
source("models/reference/common.R")
set.seed(20240504)

n <- 300
truth <- c(shape = 2.5, b0 = 1.0, b1 = 0.5, b2 = -0.3)
x1 <- round(rnorm(n), 6)
x2 <- round(runif(n, -2, 2), 6)
mu <- exp(truth[["b0"]] + truth[["b1"]] * x1 + truth[["b2"]] * x2)
y <- rgamma(n, shape = truth[["shape"]], rate = truth[["shape"]] / mu)
write_plain_csv(data.frame(x1 = sprintf("%.6f", x1), x2 = sprintf("%.6f", x2),
                           y = sprintf("%.10g", y)),
                "models/gamma.csv")

d <- read.csv("models/gamma.csv")
stopifnot(all(d$y > 0))
n_obs <- nrow(d)
fit <- glm(y ~ x1 + x2, family = Gamma(link = "log"), data = d,
           control = glm.control(epsilon = 1e-15, maxit = 200))
stopifnot(fit$converged)
beta <- setNames(coef(fit), c("b0", "b1", "b2"))
X <- cbind(1, d$x1, d$x2)
# glm stops on the relative change of the deviance, which leaves the beta score
# around 1e-8 (Fisher scoring converges only linearly for this non-canonical
# link). Polish with Newton steps on the beta score sum((y/mu - 1) x), whose
# Jacobian is -X' diag(y/mu) X; neither depends on the shape.
for (iter in 1:20) {
  r <- d$y / exp(drop(X %*% beta))
  step <- solve(crossprod(X, X * r), drop(crossprod(X, r - 1)))
  beta <- beta + step
  if (max(abs(step)) < 1e-15) break
}
cat("Newton polish: changed beta by", max(abs(beta - coef(fit))), "in", iter, "steps\n")
stopifnot(max(abs(beta - coef(fit))) < 1e-6)
mu_hat <- exp(drop(X %*% beta))
r <- d$y / mu_hat

shape_score <- function(k) n_obs * log(k) - n_obs * digamma(k) + sum(log(r) - r + 1)
root <- uniroot(shape_score, c(1e-3, 1e3), tol = 1e-15)
shape_hat <- root$root
cat("shape score at the root:", shape_score(shape_hat), "\n")

info <- matrix(0, 4, 4)
info[1, 1] <- n_obs * (trigamma(shape_hat) - 1 / shape_hat)
info[2:4, 2:4] <- shape_hat * crossprod(X, X * r)
cross <- drop(crossprod(X, 1 - r))
cat("cross terms sum((1 - y/mu) x) at the MLE:", cross, "\n")
stopifnot(max(abs(cross)) < 1e-11)
info[1, 2:4] <- cross
info[2:4, 1] <- cross
cov <- solve(info)
# parameters in the order they first appear in the model text: shape, b0, b1, b2
estimate <- c(shape = shape_hat, beta)
std_error <- setNames(sqrt(diag(cov)), names(estimate))
loglik <- sum(dgamma(d$y, shape = shape_hat, rate = shape_hat / mu_hat, log = TRUE))
print(cbind(truth, estimate, std_error))
cat("log-likelihood:", format(loglik, digits = 17), "\n")

# Independent numerical check: BFGS on the full NLL (shape on the log scale for the
# search) and optimHess on the natural scale.
nll <- function(theta) {
  if (theta[1] <= 0) return(Inf)
  m <- exp(drop(X %*% theta[2:4]))
  -sum(dgamma(d$y, shape = theta[1], rate = theta[1] / m, log = TRUE))
}
start <- c(log(1), 0, 0, 0)
# the search may overshoot to extreme trial points (dgamma NaN warnings): harmless here
opt <- suppressWarnings(optim(start, function(u) nll(c(exp(u[1]), u[2:4])), method = "BFGS",
             control = list(reltol = 1e-15, maxit = 2000)))
theta_opt <- c(exp(opt$par[1]), opt$par[2:4])
cat("BFGS from (1, 0, 0, 0): max |theta - reference| =", max(abs(theta_opt - estimate)), "\n")
stopifnot(max(abs(theta_opt - estimate)) < 1e-4)
cross_check(nll, unname(estimate), unname(std_error), "gamma")

write_json_file(list(
  model = "gamma.mle",
  data = "gamma.csv",
  source = paste0(r_version(), ": beta from glm(y ~ x1 + x2, family = Gamma(link = \"log\")) polished by Newton steps on its score, ",
                  "shape from uniroot of the exact shape score ",
                  "n log(k) - n digamma(k) + sum(log(y/mu) - y/mu + 1) = 0, ",
                  "standard errors from the inverse observed information in closed form, ",
                  "log-likelihood sum(dgamma(y, k, rate = k/mu, log = TRUE)); ",
                  "cross-checked with optim BFGS + optimHess; see models/reference/gamma.R"),
  converged = TRUE,
  log_likelihood = loglik,
  n_obs = n_obs,
  parameters = parameter_list(estimate, std_error),
  true_values = as.list(truth)
), "models/gamma.expected.json")

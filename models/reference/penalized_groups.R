# Reference for models/penalized_groups.mle on models/penalized_groups.csv.
# Poisson regression with one intercept u_l per level l of the integer column g and a
# normal penalty on each, added once per level (not once per row):
#   objective = sum_i [y_i eta_i - exp(eta_i) - lgamma(y_i + 1)] + sum_l log dnorm(u_l, 0, 2),
#   eta_i = b0 + b1 x_i + u_g(i).
# b0 and the u_l are identified only through the penalty (b0 + c, u - c fits the data alike),
# so this is a penalized likelihood: maximized with optim on the analytic gradient, polished by
# Newton steps; standard errors from the inverse of the analytic Hessian of the whole objective
# (observed information of the penalized likelihood, mlec's convention for priors and penalties).
source("models/reference/common.R")
set.seed(20261206)

n <- 240
levels <- 12L
tau <- 2
truth <- c(b0 = 0.3, b1 = 0.6)
g <- sample(rep(seq_len(levels), length.out = n))  # every level present, in random file order
u_true <- rnorm(levels, 0, 0.7)
x <- round(rnorm(n), 6)
y <- rpois(n, exp(truth[["b0"]] + truth[["b1"]] * x + u_true[g]))
write_plain_csv(data.frame(g = g, x = sprintf("%.6f", x), y = y), "models/penalized_groups.csv")

d <- read.csv("models/penalized_groups.csv")
n_obs <- nrow(d)
G <- outer(d$g, seq_len(levels), "==") * 1
X <- cbind(G, 1, d$x)  # theta = (u_1..u_12, b0, b1): mlec's order (param u[g] comes first)
penalty_precision <- c(rep(1 / tau^2, levels), 0, 0)

objective <- function(theta) {
  eta <- drop(X %*% theta)
  sum(d$y * eta - exp(eta) - lgamma(d$y + 1)) + sum(dnorm(theta[seq_len(levels)], 0, tau, log = TRUE))
}
nll <- function(theta) -objective(theta)
grad <- function(theta) {
  mu <- exp(drop(X %*% theta))
  -drop(crossprod(X, d$y - mu)) + penalty_precision * theta
}
hess <- function(theta) {
  mu <- exp(drop(X %*% theta))
  crossprod(X, X * mu) + diag(penalty_precision)
}

start <- rep(0, levels + 2)
opt <- optim(start, nll, grad, method = "BFGS", control = list(reltol = 1e-15, maxit = 10000))
check_gradient(nll, grad, opt$par + 0.05, "penalized_groups")
pol <- newton_polish(opt$par, grad, hess)
theta_hat <- pol$par
cat("Newton polish moved the optim estimate by", max(abs(theta_hat - opt$par)), "in", pol$iter,
    "steps; max |gradient|:", max(abs(grad(theta_hat))), "\n")
stopifnot(max(abs(grad(theta_hat))) < 1e-9)
H <- hess(theta_hat)
H_num <- hessian_from_gradient(grad, theta_hat)
cat("analytic Hessian vs Richardson differences of the analytic gradient: max rel diff", max_rel_diff(H, H_num), "\n")
stopifnot(max_rel_diff(H, H_num) < 1e-8)
names_theta <- c(paste0("u[", seq_len(levels), "]"), "b0", "b1")
estimate <- setNames(theta_hat, names_theta)
std_error <- setNames(sqrt(diag(solve(H))), names_theta)
print(cbind(estimate, std_error))
cross_check(nll, unname(estimate), unname(std_error), "penalized_groups")
penalty <- sum(dnorm(theta_hat[seq_len(levels)], 0, tau, log = TRUE))
cat("objective:", format(objective(theta_hat), digits = 17), "; of which the penalty:", format(penalty, digits = 17),
    "\n")

write_json_file(list(
  model = "penalized_groups.mle",
  data = "penalized_groups.csv",
  source = paste0(r_version(), ": the penalized Poisson log-likelihood (penalty log dnorm(u_l, 0, 2) once per level ",
                  "of g) maximized by optim (BFGS) on the analytic gradient, polished by Newton steps; standard ",
                  "errors from the inverse analytic Hessian of the whole objective; log_likelihood is the ",
                  "objective, penalty included (", format(penalty, digits = 17), "); see ",
                  "models/reference/penalized_groups.R"),
  converged = TRUE,
  log_likelihood = objective(theta_hat),
  n_obs = n_obs,
  parameters = parameter_list(estimate, std_error),
  true_values = as.list(truth)
), "models/penalized_groups.expected.json")

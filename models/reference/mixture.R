# Reference for models/mixture.mle on models/mixture.csv.
# f = f1 + f2 with f1 = w phi(y | m1, s1), f2 = (1 - w) phi(y | m2, s2), l = log f.
# Writing u_j, V_j for the gradient and Hessian of log phi_j in (m_j, s_j):
#   u_j = ((y - m_j) / s_j^2, (y - m_j)^2 / s_j^3 - 1 / s_j)
#   V_j = [[-1/s_j^2, -2 (y - m_j)/s_j^3], [-2 (y - m_j)/s_j^3, 1/s_j^2 - 3 (y - m_j)^2/s_j^4]]
# the per-row derivatives of f divided by f are (r_j = f_j / f the responsibilities)
#   D_w = (phi1 - phi2) / f,  D_j = r_j u_j,
#   D_ww = 0,  D_w,j = +-(r_j / w_j) u_j  (w_1 = w with +, w_2 = 1 - w with -),
#   D_jj = r_j (V_j + u_j u_j'),  D_12 = 0,
# and grad l = D, Hess l = D2 - D D'. The estimate comes from EM (an independent
# algorithm, run to convergence from the .mle start values), polished by Newton steps on
# the analytic gradient/Hessian; standard errors from the inverse analytic observed
# information (checked against Richardson differences of the analytic gradient).
source("models/reference/common.R")
set.seed(20240507)

n <- 500
truth <- c(w = 0.4, m1 = -2, m2 = 2, s1 = 1, s2 = 0.7)
first <- rbinom(n, 1, truth[["w"]]) == 1
y <- ifelse(first, rnorm(n, truth[["m1"]], truth[["s1"]]), rnorm(n, truth[["m2"]], truth[["s2"]]))
write_plain_csv(data.frame(y = sprintf("%.10g", y)), "models/mixture.csv")

d <- read.csv("models/mixture.csv")
y <- d$y
n_obs <- length(y)
start <- c(w = 0.5, m1 = -1.5, m2 = 1.5, s1 = 1, s2 = 1)  # the start values in mixture.mle

nll <- function(theta) {
  -sum(log(theta[1] * dnorm(y, theta[2], theta[4]) + (1 - theta[1]) * dnorm(y, theta[3], theta[5])))
}
pieces <- function(theta) {
  w <- theta[1]; m1 <- theta[2]; m2 <- theta[3]; s1 <- theta[4]; s2 <- theta[5]
  p1 <- dnorm(y, m1, s1); p2 <- dnorm(y, m2, s2)
  f <- w * p1 + (1 - w) * p2
  e1 <- y - m1; e2 <- y - m2
  list(Dw = (p1 - p2) / f, r1 = w * p1 / f, r2 = (1 - w) * p2 / f, w = w,
       u1 = cbind(e1 / s1^2, e1^2 / s1^3 - 1 / s1), u2 = cbind(e2 / s2^2, e2^2 / s2^3 - 1 / s2),
       V1 = cbind(-1 / s1^2, -2 * e1 / s1^3, 1 / s1^2 - 3 * e1^2 / s1^4),
       V2 = cbind(-1 / s2^2, -2 * e2 / s2^3, 1 / s2^2 - 3 * e2^2 / s2^4))
}
# per-row first derivatives of l in the order (w, m1, m2, s1, s2)
row_gradient <- function(q) {
  cbind(q$Dw, q$r1 * q$u1[, 1], q$r2 * q$u2[, 1], q$r1 * q$u1[, 2], q$r2 * q$u2[, 2])
}
grad <- function(theta) -colSums(row_gradient(pieces(theta)))
hess <- function(theta) {
  q <- pieces(theta)
  G <- row_gradient(q)
  D2 <- matrix(0, 5, 5)
  i1 <- c(2, 4); i2 <- c(3, 5)  # (m1, s1) and (m2, s2) positions
  D2[1, i1] <- colSums(q$r1 / q$w * q$u1)
  D2[1, i2] <- -colSums(q$r2 / (1 - q$w) * q$u2)
  block <- function(r, u, V) {
    matrix(c(sum(r * (V[, 1] + u[, 1]^2)), sum(r * (V[, 2] + u[, 1] * u[, 2])),
             sum(r * (V[, 2] + u[, 1] * u[, 2])), sum(r * (V[, 3] + u[, 2]^2))), 2, 2)
  }
  D2[i1, i1] <- block(q$r1, q$u1, q$V1)
  D2[i2, i2] <- block(q$r2, q$u2, q$V2)
  D2[-1, 1] <- D2[1, -1]
  -(D2 - crossprod(G))
}
check_gradient(nll, grad, unname(start), "mixture")

# EM for a two-component normal mixture (closed-form M step).
theta <- unname(start)
for (em_iter in 1:100000) {
  q <- pieces(theta)
  r1 <- q$r1; r2 <- 1 - r1
  m1 <- sum(r1 * y) / sum(r1); m2 <- sum(r2 * y) / sum(r2)
  new <- c(mean(r1), m1, m2, sqrt(sum(r1 * (y - m1)^2) / sum(r1)), sqrt(sum(r2 * (y - m2)^2) / sum(r2)))
  done <- max(abs(new - theta)) < 1e-13
  theta <- new
  if (done) break
}
theta_em <- theta
cat("EM from the .mle start values:", em_iter, "iterations, estimate", format(theta_em, digits = 12),
    ", max |gradient| there:", max(abs(grad(theta_em))), "\n")
pol <- newton_polish(theta_em, grad, hess)
theta_hat <- pol$par
g_hat <- grad(theta_hat)
cat("Newton polish moved the EM estimate by", max(abs(theta_hat - theta_em)), "in", pol$iter,
    "steps; max |gradient| at the MLE:", max(abs(g_hat)), "\n")
stopifnot(max(abs(theta_hat - theta_em)) < 1e-9, max(abs(g_hat)) < 1e-9, theta_hat[2] < theta_hat[3])

H <- hess(theta_hat)
stopifnot(all(eigen(H, symmetric = TRUE, only.values = TRUE)$values > 0))
H_num <- hessian_from_gradient(grad, theta_hat)
cat("analytic Hessian vs Richardson differences of the analytic gradient: max rel diff",
    max_rel_diff(H, H_num), "\n")
stopifnot(max_rel_diff(H, H_num) < 1e-8)
estimate <- setNames(theta_hat, names(start))
std_error <- setNames(sqrt(diag(solve(H))), names(estimate))
loglik <- -nll(theta_hat)
print(cbind(truth, start, estimate, std_error))
cat("log-likelihood:", format(loglik, digits = 17), "\n")

# Independent numerical check from the .mle start values: BFGS on the unconstrained
# scale (logit w, log s) as the tool optimizes, then cross_check on the natural scale.
to_natural <- function(u) c(plogis(u[1]), u[2], u[3], exp(u[4]), exp(u[5]))
opt <- optim(c(qlogis(0.5), -1.5, 1.5, 0, 0), function(u) nll(to_natural(u)), method = "BFGS",
             control = list(reltol = 1e-15, maxit = 5000))
cat("BFGS from the start values: max |theta - reference| =", max(abs(to_natural(opt$par) - estimate)), "\n")
stopifnot(max(abs(to_natural(opt$par) - estimate)) < 1e-4)
cross_check(nll, unname(estimate), unname(std_error), "mixture")

write_json_file(list(
  model = "mixture.mle",
  data = "mixture.csv",
  source = paste0(r_version(), ": EM from the start values in mixture.mle (the labelling with m1 < m2), ",
                  "polished by Newton steps on the analytic gradient and Hessian of ",
                  "log(w dnorm(y, m1, s1) + (1 - w) dnorm(y, m2, s2)); standard errors from the inverse analytic ",
                  "observed information (checked against Richardson differences of the analytic gradient); ",
                  "cross-checked with optim BFGS + optimHess; see models/reference/mixture.R"),
  converged = TRUE,
  log_likelihood = loglik,
  n_obs = n_obs,
  parameters = parameter_list(estimate, std_error),
  true_values = as.list(truth)
), "models/mixture.expected.json")

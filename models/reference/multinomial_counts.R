# Reference for models/multinomial_counts.mle on models/multinomial_counts.csv.
# Each row holds the counts n1, n2, n3 of N = n1 + n2 + n3 trials (N from 1 to 20), with
# logits (0, a2 + b2 x, a3 + b3 x), p = softmax. Per row
#   l = lgamma(N + 1) - sum_k lgamma(n_k + 1) + sum_k n_k log p_k.
# With z = (1, x) and theta = (a2, b2, a3, b3) = (beta_2, beta_3):
#   dl/dbeta_k = (n_k - N p_k) z
#   -d2l/dbeta_j dbeta_k' = N p_j (1[j = k] - p_k) z z'   (no n: observed = expected information)
# nnet::multinom(cbind(n1, n2, n3) ~ x) gives the start (its log-likelihood drops the
# multinomial coefficient sum_i [lgamma(N_i + 1) - sum_k lgamma(n_ik + 1)], checked below);
# Newton steps on the analytic gradient/Hessian finish the convergence.
source("models/reference/common.R")
suppressPackageStartupMessages(library(nnet))
set.seed(20261205)

n <- 250
truth <- c(a2 = 0.4, b2 = 0.8, a3 = -0.5, b3 = -1.1)
x <- round(rnorm(n), 6)
trials <- sample.int(20L, n, replace = TRUE)
eta <- cbind(0, truth[["a2"]] + truth[["b2"]] * x, truth[["a3"]] + truth[["b3"]] * x)
p <- exp(eta) / rowSums(exp(eta))
counts <- t(vapply(seq_len(n), function(i) rmultinom(1L, trials[i], p[i, ])[, 1], numeric(3)))
write_plain_csv(data.frame(x = sprintf("%.6f", x), n1 = counts[, 1], n2 = counts[, 2], n3 = counts[, 3]),
                "models/multinomial_counts.csv")

d <- read.csv("models/multinomial_counts.csv")
n_obs <- nrow(d)
Z <- cbind(1, d$x)
Y <- as.matrix(d[, c("n1", "n2", "n3")])
N <- rowSums(Y)
log_coefficient <- sum(lgamma(N + 1)) - sum(lgamma(Y + 1))

probabilities <- function(theta) {
  e <- cbind(0, drop(Z %*% theta[1:2]), drop(Z %*% theta[3:4]))
  e <- e - apply(e, 1, max)
  exp(e) / rowSums(exp(e))
}
nll <- function(theta) -(log_coefficient + sum(Y * log(probabilities(theta))))
grad <- function(theta) {
  P <- probabilities(theta)
  -c(drop(crossprod(Z, Y[, 2] - N * P[, 2])), drop(crossprod(Z, Y[, 3] - N * P[, 3])))
}
hess <- function(theta) {
  P <- probabilities(theta)
  block <- function(j, k) crossprod(Z, Z * (N * P[, j] * ((j == k) - P[, k])))
  rbind(cbind(block(2, 2), block(2, 3)), cbind(block(3, 2), block(3, 3)))
}

fit <- multinom(cbind(n1, n2, n3) ~ x, data = d, trace = FALSE, reltol = 1e-15, maxit = 1000)
cf <- coef(fit)
stopifnot(identical(rownames(cf), c("n2", "n3")))
theta_mn <- unname(c(cf["n2", ], cf["n3", ]))
check_gradient(nll, grad, theta_mn + c(0.1, -0.1, 0.05, 0.2), "multinomial_counts")
pol <- newton_polish(theta_mn, grad, hess)
theta_hat <- pol$par
g_hat <- grad(theta_hat)
cat("Newton polish moved the multinom estimate by", max(abs(theta_hat - theta_mn)), "in", pol$iter,
    "steps; max |gradient| at the MLE:", max(abs(g_hat)), "\n")
stopifnot(max(abs(theta_hat - theta_mn)) < 1e-5, max(abs(g_hat)) < 1e-9)

H <- hess(theta_hat)
H_num <- hessian_from_gradient(grad, theta_hat)
cat("analytic Hessian vs Richardson differences of the analytic gradient: max rel diff",
    max_rel_diff(H, H_num), "\n")
stopifnot(max_rel_diff(H, H_num) < 1e-8)
estimate <- setNames(theta_hat, c("a2", "b2", "a3", "b3"))
std_error <- setNames(sqrt(diag(solve(H))), names(estimate))
loglik <- -nll(theta_hat)

se_mn <- sqrt(diag(vcov(fit)))
se_mn <- unname(se_mn[c("n2:(Intercept)", "n2:x", "n3:(Intercept)", "n3:x")])
multinom_loglik <- as.numeric(logLik(fit))
cat("multinom logLik:", format(multinom_loglik, digits = 17), "; multinomial coefficient:",
    format(log_coefficient, digits = 17), "; full log-likelihood:", format(loglik, digits = 17), "\n")
cat("max |estimate - multinom|:", max(abs(estimate - theta_mn)),
    "; max |SE - sqrt(diag(vcov(multinom)))|:", max(abs(std_error - se_mn)), "\n")
# multinom's logLik is sum n_ik log p_ik: the full log-likelihood less the coefficient.
stopifnot(abs(loglik - (multinom_loglik + log_coefficient)) < 1e-8, max(abs(std_error - se_mn)) < 1e-4)
print(cbind(truth, estimate, std_error, se_multinom = se_mn))
cross_check(nll, unname(estimate), unname(std_error), "multinomial_counts")

write_json_file(list(
  model = "multinomial_counts.mle",
  data = "multinomial_counts.csv",
  source = paste0(r_version(), ": nnet::multinom(cbind(n1, n2, n3) ~ x) polished by Newton steps on the analytic ",
                  "gradient and Hessian; standard errors from the inverse analytic information ",
                  "sum N p_j (1[j = k] - p_k) z z' (agreeing with sqrt(diag(vcov(fit))) to 1e-4); the ",
                  "log-likelihood is multinom's logLik plus the multinomial coefficient ",
                  "sum_i [lgamma(N_i + 1) - sum_k lgamma(n_ik + 1)] = ", format(log_coefficient, digits = 17),
                  ", which multinom drops; see models/reference/multinomial_counts.R"),
  converged = TRUE,
  log_likelihood = loglik,
  n_obs = n_obs,
  parameters = parameter_list(estimate, std_error),
  true_values = as.list(truth)
), "models/multinomial_counts.expected.json")

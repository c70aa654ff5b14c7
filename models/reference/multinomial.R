# Reference for models/multinomial.mle on models/multinomial.csv.
# Logits (0, a2 + b2 x, a3 + b3 x), p = softmax; per row l = eta_y - log sum_k exp(eta_k).
# With z = (1, x) and theta = (a2, b2, a3, b3) = (beta_2, beta_3):
#   dl/dbeta_k = (1[y = k] - p_k) z
#   -d2l/dbeta_j dbeta_k' = p_j (1[j = k] - p_k) z z'   (no y: observed = expected information)
# nnet::multinom(factor(y) ~ x) (category 1 baseline) gives the start; Newton steps on
# the analytic gradient/Hessian finish the convergence (multinom's BFGS stops near 1e-8).
source("models/reference/common.R")
suppressPackageStartupMessages(library(nnet))
set.seed(20240511)

n <- 400
truth <- c(a2 = 0.5, b2 = 1.0, a3 = -0.3, b3 = -1.2)
x <- round(rnorm(n), 6)
eta <- cbind(0, truth[["a2"]] + truth[["b2"]] * x, truth[["a3"]] + truth[["b3"]] * x)
p <- exp(eta) / rowSums(exp(eta))
y <- vapply(seq_len(n), function(i) sample.int(3L, 1L, prob = p[i, ]), integer(1))
write_plain_csv(data.frame(x = sprintf("%.6f", x), y = y), "models/multinomial.csv")

d <- read.csv("models/multinomial.csv")
stopifnot(is.integer(d$y), identical(sort(unique(d$y)), 1:3))
n_obs <- nrow(d)
Z <- cbind(1, d$x)
Y <- outer(d$y, 1:3, "==") * 1

probabilities <- function(theta) {
  e <- cbind(0, drop(Z %*% theta[1:2]), drop(Z %*% theta[3:4]))
  e <- e - apply(e, 1, max)
  exp(e) / rowSums(exp(e))
}
nll <- function(theta) -sum(log(probabilities(theta)[cbind(seq_len(n_obs), d$y)]))
grad <- function(theta) {
  P <- probabilities(theta)
  -c(drop(crossprod(Z, Y[, 2] - P[, 2])), drop(crossprod(Z, Y[, 3] - P[, 3])))
}
hess <- function(theta) {
  P <- probabilities(theta)
  block <- function(j, k) crossprod(Z, Z * (P[, j] * ((j == k) - P[, k])))
  rbind(cbind(block(2, 2), block(2, 3)), cbind(block(3, 2), block(3, 3)))
}

fit <- multinom(factor(y) ~ x, data = d, trace = FALSE, reltol = 1e-15, maxit = 1000)
cf <- coef(fit)
stopifnot(identical(rownames(cf), c("2", "3")))
theta_mn <- unname(c(cf["2", ], cf["3", ]))
check_gradient(nll, grad, theta_mn + c(0.1, -0.1, 0.05, 0.2), "multinomial")
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

se_mn <- summary(fit)$standard.errors
se_mn <- c(se_mn["2", ], se_mn["3", ])
cat("multinom: deviance/-2 =", format(-deviance(fit) / 2, digits = 17),
    "; max |estimate - multinom|:", max(abs(estimate - theta_mn)),
    "; max |SE - multinom SE| (its Hessian is numerical, at its own stopping point):", max(abs(std_error - se_mn)), "\n")
stopifnot(abs(loglik - (-deviance(fit) / 2)) < 1e-8, max(abs(std_error - se_mn)) < 1e-4)
print(cbind(truth, estimate, std_error, se_multinom = se_mn))
cat("log-likelihood:", format(loglik, digits = 17), " counts per category:", tabulate(d$y, 3), "\n")
cross_check(nll, unname(estimate), unname(std_error), "multinomial")

write_json_file(list(
  model = "multinomial.mle",
  data = "multinomial.csv",
  source = paste0(r_version(), ": nnet::multinom(factor(y) ~ x) (category 1 baseline) polished by Newton steps on ",
                  "the analytic gradient and Hessian; standard errors from the inverse analytic information ",
                  "sum p_j (1[j = k] - p_k) z z' (observed = expected for the softmax link); ",
                  "see models/reference/multinomial.R"),
  converged = TRUE,
  log_likelihood = loglik,
  n_obs = n_obs,
  parameters = parameter_list(estimate, std_error),
  true_values = as.list(truth)
), "models/multinomial.expected.json")

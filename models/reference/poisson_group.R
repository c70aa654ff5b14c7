# Reference for models/poisson_group.mle on models/poisson_group.csv.
# glm(y ~ 0 + factor(g) + x, family = poisson) gives the MLE; factor() orders the
# integer levels ascending, as the model language does for `param effect[g]` on an
# integer column (the CSV deliberately first shows the levels in the order 3, 5, 1, 4, 2).
# For the canonical log link the observed and expected information coincide:
# I = X' diag(mu) X, recomputed at the estimate.
source("models/reference/common.R")
set.seed(20240508)

n <- 300
truth <- c(`effect[1]` = 0.2, `effect[2]` = 0.8, `effect[3]` = -0.3, `effect[4]` = 1.1,
           `effect[5]` = 0.5, b = 0.35)
g <- c(3L, 5L, 1L, 4L, 2L, sample(1:5, n - 5, replace = TRUE))
x <- round(rnorm(n), 6)
y <- rpois(n, exp(truth[["b"]] * x + truth[paste0("effect[", g, "]")]))
write_plain_csv(data.frame(g = g, x = sprintf("%.6f", x), y = y), "models/poisson_group.csv")

d <- read.csv("models/poisson_group.csv")
stopifnot(is.integer(d$g), identical(sort(unique(d$g)), 1:5))
fit <- glm(y ~ 0 + factor(g) + x, family = poisson, data = d,
           control = glm.control(epsilon = 1e-15, maxit = 100))
stopifnot(fit$converged, identical(names(coef(fit)), c(paste0("factor(g)", 1:5), "x")))
# parameters in the order of first appearance in the model text: the declaration
# `param effect[g]` (levels ascending) comes before b
estimate <- setNames(coef(fit), c(paste0("effect[", 1:5, "]"), "b"))
X <- cbind(outer(d$g, 1:5, "==") * 1, d$x)
mu_hat <- exp(drop(X %*% estimate))
score <- drop(crossprod(X, d$y - mu_hat))
cat("max |score| at the MLE:", max(abs(score)), "\n")
stopifnot(max(abs(score)) < 1e-9)
info <- crossprod(X, X * mu_hat)
std_error <- setNames(sqrt(diag(solve(info))), names(estimate))
se_glm <- summary(fit)$coefficients[, "Std. Error"]
cat("max |SE - glm SE|:", max(abs(std_error - se_glm)), "\n")
stopifnot(max(abs(std_error - se_glm)) < 1e-9)
loglik <- as.numeric(logLik(fit))
stopifnot(abs(loglik - sum(dpois(d$y, mu_hat, log = TRUE))) < 1e-9)
print(cbind(truth, estimate, std_error, n_per_level = c(tabulate(d$g, 5), NA)))
cat("log-likelihood:", format(loglik, digits = 17), " range of y:", range(d$y), "\n")

nll <- function(theta) -sum(dpois(d$y, exp(drop(X %*% theta)), log = TRUE))
cross_check(nll, unname(estimate), unname(std_error), "poisson_group")

write_json_file(list(
  model = "poisson_group.mle",
  data = "poisson_group.csv",
  source = paste0(r_version(), " glm(y ~ 0 + factor(g) + x, family = poisson) (integer levels ascending), ",
                  "standard errors sqrt(diag(solve(X' diag(mu) X))) at the estimate; ",
                  "see models/reference/poisson_group.R"),
  converged = TRUE,
  log_likelihood = loglik,
  n_obs = nrow(d),
  parameters = parameter_list(estimate, std_error),
  true_values = as.list(truth)
), "models/poisson_group.expected.json")

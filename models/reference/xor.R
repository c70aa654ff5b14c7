# Reference for models/xor.mle on models/xor.csv.
# The XOR table is fixed (no randomness). By symmetry the score of the linear
# logistic model vanishes at w1 = w2 = c = 0: every fitted probability is 1/2.
# At eta = 0 the Fisher information (= observed information, canonical link) is
# X'X * p(1 - p) = X'X / 4, so Cov = solve(X'X / 4).
source("models/reference/common.R")
set.seed(1)  # unused: the table is deterministic

xor_table <- data.frame(a = c(0, 0, 1, 1), b = c(0, 1, 0, 1), y = c(0, 1, 1, 0))
write_plain_csv(xor_table, "models/xor.csv")
d <- read.csv("models/xor.csv")

# columns in the order the parameters first appear in the model: w1, w2, c
X <- cbind(w1 = d$a, w2 = d$b, c = 1)
estimate <- c(w1 = 0, w2 = 0, c = 0)
eta <- drop(X %*% estimate)
p <- 1 / (1 + exp(-eta))
score <- drop(crossprod(X, d$y - p))
stopifnot(all(abs(score) < 1e-15))
cov <- solve(crossprod(X) / 4)
# the exact inverse is [[4, 0, -2], [0, 4, -2], [-2, -2, 3]]; drop the rounding noise
stopifnot(max(abs(cov - round(cov))) < 1e-12)
cov <- round(cov)
std_error <- sqrt(diag(cov))
loglik <- 4 * log(0.5)
stopifnot(abs(loglik - sum(dbinom(d$y, 1, p, log = TRUE))) < 1e-14)

# Independent check with glm (intercept order differs; compare by name).
fit <- glm(y ~ a + b, family = binomial, data = d,
           control = glm.control(epsilon = 1e-15, maxit = 100))
se_glm <- summary(fit)$coefficients[, "Std. Error"]
cat("glm coefficients:", coef(fit), "\n")
cat("glm SE (Intercept, a, b):", se_glm, "\n")
stopifnot(max(abs(coef(fit))) < 1e-10,
          abs(se_glm[["a"]] - std_error[["w1"]]) < 1e-8,
          abs(se_glm[["b"]] - std_error[["w2"]]) < 1e-8,
          abs(se_glm[["(Intercept)"]] - std_error[["c"]]) < 1e-8,
          abs(as.numeric(logLik(fit)) - loglik) < 1e-12)

write_json_file(list(
  model = "xor.mle",
  data = "xor.csv",
  source = paste0(r_version(), ": closed form; score is zero at w1 = w2 = c = 0, ",
                  "covariance solve(crossprod(X) / 4) with X rows (a, b, 1); ",
                  "cross-checked with glm(y ~ a + b, family = binomial); see models/reference/xor.R"),
  converged = TRUE,
  log_likelihood = loglik,
  n_obs = nrow(d),
  parameters = parameter_list(estimate, std_error),
  covariance_order = as.list(names(estimate)),
  covariance = unname(lapply(seq_len(nrow(cov)), function(i) as.list(unname(cov[i, ]))))
), "models/xor.expected.json")

# Reference for models/xor_interaction.mle on models/xor.csv (shared with xor.mle).
# With the interaction the model has 4 parameters for 4 distinct rows, so it can
# reproduce the table exactly: the logits
#   (0,0): c   (0,1): w2 + c   (1,0): w1 + c   (1,1): w1 + w2 + w3 + c
# must go to -inf, +inf, +inf, -inf. Along theta(t) = t * (2, 2, -4, -1) for
# (w1, w2, w3, c) the logits are t * (-1, 1, 1, -1), so the log-likelihood
# increases to its supremum 0 as t -> inf and no finite maximizer exists:
# w1, w2 -> +inf, w3 -> -inf, c -> -inf.
source("models/reference/common.R")
set.seed(1)  # unused: the table is deterministic

d <- read.csv("models/xor.csv")
stopifnot(identical(d, data.frame(a = c(0L, 0L, 1L, 1L), b = c(0L, 1L, 0L, 1L),
                                  y = c(0L, 1L, 1L, 0L))))

direction <- c(w1 = 2, w2 = 2, w3 = -4, c = -1)
loglik_along <- function(t) {
  eta <- t * (direction[["w1"]] * d$a + direction[["w2"]] * d$b +
              direction[["w3"]] * d$a * d$b + direction[["c"]])
  sum(dbinom(d$y, 1, plogis(eta), log = TRUE))
}
ll <- vapply(c(1, 5, 10, 20), loglik_along, numeric(1))
cat("log-likelihood along the direction, t = 1, 5, 10, 20:", ll, "\n")
stopifnot(all(diff(ll) > 0), ll[length(ll)] > -1e-7)

# With its default control (epsilon = 1e-8) glm stops after 22 iterations with
# fitted probabilities 5.8e-11 / 1 - 5.8e-11, claims convergence, prints standard
# errors around 1e5 and does NOT warn (5.8e-11 is above its 10 * machine-epsilon
# threshold). With a tighter epsilon it iterates further and issues the warning.
fit_default <- glm(y ~ a + b + a:b, family = binomial, data = d)
cat("default glm: converged =", fit_default$converged, "iter =", fit_default$iter,
    "coefficients:", format(coef(fit_default)), "\n")
warnings_seen <- character()
fit <- withCallingHandlers(
  glm(y ~ a + b + a:b, family = binomial, data = d,
      control = glm.control(epsilon = 1e-14, maxit = 100)),
  warning = function(w) {
    warnings_seen <<- c(warnings_seen, conditionMessage(w))
    invokeRestart("muffleWarning")
  })
cat("glm warnings:", paste(warnings_seen, collapse = " | "), "\n")
cat("glm coefficients:", format(coef(fit)), "\n")
stopifnot(any(grepl("fitted probabilities numerically 0 or 1 occurred", warnings_seen, fixed = TRUE)))
b <- coef(fit)
stopifnot(b[["a"]] > 10, b[["b"]] > 10, b[["a:b"]] < -10, b[["(Intercept)"]] < -10)
# glm's stopping point lies along the same ray: coefficients proportional to (2, 2, -4, -1)
ratio <- c(b[["a"]], b[["b"]], b[["a:b"]], b[["(Intercept)"]]) / -b[["(Intercept)"]]
cat("glm coefficients / -c:", ratio, "\n")
stopifnot(max(abs(ratio - direction)) < 1e-3)

write_json_file(list(
  model = "xor_interaction.mle",
  data = "xor.csv",
  source = paste0(r_version(), ": analytic (saturated model on 4 distinct rows); ",
                  "glm(y ~ a + b + a:b, family = binomial, control = glm.control(epsilon = 1e-14)) warns \"fitted probabilities ",
                  "numerically 0 or 1 occurred\"; see models/reference/xor_interaction.R"),
  converged = FALSE,
  reason = "no finite MLE: perfect separation, log-likelihood tends to 0",
  n_obs = nrow(d),
  log_likelihood_supremum = 0,
  diverging = list("w1", "w2", "w3", "c"),
  diverging_direction = list(w1 = "+inf", w2 = "+inf", w3 = "-inf", c = "-inf"),
  example_direction = as.list(direction),
  note = paste0("along t * example_direction the logits are t * (-1, 1, 1, -1) for rows ",
                "(0,0), (0,1), (1,0), (1,1), so the log-likelihood rises to 0 as t -> inf")
), "models/xor_interaction.expected.json")

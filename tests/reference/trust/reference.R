# Reference answers for the trust examples in tests/reference/trust/ (README.md there).
# Run from the repository root:
#   Rscript tests/reference/trust/reference.R > tests/reference/trust/reference.txt
# Standard output is R's answer as a person reads it (reference.txt: R's own summaries, and for
# the normal models the observed-information standard errors with the maximum-likelihood sigma);
# the script also writes NAME.expected.json beside the data, which tests/test_trust_examples.cpp
# reads. Numbers in the JSON have 17 significant digits, so they round-trip as doubles.
#
# What each JSON holds (parameters in the order they first appear in the model text):
#   status, exit_code          what mlec must report (FitStatus name, mlec::exit_code)
#   log_likelihood, n_obs      with all constants
#   parameters                 estimate and std_error: square roots of the diagonal of the inverse
#                              observed information at the MLE, on the parameters' own scale; for a
#                              normal model sigma is the ML sigma sqrt(RSS / n) and is a parameter
#   diagnostics                kinds of diagnostic mlec must give; diagnostics_absent: must not give
#   exact:      true_values (the data are the true curve printed to 13 significant digits), the
#               tolerances, exchangeable_pairs (the model is the same under any permutation of the
#               pairs (a1, k1), (a2, k2), (a3, k3), so estimates match the truth up to that
#               permutation), and R's least-squares fit to the rounded data (for information)
#   separation: diverging (parameter -> limit), log_likelihood_limit, and the other parameters'
#               limit fit (glm on the rows outside group c), conditional_on_limit
source("models/reference/common.R")  # json_value: a JSON writer without jsonlite
dir <- "tests/reference/trust"
path <- function(file) file.path(dir, file)
options(digits = 10)

write_expected <- function(name, x) {
  writeLines(json_value(x), path(paste0(name, ".expected.json")), useBytes = TRUE)
  message("wrote ", path(paste0(name, ".expected.json")))
}

# A GLM with a canonical link (Poisson log, binomial logit), where observed and expected
# information coincide: glm's answer, polished by Newton steps solved by QR on the weighted
# design (columns in the hundreds of thousands beside proportions make X'WX badly scaled),
# standard errors from the same QR. Prints what glm prints; returns the polished fit.
glm_ref <- function(label, formula, data, family) {
  f <- glm(formula, family = family, data = data, control = glm.control(epsilon = 1e-14, maxit = 100))
  cat("==", label, "\n"); print(summary(f)$coefficients[, 1:2]); cat("logLik", format(as.numeric(logLik(f)), digits = 12), "\n\n")
  family <- f$family
  X <- model.matrix(f); y <- f$y; beta <- coef(f)
  for (k in 1:5) {
    eta <- drop(X %*% beta); mu <- family$linkinv(eta); w <- family$variance(mu)
    beta <- beta + qr.solve(sqrt(w) * X, (y - mu) / sqrt(w))
  }
  eta <- drop(X %*% beta); mu <- family$linkinv(eta); w <- family$variance(mu)
  score <- drop(crossprod(X, y - mu))
  se <- sqrt(diag(chol2inv(qr.R(qr(sqrt(w) * X)))))
  loglik <- if (family$family == "poisson") sum(dpois(y, mu, log = TRUE)) else sum(dbinom(y, 1, mu, log = TRUE))
  # the polish may move glm's answer only at its last digits
  stopifnot(max(abs(beta - coef(f)) / abs(coef(f))) < 1e-8,
            max(abs(se - summary(f)$coefficients[, 2]) / se) < 1e-6,
            abs(loglik - as.numeric(logLik(f))) < 1e-9,
            max(abs(score) * pmax(1, abs(beta))) < 1e-8)
  list(estimate = beta, std_error = se, log_likelihood = loglik, n_obs = nrow(X))
}

# A normal model y ~ normal(f(x; b), sigma): nls, polished by full Gauss-Newton steps to
# round-off; the observed information of the full normal likelihood in (sigma, b) with the ML
# sigma: -d2l/db db' = (J'J - sum_i r_i H_i) / sigma^2, -d2l/dsigma^2 = 2n / sigma^2 at the MLE,
# -d2l/dsigma db = -2 J'r / sigma^3 (0 at the MLE, kept anyway).
nls_ref <- function(label, expr, start, data) {
  f <- nls(as.formula(paste("y ~", expr)), data = data, start = start)
  b <- coef(f); n <- nrow(data)
  d3 <- deriv3(parse(text = expr)[[1]], names(b))
  for (k in 1:50) {  # polish nls's answer with full Gauss-Newton steps to round-off
    v <- eval(d3, c(as.list(b), as.list(data))); J <- attr(v, "gradient")
    b <- b + as.numeric(solve(crossprod(J), crossprod(J, data$y - as.numeric(v))))
  }
  env <- c(as.list(b), as.list(data)); v <- eval(d3, env)
  J <- attr(v, "gradient"); H <- attr(v, "hessian"); r <- data$y - as.numeric(v)
  s2 <- sum(r^2) / n
  info <- crossprod(J); for (i in seq_len(n)) info <- info - r[i] * H[i, , ]
  se_obs <- sqrt(diag(solve(info / s2)))
  cat("==", label, "\n"); print(cbind(estimate = b, se_nls = summary(f)$coefficients[, 2], se_observed_ml = se_obs))
  cat("sigma_ml", sqrt(s2), " se", sqrt(s2) / sqrt(2 * n), "\n")
  loglik <- -n / 2 * (log(2 * pi * s2) + 1)
  cat("logLik", format(loglik, digits = 12), "\n\n")
  s <- sqrt(s2)
  full <- matrix(0, 3, 3)
  full[1, 1] <- 2 * n / s2
  full[1, 2:3] <- full[2:3, 1] <- -2 * drop(crossprod(J, r)) / s^3
  full[2:3, 2:3] <- info / s2
  se <- sqrt(diag(solve(full)))
  stopifnot(max(abs(se[2:3] - se_obs) / se_obs) < 1e-8,
            abs(loglik - sum(dnorm(data$y, as.numeric(v), s, log = TRUE))) < 1e-9)
  list(estimate = c(sigma = s, b), std_error = setNames(se, c("sigma", names(b))), log_likelihood = loglik,
       n_obs = n)
}

# name -> mlec's parameter names (model order), R's answer, status
expected_regular <- function(name, fit, names, source) {
  list(model = paste0(name, ".mle"), data = paste0(name, ".csv"),
       source = paste0(r_version(), ": ", source, "; see tests/reference/trust/reference.R"),
       status = "converged", exit_code = 0,
       log_likelihood = fit$log_likelihood, n_obs = fit$n_obs,
       parameters = parameter_list(setNames(unname(fit$estimate), names), setNames(unname(fit$std_error), names)),
       diagnostics_absent = list("flat_direction", "ill_conditioned"))
}

sp <- glm_ref("scaled_poisson", y ~ income + prop + z + pct, read.csv(path("scaled_poisson.csv")), poisson)
write_expected("scaled_poisson", expected_regular("scaled_poisson", sp, c("b0", "b_inc", "b_prop", "b_z", "b_pct"),
  "glm(y ~ income + prop + z + pct, family = poisson) polished by Newton steps (QR on the weighted design)"))
sp60 <- glm_ref("scaled_poisson_60", y ~ income + prop + z, read.csv(path("scaled_poisson_60.csv")), poisson)
write_expected("scaled_poisson_60", expected_regular("scaled_poisson_60", sp60, c("b0", "b_inc", "b_prop", "b_z"),
  "glm(y ~ income + prop + z, family = poisson) polished by Newton steps (QR on the weighted design)"))
normal_source <- function(expr) paste0("nls(y ~ ", expr, ") polished by Gauss-Newton steps; sigma = sqrt(RSS / n); ",
  "standard errors from the inverse observed information of the full normal likelihood in (sigma, b1, b2) ",
  "(nls's own, s^2 (J'J)^-1 with s^2 = RSS / (n - 2), differ: see reference.txt)")
de <- nls_ref("decay", "b1*(1 - exp(-b2*x))", list(b1 = 500, b2 = 1e-4), read.csv(path("decay.csv")))
write_expected("decay", expected_regular("decay", de, c("sigma", "b1", "b2"), normal_source("b1*(1 - exp(-b2*x))")))
sa <- nls_ref("saturation", "b1*b2*x/(1 + b2*x)", list(b1 = 500, b2 = 1e-4), read.csv(path("saturation.csv")))
write_expected("saturation", expected_regular("saturation", sa, c("sigma", "b1", "b2"),
                                              normal_source("b1*b2*x/(1 + b2*x)")))

# separation: group c has only failures, so a[c] -> -inf; with a[c] at its limit, the rows of c
# contribute log(1) = 0 and the others' maximum is glm on the rows outside c.
sep <- read.csv(path("separation.csv"))
stopifnot(all(sep$y[sep$g == "c"] == 0), any(sep$y[sep$g != "c"] == 0), any(sep$y[sep$g != "c"] == 1))
se_fit <- glm_ref("separation: the finite parameters' limit fit (rows outside group c)", y ~ 0 + g + x,
                  droplevels(subset(sep, g != "c")), binomial)
limit_names <- c("a[a]", "a[b]", "b")
write_expected("separation", list(
  model = "separation.mle", data = "separation.csv",
  source = paste0(r_version(), ": a[c] has no finite MLE (group c has only failures: along a[c] -> -inf the ",
                  "log-likelihood rises to that of the other rows); the other parameters' limit fit is ",
                  "glm(y ~ 0 + g + x, family = binomial) on the rows outside group c, polished by Newton steps; ",
                  "see tests/reference/trust/reference.R"),
  status = "diverged", exit_code = 4, n_obs = nrow(sep),
  log_likelihood_limit = se_fit$log_likelihood,
  diverging = list("a[c]" = "-inf"),
  parameters = unname(Map(function(n, e, s) list(name = n, estimate = unname(e), std_error = unname(s),
                                                 conditional_on_limit = TRUE),
                          limit_names, se_fit$estimate, se_fit$std_error)),
  diagnostics = list("separation", "limit_fit")))

cat("== exact: the data are a1*exp(-k1*x) + a2*exp(-k2*x) + a3*exp(-k3*x) with\n",
    "a1 = 0.0951, k1 = 1, a2 = 0.8607, k2 = 3, a3 = 1.5576, k3 = 5, printed to 13 significant digits\n",
    "(nls refuses zero-residual data by design; an MLE tool should report the exact fit)\n")
ex <- read.csv(path("exact.csv"))
truth <- c(a1 = 0.0951, k1 = 1, a2 = 0.8607, k2 = 3, a3 = 1.5576, k3 = 5)
curve <- function(t, x) t[1] * exp(-t[2] * x) + t[3] * exp(-t[4] * x) + t[5] * exp(-t[6] * x)
stopifnot(all(ex$y == signif(curve(truth, ex$x), 13)))
# The least-squares fit to the rounded data, by Gauss-Newton from the truth (QR on J, whose
# condition number is 2e4): it moves the truth by at most 3e-10 relative, so 1e-9 is the
# tolerance asked of an estimate; its sigma is the data's rounding, about 8e-14.
jac <- function(t, x) cbind(exp(-t[2] * x), -t[1] * x * exp(-t[2] * x), exp(-t[4] * x), -t[3] * x * exp(-t[4] * x),
                            exp(-t[6] * x), -t[5] * x * exp(-t[6] * x))
ls <- truth
for (k in 1:20) ls <- ls + qr.solve(jac(ls, ex$x), ex$y - curve(ls, ex$x))
ls_sigma <- sqrt(mean((ex$y - curve(ls, ex$x))^2))
stopifnot(max(abs(ls - truth) / truth) < 5e-10, ls_sigma < 1e-12)
write_expected("exact", list(
  model = "exact.mle", data = "exact.csv",
  source = paste0(r_version(), ": the data are the true curve a1*exp(-k1*x) + a2*exp(-k2*x) + a3*exp(-k3*x) ",
                  "printed to 13 significant digits (checked with signif); the least-squares fit to them, by ",
                  "Gauss-Newton from the true values, is within 3e-10 (relative) of the true values, with sigma ",
                  "at the data's rounding; see tests/reference/trust/reference.R"),
  status = "converged", exit_code = 0, n_obs = nrow(ex),
  true_values = as.list(truth),
  estimate_rel_tolerance = 1e-9,
  sigma_below = 1e-10,
  exchangeable_pairs = list(list("a1", "k1"), list("a2", "k2"), list("a3", "k3")),
  least_squares_fit = as.list(c(ls, sigma = ls_sigma)),
  diagnostics = list("exact_fit"),
  diagnostics_absent = list()))

# Reference for models/ar1.mle on models/ar1.csv: a Gaussian AR(1) with mean,
# 200 rows, fitted with the exact likelihood (the first row from the
# stationary distribution N(mu, sigma^2 / (1 - phi^2))), which is what
# arima(order = c(1, 0, 0), method = "ML") maximizes. The closed form
# (ar_common.R) is checked against arima's log-likelihood at arima's own
# estimate (to 1e-10), then maximized to full precision (arima's optimizer
# stops earlier: its log-likelihood must be within 1e-8 of the maximum).
# sigma is arima's sqrt(sigma2); standard errors are the observed
# information's at the maximum (cross-checked with optimHess), not arima's
# var.coef (which is from optim's own numerical Hessian).
source("models/reference/common.R")
source("models/reference/ar_common.R")
set.seed(20261205)

truth <- c(phi = 0.6, sigma = 1, mu = 2)
y <- truth[["mu"]] + as.numeric(arima.sim(list(ar = truth[["phi"]]), 200, sd = truth[["sigma"]]))
write_plain_csv(data.frame(y = sprintf("%.6f", y)), "models/ar1.csv")

y <- read.csv("models/ar1.csv")$y
a <- arima(y, order = c(1, 0, 0), method = "ML", optim.control = list(reltol = 1e-14))
at_arima <- ar1_loglik(y, a$coef[["intercept"]], a$coef[["ar1"]], sqrt(a$sigma2))
cat("closed form - arima loglik at arima's estimate:", at_arima - a$loglik, "\n")
stopifnot(abs(at_arima - a$loglik) < 1e-10)

nll <- function(t) -ar1_loglik(y, t[3], t[1], t[2])
fit <- exact_fit(nll, c(a$coef[["ar1"]], sqrt(a$sigma2), a$coef[["intercept"]]), c("phi", "sigma", "mu"))
cat("maximum - arima loglik:", fit$loglik - a$loglik, "\n")
stopifnot(fit$loglik - a$loglik >= -1e-12, fit$loglik - a$loglik < 1e-8)
print(cbind(truth, estimate = fit$estimate, std_error = fit$std_error, optimhess = fit$optimhess_se,
            arima = c(a$coef[["ar1"]], sqrt(a$sigma2), a$coef[["intercept"]])))
cat("log-likelihood:", format(fit$loglik, digits = 17), "\n")

write_json_file(list(
  model = "ar1.mle",
  data = "ar1.csv",
  source = paste0(r_version(), ": the exact AR(1) log-likelihood (first row stationary), equal to ",
                  "arima(order = c(1, 0, 0), method = \"ML\")$loglik at arima's estimate to 1e-10, ",
                  "maximized by optim and Newton steps on Richardson differences (arima's own maximum is ",
                  "within 1e-8); sigma = sqrt(sigma2); standard errors from the observed information ",
                  "(Richardson differences of the gradient); see models/reference/ar1.R"),
  converged = TRUE,
  log_likelihood = fit$loglik,
  n_obs = length(y),
  parameters = parameter_list(fit$estimate, fit$std_error),
  arima = list(ar1 = a$coef[["ar1"]], intercept = a$coef[["intercept"]], sigma2 = a$sigma2, loglik = a$loglik),
  true_values = as.list(truth)
), "models/ar1.expected.json")

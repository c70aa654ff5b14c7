# Reference for models/ar2.mle on models/ar2.csv: a Gaussian AR(2) with mean,
# 300 rows, with the exact likelihood that arima(order = c(2, 0, 0),
# method = "ML") maximizes: y[1] from the stationary marginal N(mu, g0),
# y[2] given y[1] from the stationary joint distribution
# (N(mu + r1 (y[1] - mu), g0 (1 - r1^2)), r1 = phi1 / (1 - phi2)), then each
# row given the two before it. g0 = sigma^2 (1 - phi2) / ((1 + phi2)
# ((1 - phi2)^2 - phi1^2)). Checked against arima's log-likelihood at its
# estimate, then maximized to full precision, as models/reference/ar1.R.
source("models/reference/common.R")
source("models/reference/ar_common.R")
set.seed(20261206)

truth <- c(phi1 = 0.5, phi2 = -0.3, sigma = 1.5, mu = -1)
y <- truth[["mu"]] + as.numeric(arima.sim(list(ar = c(truth[["phi1"]], truth[["phi2"]])), 300, sd = truth[["sigma"]]))
write_plain_csv(data.frame(y = sprintf("%.6f", y)), "models/ar2.csv")

y <- read.csv("models/ar2.csv")$y
a <- arima(y, order = c(2, 0, 0), method = "ML", optim.control = list(reltol = 1e-14))
at_arima <- ar2_loglik(y, a$coef[["intercept"]], a$coef[["ar1"]], a$coef[["ar2"]], sqrt(a$sigma2))
cat("closed form - arima loglik at arima's estimate:", at_arima - a$loglik, "\n")
stopifnot(abs(at_arima - a$loglik) < 1e-10)

nll <- function(t) -ar2_loglik(y, t[4], t[1], t[2], t[3])
fit <- exact_fit(nll, c(a$coef[["ar1"]], a$coef[["ar2"]], sqrt(a$sigma2), a$coef[["intercept"]]),
                 c("phi1", "phi2", "sigma", "mu"))
cat("maximum - arima loglik:", fit$loglik - a$loglik, "\n")
stopifnot(fit$loglik - a$loglik >= -1e-12, fit$loglik - a$loglik < 1e-8)
print(cbind(truth, estimate = fit$estimate, std_error = fit$std_error, optimhess = fit$optimhess_se))
cat("log-likelihood:", format(fit$loglik, digits = 17), "\n")

write_json_file(list(
  model = "ar2.mle",
  data = "ar2.csv",
  source = paste0(r_version(), ": the exact AR(2) log-likelihood (first two rows from the stationary ",
                  "joint distribution), equal to arima(order = c(2, 0, 0), method = \"ML\")$loglik at ",
                  "arima's estimate to 1e-10, maximized by optim and Newton steps on Richardson differences ",
                  "(arima's own maximum is within 1e-8); sigma = sqrt(sigma2); standard errors from the ",
                  "observed information; see models/reference/ar2.R"),
  converged = TRUE,
  log_likelihood = fit$loglik,
  n_obs = length(y),
  parameters = parameter_list(fit$estimate, fit$std_error),
  arima = list(ar1 = a$coef[["ar1"]], ar2 = a$coef[["ar2"]], intercept = a$coef[["intercept"]],
               sigma2 = a$sigma2, loglik = a$loglik),
  true_values = as.list(truth)
), "models/ar2.expected.json")

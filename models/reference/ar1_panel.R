# Reference for models/ar1_panel.mle on models/ar1_panel.csv: five AR(1)
# series (panel data) with a shared phi, sigma and mu, 60 times each, the
# file sorted by time so that a series' rows are not contiguous (lag(y, 1,
# series) reads the previous row of the same series). The log-likelihood is
# the sum of the series' exact AR(1) log-likelihoods (ar_common.R; each is
# checked against arima(method = "ML")$loglik with the parameters held),
# maximized by optim and Newton steps, as models/reference/ar1.R.
source("models/reference/common.R")
source("models/reference/ar_common.R")
set.seed(20261207)

truth <- c(phi = 0.7, sigma = 0.8, mu = 5)
series <- c("north", "east", "south", "west", "centre")
panel <- do.call(rbind, lapply(seq_along(series), function(s) {
  y <- truth[["mu"]] + as.numeric(arima.sim(list(ar = truth[["phi"]]), 60, sd = truth[["sigma"]]))
  data.frame(time = 1:60, series = series[s], y = sprintf("%.6f", y))
}))
panel <- panel[order(panel$time, match(panel$series, series)), ]
write_plain_csv(panel, "models/ar1_panel.csv")

d <- read.csv("models/ar1_panel.csv")
by_series <- split(d$y, factor(d$series, levels = unique(d$series)))  # each in the file's order
nll <- function(t) -sum(vapply(by_series, function(y) ar1_loglik(y, t[3], t[1], t[2]), numeric(1)))
# The closed form against arima's exact likelihood, series by series, at a
# point away from the optimum (all coefficients held; sigma2 is then
# arima's own estimate, so it is compared at that sigma).
for (y in by_series) {
  a <- arima(y, order = c(1, 0, 0), method = "ML", fixed = c(0.55, 4.8), transform.pars = FALSE)
  stopifnot(abs(ar1_loglik(y, 4.8, 0.55, sqrt(a$sigma2)) - a$loglik) < 1e-10)
}
fit <- exact_fit(nll, c(0.5, sd(d$y), mean(d$y)), c("phi", "sigma", "mu"))
print(cbind(truth, estimate = fit$estimate, std_error = fit$std_error, optimhess = fit$optimhess_se))
cat("log-likelihood:", format(fit$loglik, digits = 17), "\n")

write_json_file(list(
  model = "ar1_panel.mle",
  data = "ar1_panel.csv",
  source = paste0(r_version(), ": the sum over the five series of the exact AR(1) log-likelihood (each ",
                  "equal to arima(method = \"ML\", fixed = ...)$loglik to 1e-10) with shared phi, sigma, mu, ",
                  "maximized by optim and Newton steps on Richardson differences; standard errors from the ",
                  "observed information; see models/reference/ar1_panel.R"),
  converged = TRUE,
  log_likelihood = fit$loglik,
  n_obs = nrow(d),
  parameters = parameter_list(fit$estimate, fit$std_error),
  true_values = as.list(truth)
), "models/ar1_panel.expected.json")

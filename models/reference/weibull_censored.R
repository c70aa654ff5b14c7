# Reference for models/weibull_censored.mle on models/weibull_censored.csv: a
# right-censored Weibull regression, time ~ x, fitted by R's survival::survreg.
# survreg's accelerated-failure-time form log T = b0 + b1 x + sigma W (W the
# standard minimum extreme value) is mlec's weibull(shape, exp(b0 + b1 x)) with
# shape = 1/sigma. The standard errors of b0 and b1 are survreg's (the inverse
# observed information); that of shape = 1/sigma is shape * SE(log sigma), the
# delta method, exact for a reparametrization at the MLE. The log-likelihood
# is recomputed from dweibull and pweibull (observed: log density; censored:
# log P(T > time)) and checked against survreg's.
source("models/reference/common.R")
suppressPackageStartupMessages(library(survival))
set.seed(20261205)

n <- 300
truth <- c(shape = 1.5, b0 = 1.0, b1 = 0.5)
x <- rnorm(n)
t_event <- rweibull(n, shape = truth[["shape"]], scale = exp(truth[["b0"]] + truth[["b1"]] * x))
t_censor <- runif(n, 0, 6)
time <- pmin(t_event, t_censor)
event <- as.integer(t_event <= t_censor)
write_plain_csv(data.frame(x = sprintf("%.10g", x), time = sprintf("%.10g", time), event = event),
                "models/weibull_censored.csv")

d <- read.csv("models/weibull_censored.csv")
stopifnot(all(d$time > 0), all(d$event %in% c(0, 1)))
cat("censored rows:", sum(d$event == 0), "of", nrow(d), "\n")

fit <- survreg(Surv(time, event) ~ x, data = d, dist = "weibull",
               control = survreg.control(rel.tolerance = 1e-14, maxiter = 200))
beta <- unname(coef(fit))
sigma <- fit$scale
V <- vcov(fit)  # (Intercept), x, Log(scale)
shape <- 1 / sigma
estimate <- c(shape = shape, b0 = beta[1], b1 = beta[2])
std_error <- c(shape = shape * sqrt(V[3, 3]), b0 = sqrt(V[1, 1]), b1 = sqrt(V[2, 2]))

nll <- function(theta) {
  k <- theta[1]
  lam <- exp(theta[2] + theta[3] * d$x)
  -sum(ifelse(d$event == 1, dweibull(d$time, k, lam, log = TRUE),
              pweibull(d$time, k, lam, lower.tail = FALSE, log.p = TRUE)))
}
loglik <- -nll(unname(estimate))
cat("log-likelihood:", format(loglik, digits = 17), " survreg:", format(fit$loglik[2], digits = 17), "\n")
stopifnot(abs(loglik - fit$loglik[2]) < 1e-8)
print(cbind(truth, estimate, std_error))
cross_check(nll, unname(estimate), unname(std_error), "weibull_censored")

write_json_file(list(
  model = "weibull_censored.mle",
  data = "weibull_censored.csv",
  source = paste0(r_version(), ", survival ", packageVersion("survival"),
                  ": survreg(Surv(time, event) ~ x, dist = \"weibull\"), shape = 1/scale with ",
                  "SE shape * SE(log scale); log-likelihood from dweibull and pweibull(lower.tail = FALSE); ",
                  "see models/reference/weibull_censored.R"),
  converged = TRUE,
  log_likelihood = loglik,
  n_obs = nrow(d),
  parameters = parameter_list(estimate, std_error),
  true_values = as.list(truth)
), "models/weibull_censored.expected.json")

# Reference for models/lognormal_censored.mle on models/lognormal_censored.csv.
# survreg's lognormal is log T = b0 + b1 x + sigma Z (Z standard normal): the
# model's parameters are survreg's coefficients and its scale. A censored row
# (cens = 1, survreg's status 0) adds log S(t) = log(1 - Phi((log t - mu) / sigma)).
# Estimates from survreg; SE(sigma) = sigma SE(log sigma) (common.R,
# survreg_parameters); the log-likelihood from dlnorm and plnorm; cross-checked
# with optim.
source("models/reference/common.R")
suppressPackageStartupMessages(library(survival))
set.seed(20261206)

n <- 300
truth <- c(b0 = 0.8, b1 = -0.6, sigma = 0.9)
x <- round(rnorm(n), 4)
t_event <- rlnorm(n, truth[["b0"]] + truth[["b1"]] * x, truth[["sigma"]])
t_censor <- rexp(n, 1 / 4)
time <- pmin(t_event, t_censor)
cens <- as.integer(t_censor < t_event)
write_plain_csv(data.frame(x = sprintf("%.4f", x), time = sprintf("%.10g", time), cens = cens),
                "models/lognormal_censored.csv")

d <- read.csv("models/lognormal_censored.csv")
fit <- survreg_tight(Surv(time, 1 - cens) ~ x, d, "lognormal")
p <- survreg_parameters(fit, c("b0", "b1"), "sigma", function(s) s, function(s) s)
estimate <- p$estimate[c("b0", "b1", "sigma")]
std_error <- p$std_error[c("b0", "b1", "sigma")]

nll <- function(theta) {
  mu <- theta[1] + theta[2] * d$x
  -sum(ifelse(d$cens == 1, plnorm(d$time, mu, theta[3], lower.tail = FALSE, log.p = TRUE),
              dlnorm(d$time, mu, theta[3], log = TRUE)))
}
loglik <- -nll(unname(estimate))
cat("censored rows:", sum(d$cens), "of", nrow(d), "\n")
cat("log-likelihood:", format(loglik, digits = 17), " survreg's:", format(fit$loglik[2], digits = 17), "\n")
stopifnot(abs(loglik - fit$loglik[2]) < 1e-8)
print(cbind(truth, estimate, std_error))
cross_check(nll, unname(estimate), unname(std_error), "lognormal_censored")

write_json_file(list(
  model = "lognormal_censored.mle",
  data = "lognormal_censored.csv",
  source = paste0(r_version(), ", survival ", packageVersion("survival"),
                  ": survreg(Surv(time, 1 - cens) ~ x, dist = \"lognormal\"), sigma = scale, ",
                  "SE(sigma) = sigma SE(log scale) from vcov; log-likelihood from dlnorm/plnorm (equal to ",
                  "survreg's); cross-checked with optim + optimHess; see models/reference/lognormal_censored.R"),
  converged = TRUE,
  log_likelihood = loglik,
  n_obs = nrow(d),
  parameters = parameter_list(estimate, std_error),
  true_values = as.list(truth)
), "models/lognormal_censored.expected.json")

# Reference for models/weibull_right_censored.mle on models/weibull_right_censored.csv.
# survreg's Weibull is log T = b0 + b1 x + sigma W (W standard extreme value),
# so the model's shape k = 1/sigma and its scale exp(b0 + b1 x). A censored
# row (cens = 1, survreg's status 0) adds log S(t) = -(t / scale)^k.
# Estimates from survreg; SE(k) = k SE(log sigma) (common.R, survreg_parameters);
# the log-likelihood from dweibull and pweibull; cross-checked with optim.
source("models/reference/common.R")
suppressPackageStartupMessages(library(survival))
set.seed(20261205)

n <- 300
truth <- c(k = 1.6, b0 = 1.2, b1 = 0.5)
x <- round(runif(n, -1, 2), 4)
t_event <- rweibull(n, shape = truth[["k"]], scale = exp(truth[["b0"]] + truth[["b1"]] * x))
t_censor <- runif(n, 0.5, 8)
time <- pmin(t_event, t_censor)
cens <- as.integer(t_censor < t_event)
write_plain_csv(data.frame(x = sprintf("%.4f", x), time = sprintf("%.10g", time), cens = cens),
                "models/weibull_right_censored.csv")

d <- read.csv("models/weibull_right_censored.csv")
fit <- survreg_tight(Surv(time, 1 - cens) ~ x, d, "weibull")
p <- survreg_parameters(fit, c("b0", "b1"), "k", function(s) 1 / s, function(s) 1 / s)
estimate <- p$estimate[c("k", "b0", "b1")]
std_error <- p$std_error[c("k", "b0", "b1")]

nll <- function(theta) {
  scale <- exp(theta[2] + theta[3] * d$x)
  -sum(ifelse(d$cens == 1, pweibull(d$time, theta[1], scale, lower.tail = FALSE, log.p = TRUE),
              dweibull(d$time, theta[1], scale, log = TRUE)))
}
loglik <- -nll(unname(estimate))
cat("censored rows:", sum(d$cens), "of", nrow(d), "\n")
cat("log-likelihood:", format(loglik, digits = 17), " survreg's:", format(fit$loglik[2], digits = 17), "\n")
stopifnot(abs(loglik - fit$loglik[2]) < 1e-8)
print(cbind(truth, estimate, std_error))
cross_check(nll, unname(estimate), unname(std_error), "weibull_right_censored")

write_json_file(list(
  model = "weibull_right_censored.mle",
  data = "weibull_right_censored.csv",
  source = paste0(r_version(), ", survival ", packageVersion("survival"),
                  ": survreg(Surv(time, 1 - cens) ~ x, dist = \"weibull\"), k = 1/scale, ",
                  "SE(k) = k SE(log scale) from vcov; log-likelihood from dweibull/pweibull (equal to survreg's); ",
                  "cross-checked with optim + optimHess; see models/reference/weibull_right_censored.R"),
  converged = TRUE,
  log_likelihood = loglik,
  n_obs = nrow(d),
  parameters = parameter_list(estimate, std_error),
  true_values = as.list(truth)
), "models/weibull_right_censored.expected.json")

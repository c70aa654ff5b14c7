# Reference for models/exponential_censored.mle on models/exponential_censored.csv.
# survreg's exponential has mean exp(b0 + b1 x), so rate = exp(-(b0 + b1 x)); a
# censored row (cens = 1, survreg's status 0) adds log S(t) = -rate t.
# Estimates and standard errors from survreg (vcov: the inverse observed
# information); the log-likelihood from dexp and pexp; cross-checked with optim.
source("models/reference/common.R")
suppressPackageStartupMessages(library(survival))
set.seed(20261207)

n <- 300
truth <- c(b0 = 1.5, b1 = 0.7)
x <- round(runif(n, -1, 1), 4)
t_event <- rexp(n, exp(-(truth[["b0"]] + truth[["b1"]] * x)))
t_censor <- runif(n, 1, 10)
time <- pmin(t_event, t_censor)
cens <- as.integer(t_censor < t_event)
write_plain_csv(data.frame(x = sprintf("%.4f", x), time = sprintf("%.10g", time), cens = cens),
                "models/exponential_censored.csv")

d <- read.csv("models/exponential_censored.csv")
fit <- survreg_tight(Surv(time, 1 - cens) ~ x, d, "exponential")
p <- survreg_parameters(fit, c("b0", "b1"))
estimate <- p$estimate
std_error <- p$std_error

nll <- function(theta) {
  rate <- exp(-(theta[1] + theta[2] * d$x))
  -sum(ifelse(d$cens == 1, pexp(d$time, rate, lower.tail = FALSE, log.p = TRUE), dexp(d$time, rate, log = TRUE)))
}
loglik <- -nll(unname(estimate))
cat("censored rows:", sum(d$cens), "of", nrow(d), "\n")
cat("log-likelihood:", format(loglik, digits = 17), " survreg's:", format(fit$loglik[2], digits = 17), "\n")
stopifnot(abs(loglik - fit$loglik[2]) < 1e-8)
print(cbind(truth, estimate, std_error))
cross_check(nll, unname(estimate), unname(std_error), "exponential_censored")

write_json_file(list(
  model = "exponential_censored.mle",
  data = "exponential_censored.csv",
  source = paste0(r_version(), ", survival ", packageVersion("survival"),
                  ": survreg(Surv(time, 1 - cens) ~ x, dist = \"exponential\"), standard errors from vcov; ",
                  "log-likelihood from dexp/pexp (equal to survreg's); cross-checked with optim + optimHess; ",
                  "see models/reference/exponential_censored.R"),
  converged = TRUE,
  log_likelihood = loglik,
  n_obs = nrow(d),
  parameters = parameter_list(estimate, std_error),
  true_values = as.list(truth)
), "models/exponential_censored.expected.json")

# Reference for models/lognormal_interval.mle on models/lognormal_interval.csv.
# Times T with log T = b0 + b1 x + sigma Z, seen at visits 1, 2, ..., 6: a third
# of the rows exactly (ic = rc = 0, hi = lo = T), the others as the interval
# between the visits around T (ic = 1: T in (lo, hi], adding
# log(F(hi) - F(lo))), or beyond the last visit (rc = 1: T > lo, adding
# log S(lo); hi is then lo, unused).
# Estimates from survreg(Surv(lo, hi, type = "interval2") ~ x,
# dist = "lognormal") with hi = NA on the right-censored rows; SE(sigma) =
# sigma SE(log sigma) (common.R, survreg_parameters); the log-likelihood from
# dlnorm and plnorm; cross-checked with optim.
source("models/reference/common.R")
suppressPackageStartupMessages(library(survival))
set.seed(20261209)

n <- 300
truth <- c(b0 = 0.9, b1 = 0.4, sigma = 0.7)
x <- round(rnorm(n), 4)
t_true <- rlnorm(n, truth[["b0"]] + truth[["b1"]] * x, truth[["sigma"]])
exact <- runif(n) < 1 / 3
visits <- 1:6
before <- vapply(t_true, function(t) max(c(0.5, visits[visits < t])), numeric(1))
after <- vapply(t_true, function(t) min(c(Inf, visits[visits >= t])), numeric(1))
rc <- as.integer(!exact & is.infinite(after))
ic <- as.integer(!exact & !rc)
lo <- ifelse(exact, t_true, before)
hi <- ifelse(exact, t_true, ifelse(rc == 1, before, after))
write_plain_csv(data.frame(x = sprintf("%.4f", x), lo = sprintf("%.10g", lo), hi = sprintf("%.10g", hi),
                           ic = ic, rc = rc),
                "models/lognormal_interval.csv")

d <- read.csv("models/lognormal_interval.csv")
d$hi_r <- ifelse(d$rc == 1, NA, d$hi)
fit <- survreg_tight(Surv(lo, hi_r, type = "interval2") ~ x, d, "lognormal")
p <- survreg_parameters(fit, c("b0", "b1"), "sigma", function(s) s, function(s) s)
estimate <- p$estimate[c("b0", "b1", "sigma")]
std_error <- p$std_error[c("b0", "b1", "sigma")]

nll <- function(theta) {
  mu <- theta[1] + theta[2] * d$x
  s <- theta[3]
  interval <- log(plnorm(d$hi, mu, s) - plnorm(d$lo, mu, s))
  -sum(ifelse(d$ic == 1, interval,
              ifelse(d$rc == 1, plnorm(d$lo, mu, s, lower.tail = FALSE, log.p = TRUE),
                     dlnorm(d$lo, mu, s, log = TRUE))))
}
loglik <- -nll(unname(estimate))
cat("interval-censored rows:", sum(d$ic), " right-censored:", sum(d$rc), " of", nrow(d), "\n")
cat("log-likelihood:", format(loglik, digits = 17), " survreg's:", format(fit$loglik[2], digits = 17), "\n")
stopifnot(abs(loglik - fit$loglik[2]) < 1e-8)
print(cbind(truth, estimate, std_error))
cross_check(nll, unname(estimate), unname(std_error), "lognormal_interval")

write_json_file(list(
  model = "lognormal_interval.mle",
  data = "lognormal_interval.csv",
  source = paste0(r_version(), ", survival ", packageVersion("survival"),
                  ": survreg(Surv(lo, hi, type = \"interval2\") ~ x, dist = \"lognormal\") with hi = NA where ",
                  "rc = 1, sigma = scale, SE(sigma) = sigma SE(log scale) from vcov; log-likelihood from ",
                  "dlnorm/plnorm (equal to survreg's); cross-checked with optim + optimHess; ",
                  "see models/reference/lognormal_interval.R"),
  converged = TRUE,
  log_likelihood = loglik,
  n_obs = nrow(d),
  parameters = parameter_list(estimate, std_error),
  true_values = as.list(truth)
), "models/lognormal_interval.expected.json")

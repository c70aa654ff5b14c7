# Reference for models/tobit.mle on models/tobit.csv.
# A latent y* = b0 + b1 x + sigma Z is observed as y = max(y*, 0); lc = 1 where
# y = 0, which is then only an upper limit of y*: such a row adds
# log P(Y <= 0) = pnorm(0, mu, sigma, log.p = TRUE).
# Estimates from survreg(Surv(y, y > 0, type = "left") ~ x, dist = "gaussian");
# SE(sigma) = sigma SE(log sigma) (common.R, survreg_parameters); the
# log-likelihood from dnorm and pnorm; cross-checked with optim.
source("models/reference/common.R")
suppressPackageStartupMessages(library(survival))
set.seed(20261208)

n <- 300
truth <- c(b0 = 0.5, b1 = 1.2, sigma = 1.3)
x <- round(rnorm(n), 4)
y_latent <- truth[["b0"]] + truth[["b1"]] * x + rnorm(n, 0, truth[["sigma"]])
y <- pmax(round(y_latent, 6), 0)
lc <- as.integer(y <= 0)
write_plain_csv(data.frame(x = sprintf("%.4f", x), y = sprintf("%.6f", y), lc = lc), "models/tobit.csv")

d <- read.csv("models/tobit.csv")
fit <- survreg_tight(Surv(y, y > 0, type = "left") ~ x, d, "gaussian")
p <- survreg_parameters(fit, c("b0", "b1"), "sigma", function(s) s, function(s) s)
estimate <- p$estimate[c("b0", "b1", "sigma")]
std_error <- p$std_error[c("b0", "b1", "sigma")]

nll <- function(theta) {
  mu <- theta[1] + theta[2] * d$x
  -sum(ifelse(d$lc == 1, pnorm(d$y, mu, theta[3], log.p = TRUE), dnorm(d$y, mu, theta[3], log = TRUE)))
}
loglik <- -nll(unname(estimate))
cat("left-censored rows:", sum(d$lc), "of", nrow(d), "\n")
cat("log-likelihood:", format(loglik, digits = 17), " survreg's:", format(fit$loglik[2], digits = 17), "\n")
stopifnot(abs(loglik - fit$loglik[2]) < 1e-8)
print(cbind(truth, estimate, std_error))
cross_check(nll, unname(estimate), unname(std_error), "tobit")

write_json_file(list(
  model = "tobit.mle",
  data = "tobit.csv",
  source = paste0(r_version(), ", survival ", packageVersion("survival"),
                  ": survreg(Surv(y, y > 0, type = \"left\") ~ x, dist = \"gaussian\"), sigma = scale, ",
                  "SE(sigma) = sigma SE(log scale) from vcov; log-likelihood from dnorm/pnorm (equal to ",
                  "survreg's); cross-checked with optim + optimHess; see models/reference/tobit.R"),
  converged = TRUE,
  log_likelihood = loglik,
  n_obs = nrow(d),
  parameters = parameter_list(estimate, std_error),
  true_values = as.list(truth)
), "models/tobit.expected.json")

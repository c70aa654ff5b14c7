# Reference for models/pareto.mle on models/pareto.csv: the shape of a Pareto sample
# with known y_min = 2 (a constant of the model, as is usual: its own MLE would be
# min(y), at the edge of the support, without a standard error).
#   l = log alpha + alpha log y_min - (alpha + 1) log y
#   dl/dalpha = 1/alpha - log(y / y_min),     d2l/dalpha2 = -1/alpha^2
# Closed form: alpha_hat = n / sum(log(y / y_min)), SE = alpha_hat / sqrt(n).
source("models/reference/common.R")
set.seed(20261203)

n <- 300
y_min <- 2
truth <- c(alpha = 3.0)
y <- y_min * runif(n)^(-1 / truth[["alpha"]])  # inversion of the Pareto cdf
write_plain_csv(data.frame(y = sprintf("%.10g", y)), "models/pareto.csv")

d <- read.csv("models/pareto.csv")
y <- d$y
stopifnot(all(y >= y_min))
n_obs <- length(y)
alpha_hat <- n_obs / sum(log(y / y_min))
nll <- function(theta) -sum(log(theta[1]) + theta[1] * log(y_min) - (theta[1] + 1) * log(y))
estimate <- c(alpha = alpha_hat)
std_error <- c(alpha = alpha_hat / sqrt(n_obs))
loglik <- -nll(alpha_hat)
print(cbind(truth, estimate, std_error))
cat("log-likelihood:", format(loglik, digits = 17), "\n")
opt <- optimize(nll, c(0.1, 100), tol = 1e-12)
h <- optimHess(opt$minimum, nll)
cat("optimize + optimHess: estimate", format(opt$minimum, digits = 12), "SE", format(sqrt(1 / h), digits = 12), "\n")
stopifnot(abs(opt$minimum - alpha_hat) < 1e-6, abs(sqrt(1 / h) - std_error) < 1e-4)

write_json_file(list(
  model = "pareto.mle",
  data = "pareto.csv",
  source = paste0(r_version(), ": closed form alpha = n / sum(log(y / y_min)), SE alpha / sqrt(n); ",
                  "cross-checked with optimize + optimHess; see models/reference/pareto.R"),
  converged = TRUE,
  log_likelihood = loglik,
  n_obs = n_obs,
  parameters = parameter_list(estimate, std_error),
  true_values = as.list(truth)
), "models/pareto.expected.json")

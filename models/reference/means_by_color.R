# Reference for models/means_by_color.mle on models/means_by_color.csv.
# Closed form: mu_j is the mean of y in group j, sigma = sqrt(RSS / n) (the MLE,
# not lm's residual standard error). The observed information at the MLE is diagonal:
#   -d2l/dmu_j2 = n_j / sigma^2,  -d2l/dsigma2 = -n / sigma^2 + 3 RSS / sigma^4 = 2 n / sigma^2,
#   -d2l/dmu_j dsigma = 2 sum_{i in j} (y_i - mu_j) / sigma^3 = 0,
# so SE(mu_j) = sigma / sqrt(n_j) and SE(sigma) = sigma / sqrt(2 n).
# Levels of a text column are ordered by first appearance in the CSV: the first three
# rows are red, green, blue.
source("models/reference/common.R")
set.seed(20240509)

n <- 300
levels_in_order <- c("red", "green", "blue")
truth <- c(`mu[red]` = 1.5, `mu[green]` = -0.5, `mu[blue]` = 3.0, sigma = 1.2)
color <- c(levels_in_order, sample(levels_in_order, n - 3, replace = TRUE, prob = c(0.3, 0.45, 0.25)))
y <- rnorm(n, truth[paste0("mu[", color, "]")], truth[["sigma"]])
write_plain_csv(data.frame(color = color, y = sprintf("%.10g", y)), "models/means_by_color.csv")

d <- read.csv("models/means_by_color.csv")
stopifnot(is.character(d$color), identical(unique(d$color), levels_in_order))
n_obs <- nrow(d)
n_j <- vapply(levels_in_order, function(l) sum(d$color == l), numeric(1))
mu_hat <- vapply(levels_in_order, function(l) mean(d$y[d$color == l]), numeric(1))
rss <- sum((d$y - mu_hat[d$color])^2)
sigma_hat <- sqrt(rss / n_obs)
estimate <- setNames(c(mu_hat, sigma_hat), names(truth))
std_error <- setNames(c(sigma_hat / sqrt(n_j), sigma_hat / sqrt(2 * n_obs)), names(truth))
loglik <- sum(dnorm(d$y, mu_hat[d$color], sigma_hat, log = TRUE))
stopifnot(abs(loglik - (-n_obs / 2 * (log(2 * pi * sigma_hat^2) + 1))) < 1e-9)

fit <- lm(y ~ 0 + factor(color, levels = levels_in_order), data = d)
cat("max |mu - lm coefficients|:", max(abs(coef(fit) - mu_hat)),
    " |sigma - sqrt(deviance / n)|:", abs(sqrt(deviance(fit) / n_obs) - sigma_hat), "\n")
stopifnot(max(abs(coef(fit) - mu_hat)) < 1e-12, abs(sqrt(deviance(fit) / n_obs) - sigma_hat) < 1e-12)
print(cbind(truth, estimate, std_error, n_per_level = c(n_j, NA)))
cat("log-likelihood:", format(loglik, digits = 17), "\n")

group <- match(d$color, levels_in_order)
nll <- function(theta) -sum(dnorm(d$y, theta[group], theta[4], log = TRUE))
cross_check(nll, unname(estimate), unname(std_error), "means_by_color")

write_json_file(list(
  model = "means_by_color.mle",
  data = "means_by_color.csv",
  source = paste0(r_version(), ": closed form (group means of y by color, levels in order of first appearance; ",
                  "sigma = sqrt(RSS / n); SE(mu_j) = sigma / sqrt(n_j), SE(sigma) = sigma / sqrt(2 n)); ",
                  "cross-checked with lm(y ~ 0 + color); see models/reference/means_by_color.R"),
  converged = TRUE,
  log_likelihood = loglik,
  n_obs = n_obs,
  parameters = parameter_list(estimate, std_error),
  true_values = as.list(truth)
), "models/means_by_color.expected.json")

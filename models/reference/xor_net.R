# Reference for models/xor_net.mle on models/xor.csv (shared with xor.mle).
# h = tanh(W (a, b)' + u), logit = v'h + d; 9 parameters, taken here in the order
# W[1,1], W[1,2], W[2,1], W[2,2], u[1], u[2], v[1], v[2], d.
# The network can reproduce XOR exactly, so the log-likelihood (at most 0) has
# supremum 0 and no finite maximizer. An explicit perfect-fit ray: for t > 0,
#   W = t [[1, 1], [1, 1]], u = t (-1/2, -3/2), v = t (1, -1), d = -t
# gives h1 = tanh(t (a + b - 1/2)), h2 = tanh(t (a + b - 3/2)), and the logits for
# a + b = 0, 1, 2 tend to -t, +t, -t: every row is fitted with probability -> 1 and the
# log-likelihood rises to 0 as t -> inf. Random starts (20, seed 1, as recorded in the
# JSON) show that optim reaches this basin from generic starting points, with weights
# that keep growing; the surface also has other stationary regions, which is why several
# starts are used. No parameter values are asserted.
source("models/reference/common.R")
set.seed(1)

d <- read.csv("models/xor.csv")
stopifnot(identical(d, data.frame(a = c(0L, 0L, 1L, 1L), b = c(0L, 1L, 0L, 1L),
                                  y = c(0L, 1L, 1L, 0L))))

loglik <- function(theta) {
  W <- matrix(theta[1:4], 2, 2, byrow = TRUE)
  h <- tanh(t(W %*% rbind(d$a, d$b)) + matrix(theta[5:6], nrow(d), 2, byrow = TRUE))
  eta <- drop(h %*% theta[7:8]) + theta[9]
  # bernoulli-logit in a stable form: y eta - log(1 + exp(eta))
  sum(d$y * eta - ifelse(eta > 0, eta + log1p(exp(-eta)), log1p(exp(eta))))
}

ray <- c(1, 1, 1, 1, -0.5, -1.5, 1, -1, -1)
ts <- c(1, 2, 5, 10, 20, 40)
ll_ray <- vapply(ts, function(s) loglik(s * ray), numeric(1))
cat("log-likelihood along the perfect-fit ray, t =", ts, ":\n", format(ll_ray, digits = 6), "\n")
stopifnot(all(diff(ll_ray) > 0), ll_ray[length(ll_ray)] > -1e-12, all(ll_ray < 0))

starts <- 20
all_starts <- matrix(rnorm(9 * starts), ncol = 9, byrow = TRUE)  # standard normal, one row per start
results <- t(vapply(seq_len(starts), function(i) {
  theta0 <- all_starts[i, ]
  opt <- optim(theta0, function(th) -loglik(th), method = "BFGS",
               control = list(reltol = 1e-12, maxit = 5000))
  c(start_loglik = loglik(theta0), final_loglik = -opt$value,
    max_abs_weight = max(abs(opt$par)), counts = unname(opt$counts[1]))
}, numeric(4)))
print(round(results, 6))
near_perfect <- results[, "final_loglik"] > -1e-3
cat(sum(near_perfect), "of", starts, "random starts reach log-likelihood > -1e-3 (largest:",
    format(max(results[, "final_loglik"]), digits = 6), "); their largest |weight| ranges over",
    format(range(results[near_perfect, "max_abs_weight"]), digits = 4), "\n")
stopifnot(sum(near_perfect) >= 1)

# The same optimizer stopped after more and more iterations: along a run that ends in the
# perfect-fit basin the log-likelihood climbs toward 0 while the weights keep growing
# (the norm of the parameter vector), i.e. the iterates follow a path to infinity
# rather than settling at a finite point.
# the near-perfect run that took the most iterations shows the climb most gradually
run <- which(near_perfect)[which.max(results[near_perfect, "counts"])]
path <- t(vapply(c(25, 50, 100, 200, 400, 800, 1600), function(m) {
  opt <- optim(all_starts[run, ], function(th) -loglik(th), method = "BFGS",
               control = list(reltol = 0, abstol = -Inf, maxit = m))
  c(maxit = m, loglik = -opt$value, norm = sqrt(sum(opt$par^2)))
}, numeric(3)))
cat("start", run, "with a growing iteration limit:\n")
print(path)
stopifnot(all(diff(path[, "loglik"]) >= 0), all(diff(path[, "norm"]) >= 0),
          path[nrow(path), "loglik"] > -1e-6, path[nrow(path), "norm"] > path[1, "norm"])
# Scaling that end point up moves further along the ray: the log-likelihood keeps rising.
opt <- optim(all_starts[run, ], function(th) -loglik(th), method = "BFGS",
             control = list(reltol = 0, abstol = -Inf, maxit = 1600))
scales <- c(0.25, 0.5, 1, 2)
ll_scaled <- vapply(scales, function(s) loglik(s * opt$par), numeric(1))
cat("log-likelihood at s * (end point), s =", scales, ":", format(ll_scaled, digits = 6), "\n")
stopifnot(all(diff(ll_scaled) > 0), all(ll_scaled < 0))

write_json_file(list(
  model = "xor_net.mle",
  data = "xor.csv",
  source = paste0(r_version(), ": analytic perfect-fit ray W = t [[1, 1], [1, 1]], u = t (-1/2, -3/2), ",
                  "v = t (1, -1), d = -t (log-likelihood -> 0 as t -> inf) and optim BFGS from 20 random ",
                  "starts (set.seed(1)) reaching that basin; see models/reference/xor_net.R"),
  converged = FALSE,
  reason = paste0("no finite MLE: a perfect fit exists, log-likelihood supremum 0 ",
                  "is approached only as the weights go to infinity"),
  n_obs = nrow(d),
  log_likelihood_supremum = 0,
  starts = starts,
  seed = 1
), "models/xor_net.expected.json")

# Shared by models/reference/ar1.R, ar2.R and ar1_panel.R: the exact
# Gaussian AR(1) and AR(2) log-likelihoods (the first rows from the
# stationary distribution, as arima(method = "ML") computes them), and an
# optimum and observed information from them without analytic derivatives:
# a Richardson-extrapolated central-difference gradient of the NLL (error
# far below 1e-9), Newton-polished, and the Hessian from Richardson
# differences of that gradient (common.R's hessian_from_gradient).

ar1_loglik <- function(y, mu, phi, sigma) {
  n <- length(y)
  first <- dnorm(y[1], mu, sigma / sqrt(1 - phi^2), log = TRUE)
  if (n == 1) return(first)
  first + sum(dnorm(y[-1], mu + phi * (y[-n] - mu), sigma, log = TRUE))
}

ar2_loglik <- function(y, mu, phi1, phi2, sigma) {
  n <- length(y)
  g0 <- sigma^2 * (1 - phi2) / ((1 + phi2) * ((1 - phi2)^2 - phi1^2))
  r1 <- phi1 / (1 - phi2)
  dnorm(y[1], mu, sqrt(g0), log = TRUE) +
    dnorm(y[2], mu + r1 * (y[1] - mu), sqrt(g0 * (1 - r1^2)), log = TRUE) +
    sum(dnorm(y[3:n], mu + phi1 * (y[2:(n - 1)] - mu) + phi2 * (y[1:(n - 2)] - mu), sigma, log = TRUE))
}

richardson_gradient <- function(f) {
  function(theta) {
    vapply(seq_along(theta), function(j) {
      h <- 1e-3 * max(1, abs(theta[j]))
      e <- numeric(length(theta))
      d <- function(s) { e[j] <- s; (f(theta + e) - f(theta - e)) / (2 * s) }
      d1 <- d(h); d2 <- d(h / 2); d3 <- d(h / 4)
      r1 <- (4 * d2 - d1) / 3
      r2 <- (4 * d3 - d2) / 3
      (16 * r2 - r1) / 15
    }, numeric(1))
  }
}

# The maximum of -nll from `start`: optim (BFGS, reltol 1e-15), then Newton
# steps on the differenced gradient; the estimate, observed-information
# standard errors and log-likelihood.
exact_fit <- function(nll, start, names) {
  grad <- richardson_gradient(nll)
  hess <- function(theta) hessian_from_gradient(grad, theta)
  # (BFGS may try |phi| >= 1 on its way, where the stationary sd is NaN: harmless)
  opt <- suppressWarnings(optim(start, nll, grad, method = "BFGS", control = list(reltol = 1e-15, maxit = 2000)))
  pol <- newton_polish(opt$par, grad, hess, tol = 1e-12)
  theta <- pol$par
  cat("max |gradient| at the optimum:", max(abs(grad(theta))), "\n")
  stopifnot(max(abs(grad(theta))) < 1e-6)
  H <- hess(theta)
  list(estimate = setNames(theta, names), std_error = setNames(sqrt(diag(solve(H))), names),
       loglik = -nll(theta), optimhess_se = setNames(sqrt(diag(solve(optimHess(theta, nll)))), names))
}

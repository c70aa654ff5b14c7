# What models/reference/ordinal_logistic.R and ordinal_probit.R share: the
# ordinal model y in 1..K+1 with cut-points c_1 < ... < c_K and eta = X b,
#   P(y = k) = F(eta - c[k-1]) - F(eta - c[k]),  c[0] = -Inf, c[K+1] = +Inf,
# which is MASS::polr's logit/probit P(Y <= k) = F(zeta_k - eta) with c = zeta.
# theta = (c_1..c_K, b); analytic gradient and Hessian of the NLL, with
# a = eta - c[k-1], b = eta - c[k], P = F(a) - F(b):
#   dl/da = f(a)/P, dl/db = -f(b)/P,
#   d2l/da2 = f'(a)/P - (f(a)/P)^2, d2l/db2 = -f'(b)/P - (f(b)/P)^2, d2l/dadb = f(a) f(b)/P^2
# and a depends on (eta, c[k-1]) as eta - c[k-1], b on (eta, c[k]).
suppressPackageStartupMessages(library(MASS))

ordinal_link <- function(method) {
  if (method == "logistic") {
    list(F = plogis, f = dlogis, fp = function(x) ifelse(is.finite(x), dlogis(x) * (1 - 2 * plogis(x)), 0))
  } else {
    list(F = pnorm, f = dnorm, fp = function(x) ifelse(is.finite(x), -x * dnorm(x), 0))
  }
}

ordinal_model <- function(X, y, K, method) {
  L <- ordinal_link(method)
  n <- nrow(X)
  # A[i, j] = 1 when row i's a uses c_j; B likewise for b.
  A <- outer(y - 1, seq_len(K), "==") * 1
  B <- outer(y, seq_len(K), "==") * 1
  parts <- function(theta) {
    cut <- theta[seq_len(K)]
    eta <- drop(X %*% theta[-seq_len(K)])
    lower <- c(-Inf, cut)[y]
    upper <- c(cut, Inf)[y]
    a <- eta - lower
    b <- eta - upper
    P <- L$F(a) - L$F(b)
    la <- L$f(a) / P
    lb <- -L$f(b) / P
    list(P = P, la = la, lb = lb, laa = L$fp(a) / P - la^2, lbb = -L$fp(b) / P - lb^2, lab = -la * lb)
  }
  nll <- function(theta) {
    cut <- theta[seq_len(K)]
    if (any(diff(cut) <= 0)) return(Inf)
    -sum(log(parts(theta)$P))
  }
  grad <- function(theta) {
    p <- parts(theta)
    -c(-drop(crossprod(A, p$la)) - drop(crossprod(B, p$lb)), drop(crossprod(X, p$la + p$lb)))
  }
  hess <- function(theta) {
    p <- parts(theta)
    # rows' partials in (c, b) as weighted cross products
    w <- function(M1, M2, v) crossprod(M1, M2 * v)
    cc <- w(A, A, p$laa) + w(B, B, p$lbb) + w(A, B, p$lab) + w(B, A, p$lab)
    cb <- -(w(A, X, p$laa + p$lab) + w(B, X, p$lbb + p$lab))
    bb <- w(X, X, p$laa + p$lbb + 2 * p$lab)
    -rbind(cbind(cc, cb), cbind(t(cb), bb))
  }
  list(nll = nll, grad = grad, hess = hess)
}

# Fits with polr, polishes by Newton steps, checks against polr and optim,
# and writes the expected JSON.
ordinal_reference <- function(name, d, covariates, K, method, truth) {
  X <- as.matrix(d[, covariates])
  m <- ordinal_model(X, d$y, K, method)
  fit <- polr(reformulate(covariates, "factor(y)"), data = d, method = method, Hess = TRUE,
              control = list(reltol = 1e-15, maxit = 1000))
  theta_polr <- unname(c(fit$zeta, coef(fit)))
  check_gradient(m$nll, m$grad, theta_polr + 0.05, name)
  pol <- newton_polish(theta_polr, m$grad, m$hess)
  theta_hat <- pol$par
  cat("Newton polish moved the polr estimate by", max(abs(theta_hat - theta_polr)), "in", pol$iter,
      "steps; max |gradient| at the MLE:", max(abs(m$grad(theta_hat))), "\n")
  stopifnot(max(abs(theta_hat - theta_polr)) < 1e-4, max(abs(m$grad(theta_hat))) < 1e-9)
  H <- m$hess(theta_hat)
  stopifnot(max_rel_diff(H, hessian_from_gradient(m$grad, theta_hat)) < 1e-8)
  names_all <- c(paste0("c[", seq_len(K), "]"), paste0("b", seq_along(covariates)))
  estimate <- setNames(theta_hat, names_all)
  std_error <- setNames(sqrt(diag(solve(H))), names_all)
  loglik <- -m$nll(theta_hat)
  # polr's own covariance is from its numerical Hessian at its stopping point
  se_polr <- sqrt(diag(vcov(fit)))[c(names(fit$zeta), covariates)]
  cat("polr: logLik =", format(as.numeric(logLik(fit)), digits = 17), "; max |SE - polr SE|:",
      max(abs(std_error - se_polr)), "\n")
  stopifnot(abs(loglik - as.numeric(logLik(fit))) < 1e-7, max(abs(std_error - se_polr)) < 1e-3)
  print(cbind(truth, estimate, std_error, se_polr))
  cat("log-likelihood:", format(loglik, digits = 17), " counts per category:", tabulate(d$y, K + 1), "\n")
  cross_check(m$nll, unname(estimate), unname(std_error), name)
  write_json_file(list(
    model = paste0(name, ".mle"),
    data = paste0(name, ".csv"),
    source = paste0(r_version(), ": MASS::polr(method = \"", method, "\") (c = zeta) polished by Newton steps on ",
                    "the analytic gradient and Hessian; standard errors from the inverse analytic observed ",
                    "information (polr's vcov, from its numerical Hessian, agrees to 1e-3); see models/reference/",
                    name, ".R and ordinal_common.R"),
    converged = TRUE,
    log_likelihood = loglik,
    n_obs = nrow(d),
    parameters = parameter_list(estimate, std_error),
    true_values = as.list(truth)
  ), paste0("models/", name, ".expected.json"))
}

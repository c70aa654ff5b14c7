# The command's options given to mlec() give the command's report: fix,
# start, starts and seed, bootstrap, profile intervals, the optimizer, threads.

same_as_command <- function(r_fit, args) {
  command <- run_cli(c(args, "--format", "json"))
  expect_identical(sub("\n$", "", mlec_report(r_fit, "json")), command$stdout, label = paste(args, collapse = " "))
}

test_that("fix, start, bootstrap, profile intervals and starts give the command's reports", {
  linear <- c(model_file("linear.mle"), model_file("linear.csv"))
  same_as_command(mlec(linear[1], linear[2], fix = c(sigma = 1)), c(linear, "--fix", "sigma=1"))
  same_as_command(mlec(linear[1], linear[2], start = list(b0 = 3, sigma = 2)),
                  c(linear, "--start", "b0=3", "--start", "sigma=2"))
  same_as_command(mlec(linear[1], linear[2], bootstrap = 30, seed = 5), c(linear, "--bootstrap", "30", "--seed", "5"))
  same_as_command(mlec(linear[1], linear[2], ci = "profile"), c(linear, "--ci", "profile"))
  same_as_command(mlec(linear[1], linear[2], method = "lbfgs"), c(linear, "--method", "lbfgs"))
  net <- c(model_file("xor_net.mle"), model_file("xor.csv"))
  same_as_command(suppressWarnings(mlec(net[1], net[2], starts = 5, seed = 2)), c(net, "--starts", "5", "--seed", "2"))
})

test_that("a held parameter is its value, without a standard error, and not counted", {
  f <- mlec(model_file("linear.mle"), model_file("linear.csv"), fix = c(sigma = 1))
  expect_equal(coef(f)[["sigma"]], 1)
  expect_true(f$parameters["sigma", "fixed"])
  expect_true(is.na(f$parameters["sigma", "std_error"]))
  expect_equal(attr(logLik(f), "df"), 3)
  expect_equal(vcov(f)["sigma", "sigma"], 0)
})

test_that("the bootstrap's percentile intervals and SDs are in the fit", {
  f <- mlec(model_file("linear.mle"), model_file("linear.csv"), bootstrap = 40)
  expect_equal(f$bootstrap_replicates + f$bootstrap_failed, 40L)
  p <- f$parameters
  expect_true(all(p$boot_lower < p$estimate & p$estimate < p$boot_upper))
  # 40 replicates: the bootstrap SD within 40% of the standard error.
  expect_true(all(abs(p$boot_se / p$std_error - 1) < 0.4))
})

test_that("every thread count gives the same fit to the last bit", {
  d <- read_data("poisson.csv")
  one <- mlec(model_file("poisson.mle"), d, threads = 1)
  two <- mlec(model_file("poisson.mle"), d, threads = 2)
  expect_identical(mlec_report(one, "json"), mlec_report(two, "json"))
})

test_that("a refit for intervals that moves the fit warns, and one that does not is silent", {
  # From these starts the mixture's fit stops at a local maximum with one
  # component on a single point; its profile meets the likelihood's
  # unbounded rise as s1 -> 0, and the refit reports the divergence.
  mixture <- c(model_file("mixture.mle"), model_file("mixture.csv"))
  f <- mlec(mixture[1], mixture[2], start = c(m1 = 0, m2 = 0.1))
  expect_equal(f$status, "converged")
  w <- tryCatch(confint(f, method = "profile"), mlec_refit_warning = identity)
  expect_s3_class(w, "mlec_refit_warning")
  expect_equal(w$refit$status, "diverged")
  expect_gt(w$refit$log_likelihood, f$log_likelihood)
  expect_match(conditionMessage(w), paste(
    "ended elsewhere: log-likelihood -652.79939, status diverged, where this fit has -1073.3559, converged",
    "(a higher likelihood: this fit is not the maximum). The refit: no finite maximum"), fixed = TRUE)
  expect_warning(profile(f), class = "mlec_refit_warning")
  logistic <- mlec(model_file("logistic.mle"), model_file("logistic.csv"))
  expect_no_warning(confint(logistic, method = "profile"))
  expect_no_warning(confint(logistic, level = 0.9))
})

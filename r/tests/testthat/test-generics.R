# Every generic on a logistic regression (models/logistic.mle), against R's
# glm on the same data: the numbers an R user would compare.

fit <- function() mlec(model_file("logistic.mle"), model_file("logistic.csv"))
reference <- function() {
  glm(y ~ x1 + x2 + x3, binomial, read_data("logistic.csv"), control = tight)
}

test_that("coef, vcov, logLik, AIC, BIC and nobs agree with glm", {
  f <- fit()
  g <- reference()
  expect_equal(unname(coef(f)), unname(coef(g)), tolerance = 1e-6)
  expect_equal(names(coef(f)), c("b0", "b1", "b2", "b3"))
  expect_equal(unname(vcov(f)), unname(vcov(g)), tolerance = 1e-6)
  expect_equal(dimnames(vcov(f)), list(names(coef(f)), names(coef(f))))
  expect_equal(as.numeric(logLik(f)), as.numeric(logLik(g)), tolerance = 1e-10)
  expect_equal(attr(logLik(f), "df"), 4)
  expect_equal(AIC(f), AIC(g), tolerance = 1e-10)
  expect_equal(BIC(f), BIC(g), tolerance = 1e-10)
  expect_equal(AIC(f), f$aic)
  expect_equal(BIC(f), f$bic)
  expect_equal(nobs(f), 400)
})

test_that("summary's table is summary.glm's", {
  s <- summary(fit())
  sg <- summary(reference())$coefficients
  expect_equal(unname(s$coefficients), unname(sg), tolerance = 1e-6)
  expect_equal(colnames(s$coefficients), c("Estimate", "Std. Error", "z value", "Pr(>|z|)"))
  printed <- capture.output(print(s))
  expect_true(any(grepl("^b1 +1\\.0995", printed)))
  expect_true(any(grepl("Log-likelihood: -216.1875 (df = 4)", printed, fixed = TRUE)))
  expect_true(any(grepl("Status: converged", printed, fixed = TRUE)))
})

test_that("print shows the coefficients and the status", {
  printed <- capture.output(print(fit()))
  expect_equal(printed[1], paste0("mlec fit: ", model_file("logistic.mle"), " to ", model_file("logistic.csv"),
                                 " (400 observations)"))
  expect_true(any(grepl("Status: converged", printed, fixed = TRUE)))
})

test_that("Wald intervals are estimate +- z SE; profile intervals are MASS's", {
  f <- fit()
  g <- reference()
  expect_equal(unname(confint(f)), unname(confint.default(g)), tolerance = 1e-6)
  expect_equal(colnames(confint(f)), c("2.5 %", "97.5 %"))
  expect_equal(unname(confint(f, level = 0.9)), unname(confint.default(g, level = 0.9)), tolerance = 1e-6)
  # MASS's profile intervals interpolate a spline through its profile
  # points (about 3 digits); mlec finds the crossing itself.
  profile_g <- suppressMessages(confint(g))
  expect_equal(unname(confint(f, method = "profile")), unname(profile_g), tolerance = 2e-3)
  expect_equal(rownames(confint(f, "b2")), "b2")
})

test_that("predict gives glm's fitted values and standard errors", {
  f <- fit()
  g <- reference()
  d <- read_data("logistic.csv")
  expect_equal(predict(f, d), unname(predict(g, d, type = "response")), tolerance = 1e-6)
  expect_equal(predict(f), unname(fitted(g)), tolerance = 1e-6)
  pf <- predict(f, d, se.fit = TRUE, type = "link")
  pg <- predict(g, d, se.fit = TRUE, type = "link")
  expect_equal(pf$fit, unname(pg$fit), tolerance = 1e-6)
  expect_equal(pf$se.fit, unname(pg$se.fit), tolerance = 1e-6)
  pr <- predict(f, d[1:5, ], se.fit = TRUE)
  expect_equal(pr$se.fit, unname(predict(g, d[1:5, ], se.fit = TRUE, type = "response")$se.fit), tolerance = 1e-6)
})

test_that("simulate draws 0/1 outcomes at the fitted probabilities, reproducibly", {
  f <- fit()
  s <- simulate(f, nsim = 200, seed = 7)
  expect_equal(dim(s), c(400L, 200L))
  expect_equal(names(s)[1:2], c("sim_1", "sim_2"))
  expect_true(all(unlist(s) %in% c(0, 1)))
  expect_identical(simulate(f, nsim = 2, seed = 7), s[, 1:2] |> structure(seed = 7))
  expect_false(identical(s$sim_1, s$sim_2))
  # Each row's mean of 200 draws is within 5 binomial SDs of its probability.
  p <- predict(f)
  expect_true(all(abs(rowMeans(s) - p) <= 5 * sqrt(p * (1 - p) / 200) + 1e-12))
  set.seed(3)
  a <- simulate(f)
  set.seed(3)
  expect_identical(simulate(f), a)
})

test_that("anova is the likelihood-ratio test glm's anova gives", {
  d <- read_data("logistic.csv")
  m0 <- mlec("y ~ bernoulli(sigmoid(b0 + b1*x1))", d)
  m1 <- mlec(model_file("logistic.mle"), d)
  a <- anova(m0, m1)
  g0 <- glm(y ~ x1, binomial, d, control = tight)
  ga <- anova(g0, reference(), test = "LRT")
  expect_equal(rownames(a), c("m0", "m1"))
  expect_equal(a$Chisq[2], ga$Deviance[2], tolerance = 1e-8)
  expect_equal(a$Df[2], 2L)
  expect_equal(a[["Pr(>Chisq)"]][2], ga[["Pr(>Chi)"]][2], tolerance = 1e-6)
  expect_equal(a$npar, c(2L, 4L))
  expect_equal(a$AIC, c(AIC(m0), AIC(m1)))
  expect_error(anova(m0, lm(y ~ x1, d)), class = "mlec_usage_error")
})

test_that("profile's curves cross qchisq(level, 1) at the profile interval, and plot", {
  f <- fit()
  p <- profile(f)
  expect_s3_class(p, "profile.mlec")
  expect_equal(names(p), names(coef(f)))
  ci <- confint(f, method = "profile")
  for (name in names(p)) {
    curve <- p[[name]]
    expect_equal(min(curve$deviance), 0, tolerance = 1e-8)
    at <- stats::approx(curve$value, curve$deviance, xout = ci[name, ])$y
    expect_equal(at, rep(qchisq(0.95, 1), 2), tolerance = 0.02)
  }
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  expect_invisible(plot(p))
  expect_named(profile(f, which = "b1"), "b1")
})

test_that("tidy and glance have broom's columns and the fit's numbers", {
  f <- fit()
  t <- tidy.mlec(f, conf.int = TRUE)
  expect_equal(names(t), c("term", "estimate", "std.error", "statistic", "p.value", "conf.low", "conf.high"))
  expect_equal(t$estimate, unname(coef(f)))
  expect_equal(t$std.error, unname(sqrt(diag(vcov(f)))), tolerance = 1e-12)
  expect_equal(unname(as.matrix(t[, c("conf.low", "conf.high")])), unname(confint(f)))
  gl <- glance.mlec(f)
  expect_equal(gl$logLik, as.numeric(logLik(f)))
  expect_equal(c(gl$AIC, gl$BIC, gl$nobs, gl$df), c(AIC(f), BIC(f), 400, 4))
  skip_if_not_installed("generics")
  expect_identical(generics::tidy(f), tidy.mlec(f))
  expect_identical(generics::glance(f), gl)
})

test_that("the report and JSON are the mlec command's", {
  f <- fit()
  cli_json <- run_cli(c(model_file("logistic.mle"), model_file("logistic.csv"), "--format", "json"))
  expect_equal(cli_json$status, 0L)
  expect_identical(sub("\n$", "", mlec_report(f, "json")), cli_json$stdout)
  cli_text <- run_cli(c(model_file("logistic.mle"), model_file("logistic.csv")))
  expect_identical(sub("\n$", "", mlec_report(f)), cli_text$stdout)
  expect_match(mlec_plots(f)[["convergence.svg"]], "<svg xmlns=.*<polyline", fixed = FALSE)
  expect_lt(mlec_check_gradient(f)$max_rel_error, 1e-6)
})

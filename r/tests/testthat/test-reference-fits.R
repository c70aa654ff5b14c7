# Fits R users would check mlec against: MASS's glm.nb and polr, and lme4's
# lmer (whose numbers models/mixed/sleepstudy.expected.json keeps, with the
# script that computed them).

test_that("negative binomial regression agrees with MASS::glm.nb", {
  skip_if_not_installed("MASS")
  d <- read_data("negbin.csv")
  f <- mlec(model_file("negbin.mle"), d)
  g <- MASS::glm.nb(y ~ x1 + x2, data = d, control = glm.control(epsilon = 1e-15, maxit = 200))
  expect_equal(unname(coef(f)[c("b0", "b1", "b2")]), unname(coef(g)), tolerance = 1e-6)
  expect_equal(unname(coef(f)["size"]), g$theta, tolerance = 1e-6)
  expect_equal(as.numeric(logLik(f)), as.numeric(logLik(g)), tolerance = 1e-10)
  expect_equal(AIC(f), AIC(g), tolerance = 1e-10)
  # glm.nb's SE of theta is from the observed information, as mlec's.
  expect_equal(unname(sqrt(vcov(f)["size", "size"])), g$SE.theta, tolerance = 1e-4)
})

test_that("ordered logistic regression agrees with MASS::polr", {
  skip_if_not_installed("MASS")
  d <- read_data("ordinal_logistic.csv")
  f <- mlec(model_file("ordinal_logistic.mle"), d)
  g <- MASS::polr(factor(y) ~ x1 + x2, data = d, method = "logistic", Hess = TRUE,
                  control = list(reltol = 1e-15, maxit = 1000))
  expect_equal(unname(coef(f)[c("b1", "b2")]), unname(coef(g)), tolerance = 1e-6)
  expect_equal(unname(coef(f)[c("c[1]", "c[2]", "c[3]")]), unname(g$zeta), tolerance = 1e-6)
  expect_equal(as.numeric(logLik(f)), as.numeric(logLik(g)), tolerance = 1e-9)
  se_polr <- sqrt(diag(vcov(g)))
  expect_equal(unname(sqrt(diag(vcov(f)))[c("b1", "b2", "c[1]", "c[2]", "c[3]")]),
               unname(se_polr[c("x1", "x2", "1|2", "2|3", "3|4")]), tolerance = 1e-4)
})

test_that("sleepstudy by ML and REML agrees with lmer", {
  expected <- jsonlite::fromJSON(file.path(models_dir(), "mixed", "sleepstudy.expected.json"), simplifyVector = FALSE)
  by_id <- stats::setNames(expected$fits, vapply(expected$fits, `[[`, "", "id"))
  d <- utils::read.csv(file.path(models_dir(), "mixed", "sleepstudy.csv"))
  d$Subject <- factor(d$Subject)
  for (reml in c(FALSE, TRUE)) {
    lmer <- by_id[[if (reml) "lmer_REML" else "lmer_ML"]]
    f <- mlec(file.path(models_dir(), "mixed", "sleepstudy.mle"), d, reml = reml)
    expect_equal(f$log_likelihood, lmer$log_likelihood, tolerance = 1e-8)
    fixed <- vapply(lmer$fixed_effects, `[[`, 0, "estimate")
    expect_equal(unname(coef(f)[c("b0", "b1")]), fixed, tolerance = 1e-6)
    se <- vapply(lmer$fixed_effects, `[[`, 0, "std_error")
    expect_equal(unname(f$parameters[c("b0", "b1"), "std_error"]), se, tolerance = 1e-4)
  }
  expect_s3_class(tryCatch(predict(f), error = identity), "mlec_model_error")  # REML: refused by name
  # Population-level predictions are b0 + b1 Days.
  f <- mlec(file.path(models_dir(), "mixed", "sleepstudy.mle"), d)
  p <- predict(f, data.frame(Days = c(0, 5), Subject = factor(c("308", "309"))), population = TRUE)
  expect_equal(p, unname(coef(f)["b0"] + coef(f)["b1"] * c(0, 5)), tolerance = 1e-12)
})

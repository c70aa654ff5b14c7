# Failures as R conditions whose messages are the mlec command's, to the
# character; a fit without a clean maximum warns with its status.

cli_error <- function(args) {
  answer <- run_cli(args)
  expect_true(answer$status != 0L)
  answer$stderr
}

condition_of <- function(expr) tryCatch(expr, condition = function(e) e)

test_that("a model error is an mlec_model_error with the command's positioned message", {
  model <- tempfile(fileext = ".mle")
  writeLines(c("param sigma > 0", "y ~ normall(b0 + b1*x1, sigma)"), model)
  e <- condition_of(mlec(model, model_file("linear.csv")))
  expect_s3_class(e, "mlec_model_error")
  expect_s3_class(e, "error")
  expect_identical(conditionMessage(e), cli_error(c(model, model_file("linear.csv"))))
  expect_match(conditionMessage(e), ":2:5: error: unknown distribution 'normall'; did you mean 'normal'?", fixed = TRUE)
  expect_equal(c(e$line, e$column), c(2L, 5L))
})

test_that("a data error is an mlec_data_error with the command's message", {
  csv <- tempfile(fileext = ".csv")
  writeLines(c("x1,x2,y", "1,2,3", "2,1,oops", "3,3,1"), csv)
  e <- condition_of(mlec(model_file("linear.mle"), csv))
  expect_s3_class(e, "mlec_data_error")
  expect_identical(conditionMessage(e), cli_error(c(model_file("linear.mle"), csv)))
  expect_match(conditionMessage(e), "oops")
  missing <- condition_of(mlec(model_file("linear.mle"), file.path(tempdir(), "no-such.csv")))
  expect_s3_class(missing, "mlec_data_error")
  expect_identical(conditionMessage(missing),
                   cli_error(c(model_file("linear.mle"), file.path(tempdir(), "no-such.csv"))))
})

test_that("a column the model names but the data lack is the command's model error", {
  d <- read_data("linear.csv")
  e <- condition_of(mlec("param sigma > 0\ny ~ normal(b0 + b1*x3, sigma)", d))
  expect_s3_class(e, "mlec_model_error")
  expect_match(conditionMessage(e), "^<model>:2:")
})

test_that("a fit with no finite maximum warns with its status and the reason", {
  w <- condition_of(mlec(model_file("xor_interaction.mle"), model_file("xor.csv")))
  expect_s3_class(w, "mlec_convergence_warning")
  expect_s3_class(w, "warning")
  expect_equal(w$status, "diverged")
  f <- suppressWarnings(mlec(model_file("xor_interaction.mle"), model_file("xor.csv")))
  expect_identical(conditionMessage(w), paste0("mlec: the fit did not converge (diverged): ", f$message))
  expect_false(f$converged)
  expect_equal(f$exit_code, 4L)
  expect_true(is.na(logLik(f)))
  expect_true(is.na(AIC(f)))
  expect_true(all(is.na(coef(f)[f$parameters$diverging])))
  expect_true("separation" %in% names(summary(f)$diagnostics))
})

test_that("options the model cannot take are mlec_usage_errors naming the mistake", {
  f <- function(...) condition_of(mlec(model_file("linear.mle"), model_file("linear.csv"), ...))
  e <- f(fix = c(sigm = 1))
  expect_s3_class(e, "mlec_usage_error")
  expect_match(conditionMessage(e), "did you mean 'sigma'", fixed = TRUE)
  expect_s3_class(f(fix = c(sigma = -1)), "mlec_usage_error")
  expect_s3_class(f(starts = 0), "mlec_usage_error")
  expect_s3_class(f(seed = -1), "mlec_usage_error")
  expect_s3_class(f(threads = 1.5), "mlec_usage_error")
  expect_match(conditionMessage(f(method = "bfgs")), "should be one of")
  expect_s3_class(condition_of(mlec(model_file("linear.mle"), 42)), "mlec_usage_error")
  expect_s3_class(condition_of(mlec(c("a", "b"), model_file("linear.csv"))), "mlec_usage_error")
})

test_that("predict names the covariate new data lack, as the command does", {
  f <- mlec(model_file("logistic.mle"), model_file("logistic.csv"))
  d <- read_data("logistic.csv")[1:3, c("x1", "x2")]
  e <- condition_of(predict(f, d))
  expect_s3_class(e, "mlec_data_error")
  expect_match(conditionMessage(e), "it reads column 'x3', which the new data do not have", fixed = TRUE)
})

# A data.frame's columns as mlec reads them: factors with their levels in
# R's order, character columns as the CSV's texts, logicals as 0/1, NA
# missing (an error, or its row dropped with na = "drop").

json_of <- function(fit) sub("\"data\": \"[^\"]*\"", "", mlec_report(fit, "json"))

test_that("a factor's levels are the group's levels in R's order", {
  d <- read_data("means_by_color.csv")
  from_text <- mlec(model_file("means_by_color.mle"), d)
  expect_equal(names(coef(from_text))[1:3], c("mu[red]", "mu[green]", "mu[blue]"))
  d$color <- factor(d$color, levels = c("blue", "green", "red"))
  from_factor <- mlec(model_file("means_by_color.mle"), d)
  expect_equal(names(coef(from_factor))[1:3], c("mu[blue]", "mu[green]", "mu[red]"))
  expect_equal(coef(from_factor)[names(coef(from_text))], coef(from_text), tolerance = 1e-12)
  means <- tapply(d$y, d$color, mean)
  expect_equal(unname(coef(from_factor)[1:3]), unname(c(means)), tolerance = 1e-10)
  # A level without rows is left out, as lm's model frame drops it (a CSV
  # cannot have one): the fit is the same.
  d$color <- factor(d$color, levels = c("blue", "violet", "green", "red"))
  expect_identical(json_of(mlec(model_file("means_by_color.mle"), d)), json_of(from_factor))
})

test_that("logical and integer columns are their numbers", {
  d <- read_data("xor.csv")
  reference <- mlec(model_file("xor.mle"), d)
  d$y <- d$y == 1
  d$a <- as.integer(d$a)
  expect_true(is.logical(d$y))
  expect_identical(json_of(mlec(model_file("xor.mle"), d)), json_of(reference))
})

test_that("NA is missing: an error naming row and column, or the row dropped", {
  d <- read_data("linear.csv")
  d$x1[5] <- NA
  e <- tryCatch(mlec(model_file("linear.mle"), d), error = function(e) e)
  expect_s3_class(e, "mlec_data_error")
  expect_match(conditionMessage(e), "x1")
  expect_match(conditionMessage(e), "row 5|line 6")
  dropped <- mlec(model_file("linear.mle"), d, na = "drop")
  expect_equal(dropped$rows_dropped, 1)
  expect_equal(nobs(dropped), 199)
  without <- mlec(model_file("linear.mle"), d[-5, ])
  expect_equal(coef(dropped), coef(without), tolerance = 1e-12)
})

test_that("text columns of numbers are numbers; other classes are refused by name", {
  d <- read_data("xor.csv")
  d$a <- as.character(d$a)
  expect_identical(json_of(mlec(model_file("xor.mle"), d)), json_of(mlec(model_file("xor.mle"), read_data("xor.csv"))))
  d$a <- as.Date("2026-01-01") + 0:3
  e <- tryCatch(mlec(model_file("xor.mle"), d), error = function(e) e)
  expect_s3_class(e, "mlec_data_error")
  expect_identical(conditionMessage(e),
                   "column 'a': a Date column; mlec takes numbers, logicals, factors and character columns")
})

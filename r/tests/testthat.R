# R CMD check's entry: the tests in testthat/ (which find the repository's
# models/ through MLEC_SOURCE_DIR, or from this directory in a checkout).
library(testthat)
library(mlec)
test_check("mlec")

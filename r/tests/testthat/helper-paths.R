# Where the repository's models/ and the mlec command are: MLEC_SOURCE_DIR
# and MLEC_CLI (set by tests/r_package.cmake, which CI runs), else this
# checkout seen from r/tests/testthat.
# (Found once, when testthat loads this helper in tests/testthat: a test
# may change the working directory.)
checkout <- local({
  dir <- Sys.getenv("MLEC_SOURCE_DIR", "")
  if (dir == "") dir <- file.path(getwd(), "..", "..", "..")
  normalizePath(dir, mustWork = FALSE)
})

source_dir <- function() {
  testthat::skip_if_not(dir.exists(file.path(checkout, "models")), "the repository's models/ is not here")
  checkout
}

models_dir <- function() file.path(source_dir(), "models")

model_file <- function(name) file.path(models_dir(), name)

cli <- function() {
  path <- Sys.getenv("MLEC_CLI", "")
  testthat::skip_if(path == "", "MLEC_CLI (the mlec command) is not set")
  path
}

# The mlec command's standard output, standard error and exit code.
run_cli <- function(args) {
  out <- tempfile()
  err <- tempfile()
  on.exit(unlink(c(out, err)))
  status <- system2(cli(), shQuote(args), stdout = out, stderr = err)
  list(stdout = paste(readLines(out, warn = FALSE), collapse = "\n"),
       stderr = paste(readLines(err, warn = FALSE), collapse = "\n"), status = status)
}

read_data <- function(name) utils::read.csv(model_file(name), stringsAsFactors = FALSE)

# glm to the last digit it can give (its default tolerance leaves about 1e-7).
tight <- stats::glm.control(epsilon = 1e-14, maxit = 100)

# The R code in docs/r.md and r/README.md runs, from the repository's root,
# and the summary docs/r.md shows is the one printed.

r_blocks <- function(path) {
  lines <- readLines(path, warn = FALSE)
  starts <- which(lines == "```r")
  ends <- which(lines == "```")
  lapply(starts, function(s) lines[(s + 1L):(min(ends[ends > s]) - 1L)])
}

run_blocks <- function(path) {
  old <- setwd(source_dir())
  on.exit(setwd(old))
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off(), add = TRUE)
  env <- new.env()
  for (block in r_blocks(path)) {
    failure <- tryCatch({
      utils::capture.output(suppressMessages(eval(parse(text = block), env)))
      NULL
    }, error = conditionMessage)
    expect_null(failure, label = paste0(basename(path), ": ", block[1]))
  }
  env
}

test_that("docs/r.md's session runs and prints the summary it shows", {
  path <- file.path(source_dir(), "docs", "r.md")
  expect_gte(length(r_blocks(path)), 2L)
  env <- run_blocks(path)
  lines <- readLines(path, warn = FALSE)
  first <- which(startsWith(lines, "mlec fit: models/logistic.mle to <data>"))
  last <- which(startsWith(lines, "Status: converged. converged after 5"))
  shown <- lines[first:last]
  printed <- utils::capture.output(print(summary(env$fit)))
  # (R quotes the significance legend as the locale allows.)
  expect_identical(gsub("[\u2018\u2019]", "'", printed), gsub("[\u2018\u2019]", "'", shown))
})

test_that("r/README.md's examples run", {
  env <- run_blocks(file.path(source_dir(), "r", "README.md"))
  expect_equal(env$interaction$status, "diverged")
  expect_true("separation" %in% names(summary(env$interaction)$diagnostics))
})

# Every help page's examples run, so the pages cannot go stale; every
# exported function has a page.

test_that("every exported function has a help page whose examples run", {
  exported <- getNamespaceExports("mlec")
  db <- tools::Rd_db("mlec")
  aliases <- unlist(lapply(db, tools:::.Rd_get_metadata, "alias"))
  expect_true(all(exported %in% aliases), label = paste(setdiff(exported, aliases), collapse = ", "))
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  for (page in names(db)) {
    code <- tempfile(fileext = ".R")
    tools::Rd2ex(db[[page]], code)
    if (!file.exists(code)) next
    failure <- tryCatch({
      utils::capture.output(source(code, local = new.env()))
      NULL
    }, error = conditionMessage)
    expect_null(failure, label = paste("the examples of", page))
  }
})

# What the user passes, as the native code takes it: a model as text or a
# path, data as a CSV path or columns of doubles (with labels for group
# columns).

# A model is text when it could not be a file name: the model language
# needs `~` (or `target +=` on its own line), and file names almost never
# hold a newline. The Python module decides the same way.
model_spec <- function(model) {
  if (!is.character(model) || length(model) != 1L || is.na(model)) {
    usage_error("model must be model text or the path of a .mle file (one string)")
  }
  is_text <- grepl("\n", model, fixed = TRUE) || grepl("~", model, fixed = TRUE)
  list(is_text = is_text, value = if (is_text) model else path.expand(model))
}

# `data`: a CSV path, or a data.frame (or list) of columns. `what` names
# the argument in messages.
data_spec <- function(data, what = "data") {
  if (is.character(data) && length(data) == 1L && !is.na(data)) {
    return(list(path = path.expand(data), columns = NULL, labels = NULL))
  }
  if (!is.list(data)) {
    usage_error(sprintf("%s must be a data.frame, a list of columns or the path of a CSV file, not %s",
                        what, class(data)[1]))
  }
  names <- names(data)
  if (length(data) > 0L && (is.null(names) || any(is.na(names) | names == ""))) {
    usage_error(sprintf("%s: every column needs a name", what))
  }
  columns <- vector("list", length(data))
  labels <- vector("list", length(data))
  for (k in seq_along(data)) {
    column <- column_of(data[[k]], names[k])
    columns[[k]] <- column$values
    if (!is.null(column$labels)) labels[[k]] <- column$labels
  }
  names(columns) <- names
  list(path = NULL, columns = columns, labels = labels)
}

# One column as doubles, read in place by the library where it already is
# one (no copy). Factors are group columns with their levels in R's order,
# those without rows left out (as lm's model frame drops them; a CSV cannot
# have one);
# character columns are numbers when every cell reads as one (as a CSV's
# texts of numbers are), else group labels in order of first appearance, as
# the CSV column of those texts would give; "" and NA are missing, as an
# empty CSV cell is. Logicals are 0/1.
column_of <- function(x, name) {
  if (is.factor(x)) {
    x <- droplevels(x)
    return(list(values = as.double(unclass(x)), labels = levels(x)))
  }
  if (is.character(x)) {
    x[!is.na(x) & x == ""] <- NA_character_
    numbers <- suppressWarnings(as.numeric(x))
    if (identical(is.na(numbers), is.na(x))) return(list(values = numbers))
    levels <- unique(x[!is.na(x)])
    return(list(values = as.double(match(x, levels)), labels = levels))
  }
  if (!is.null(dim(x)) || (is.object(x) && !inherits(x, "AsIs")) || !(is.numeric(x) || is.logical(x))) {
    stop(mlec_condition("mlec_data_error", sprintf(
      "column '%s': a %s column; mlec takes numbers, logicals, factors and character columns",
      name, class(x)[1])))
  }
  if (is.double(x)) return(list(values = x))
  list(values = as.double(x))
}

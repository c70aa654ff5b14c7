# Predictions and simulations: the library writes the CSV the mlec command
# prints (numbers in their shortest round-trip form), read back here.

read_library_csv <- function(text) {
  utils::read.csv(text = text, stringsAsFactors = FALSE, check.names = FALSE, na.strings = "NA")
}

# For a model with one sampling statement (as glm): the expected outcome
# (type = "response") or the linear predictor of a logit or log link
# (type = "link"), with se.fit = TRUE a list(fit, se.fit) of delta-method
# standard errors. With several statements, the data frame of every
# column mlec predict writes. Without newdata: the rows fitted.
predict.mlec <- function(object, newdata = NULL, se.fit = FALSE, type = c("response", "link"),
                         population = FALSE, ...) {
  type <- match.arg(type)
  spec <- if (is.null(newdata)) NULL else data_spec(newdata, "newdata")
  answer <- native_answer(.Call(C_mlec_predict, object$bound$session, object$pointer, spec,
                                flag(population, "population")))
  for (w in answer$warnings) warning(mlec_condition("mlec_prediction_warning", w, base = "warning"))
  table <- read_library_csv(answer$csv)
  if (length(object$outcomes) != 1L) return(table)
  column <- paste0(object$outcomes, if (type == "response") "_expected" else "_linear_predictor")
  if (!column %in% names(table)) {
    usage_error("this model has no linear predictor (a logit or log link) to predict; use type = \"response\"")
  }
  if (!se.fit) return(table[[column]])
  list(fit = table[[column]], se.fit = table[[paste0(column, "_se")]])
}

# nsim data sets drawn from the fit at its estimate, draw i from the
# library's stream `seed + i - 1` (seed NULL: taken from R's generator, so
# set.seed() makes it reproducible). With one outcome column: a data frame
# of the draws, one column per simulation (sim_1, ...), as simulate.lm.
# Otherwise a list of the simulated data sets. fitted_effects = TRUE draws
# given the fitted random effects' modes (lme4's use.u = TRUE).
simulate.mlec <- function(object, nsim = 1, seed = NULL, fitted_effects = FALSE, ...) {
  nsim <- whole(nsim, "nsim", 1)
  if (is.null(seed)) seed <- sample.int(.Machine$integer.max, 1L)
  seed <- seed_of(seed)
  draws <- lapply(seq_len(nsim), function(i) {
    answer <- native_answer(.Call(C_mlec_simulate, object$bound$session, object$pointer, seed + i - 1,
                                  flag(fitted_effects, "fitted_effects")))
    read_library_csv(answer$csv)
  })
  outcome <- object$outcomes
  if (length(outcome) == 1L && outcome %in% names(draws[[1]])) {
    out <- as.data.frame(stats::setNames(lapply(draws, function(d) d[[outcome]]), paste0("sim_", seq_len(nsim))))
  } else {
    out <- draws
  }
  attr(out, "seed") <- seed
  out
}

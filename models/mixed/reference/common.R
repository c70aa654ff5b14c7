# Helpers shared by the mixed-model reference scripts in models/mixed/reference/.
# Every script is run from the repository root: Rscript models/mixed/reference/NAME.R
#
# A script exports a data set of an R package to models/mixed/NAME.csv, reads the CSV
# back (the fits see only what the file holds), fits it with lme4 and glmmTMB, and writes
# models/mixed/NAME.expected.json; the seconds each fit took go to timings.csv and
# timings.md beside this file.

# The JSON writer of the other references: numbers as "%.17g", so a double round-trips
# (jsonlite is installed, but prints at most 15 significant digits).
source("models/reference/common.R")
suppressPackageStartupMessages({
  library(lme4)
  library(glmmTMB)
})

mixed_dir <- "models/mixed"
reference_dir <- file.path(mixed_dir, "reference")
csv_path <- function(name) file.path(mixed_dir, paste0(name, ".csv"))
json_path <- function(name) file.path(mixed_dir, paste0(name, ".expected.json"))

package_version_text <- function(p) as.character(packageVersion(p))

# The optimizer settings the brief asks for: bobyqa with room for 1e5 evaluations, so
# that the optimum is reached rather than the evaluation limit.
lmer_tight <- function() lmerControl(optimizer = "bobyqa", optCtrl = list(maxfun = 1e5))
glmer_tight <- function() glmerControl(optimizer = "bobyqa", optCtrl = list(maxfun = 1e5))

# --- Data ---------------------------------------------------------------------------

# The shortest of "%.15g", "%.16g", "%.17g" that reads back as the same double.
number_text <- function(x) {
  vapply(x, function(v) {
    for (digits in 15:17) {
      s <- sprintf(paste0("%.", digits, "g"), v)
      if (as.numeric(s) == v) return(s)
    }
    s
  }, character(1), USE.NAMES = FALSE)
}

# Factors as their level labels, numbers exactly; no quotes (no label holds a comma).
write_mixed_csv <- function(df, path) {
  out <- lapply(df, function(col) if (is.factor(col)) as.character(col) else number_text(col))
  out <- as.data.frame(out, stringsAsFactors = FALSE, check.names = FALSE)
  stopifnot(!any(vapply(out, function(col) any(grepl("[,\"]", col)), logical(1))))
  write_plain_csv(out, path)
}

# The data read back from the CSV must be the package's, value for value; a factor
# that enters the fixed effects must also keep its level order (it decides the
# reference level and so the coefficients' names).
check_same_data <- function(original, read_back, fixed_factors = character()) {
  stopifnot(identical(names(original), names(read_back)), nrow(original) == nrow(read_back))
  for (column in names(original)) {
    a <- original[[column]]
    b <- read_back[[column]]
    if (is.factor(a)) {
      stopifnot(identical(as.character(a), as.character(b)))
    } else {
      stopifnot(identical(as.numeric(a), as.numeric(b)))
    }
  }
  for (column in fixed_factors) {
    stopifnot(identical(levels(original[[column]]), levels(read_back[[column]])))
  }
  invisible(TRUE)
}

# A factor read from the CSV with its levels in the order given (by default the
# numeric order of numeric labels, else R's sort order, as factor() does).
as_factor <- function(x, levels = NULL) {
  if (is.null(levels)) levels <- sort(unique(x))
  factor(as.character(x), levels = as.character(levels))
}

factor_levels <- function(df, columns) {
  setNames(lapply(columns, function(c) as.list(levels(df[[c]]))), columns)
}

# --- Running a fit ------------------------------------------------------------------

# Reads the CSV and fits, `reps` times, each timed by system.time (elapsed, and the
# CPU time of this process, after a gc) from reading the file to the fitted object.
# CPU time is kept too because the machine is shared: elapsed time grows with other
# jobs' load, CPU time much less (R, the reference BLAS and these fits use one thread). Warnings and messages are collected
# (lme4 reports a singular fit as a message, a convergence problem as a warning).
timed_fit <- function(run, read_data, csv, reps) {
  elapsed <- numeric(reps)
  cpu <- numeric(reps)
  load <- load_average()
  warnings <- character()
  messages <- character()
  fit <- NULL
  for (i in seq_len(reps)) {
    warnings <- character()
    messages <- character()
    t <- system.time(fit <- withCallingHandlers(run(read_data(csv)),
      warning = function(w) {
        warnings <<- c(warnings, conditionMessage(w))
        invokeRestart("muffleWarning")
      },
      message = function(m) {
        messages <<- c(messages, trimws(conditionMessage(m)))
        invokeRestart("muffleMessage")
      }))
    elapsed[i] <- t[["elapsed"]]
    cpu[i] <- t[["user.self"]] + t[["sys.self"]]
  }
  list(fit = fit, warnings = unique(one_line(warnings)), messages = unique(one_line(messages)), elapsed = elapsed, cpu = cpu,
       load = load)
}

# R's messages may span lines; the JSON writer escapes quotes and backslashes only.
one_line <- function(text) trimws(gsub("[[:space:]]+", " ", text))

# The machine's one-minute load average before a timing (other users' jobs included),
# recorded beside the seconds it may have slowed; NA where the system does not say.
load_average <- function() {
  if (!file.exists("/proc/loadavg")) return(NA_real_)
  as.numeric(strsplit(readLines("/proc/loadavg", n = 1), " ")[[1]][1])
}

# A fit as the JSON records it: what was fitted and how, then the estimates.
fit_header <- function(spec, run_result) {
  tool <- spec$tool
  list(
    id = spec$id,
    tool = tool,
    tool_version = package_version_text(tool),
    call = spec$call,
    formula = spec$formula,
    family = spec$family,
    link = spec$link,
    method = spec$method,
    warnings = as.list(run_result$warnings),
    messages = as.list(run_result$messages)
  )
}

# Variance components as standard deviations and correlations, one entry a grouping
# factor, in the order the tool lists them (lme4 sorts terms by decreasing number of
# levels; glmmTMB keeps the formula's order).
variance_components <- function(vc) {
  unname(lapply(names(vc), function(g) {
    m <- vc[[g]]
    list(group = g,
         terms = as.list(colnames(m)),
         sd = as.list(unname(attr(m, "stddev"))),
         correlation = matrix_rows(attr(m, "correlation")))
  }))
}

matrix_rows <- function(m) lapply(seq_len(nrow(m)), function(i) as.list(unname(m[i, ])))

fixed_effects <- function(estimate, covariance) {
  se <- sqrt(diag(as.matrix(covariance)))
  stopifnot(identical(names(estimate), names(se)))
  parameter_list(estimate, se)
}

log_likelihood_fields <- function(fit) {
  ll <- logLik(fit)
  list(log_likelihood = as.numeric(ll), df = attr(ll, "df"), nobs = nobs(fit))
}

# Conditional modes with their conditional SDs: `post` is the k x k x levels array of
# conditional covariances (lme4's "postVar", glmmTMB's "condVar").
conditional_modes_of <- function(modes, covariance_of) {
  unname(lapply(names(modes), function(g) {
    r <- modes[[g]]
    post <- covariance_of(r)
    k <- ncol(r)
    post <- array(post, c(k, k, nrow(r)))
    list(group = g,
         levels = as.list(rownames(r)),
         mode = setNames(lapply(r, function(col) as.list(unname(col))), names(r)),
         cond_sd = setNames(lapply(seq_len(k), function(j) as.list(sqrt(post[j, j, ]))), names(r)))
  }))
}

# lme4: vcov is what summary() reports. For lmer it is sigma^2 (X'V^-1 X)^-1 given the
# variance parameters; for glmer (use.hessian) the fixed-effects block of the inverse
# Hessian of the deviance in (theta, beta) jointly.
lme4_record <- function(spec, run_result, with_modes = FALSE) {
  fit <- run_result$fit
  conv <- fit@optinfo$conv
  record <- c(fit_header(spec, run_result), list(
    optimizer = paste(fit@optinfo$optimizer, collapse = "+"),
    optimizer_code = conv$opt,
    lme4_convergence_messages = as.list(one_line(as.character(unlist(conv$lme4$messages)))),
    max_abs_gradient = if (length(fit@optinfo$derivs$gradient)) max(abs(fit@optinfo$derivs$gradient)) else NULL,
    singular = isSingular(fit),
    fixed_effects = fixed_effects(fixef(fit), vcov(fit)),
    variance_components = variance_components(VarCorr(fit))
  ))
  if (isLMM(fit)) record$residual_sd <- sigma(fit)
  if (isGLMM(fit) && grepl("^Negative Binomial", family(fit)$family)) {
    record$nbinom2_size <- getME(fit, "glmer.nb.theta")
  }
  record$lme4_theta <- as.list(unname(getME(fit, "theta")))
  record <- c(record, log_likelihood_fields(fit))
  if (isREML(fit)) record$reml_criterion <- unname(REMLcrit(fit))
  if (with_modes) {
    record$conditional_modes <- conditional_modes_of(ranef(fit, condVar = TRUE),
                                                     function(r) attr(r, "postVar"))
  }
  drop_null(record)
}

drop_null <- function(x) Filter(Negate(is.null), x)

# glmmTMB: vcov is the inverse of the Hessian of the (Laplace) marginal log-likelihood
# in all fixed parameters, beta block. sigma() is the residual SD for gaussian and the
# NB2 size theta (variance mu + mu^2 / theta) for nbinom2.
glmmTMB_record <- function(spec, run_result, with_modes = FALSE) {
  fit <- run_result$fit
  record <- c(fit_header(spec, run_result), list(
    optimizer = "nlminb",
    optimizer_code = fit$fit$convergence,
    optimizer_message = fit$fit$message,
    positive_definite_hessian = fit$sdr$pdHess,
    max_abs_gradient = max(abs(fit$sdr$gradient.fixed)),
    fixed_effects = fixed_effects(fixef(fit)$cond, vcov(fit)$cond),
    variance_components = variance_components(VarCorr(fit)$cond)
  ))
  fam <- family(fit)$family
  if (fam == "gaussian") record$residual_sd <- sigma(fit)
  if (fam == "nbinom2") record$nbinom2_size <- sigma(fit)
  record <- c(record, log_likelihood_fields(fit))
  if (with_modes) {
    record$conditional_modes <- conditional_modes_of(ranef(fit, condVar = TRUE)$cond,
                                                     function(r) attr(r, "condVar"))
  }
  record
}

# Runs every spec one after the other (never two at once: the timings are baselines).
run_fits <- function(specs, read_data, csv, reps, with_modes = FALSE) {
  records <- list()
  timings <- list()
  for (spec in specs) {
    cat("fitting", spec$id, "...\n")
    r <- timed_fit(spec$run, read_data, csv, reps)
    record <- if (spec$tool == "lme4") lme4_record(spec, r, with_modes) else glmmTMB_record(spec, r, with_modes)
    cat(sprintf("  logLik %.10f (df %d), median %.3f s over %d run(s)%s\n",
                record$log_likelihood, as.integer(record$df), median(r$elapsed), reps,
                if (length(r$warnings)) paste0("; warnings: ", paste(r$warnings, collapse = " | ")) else ""))
    records[[spec$id]] <- record
    timings[[spec$id]] <- data.frame(fit = spec$id, tool = spec$tool, method = spec$method,
                                     runs = reps, median_seconds = sprintf("%.3f", median(r$elapsed)),
                                     seconds = paste(sprintf("%.3f", r$elapsed), collapse = " "),
                                     median_cpu_seconds = sprintf("%.3f", median(r$cpu)),
                                     load_before = sprintf("%.2f", r$load))
    attr(records[[spec$id]], "fit") <- r$fit
  }
  list(records = records, timings = do.call(rbind, timings))
}

fit_of <- function(record) attr(record, "fit")

# Expected-results file: the data set, then every fit.
write_expected <- function(name, origin, data, factor_columns, notes, fits, checks = list()) {
  records <- lapply(unname(fits$records), function(r) {
    attr(r, "fit") <- NULL
    r
  })
  out <- list(
    data_set = name,
    data = paste0(name, ".csv"),
    origin = origin,
    generated_by = paste0("reference/", name, ".R"),
    r_version = r_version(),
    rows = nrow(data),
    columns = as.list(names(data)),
    factor_levels = if (length(factor_columns)) factor_levels(data, factor_columns) else setNames(list(), character()),
    notes = as.list(notes),
    fits = records
  )
  if (length(checks)) out$checks <- checks
  write_json_file(out, json_path(name))
  # a second, independent reader of what was written
  if (requireNamespace("jsonlite", quietly = TRUE)) invisible(jsonlite::fromJSON(json_path(name)))
}

# --- Timings ------------------------------------------------------------------------

# timings.csv keeps every data set's latest timings (a script replaces its own rows);
# timings.md is rewritten from it each time.
record_timings <- function(name, timings) {
  path <- file.path(reference_dir, "timings.csv")
  timings <- cbind(data_set = name, timings,
                   measured = format(Sys.time(), "%Y-%m-%d", tz = "UTC"),
                   r = as.character(getRversion()),
                   lme4 = package_version_text("lme4"),
                   glmmTMB = package_version_text("glmmTMB"))
  if (file.exists(path)) {
    old <- read.csv(path, colClasses = "character")
    old <- old[old$data_set != name, , drop = FALSE]
    timings <- rbind(old, as.data.frame(lapply(timings, as.character)))
  }
  write.csv(timings, path, row.names = FALSE, quote = FALSE)
  write_timings_md(read.csv(path, colClasses = "character"))
}

write_timings_md <- function(t) {
  order <- c("sleepstudy", "cbpp", "grouseticks", "Contraception", "VerbAgg", "Salamanders", "InstEval")
  t <- t[order(match(t$data_set, order)), ]
  lines <- c(
    "# Timings of the reference fits",
    "",
    "Seconds from reading the CSV to the fitted object (`system.time`, after a garbage",
    "collection), one fit at a time in one R session: the median of the runs' elapsed",
    "times (each run listed) and of their CPU times (user + system; R, the reference BLAS",
    "and these fits run on one thread). Written by the scripts beside this file (`timings.csv` holds the",
    "same numbers); the baselines of mlec's benchmarks on mixed models.",
    "",
    sprintf("R %s (reference BLAS), lme4 %s, glmmTMB %s (TMB %s), Matrix %s, on Debian 12.",
            getRversion(), package_version_text("lme4"), package_version_text("glmmTMB"),
            package_version_text("TMB"), package_version_text("Matrix")),
    "The machine has 2 cores and was shared with other jobs: \"load\" is its one-minute load",
    "average just before the fit's runs: above 1, elapsed time overstates the work and CPU",
    "time is the steadier baseline.",
    "",
    "| data set | fit | tool | method | runs | median elapsed s | elapsed s, each run | median CPU s | load | measured |",
    "|---|---|---|---|---|---|---|---|---|---|",
    sprintf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |", t$data_set, t$fit, t$tool, t$method,
            t$runs, t$median_seconds, t$seconds, t$median_cpu_seconds, t$load_before, t$measured))
  writeLines(lines, file.path(reference_dir, "timings.md"))
}

# --- lme4 and glmmTMB at one point -----------------------------------------------------

# lme4's Laplace log-likelihood (-deviance / 2 of glmer's nAGQ = 1 objective) at the
# estimates of a glmmTMB fit of the same model. lme4's theta holds, per term in lme4's
# order, the lower Cholesky factor of the term's covariance column by column (glmer has
# no residual scale to divide by). Comparing it with lme4's own optimum tells whether a
# difference between the tools is in where they stop or in the value they compute.
lme4_log_likelihood_at <- function(glmer_fit, tmb_fit) {
  devfun <- update(glmer_fit, devFunOnly = TRUE)
  vc <- VarCorr(tmb_fit)$cond
  cnms <- getME(glmer_fit, "cnms")
  theta <- unlist(lapply(seq_along(cnms), function(i) {
    S <- vc[[names(cnms)[i]]][cnms[[i]], cnms[[i]], drop = FALSE]
    L <- t(chol(S))
    L[lower.tri(L, diag = TRUE)]
  }))
  beta <- fixef(tmb_fit)$cond[names(fixef(glmer_fit))]
  -devfun(c(theta, beta)) / 2
}

# The check recorded in the JSON: both tools' values and where each tool's objective puts
# the other's optimum.
tool_agreement <- function(fits, glmer_id, tmb_id) {
  g <- fits$records[[glmer_id]]
  t <- fits$records[[tmb_id]]
  at <- lme4_log_likelihood_at(fit_of(g), fit_of(t))
  cat(sprintf("lme4 %.10f, glmmTMB %.10f (difference %.3g); lme4's objective at glmmTMB's estimates %.10f\n",
              g$log_likelihood, t$log_likelihood, t$log_likelihood - g$log_likelihood, at))
  list(lme4_log_likelihood = g$log_likelihood,
       glmmTMB_log_likelihood = t$log_likelihood,
       glmmTMB_minus_lme4 = t$log_likelihood - g$log_likelihood,
       lme4_objective_at_glmmTMB_estimates = at)
}

# Reference predictions conditional on the random effects, with standard errors, from
# glmmTMB's predict(se.fit = TRUE) (TMB's sdreport: the parameters' covariance carried
# through the modes plus the effects' conditional variance), for mlec's `predict`:
# - sleepstudy (gaussian, correlated intercepts and slopes) at five of its rows;
# - cbpp (binomial) at six rows, as expected counts size * p (type = "response");
# - crossed.csv, simulated here: y ~ 1 + x + (1 | a) + (1 | b), 8 x 6 levels of which
#   some pairs never meet in the data, predicted at every pair (new_crossed.csv), so
#   that the pairs the fit never saw are among them.
# Writes models/mixed/conditional_predictions.expected.json (and crossed.csv,
# new_crossed.csv). Run from the repository root:
#   Rscript models/mixed/reference/conditional_predictions.R
source("models/mixed/reference/common.R")

rows_of <- function(nd, p, scale = 1) {
  unname(Map(function(i, fit, se) list(row = i, expected = fit, std_error = se),
             seq_len(nrow(nd)), as.numeric(scale * p$fit), as.numeric(scale * p$se.fit)))
}

out <- list(tool = paste("glmmTMB", package_version_text("glmmTMB")), r = r_version())

s <- read.csv(csv_path("sleepstudy"))
s$Subject <- as_factor(s$Subject)
fs <- glmmTMB(Reaction ~ Days + (Days | Subject), s, family = gaussian, REML = FALSE)
ns <- s[c(1, 10, 55, 100, 180), ]
out$sleepstudy <- list(
  call = "predict(glmmTMB(Reaction ~ Days + (Days | Subject), family = gaussian), newdata, se.fit = TRUE)",
  log_likelihood = as.numeric(logLik(fs)), rows = as.list(c(1, 10, 55, 100, 180)),
  predictions = rows_of(ns, predict(fs, newdata = ns, se.fit = TRUE)))

b <- read.csv(csv_path("cbpp"))
b$herd <- as_factor(b$herd)
b$period <- as_factor(b$period)
fb <- glmmTMB(cbind(incidence, size - incidence) ~ period + (1 | herd), b, family = binomial)
rb <- c(1, 2, 3, 19, 20, 21)
nb <- b[rb, ]
out$cbpp <- list(
  call = "size * predict(glmmTMB(cbind(incidence, size - incidence) ~ period + (1 | herd), family = binomial), newdata, se.fit = TRUE, type = \"response\")",
  log_likelihood = as.numeric(logLik(fb)), rows = as.list(rb),
  predictions = rows_of(nb, predict(fb, newdata = nb, se.fit = TRUE, type = "response"), nb$size))

# The first seed whose data give both SDs clearly above 0 (a singular fit would drop a
# factor, and with it the pairs the fit never saw) and leave some pairs unseen.
simulate_crossed <- function(seed) {
  set.seed(seed)
  n <- 45
  crossed <- data.frame(a = sample(1:8, n, replace = TRUE), b = sample(1:6, n, replace = TRUE),
                        x = round(rnorm(n), 3))
  ua <- rnorm(8, 0, 1.2)
  ub <- rnorm(6, 0, 1.2)
  crossed$y <- round(1 + 0.5 * crossed$x + ua[crossed$a] + ub[crossed$b] + rnorm(n), 4)
  crossed$a[1:8] <- 1:8  # every level seen
  crossed$b[1:6] <- 1:6
  crossed[, c("y", "x", "a", "b")]
}
for (seed in 1:100) {
  crossed <- simulate_crossed(seed)
  d <- crossed
  d$a <- factor(d$a)
  d$b <- factor(d$b)
  sds <- sqrt(unlist(VarCorr(glmmTMB(y ~ x + (1 | a) + (1 | b), d, family = gaussian))$cond))
  if (all(sds > 0.4) && length(unique(paste(d$a, d$b))) < 40) break
}
write_mixed_csv(crossed, csv_path("crossed"))
cr <- read.csv(csv_path("crossed"))
cr$a <- as_factor(cr$a)
cr$b <- as_factor(cr$b)
fc <- glmmTMB(y ~ x + (1 | a) + (1 | b), cr, family = gaussian, REML = FALSE)
grid <- expand.grid(b = 1:6, a = 1:8)
new_crossed <- data.frame(x = 0.3, a = grid$a, b = grid$b)
write_mixed_csv(new_crossed, csv_path("new_crossed"))
nc <- read.csv(csv_path("new_crossed"))
nc$a <- factor(nc$a, levels = levels(cr$a))
nc$b <- factor(nc$b, levels = levels(cr$b))
seen <- paste(cr$a, cr$b)
out$crossed <- list(
  call = "predict(glmmTMB(y ~ x + (1 | a) + (1 | b), family = gaussian), newdata = new_crossed.csv, se.fit = TRUE)",
  log_likelihood = as.numeric(logLik(fc)),
  unseen_pairs = sum(!(paste(nc$a, nc$b) %in% seen)),
  predictions = rows_of(nc, predict(fc, newdata = nc, se.fit = TRUE)))

write_json_file(out, json_path("conditional_predictions"))

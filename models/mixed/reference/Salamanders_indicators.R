# models/mixed/Salamanders_indicators.csv: Salamanders.csv with the treatment contrast of its
# text factor `mined` as a 0/1 column, for models/mixed/Salamanders.mle (the language has no
# factor syntax, and no comparison of a text column with text, to write it itself):
#   minedno = (mined == "no"): R's contrast for the levels in Salamanders.expected.json's
#   factor_levels ("yes" first, the reference, as in glmmTMB's data).
# The other columns are copied as text. Then glmmTMB is fitted to the new file with the
# indicator: its log-likelihood and estimates must equal the factor fit's in
# Salamanders.expected.json (printed, and an error if not within 1e-8 relative). Run from the
# repository root.
library(glmmTMB)
library(jsonlite)
d <- read.csv("models/mixed/Salamanders.csv", colClasses = "character")
stopifnot(setequal(d$mined, c("yes", "no")))
out <- data.frame(count = d$count, minedno = as.integer(d$mined == "no"), site = d$site)
write.csv(out, "models/mixed/Salamanders_indicators.csv", row.names = FALSE, quote = FALSE)

back <- read.csv("models/mixed/Salamanders_indicators.csv")
m <- glmmTMB(count ~ minedno + (1 | site), back, family = nbinom2)
expected <- fromJSON("models/mixed/Salamanders.expected.json", simplifyVector = FALSE)
fit <- Filter(function(f) f$id == "glmmTMB_Laplace", expected$fits)[[1]]
ll <- as.numeric(logLik(m))
reference <- unlist(lapply(fit$fixed_effects, function(e) e$estimate))
cat(sprintf("logLik %.17g (factor fit %.17g)\n", ll, fit$log_likelihood))
cat(sprintf("%s %.17g (factor fit %.17g)\n", names(fixef(m)$cond), fixef(m)$cond, reference), sep = "")
cat(sprintf("size %.17g (factor fit %.17g)\n", sigma(m), fit$nbinom2_size))
stopifnot(abs(ll - fit$log_likelihood) <= 1e-8 * abs(fit$log_likelihood))
stopifnot(max(abs(fixef(m)$cond - reference)) <= 1e-6)

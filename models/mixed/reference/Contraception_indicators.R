# models/mixed/Contraception_indicators.csv: Contraception.csv with the treatment contrasts
# of its text factors as 0/1 columns, for models/mixed/Contraception.mle (the language has
# no factor syntax, and no comparison of a text column with text, to write them itself):
#   urbanY = (urban == "Y"), livch1 = (livch == "1"), livch2 = (livch == "2"),
#   livch3 = (livch == "3+"): R's contrasts for the levels in
#   Contraception.expected.json's factor_levels (first level the reference).
# The other columns are copied as text, so every number reads back as the same double.
# Then glmmTMB is fitted to the new file with the indicators: its log-likelihood and
# estimates must equal the factor fit's in Contraception.expected.json (printed, and an
# error if not within 1e-8 relative). Run from the repository root.
library(glmmTMB)
library(jsonlite)
d <- read.csv("models/mixed/Contraception.csv", colClasses = "character")
stopifnot(setequal(d$urban, c("N", "Y")), setequal(d$livch, c("0", "1", "2", "3+")))
out <- data.frame(use = d$use, urbanY = as.integer(d$urban == "Y"), age = d$age,
                  livch1 = as.integer(d$livch == "1"), livch2 = as.integer(d$livch == "2"),
                  livch3 = as.integer(d$livch == "3+"), district = d$district)
write.csv(out, "models/mixed/Contraception_indicators.csv", row.names = FALSE, quote = FALSE)

back <- read.csv("models/mixed/Contraception_indicators.csv")
m <- glmmTMB(use ~ urbanY + age + I(age^2) + livch1 + livch2 + livch3 + (urbanY | district), back,
             family = binomial)
expected <- fromJSON("models/mixed/Contraception.expected.json", simplifyVector = FALSE)
fit <- Filter(function(f) f$id == "glmmTMB_Laplace", expected$fits)[[1]]
ll <- as.numeric(logLik(m))
reference <- unlist(lapply(fit$fixed_effects, function(e) e$estimate))
cat(sprintf("logLik %.17g (factor fit %.17g)\n", ll, fit$log_likelihood))
cat(sprintf("%s %.17g (factor fit %.17g)\n", names(fixef(m)$cond), fixef(m)$cond, reference), sep = "")
stopifnot(abs(ll - fit$log_likelihood) <= 1e-8 * abs(fit$log_likelihood))
stopifnot(max(abs(fixef(m)$cond - reference)) <= 1e-6)

# models/mixed/VerbAgg_indicators.csv: VerbAgg.csv with the treatment contrasts of its text
# factors as 0/1 columns, for models/mixed/VerbAgg.mle (the language has no factor syntax,
# and no comparison of a text column with text, to write them itself):
#   GenderM = (Gender == "M"), btypescold = (btype == "scold"),
#   btypeshout = (btype == "shout"), situself = (situ == "self"): R's contrasts for the levels
#   in VerbAgg.expected.json's factor_levels (first level the reference).
# The other columns are copied as text, so every number reads back as the same double.
# Then glmmTMB is fitted to the new file with the indicators: its log-likelihood and
# estimates must equal the factor fit's in VerbAgg.expected.json (printed, and an error if
# not within 1e-8 relative). Run from the repository root.
library(glmmTMB)
library(jsonlite)
d <- read.csv("models/mixed/VerbAgg.csv", colClasses = "character")
stopifnot(setequal(d$Gender, c("F", "M")), setequal(d$btype, c("curse", "scold", "shout")),
          setequal(d$situ, c("other", "self")))
out <- data.frame(r2 = d$r2, Anger = d$Anger, GenderM = as.integer(d$Gender == "M"),
                  btypescold = as.integer(d$btype == "scold"), btypeshout = as.integer(d$btype == "shout"),
                  situself = as.integer(d$situ == "self"), id = d$id, item = d$item)
write.csv(out, "models/mixed/VerbAgg_indicators.csv", row.names = FALSE, quote = FALSE)

back <- read.csv("models/mixed/VerbAgg_indicators.csv")
m <- glmmTMB(r2 ~ Anger + GenderM + btypescold + btypeshout + situself + (1 | id) + (1 | item), back,
             family = binomial)
expected <- fromJSON("models/mixed/VerbAgg.expected.json", simplifyVector = FALSE)
fit <- Filter(function(f) f$id == "glmmTMB_Laplace", expected$fits)[[1]]
ll <- as.numeric(logLik(m))
reference <- unlist(lapply(fit$fixed_effects, function(e) e$estimate))
cat(sprintf("logLik %.17g (factor fit %.17g)\n", ll, fit$log_likelihood))
cat(sprintf("%s %.17g (factor fit %.17g)\n", names(fixef(m)$cond), fixef(m)$cond, reference), sep = "")
stopifnot(abs(ll - fit$log_likelihood) <= 1e-8 * abs(fit$log_likelihood))
stopifnot(max(abs(fixef(m)$cond - reference)) <= 1e-6)

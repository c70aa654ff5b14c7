# Reference for models/ordinal_probit.mle on models/ordinal_probit.csv: an
# ordered probit regression, y in 1..5, eta = b1 x1, four cut-points
# (models/reference/ordinal_common.R has the model and its analytic
# derivatives; MASS::polr(method = "probit") gives the start).
source("models/reference/common.R")
source("models/reference/ordinal_common.R")
set.seed(20261206)

n <- 300
truth <- c("c[1]" = -1.2, "c[2]" = -0.3, "c[3]" = 0.5, "c[4]" = 1.4, b1 = 0.9)
x1 <- round(rnorm(n), 6)
latent <- truth[["b1"]] * x1 + rnorm(n)
y <- 1L + findInterval(latent, truth[1:4])
write_plain_csv(data.frame(x1 = sprintf("%.6f", x1), y = y), "models/ordinal_probit.csv")

d <- read.csv("models/ordinal_probit.csv")
stopifnot(is.integer(d$y), identical(sort(unique(d$y)), 1:5))
ordinal_reference("ordinal_probit", d, "x1", 4, "probit", truth)

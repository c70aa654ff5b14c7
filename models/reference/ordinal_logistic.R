# Reference for models/ordinal_logistic.mle on models/ordinal_logistic.csv:
# an ordered logistic regression, y in 1..4, eta = b1 x1 + b2 x2, three
# cut-points (models/reference/ordinal_common.R has the model and its
# analytic derivatives; MASS::polr gives the start).
source("models/reference/common.R")
source("models/reference/ordinal_common.R")
set.seed(20261205)

n <- 400
truth <- c("c[1]" = -1, "c[2]" = 0.4, "c[3]" = 1.8, b1 = 1.2, b2 = -0.8)
x1 <- round(rnorm(n), 6)
x2 <- rbinom(n, 1, 0.4)
latent <- truth[["b1"]] * x1 + truth[["b2"]] * x2 + rlogis(n)
y <- 1L + findInterval(latent, truth[1:3])
write_plain_csv(data.frame(x1 = sprintf("%.6f", x1), x2 = x2, y = y), "models/ordinal_logistic.csv")

d <- read.csv("models/ordinal_logistic.csv")
stopifnot(is.integer(d$y), identical(sort(unique(d$y)), 1:4))
ordinal_reference("ordinal_logistic", d, c("x1", "x2"), 3, "logistic", truth)

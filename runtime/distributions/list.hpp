// Every distribution of the model language, one line each, in the order of
// the table (runtime/distributions.cpp), which "did you mean" suggestions
// walk. From this list come the declarations of the definitions (one per
// file under runtime/distributions/, runtime/distributions/detail.hpp) and
// the table itself: adding a distribution is its file and its line here.
#pragma once

// One line a name, so that adding one is one line:
// clang-format off
#define MLEC_DISTRIBUTIONS(X) \
    X(bernoulli) \
    X(bernoulli_logit) \
    X(binomial) \
    X(poisson) \
    X(poisson_log) \
    X(negbinomial) \
    X(geometric) \
    X(beta_binomial) \
    X(zero_inflated_poisson) \
    X(zero_inflated_negbinomial) \
    X(hurdle_poisson) \
    X(hurdle_negbinomial) \
    X(von_mises) \
    X(normal) \
    X(lognormal) \
    X(skew_normal) \
    X(student_t) \
    X(cauchy) \
    X(laplace) \
    X(logistic) \
    X(gumbel) \
    X(exponential) \
    X(gamma) \
    X(inv_gamma) \
    X(weibull) \
    X(pareto) \
    X(beta) \
    X(uniform) \
    X(categorical) \
    X(multinomial) \
    X(ordered_logistic) \
    X(ordered_probit)
// clang-format on

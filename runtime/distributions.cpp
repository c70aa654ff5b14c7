// The table of distributions; each one's math lives in its own file under
// runtime/distributions/.
#include "runtime/distributions.hpp"

#include <array>

#include "runtime/distributions/detail.hpp"

namespace mlec::rt {

bool in_domain(Domain d, double x) { return detail::in_domain_fast(d, x); }

std::string_view domain_text(Domain d) {
    switch (d) {
        case Domain::real: return "a real number";
        case Domain::positive: return "positive";
        case Domain::nonnegative: return "non-negative";
        case Domain::unit_open: return "in (0, 1)";
        case Domain::unit_closed: return "in [0, 1]";
        case Domain::binary: return "0 or 1";
        case Domain::count: return "a non-negative integer";
        case Domain::category: return "a category number 1, 2, ...";
    }
    return "";
}

std::span<const DistributionDef* const> all_distributions() {
    // Function-local: the definitions live in other translation units.
    static const std::array<const DistributionDef*, 19> table{
        &detail::bernoulli_def(),   &detail::bernoulli_logit_def(), &detail::binomial_def(),
        &detail::poisson_def(),     &detail::poisson_log_def(),     &detail::negbinomial_def(),
        &detail::geometric_def(),   &detail::normal_def(),          &detail::lognormal_def(),
        &detail::student_t_def(),   &detail::cauchy_def(),          &detail::laplace_def(),
        &detail::logistic_def(),    &detail::exponential_def(),     &detail::gamma_def(),
        &detail::weibull_def(),     &detail::beta_def(),            &detail::uniform_def(),
        &detail::categorical_def()};
    return table;
}

const DistributionDef* find_distribution(std::string_view name) {
    for (const DistributionDef* def : all_distributions()) {
        if (def->name == name) return def;
    }
    return nullptr;
}

}  // namespace mlec::rt

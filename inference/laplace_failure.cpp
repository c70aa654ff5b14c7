// Why the Laplace approximation has no value at a point, in the user's
// terms: how the inner minimization over the random effects failed, and at
// which effect and level of its grouping column (rt::Laplace::failed_effect).
#include "inference/fit_context.hpp"

namespace mlec::inference {

namespace {

// "u[g] at level 'A'" for coordinate j of z; "" when j names no level.
std::string effect_level(const Problem::Impl& p, int j) {
    for (const interp::RandomEffect& e : p.model.random_effects) {
        const rt::Effect& effect = p.model.graph.effects()[static_cast<std::size_t>(e.effect)];
        if (j < effect.first || j >= effect.first + effect.levels) continue;
        return e.name + "[" + e.column + "] at level '" + e.level_names[static_cast<std::size_t>(j - effect.first)] +
               "'";
    }
    for (const interp::IntegratedParameter& b : p.model.integrated)
        if (j == b.z) return "the fixed effect '" + b.name + "', integrated out by REML";
    return {};
}

// A profiled group parameter's entry (interp::profile_group_parameters)
// whose inner maximization failed: with no prior, a likelihood that keeps
// rising along it has no maximum there (as when every outcome of its level
// is 0, or 1 for a binary outcome).
std::optional<std::string> profiled_failure(const Problem::Impl& p, const rt::Laplace& laplace) {
    const int j = laplace.failed_effect();
    for (const interp::IntegratedParameter& b : p.model.integrated) {
        if (!b.profiled || b.z != j) continue;
        if (laplace.inner_status() == rt::InnerStatus::not_a_minimum)
            return "the likelihood has no single maximum in the group parameter '" + b.name +
                   "' at the start values: Newton's method over it stopped where the curvature is negative";
        return "the group parameter '" + b.name +
               "' has no finite maximum likelihood estimate: Newton's method over the group parameters found the "
               "likelihood still rising along it (as when every outcome of its level is 0, or 1 for a binary "
               "outcome: the data of that level alone push it to infinity); drop that level or bound the "
               "parameter";
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> laplace_failure(const Problem::Impl& p) {
    const rt::Laplace* laplace = p.workspace.laplace.get();
    if (!laplace) return std::nullopt;
    if (laplace->inner_status() != rt::InnerStatus::converged && laplace->inner_status() != rt::InnerStatus::not_finite)
        if (auto profiled = profiled_failure(p, *laplace)) return profiled;
    const std::string where = effect_level(p, laplace->failed_effect());
    const std::string at = where.empty() ? "" : " (at " + where + ")";
    const std::string start = "the Laplace approximation has no value at the start values: ";
    switch (laplace->inner_status()) {
        case rt::InnerStatus::converged:
        case rt::InnerStatus::not_finite: return std::nullopt;
        case rt::InnerStatus::not_a_minimum:
            return start + "the likelihood is not log-concave in the random effects" + at +
                   ": Newton's method over them stopped at a point where the curvature is negative, not at a mode "
                   "(as with an effect that enters only squared, whose likelihood has two modes); write the "
                   "effect so that the likelihood has one mode in it, or give other start values";
        case rt::InnerStatus::no_descent:
            return start + "Newton's method over the random effects found no step that raises the integrand" + at +
                   "; give other start values (a smaller standard deviation of the random effects)";
        case rt::InnerStatus::iteration_limit:
            return start + "Newton's method over the random effects did not converge in its iterations" + at +
                   "; give other start values (a smaller standard deviation of the random effects)";
    }
    return std::nullopt;
}

}  // namespace mlec::inference

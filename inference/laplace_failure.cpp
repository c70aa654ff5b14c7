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

}  // namespace

std::optional<std::string> laplace_failure(const Problem::Impl& p) {
    const rt::Laplace* laplace = p.workspace.laplace.get();
    if (!laplace) return std::nullopt;
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

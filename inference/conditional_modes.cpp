// The random effects' conditional modes and standard deviations at the
// estimate (FitResult::random_effects).
//
// At theta_hat the Laplace approximation's inner problem gives the modes
// z_hat of the spherical effects and H, the Hessian of F = NLL + z'z/2 in
// z there; the effects' conditional distribution given the data is
// approximated by N(z_hat, H^-1) (exact for a linear mixed model). A
// random effect u = s z (docs/language.md, "Random effects") has mode
// s z_hat and conditional SD |s| sqrt((H^-1)_jj): lme4's ranef(condVar =
// TRUE), conditional on theta_hat. Only the diagonal of H^-1 is needed,
// and the selected inverse has it.
#include <cmath>

#include "inference/fit_context.hpp"

namespace mlec::inference {

namespace {

// Position of each (j, j) in the pattern's values (CSC, lower triangle).
std::vector<std::size_t> diagonal_positions(const rt::EffectPattern& pattern) {
    std::vector<std::size_t> out;
    for (std::size_t j = 0; j + 1 < pattern.col_start.size(); ++j)
        for (int k = pattern.col_start[j]; k < pattern.col_start[j + 1]; ++k)
            if (pattern.row[static_cast<std::size_t>(k)] == static_cast<int>(j))
                out.push_back(static_cast<std::size_t>(k));
    return out;
}

}  // namespace

void conditional_modes(FitContext& c) {
    rt::Laplace* laplace = c.p.workspace.laplace.get();
    if (!laplace || c.p.model.random_effects.empty()) return;
    const Eigen::VectorXd theta = c.full(c.theta);
    if (!std::isfinite(laplace->value(theta))) return;
    const Eigen::VectorXd& z = laplace->modes();
    c.r.effect_modes = z;
    const std::vector<double> inverse = laplace->inverse_on_pattern();
    const std::vector<std::size_t> diagonal = diagonal_positions(c.p.evaluator().effect_pattern());
    Eigen::VectorXd unused;
    for (const interp::RandomEffect& e : c.p.model.random_effects) {
        const double s = c.p.evaluator().invariant_gradient(theta, e.scale_node, unused);
        const rt::Effect& effect = c.p.model.graph.effects()[static_cast<std::size_t>(e.effect)];
        RandomEffectModes modes{e.name, e.column, {}};
        for (int level = 0; level < effect.levels; ++level) {
            const auto j = static_cast<std::size_t>(effect.first + level);
            modes.levels.push_back(RandomEffectLevel{e.level_names[static_cast<std::size_t>(level)],
                                                     s * z[static_cast<Eigen::Index>(j)],
                                                     std::abs(s) * std::sqrt(inverse[diagonal[j]])});
        }
        c.r.random_effects.push_back(std::move(modes));
    }
}

}  // namespace mlec::inference

// The random effects' conditional modes and standard deviations at the
// estimate (FitResult::random_effects).
//
// At theta_hat the Laplace approximation's inner problem gives the modes
// z_hat of the spherical effects and H, the Hessian of F = NLL + z'z/2 in
// z there; the effects' conditional distribution given the data is
// approximated by N(z_hat, H^-1) (exact for a linear mixed model). A
// random effect u = s z (docs/language.md, "Random effects") has mode
// s z_hat and conditional SD |s| sqrt((H^-1)_jj): lme4's ranef(condVar =
// TRUE), conditional on theta_hat. The selected inverse holds the entries
// of H^-1 it needs.
//
// Under REML, H is the Hessian in the effects and the fixed effects beta
// together, and its inverse is their joint covariance given theta. lme4's
// conditional SDs are given beta_hat as well, so the effects' covariance
// is conditioned on beta: H^-1_zz - H^-1_zb (H^-1_bb)^-1 H^-1_bz (the
// inverse of H's z block), from H^-1's columns of beta by p solves.
#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>

#include "inference/fit_context.hpp"

namespace mlec::inference {

namespace {

// The position of (i, j) in the pattern's values (CSC, lower triangle), or
// -1 when the pattern has no such entry.
long position(const rt::EffectPattern& pattern, int i, int j) {
    const int column = std::min(i, j), row = std::max(i, j);
    for (int k = pattern.col_start[static_cast<std::size_t>(column)];
         k < pattern.col_start[static_cast<std::size_t>(column) + 1]; ++k)
        if (pattern.row[static_cast<std::size_t>(k)] == row) return k;
    return -1;
}

// The correction of H^-1's entries that conditions them on REML's fixed
// effects: entry (i, j) loses a_i' B^-1 a_j, a_i = H^-1's row i at beta and
// B = (H^-1)_bb. Empty without fixed effects integrated out.
struct GivenFixedEffects {
    Eigen::MatrixXd columns;  // H^-1's columns of beta (q x p)
    Eigen::LLT<Eigen::MatrixXd> block;

    double correction(int i, int j) const {
        if (columns.size() == 0) return 0.0;
        return columns.row(i).dot(block.solve(columns.row(j).transpose()));
    }
};

GivenFixedEffects given_fixed_effects(const Problem::Impl& p, const rt::Laplace& laplace) {
    GivenFixedEffects out;
    if (p.model.integrated.empty()) return out;
    std::vector<int> beta;
    for (const interp::IntegratedParameter& b : p.model.integrated) beta.push_back(b.z);
    out.columns = laplace.inverse_columns(beta);
    Eigen::MatrixXd block(beta.size(), beta.size());
    for (std::size_t i = 0; i < beta.size(); ++i) block.row(static_cast<Eigen::Index>(i)) = out.columns.row(beta[i]);
    out.block.compute(block);
    return out;
}

}  // namespace

// An effect at a level is u = sum_j c_j z_j (interp::RandomEffect::
// coefficients: c = {s} for an independent effect, sd_m L[m, 1..m] for
// entry m of a correlated block): its mode is sum_j c_j z_hat_j, its
// conditional variance sum_jk c_j c_k (H^-1)_jk, the z's of one level
// sharing their rows and so H's pattern.
void conditional_modes(FitContext& c) {
    rt::Laplace* laplace = c.p.workspace.laplace.get();
    const std::vector<interp::RandomEffect>& effects = c.p.model.random_effects;
    if (!laplace || effects.empty()) return;
    const Eigen::VectorXd theta = c.full(c.theta);
    if (!std::isfinite(laplace->value(theta))) return;
    const Eigen::VectorXd& z = laplace->modes();
    c.r.effect_modes = z;
    const std::vector<double> inverse = laplace->inverse_on_pattern();
    const rt::EffectPattern& pattern = c.p.evaluator().effect_pattern();
    const GivenFixedEffects given = given_fixed_effects(c.p, *laplace);
    Eigen::VectorXd unused;
    for (std::size_t i = 0; i < effects.size(); ++i) {
        const interp::RandomEffect& e = effects[i];
        const std::size_t first = e.block >= 0 ? static_cast<std::size_t>(e.block) : i;
        std::vector<double> coefficient;
        std::vector<const rt::Effect*> of;
        for (std::size_t j = 0; j < e.coefficients.size(); ++j) {
            coefficient.push_back(c.p.evaluator().invariant_gradient(theta, e.coefficients[j], unused));
            of.push_back(&c.p.model.graph.effects()[static_cast<std::size_t>(effects[first + j].effect)]);
        }
        RandomEffectModes modes{e.name, e.column, {}};
        const rt::Effect& own = c.p.model.graph.effects()[static_cast<std::size_t>(e.effect)];
        for (int level = 0; level < own.levels; ++level) {
            double mode = 0, variance = 0;
            for (std::size_t j = 0; j < coefficient.size(); ++j) {
                const int zj = of[j]->first + level;
                mode += coefficient[j] * z[zj];
                for (std::size_t k = 0; k < coefficient.size(); ++k) {
                    const int zk = of[k]->first + level;
                    const long at = position(pattern, zj, zk);
                    variance += coefficient[j] * coefficient[k] *
                                ((at < 0 ? 0.0 : inverse[static_cast<std::size_t>(at)]) - given.correction(zj, zk));
                }
            }
            modes.levels.push_back(RandomEffectLevel{e.level_names[static_cast<std::size_t>(level)], mode,
                                                     std::sqrt(std::max(0.0, variance))});
        }
        c.r.random_effects.push_back(std::move(modes));
    }
}

}  // namespace mlec::inference

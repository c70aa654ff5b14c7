#include "problem/quadrature.hpp"

#include <cmath>
#include <string>

#include "report/number_format.hpp"

namespace mlec::problem {

namespace {

std::string quoted_effect(const interp::RandomEffect& e) {
    std::string out = "'";
    out.append(e.name).append("[").append(e.column).append("]'");
    return out;
}

}  // namespace

Diagnostics check_quadrature(const Model::Impl& model, const interp::CheckedModel& checked,
                             const BindOptions& options) {
    Diagnostics out;
    const int nodes = options.agq_nodes;
    if (nodes == 1) return out;
    if (nodes < 1 || nodes > most_quadrature_nodes) {
        std::string message = "adaptive quadrature needs 1 to ";
        message.append(std::to_string(most_quadrature_nodes))
            .append(" nodes per level (1: the Laplace approximation), not ")
            .append(std::to_string(nodes));
        out.push_back(Diagnostic::error(Category::usage, model.source.name(), std::move(message)));
        return out;
    }
    if (options.reml) {
        // (REML's flat effects are no level's, and its normal model's
        // integral is the Laplace approximation's, exactly)
        out.push_back(Diagnostic::error(Category::usage, model.source.name(),
                                        "adaptive quadrature and REML do not combine: REML is for normal models, "
                                        "whose integral over the random effects the Laplace approximation computes "
                                        "exactly"));
        return out;
    }
    const auto& effects = checked.random_effects;
    if (effects.empty()) {
        out.push_back(Diagnostic::error(Category::usage, model.source.name(),
                                        "adaptive quadrature integrates random effects, and the model has none: its "
                                        "likelihood is computed exactly"));
        return out;
    }
    // (Named: the first effect on another column than the first's.)
    for (std::size_t k = 1; k < effects.size(); ++k) {
        if (effects[k].column == effects.front().column) continue;
        std::string message = "adaptive quadrature needs every random effect on one grouping column; ";
        message.append(quoted_effect(effects.front()))
            .append(" and ")
            .append(quoted_effect(effects[k]))
            .append(" are on two (crossed or nested effects are integrated by the Laplace approximation only)");
        out.push_back(model.source.diagnostic(effects[k].span, std::move(message)));
        return out;
    }
    const auto most = static_cast<std::size_t>(rt::AdaptiveQuadrature::most_effects_per_level);
    if (effects.size() > most) {
        std::string message = "adaptive quadrature integrates at most ";
        message.append(std::to_string(most))
            .append(" random effects per level (K^d nodes for d of them), and '")
            .append(effects.front().column)
            .append("' has ")
            .append(std::to_string(effects.size()))
            .append(" (such a model is integrated by the Laplace approximation only)");
        out.push_back(model.source.diagnostic(effects[most].span, std::move(message)));
        return out;
    }
    if (const double per_level = std::pow(nodes, static_cast<double>(effects.size()));
        per_level > most_nodes_per_level) {
        std::string message = "adaptive quadrature with ";
        message.append(std::to_string(nodes))
            .append(" nodes for each of the ")
            .append(std::to_string(effects.size()))
            .append(" random effects per level of '")
            .append(effects.front().column)
            .append("' has ")
            .append(report::format_digits(per_level, 6))
            .append(" nodes per level, each two sweeps of the data per evaluation; at most ")
            .append(report::format_digits(most_nodes_per_level, 6))
            .append(" are allowed");
        out.push_back(Diagnostic::error(Category::usage, model.source.name(), std::move(message)));
    }
    return out;
}

void bind_quadrature(Problem::Impl& p) {
    if (p.agq_nodes <= 1 || !p.workspace.laplace) return;
    p.workspace.quadrature =
        std::make_unique<rt::AdaptiveQuadrature>(p.model.graph, p.evaluator(), *p.workspace.laplace, p.agq_nodes);
    // (d effects per level: the tensor rule's K^d nodes)
    const auto d = static_cast<int>(p.model.graph.effects().size());
    int per_level = 1;
    for (int e = 0; e < d; ++e) per_level *= p.agq_nodes;
    std::string note = "the ";
    note.append(std::to_string(p.model.graph.effect_size()))
        .append(" random effects are integrated out by adaptive Gauss-Hermite quadrature, ")
        .append(std::to_string(p.agq_nodes));
    if (d == 1) note.append(" nodes per level");
    else note.append(" nodes per dimension (").append(std::to_string(per_level)).append(" per level)");
    note.append(", with its exact gradient; standard errors from central differences of that gradient");
    p.model.notes.back() = std::move(note);
}

}  // namespace mlec::problem

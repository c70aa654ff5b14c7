#include "problem/quadrature.hpp"

#include <string>

namespace mlec::problem {

namespace {

std::string quoted_effect(const interp::RandomEffect& e) {
    std::string out = "'";
    out.append(e.name).append("[").append(e.column).append("]'");
    return out;
}

}  // namespace

Diagnostics check_quadrature(const Model::Impl& model, const interp::CheckedModel& checked, int nodes) {
    Diagnostics out;
    if (nodes == 1) return out;
    if (nodes < 1 || nodes > most_quadrature_nodes) {
        std::string message = "adaptive quadrature needs 1 to ";
        message.append(std::to_string(most_quadrature_nodes))
            .append(" nodes per level (1: the Laplace approximation), not ")
            .append(std::to_string(nodes));
        out.push_back(Diagnostic::error(Category::usage, "", std::move(message)));
        return out;
    }
    const auto& effects = checked.random_effects;
    if (effects.empty()) {
        out.push_back(Diagnostic::error(Category::usage, model.source.name(),
                                        "adaptive quadrature integrates random effects, and the model has none: its "
                                        "likelihood is computed exactly"));
        return out;
    }
    // (The first effect on another column, else the second on the same.)
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
    if (effects.size() > 1) {
        std::string message = "adaptive quadrature is not yet available for more than one random effect per level: ";
        message.append(quoted_effect(effects.front()))
            .append(" and ")
            .append(quoted_effect(effects[1]))
            .append(" are both on '")
            .append(effects.front().column)
            .append("' (such a model is integrated by the Laplace approximation only)");
        out.push_back(model.source.diagnostic(effects[1].span, std::move(message)));
    }
    return out;
}

void bind_quadrature(Problem::Impl& p) {
    if (p.agq_nodes <= 1 || !p.workspace.laplace) return;
    p.workspace.quadrature = std::make_unique<rt::AdaptiveQuadrature>(p.evaluator(), *p.workspace.laplace, p.agq_nodes);
    std::string note = "the ";
    note.append(std::to_string(p.model.graph.effect_size()))
        .append(" random effects are integrated out by adaptive Gauss-Hermite quadrature, ")
        .append(std::to_string(p.agq_nodes))
        .append(
            " nodes per level, with its exact gradient; standard errors from central differences of that "
            "gradient");
    p.model.notes.back() = std::move(note);
}

}  // namespace mlec::problem

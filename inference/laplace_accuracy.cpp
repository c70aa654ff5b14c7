// Whether the Laplace approximation a fit used is likely poor (the
// laplace_inaccurate diagnostic), measured where it can be: with every
// random effect on one grouping column, adaptive Gauss-Hermite quadrature
// with check_nodes() nodes per dimension (runtime/adaptive_quadrature) is
// evaluated at the estimate, and a log-likelihood that differs by more than
// `inaccurate_log_likelihood` is reported with the refit that fixes it
// (--agq). Elsewhere (crossed or nested effects, more than 3 per level)
// nothing mlec has measures it, so binary outcomes with few rows per level,
// where the approximation is known to be biased (Joe 2008, "Accuracy of
// Laplace approximation for discrete response mixed models", CSDA 52), are
// reported as such, without a number.
#include <cmath>
#include <string>

#include "inference/fit_context.hpp"
#include "report/number_format.hpp"
#include "runtime/adaptive_quadrature.hpp"

namespace mlec::inference {

namespace {

// A handful of nodes measures the Laplace error well: on cbpp the Laplace
// log-likelihood is 0.04 from the exact one, 7 nodes' 1.5e-5
// (models/mixed/cbpp.expected.json, checks). With d effects per level the
// rule has K^d nodes, a value sweep of the data each: 7, 5 and 3 per
// dimension keep the check under 50 sweeps, a small part of a fit's.
int check_nodes(std::size_t effects_per_level) { return effects_per_level == 1 ? 7 : effects_per_level == 2 ? 5 : 3; }
// A difference in log-likelihood that matters to inference: it moves a
// likelihood-ratio statistic (twice the difference) by 0.2, 5% of the
// chi-square(1) 5% cutoff 3.84, and an AIC by as much. Smaller errors of
// the approximation are common (cbpp's is 0.04) and change no conclusion.
constexpr double inaccurate_log_likelihood = 0.1;
// Binary outcomes with at most this many rows per level on average: each
// level's integrand in z is then far from normal.
constexpr double few_rows_per_level = 5;

bool binary(const interp::TermInfo& t) {
    if (!t.distribution) return false;
    const std::string_view name = t.distribution->name;
    return name == "bernoulli" || name == "bernoulli_logit";
}

void measured(FitContext& c) {
    const int nodes = check_nodes(c.p.model.graph.effects().size());
    rt::AdaptiveQuadrature quadrature(c.p.model.graph, c.p.evaluator(), *c.p.workspace.laplace, nodes);
    const double nll = quadrature.value(c.full(c.theta));
    // (leaves the Laplace approximation's modes at the estimate's, as it found them)
    if (!std::isfinite(nll) || !std::isfinite(c.nll)) return;
    const double difference = c.nll - nll;  // the quadrature's log-likelihood minus the Laplace one
    if (!(std::abs(difference) > inaccurate_log_likelihood)) return;
    std::string message =
        "the Laplace approximation is likely poor here: at the estimates, adaptive Gauss-Hermite "
        "quadrature with ";
    message.append(std::to_string(nodes))
        .append(" nodes per dimension gives the log-likelihood ")
        .append(report::format_digits(-nll, 10))
        .append(", the Laplace approximation ")
        .append(report::format_digits(-c.nll, 10))
        .append(" (a difference of ")
        .append(report::format_digits(difference, 3))
        .append("); refit with --agq ")
        .append(std::to_string(nodes))
        .append(" (BindOptions::agq_nodes)");
    c.r.diagnostics.push_back(FitDiagnostic{.kind = DiagnosticKind::laplace_inaccurate,
                                            .message = std::move(message),
                                            .parameters = {},
                                            .columns = {c.p.model.random_effects.front().column}});
}

void by_design(FitContext& c) {
    bool any_binary = false;
    for (const interp::TermInfo& t : c.p.model.terms) any_binary = any_binary || binary(t);
    if (!any_binary) return;
    for (const interp::RandomEffect& e : c.p.model.random_effects) {
        const double per_level = static_cast<double>(c.p.total_rows) / static_cast<double>(e.level_names.size());
        if (e.level_names.empty() || per_level > few_rows_per_level) continue;
        std::string message = "the Laplace approximation may be poor here: binary outcomes with ";
        message.append(report::format_digits(per_level, 3))
            .append(" rows per level of '")
            .append(e.column)
            .append(
                "' on average; adaptive quadrature, which would measure and remove its error, needs every "
                "random effect on one grouping column");
        c.r.diagnostics.push_back(FitDiagnostic{.kind = DiagnosticKind::laplace_inaccurate,
                                                .message = std::move(message),
                                                .parameters = {},
                                                .columns = {e.column}});
        return;
    }
}

}  // namespace

void check_laplace_accuracy(FitContext& c) {
    const Problem::Impl::Workspace& w = c.p.workspace;
    // (REML's normal models are integrated exactly)
    if (!w.laplace || w.quadrature || !c.p.model.integrated.empty()) return;
    if (rt::AdaptiveQuadrature::applies(c.p.model.graph)) measured(c);
    else by_design(c);
}

}  // namespace mlec::inference

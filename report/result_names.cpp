// Names and text of a fit result's typed values (statuses, methods,
// diagnostic kinds, limits, bounds): the result holds enums and numbers,
// and these are the only place they become text, for the reports, the C
// API and the Python module alike.
#include "report/result_names.hpp"

#include <cmath>

#include "report/number_format.hpp"

namespace mlec {

std::string_view to_string(FitStatus status) {
    switch (status) {
        case FitStatus::converged: return "converged";
        case FitStatus::not_identified: return "not_identified";
        case FitStatus::not_a_maximum: return "not_a_maximum";
        case FitStatus::diverged: return "diverged";
        case FitStatus::max_iterations: return "max_iterations";
        case FitStatus::line_search_failed: return "line_search_failed";
        case FitStatus::non_finite_start: return "non_finite_start";
        case FitStatus::cancelled: return "cancelled";
        case FitStatus::invalid_options: return "invalid_options";
    }
    return "unknown";
}

std::string_view to_string(Method method) {
    switch (method) {
        case Method::automatic: return "auto";
        case Method::newton: return "newton";
        case Method::lbfgs: return "lbfgs";
    }
    return "unknown";
}

std::string_view to_string(CiMethod ci) {
    switch (ci) {
        case CiMethod::wald: return "wald";
        case CiMethod::profile: return "profile";
    }
    return "unknown";
}

std::string_view to_string(DiagnosticKind kind) {
    switch (kind) {
        case DiagnosticKind::separation: return "separation";
        case DiagnosticKind::divergence: return "divergence";
        case DiagnosticKind::limit_fit: return "limit_fit";
        case DiagnosticKind::on_bound: return "on_bound";
        case DiagnosticKind::singular_fit: return "singular_fit";
        case DiagnosticKind::flat_direction: return "flat_direction";
        case DiagnosticKind::not_positive_definite: return "not_positive_definite";
        case DiagnosticKind::ill_conditioned: return "ill_conditioned";
        case DiagnosticKind::domain_edge: return "domain_edge";
        case DiagnosticKind::exact_fit: return "exact_fit";
        case DiagnosticKind::gradient_check: return "gradient_check";
        case DiagnosticKind::laplace_inaccurate: return "laplace_inaccurate";
    }
    return "unknown";
}

std::string limit_text(double limit) {
    if (std::isnan(limit)) return "";
    if (std::isinf(limit)) return limit > 0 ? "+inf" : "-inf";
    return report::format_short(limit);
}

namespace report {

// (Built by append: GCC 12 warns falsely (-Wrestrict) on "> " + string.)
std::string bounds_text(const ParameterBounds& b) {
    if (b.simplex) return "simplex";
    const bool lower = std::isfinite(b.lower), upper = std::isfinite(b.upper);
    std::string s;
    if (lower && upper)
        s.append("(").append(format_short(b.lower)).append(", ").append(format_short(b.upper)).append(")");
    else if (lower) s.append("> ").append(format_short(b.lower));
    else if (upper) s.append("< ").append(format_short(b.upper));
    return s;
}

}  // namespace report

}  // namespace mlec

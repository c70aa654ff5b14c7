// The text report: what R's summary() shows, plus what mlec decided for the
// user (which names are data and which parameters) and every warning.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "mlec/mlec.hpp"
#include "report/number_format.hpp"
#include "report/result_names.hpp"

namespace mlec {

namespace {

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
    return out;
}

std::string cell(const std::optional<double>& x, int digits = 7) {
    return x ? report::format_digits(*x, digits) : "n/a";
}

std::string p_value_text(const std::optional<double>& p) {
    if (!p) return "n/a";
    if (*p < 2.2e-16) return "<2.2e-16";
    return report::format_digits(*p, 4);
}

// Columns padded to their widest cell: the first left-aligned, the rest right.
void print_rows(std::ostringstream& out, const std::vector<std::vector<std::string>>& rows) {
    std::vector<std::size_t> width(rows[0].size(), 0);
    for (const auto& row : rows)
        for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t c = 0; c < row.size(); ++c) {
            const std::string pad(width[c] - row[c].size(), ' ');
            line += c == 0 ? row[c] + pad : "  " + pad + row[c];
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out << line << "\n";
    }
}

// A diverging parameter shows where it goes, never a number; a fixed one
// its value and "fixed" where an estimated one has its standard error, a
// standard deviation estimated at 0 "boundary" (singular_fit); an
// estimate conditional on the diverging ones' limit is marked '*'
// (limit_footnote).
void print_table(std::ostringstream& out, const std::vector<ParameterEstimate>& estimates, double confidence,
                 const char* label) {
    const int ci_percent = static_cast<int>(std::lround(confidence * 100));
    std::vector<std::vector<std::string>> rows;
    rows.push_back({label, "estimate", "std.error", "z", "p-value", std::to_string(ci_percent) + "% lower",
                    std::to_string(ci_percent) + "% upper"});
    for (const auto& p : estimates) {
        if (p.diverging) {
            rows.push_back({p.name, "-> " + limit_text(p.diverges_to), "", "", "", "", ""});
            continue;
        }
        if (p.fixed) {
            rows.push_back({p.name, report::format_digits(p.estimate, 7), "fixed", "", "", "", ""});
            continue;
        }
        if (p.at_zero) {  // (its interval is the profile's, one-sided, whatever --ci says)
            rows.push_back({p.name, "0", "boundary", "", "", cell(p.ci_lower), cell(p.ci_upper)});
            continue;
        }
        rows.push_back({p.name + (p.conditional_on_limit ? " *" : ""), report::format_digits(p.estimate, 7),
                        cell(p.std_error), cell(p.z, 4), p_value_text(p.p_value),
                        cell(p.ci_lower) + (p.ci_lower_open ? " (open)" : ""),
                        cell(p.ci_upper) + (p.ci_upper_open ? " (open)" : "")});
    }
    print_rows(out, rows);
}

// The footnote of the '*' marks: the limit the marked estimates assume
// ("" when nothing is marked).
std::string limit_footnote(const FitResult& r) {
    bool marked = false;
    std::vector<std::string> limits;
    for (const auto* list : {&r.parameters, &r.derived})
        for (const auto& p : *list) {
            marked = marked || p.conditional_on_limit;
            if (p.diverging) limits.push_back(p.name + " -> " + limit_text(p.diverges_to));
        }
    return marked ? "* conditional on the limit " + join(limits) + "\n" : "";
}

// "in 'time ~ weibull(...) censored(right = cens)': 138 of 300 rows
// right-censored; truncated to T[0, ]"
std::string censoring_line(const CensoringSummary& c, std::size_t rows) {
    std::string line = "in '";
    line.append(c.statement).append("':");
    std::string counts;
    auto count = [&](const std::optional<std::size_t>& n, const char* kind) {
        if (!n) return;
        counts.append(counts.empty() ? " " : ", ").append(std::to_string(*n)).append(" ").append(kind);
    };
    count(c.right, "right-censored");
    count(c.left, "left-censored");
    count(c.interval, "interval-censored");
    if (!counts.empty()) line.append(counts).append(" of ").append(std::to_string(rows)).append(" rows");
    if (!c.truncation.empty()) line.append(counts.empty() ? " " : "; ").append("truncated to ").append(c.truncation);
    return line;
}

}  // namespace

std::string text_report(const FitResult& r) {
    std::ostringstream out;
    out << (r.reml ? "REML fit of " : "Maximum likelihood fit of ") << r.model_name << " to " << r.data_name << "\n";
    out << "  data columns: " << (r.data_columns.empty() ? "(none)" : join(r.data_columns)) << "\n";
    std::vector<std::string> declared, implicit, fixed;
    for (const auto& p : r.parameters) {
        const std::string bounds = report::bounds_text(p.bounds);
        std::string label = p.name + (bounds.empty() ? "" : " " + bounds);
        (p.implicit ? implicit : declared).push_back(label);
        if (p.fixed) fixed.push_back(p.name + " = " + report::format_exact(p.estimate));
    }
    if (!declared.empty()) out << "  declared parameters: " << join(declared) << "\n";
    if (!implicit.empty()) out << "  implicit parameters (free names that are not columns): " << join(implicit) << "\n";
    if (!fixed.empty()) out << "  fixed parameters (held, not estimated): " << join(fixed) << "\n";
    out << "\n";

    print_table(out, r.parameters, r.confidence, "parameter");
    if (r.ci_method == CiMethod::profile) out << "(intervals: profile likelihood)\n";
    if (!r.derived.empty()) {
        out << "\nreported quantities (delta-method standard errors):\n";
        print_table(out, r.derived, r.confidence, "quantity");
    }
    if (!r.random_effects.empty()) {
        // (one line per effect: the levels' modes are in --format json)
        out << "\nrandom effects (conditional modes; each level's in --format json):\n";
        std::vector<std::vector<std::string>> rows{{"effect", "levels", "smallest mode", "largest mode"}};
        for (const RandomEffectModes& e : r.random_effects) {
            auto [low, high] = std::minmax_element(
                e.levels.begin(), e.levels.end(),
                [](const RandomEffectLevel& a, const RandomEffectLevel& b) { return a.mode < b.mode; });
            rows.push_back(
                {e.name + "[" + e.column + "]", std::to_string(e.levels.size()),
                 low == e.levels.end() ? "" : report::format_digits(low->mode, 4) + " (" + low->level + ")",
                 high == e.levels.end() ? "" : report::format_digits(high->mode, 4) + " (" + high->level + ")"});
        }
        print_rows(out, rows);
    }
    out << limit_footnote(r);
    if (r.bootstrap_replicates > 1) {
        const int ci_percent = static_cast<int>(std::lround(r.confidence * 100));
        out << "\nparametric bootstrap: " << r.bootstrap_replicates << " refits (seed " << r.seed
            << "), percentile intervals:\n";
        std::vector<std::vector<std::string>> rows{{"", "estimate", "bootstrap SE",
                                                    std::to_string(ci_percent) + "% lower",
                                                    std::to_string(ci_percent) + "% upper"}};
        auto add = [&](const ParameterEstimate& p) {
            if (p.fixed) rows.push_back({p.name, report::format_digits(p.estimate, 7), "fixed", "", ""});
            else
                rows.push_back({p.name, report::format_digits(p.estimate, 7), cell(p.boot_se), cell(p.boot_lower),
                                cell(p.boot_upper)});
        };
        for (const auto& p : r.parameters) add(p);
        for (const auto& p : r.derived) add(p);
        print_rows(out, rows);
    }
    out << "\n";
    if (r.status == FitStatus::diverged) {
        out << "log-likelihood: " << report::format_digits(r.log_likelihood, 8) << " where the optimizer stopped";
        if (r.log_likelihood_limit) out << "; it tends to " << report::format_digits(*r.log_likelihood_limit, 8);
        out << "\n";
    } else if (!std::isfinite(r.log_likelihood)) {
        out << "log-likelihood: n/a (nothing was fitted)\n";
    } else {
        // AIC and BIC are NaN (n/a) unless the fit found a maximum.
        out << (r.reml ? "REML log-likelihood: " : "log-likelihood: ") << report::format_digits(r.log_likelihood, 8)
            << "   AIC: " << report::format_digits(r.aic, 8) << "   BIC: " << report::format_digits(r.bic, 8) << "\n";
    }
    out << "observations: ";
    if (r.weight.empty()) out << r.n_obs;
    else out << report::format_short(r.n_weighted) << " (" << r.n_obs << " rows weighted by " << r.weight << ")";
    out << "   parameters: " << r.n_params << "   iterations: " << r.iterations;
    if (r.method) out << " (" << to_string(*r.method) << ")";
    out << "\n";
    for (const CensoringSummary& c : r.censoring) out << censoring_line(c, r.n_obs) << "\n";
    if (r.starts > 1) {
        out << "starts: " << r.starts << "; distinct optima found: " << r.optima.size()
            << " (log-likelihood, number of starts):";
        for (const Optimum& o : r.optima)
            out << " " << report::format_digits(o.log_likelihood, 8) << " (" << o.starts << ")";
        out << "\n";
    }
    out << "status: " << to_string(r.status) << (r.converged ? "" : " (NOT converged)") << ": " << r.message << "\n";
    out << "final gradient norm: " << report::format_digits(r.gradient_norm, 3) << " (max |dNLL/dtheta|)";
    if (r.hessian_condition) out << "   Hessian condition number: " << report::format_digits(*r.hessian_condition, 3);
    out << "\n";
    if (!r.diagnostics.empty()) {
        out << "\ndiagnostics:\n";
        for (const auto& d : r.diagnostics) out << "  [" << to_string(d.kind) << "] " << d.message << "\n";
    }
    if (!r.notes.empty()) {
        out << "\nnotes:\n";
        for (const auto& n : r.notes) out << "  " << n << "\n";
    }
    if (!r.warnings.empty()) {
        out << "\nwarnings:\n";
        for (const auto& w : r.warnings) out << "  " << w << "\n";
    }
    return out.str();
}

}  // namespace mlec

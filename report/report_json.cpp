// The JSON report (schema in docs/json.md). Numbers are written so that they
// read back as the same doubles; a value that does not exist is null, never
// NaN.
#include <cmath>
#include <cstdio>
#include <sstream>

#include "mlec/mlec.hpp"
#include "report/json_write.hpp"
#include "report/number_format.hpp"
#include "report/result_names.hpp"

namespace mlec {

namespace {

std::string strings(const std::vector<std::string>& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + report::json_quote(items[i]);
    return out + "]";
}

std::string estimates(const std::vector<ParameterEstimate>& list) {
    std::ostringstream o;
    o << "[";
    for (std::size_t i = 0; i < list.size(); ++i) {
        const ParameterEstimate& p = list[i];
        o << (i ? "," : "") << "\n    {\"name\": " << report::json_quote(p.name);
        if (p.diverging) {
            o << ", \"estimate\": null, \"diverges_to\": " << report::json_quote(limit_text(p.diverges_to))
              << ", \"last_value\": " << report::json_number(p.last_value);
        } else {
            o << ", \"estimate\": " << report::json_number(p.estimate);
        }
        // Only a fixed parameter has the key (absent: estimated).
        if (p.fixed) o << ", \"fixed\": true";
        // Only a standard deviation estimated at 0 has this one (singular_fit).
        if (p.at_zero) o << ", \"at_zero\": true";
        // Only a fixed effect integrated out by REML has this one.
        if (p.integrated) o << ", \"integrated\": true";
        o << ", \"std_error\": " << report::json_number(p.std_error) << ", \"z\": " << report::json_number(p.z)
          << ", \"p_value\": " << report::json_number(p.p_value)
          << ", \"ci_lower\": " << report::json_number(p.ci_lower)
          << ", \"ci_upper\": " << report::json_number(p.ci_upper)
          << ", \"ci_lower_open\": " << (p.ci_lower_open ? "true" : "false")
          << ", \"ci_upper_open\": " << (p.ci_upper_open ? "true" : "false")
          << ", \"bootstrap_se\": " << report::json_number(p.boot_se)
          << ", \"bootstrap_lower\": " << report::json_number(p.boot_lower)
          << ", \"bootstrap_upper\": " << report::json_number(p.boot_upper)
          << ", \"conditional_on_limit\": " << (p.conditional_on_limit ? "true" : "false")
          << ", \"implicit\": " << (p.implicit ? "true" : "false")
          << ", \"bounds\": " << report::json_quote(report::bounds_text(p.bounds)) << "}";
    }
    o << (list.empty() ? "" : "\n  ") << "]";
    return o.str();
}

// Per random effect, its levels' conditional modes and SDs.
std::string random_effects(const std::vector<RandomEffectModes>& list) {
    std::ostringstream o;
    o << "[";
    for (std::size_t i = 0; i < list.size(); ++i) {
        const RandomEffectModes& e = list[i];
        o << (i ? "," : "") << "\n    {\"name\": " << report::json_quote(e.name)
          << ", \"column\": " << report::json_quote(e.column) << ", \"levels\": [";
        for (std::size_t k = 0; k < e.levels.size(); ++k)
            o << (k ? ", " : "") << "\n      {\"level\": " << report::json_quote(e.levels[k].level)
              << ", \"mode\": " << report::json_number(e.levels[k].mode)
              << ", \"std_error\": " << report::json_number(e.levels[k].std_error) << "}";
        o << (e.levels.empty() ? "" : "\n    ") << "]}";
    }
    o << (list.empty() ? "" : "\n  ") << "]";
    return o.str();
}

}  // namespace

std::string json_report(const FitResult& r) {
    std::ostringstream o;
    o << "{\n";
    o << "  \"converged\": " << (r.converged ? "true" : "false") << ",\n";
    o << "  \"status\": " << report::json_quote(to_string(r.status)) << ",\n";
    o << "  \"message\": " << report::json_quote(r.message) << ",\n";
    o << "  \"model\": " << report::json_quote(r.model_name) << ",\n";
    o << "  \"data\": " << report::json_quote(r.data_name) << ",\n";
    o << "  \"log_likelihood\": " << report::json_number(r.log_likelihood) << ",\n";
    // True: log_likelihood is the REML one (BindOptions::reml).
    o << "  \"reml\": " << (r.reml ? "true" : "false") << ",\n";
    o << "  \"log_likelihood_limit\": " << report::json_number(r.log_likelihood_limit) << ",\n";
    // NaN (null) unless the fit found a maximum.
    o << "  \"aic\": " << report::json_number(r.aic) << ",\n";
    o << "  \"bic\": " << report::json_number(r.bic) << ",\n";
    o << "  \"n_obs\": " << r.n_obs << ",\n";
    o << "  \"weight\": " << (r.weight.empty() ? "null" : report::json_quote(r.weight)) << ",\n";
    o << "  \"n_weighted\": " << report::json_number(r.n_weighted) << ",\n";
    o << "  \"censoring\": [";
    for (std::size_t i = 0; i < r.censoring.size(); ++i) {
        const CensoringSummary& c = r.censoring[i];
        auto count = [](const std::optional<std::size_t>& n) { return n ? std::to_string(*n) : std::string("null"); };
        o << (i ? "," : "") << "\n    {\"statement\": " << report::json_quote(c.statement)
          << ", \"right\": " << count(c.right) << ", \"left\": " << count(c.left)
          << ", \"interval\": " << count(c.interval)
          << ", \"truncation\": " << (c.truncation.empty() ? std::string("null") : report::json_quote(c.truncation))
          << "}";
    }
    o << (r.censoring.empty() ? "" : "\n  ") << "],\n";
    o << "  \"n_params\": " << r.n_params << ",\n";
    o << "  \"iterations\": " << r.iterations << ",\n";
    o << "  \"evaluations\": " << r.evaluations << ",\n";
    o << "  \"method\": " << report::json_quote(r.method ? to_string(*r.method) : "") << ",\n";
    o << "  \"starts\": " << r.starts << ",\n";
    o << "  \"optima\": [";
    for (std::size_t i = 0; i < r.optima.size(); ++i)
        o << (i ? ", " : "") << "{\"log_likelihood\": " << report::json_number(r.optima[i].log_likelihood)
          << ", \"starts\": " << r.optima[i].starts << "}";
    o << "],\n";
    o << "  \"gradient_norm\": " << report::json_number(r.gradient_norm) << ",\n";
    o << "  \"relative_gradient\": " << report::json_number(r.newton_decrement) << ",\n";
    o << "  \"hessian_condition\": " << report::json_number(r.hessian_condition) << ",\n";
    o << "  \"confidence\": " << report::json_number(r.confidence) << ",\n";
    o << "  \"ci_method\": " << report::json_quote(to_string(r.ci_method)) << ",\n";
    o << "  \"bootstrap\": {\"replicates\": " << r.bootstrap_replicates << ", \"failed\": " << r.bootstrap_failed
      << ", \"seed\": " << r.seed << "},\n";
    o << "  \"data_columns\": " << strings(r.data_columns) << ",\n";
    o << "  \"parameters\": " << estimates(r.parameters) << ",\n";
    o << "  \"derived\": " << estimates(r.derived) << ",\n";
    o << "  \"random_effects\": " << random_effects(r.random_effects) << ",\n";
    o << "  \"covariance\": ";
    if (r.covariance.size() == 0) {
        o << "null";
    } else {
        o << "[";
        for (Eigen::Index i = 0; i < r.covariance.rows(); ++i) {
            o << (i ? ", " : "") << "[";
            for (Eigen::Index j = 0; j < r.covariance.cols(); ++j)
                o << (j ? ", " : "") << report::json_number(r.covariance(i, j));
            o << "]";
        }
        o << "]";
    }
    o << ",\n";
    o << "  \"diagnostics\": [";
    for (std::size_t i = 0; i < r.diagnostics.size(); ++i) {
        const FitDiagnostic& d = r.diagnostics[i];
        o << (i ? "," : "") << "\n    {\"kind\": " << report::json_quote(to_string(d.kind))
          << ", \"message\": " << report::json_quote(d.message) << ", \"parameters\": " << strings(d.parameters)
          << ", \"columns\": " << strings(d.columns) << "}";
    }
    o << (r.diagnostics.empty() ? "" : "\n  ") << "],\n";
    o << "  \"warnings\": " << strings(r.warnings) << ",\n";
    o << "  \"notes\": " << strings(r.notes) << "\n";
    o << "}\n";
    return o.str();
}

}  // namespace mlec

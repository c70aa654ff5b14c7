// A fit as an HTML table (python/html.hpp).
#include "python/html.hpp"

#include <cmath>
#include <cstdio>
#include <optional>

namespace mlec::python {

namespace {

// Text for HTML: the five characters that could end an element or an
// attribute, escaped.
std::string html_escaped(const std::string& text) {
    std::string out;
    for (const char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

// A cell: the number to 7 significant digits, or empty where there is
// none.
std::string html_number(const std::optional<double>& value) {
    if (!value || std::isnan(*value)) return "";
    char text[32];
    std::snprintf(text, sizeof text, "%.7g", *value);
    return text;
}

}  // namespace

std::string fit_html(const mlec::FitResult& r) {
    std::string out = "<div class=\"mlec-fit\"><p><b>" + html_escaped(r.model_name) + "</b> fitted to <b>" +
                      html_escaped(r.data_name) + "</b>: " + html_escaped(std::string(mlec::to_string(r.status))) +
                      ", log-likelihood " + html_number(r.log_likelihood) + ", " + std::to_string(r.n_obs) +
                      " observations</p><table><thead><tr><th>parameter</th><th>estimate</th><th>std. error</th>"
                      "<th>z</th><th>p-value</th><th>lower</th><th>upper</th></tr></thead><tbody>";
    for (const auto& p : r.parameters) {
        out += "<tr><th>" + html_escaped(p.name) + "</th>";
        for (const std::optional<double>& v : {p.diverging ? std::nullopt : std::optional<double>(p.estimate),
                                               p.std_error, p.z, p.p_value, p.ci_lower, p.ci_upper})
            out += "<td>" + html_number(v) + "</td>";
        out += "</tr>";
    }
    out += "</tbody></table><p>" + html_escaped(r.message) + "</p></div>";
    return out;
}

}  // namespace mlec::python

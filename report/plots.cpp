// plot_files: the SVG pictures of a fit, drawn with report/plot_svg.
#include <boost/math/distributions/chi_squared.hpp>

#include "mlec/mlec.hpp"
#include "report/number_format.hpp"
#include "report/plot_svg.hpp"

namespace mlec {

namespace {

// A file name from a parameter name: beta[2] -> beta_2, effect[red] -> effect_red.
std::string file_stem(const std::string& name) {
    std::string out;
    for (char c : name) {
        const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        if (keep) out += c;
        else if (!out.empty() && out.back() != '_') out += '_';
    }
    while (!out.empty() && out.back() == '_') out.pop_back();
    return out.empty() ? "parameter" : out;
}

std::string profile_plot(const ParameterEstimate& p, double confidence) {
    report::Plot plot;
    plot.title = "Profile likelihood of " + p.name;
    plot.x_label = p.name;
    plot.y_label = "2 (NLL - NLL at the estimate)";
    report::PlotSeries curve;
    curve.label = "profile";
    curve.points = true;
    for (const auto& [x, y] : p.profile) {
        curve.x.push_back(x);
        curve.y.push_back(y);
    }
    plot.series.push_back(std::move(curve));
    const int percent = static_cast<int>(std::lround(confidence * 100));
    plot.horizontal = boost::math::quantile(boost::math::chi_squared(1), confidence);
    plot.horizontal_label = "chi-square cutoff (" + std::to_string(percent) + "%)";
    plot.vertical.push_back(report::PlotMark{p.estimate, "estimate " + report::format_digits(p.estimate, 6)});
    if (p.ci_lower && std::isfinite(*p.ci_lower) && !p.ci_lower_open)
        plot.vertical.push_back(report::PlotMark{*p.ci_lower, "lower " + report::format_digits(*p.ci_lower, 6)});
    if (p.ci_upper && std::isfinite(*p.ci_upper) && !p.ci_upper_open)
        plot.vertical.push_back(report::PlotMark{*p.ci_upper, "upper " + report::format_digits(*p.ci_upper, 6)});
    return report::render_svg(plot);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> plot_files(const FitResult& fit) {
    std::vector<std::pair<std::string, std::string>> files;
    report::Plot nll;
    nll.title = "Convergence of " + fit.model_name;
    nll.x_label = "iteration";
    nll.y_label = "negative log-likelihood";
    report::PlotSeries values{"NLL", {}, {}, true};
    report::Plot gradient = nll;
    gradient.y_label = "max |gradient|";
    gradient.log_y = true;
    report::PlotSeries norms{"gradient norm", {}, {}, true};
    for (const IterationInfo& it : fit.trace) {
        values.x.push_back(it.iteration);
        values.y.push_back(it.nll);
        norms.x.push_back(it.iteration);
        norms.y.push_back(it.gradient_norm);
    }
    nll.series.push_back(std::move(values));
    gradient.series.push_back(std::move(norms));
    files.emplace_back("convergence.svg", report::render_svg(nll));
    files.emplace_back("gradient.svg", report::render_svg(gradient));
    for (const auto* list : {&fit.parameters, &fit.derived})
        for (const ParameterEstimate& p : *list)
            if (!p.profile.empty())
                files.emplace_back("profile_" + file_stem(p.name) + ".svg", profile_plot(p, fit.confidence));
    return files;
}

}  // namespace mlec

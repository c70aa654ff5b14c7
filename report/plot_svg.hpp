// A small, dependency-free SVG line-plot writer for `--plot DIR`: profile
// likelihood curves and the optimizer's convergence trace, opened in a browser.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace mlec::report {

// A polyline through (x[i], y[i]); a non-finite point (or y <= 0 on a log
// axis) breaks it into pieces. `points` also draws a marker at every point.
// Only the first min(x.size(), y.size()) points are used.
struct PlotSeries {
    std::string label;
    std::vector<double> x, y;
    bool points = false;
};

// A vertical dashed line at x = value (interval ends, the estimate).
struct PlotMark {
    double value;
    std::string label;
};

struct Plot {
    std::string title, x_label, y_label;
    std::vector<PlotSeries> series;
    std::vector<PlotMark> vertical;    // dashed vertical lines with labels
    std::optional<double> horizontal;  // a dashed horizontal reference line (e.g. the chi-square cutoff 3.84)
    std::string horizontal_label;
    bool log_y = false;  // for the convergence trace (gradient norms)
};

// A complete standalone SVG document (XML declaration + <svg xmlns=...>),
// 640x420 px. The axes span every finite point, mark and reference line,
// widened to the nearest "nice" ticks (1, 2, 5 x 10^k; 5 to 8 of them; powers
// of ten on a log axis). Each piece of a series is one
// <polyline class="series" data-label="...">; marks are <line class="mark">
// with <text class="mark-label">, the reference is <line class="reference">
// with <text class="reference-label">; the plotting area is
// <rect class="plot-area">. Never contains "nan" or "inf".
std::string render_svg(const Plot& plot);

}  // namespace mlec::report

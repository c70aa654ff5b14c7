// SVG line plots without a plotting library: a fixed page, "nice" ticks
// (Heckbert, "Nice numbers for graph labels", Graphics Gems, 1990: steps of
// 1, 2, 5 x 10^k), and every number written with a fixed number of decimals
// so the document never holds "nan" or "inf".
#include "report/plot_svg.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <utility>

#include "report/number_format.hpp"

namespace mlec::report {

namespace {

constexpr double width = 640, height = 420;
constexpr double margin_left = 76, margin_right = 24, margin_top = 44, margin_bottom = 56;
constexpr double area_left = margin_left, area_top = margin_top;
constexpr double area_width = width - margin_left - margin_right;
constexpr double area_height = height - margin_top - margin_bottom;
constexpr int min_ticks = 5, max_ticks = 8;
// Beyond this the span hi - lo could overflow a double; such values are drawn
// at the edge of the plot rather than producing an infinite coordinate.
constexpr double value_limit = 1e300;

// Colour-blind-safe palette (Okabe & Ito, "Color Universal Design", 2008),
// then cycled.
constexpr std::array<const char*, 8> palette = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                                "#E69F00", "#56B4E9", "#000000", "#F0E442"};

std::string escape(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default:
                // XML 1.0 forbids control characters other than tab, LF and CR.
                if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') break;
                out += c;
        }
    }
    return out;
}

// A pixel coordinate with two decimals; never "-0.00", never "nan".
std::string px(double v) {
    if (!std::isfinite(v)) v = 0;
    double r = std::round(v * 100) / 100;
    if (r == 0) r = 0;
    return format_fixed(r, 2);
}

struct Axis {
    double lo = 0, hi = 1;  // in plotted units (log10 of the value on a log axis)
    std::vector<double> ticks;
    double step = 1;
    bool log = false;
};

// Ticks at multiples of the smallest 1-2-5 step giving at most max_ticks; the
// axis is widened to the enclosing multiples. The step before it gave more
// than max_ticks, i.e. a span over 6 of its steps, and steps grow by at most
// 2.5x, so at least 3 intervals remain; pad to min_ticks if fewer.
Axis nice_axis(double lo, double hi, double min_step) {
    Axis axis;
    const double span = hi - lo;
    const double raw = span / (max_ticks - 1);
    const int e = static_cast<int>(std::floor(std::log10(raw)));
    double a = 0, b = 1, step = min_step;
    bool found = false;
    for (int k = e - 1; k <= e + 2 && !found; ++k) {
        for (double m : {1.0, 2.0, 5.0}) {
            const double s = m * std::pow(10.0, k);
            if (s < min_step || !std::isfinite(s)) continue;
            // Tolerance: lo/s may land a rounding error off an integer.
            const double fa = std::floor(lo / s + 1e-9), fb = std::ceil(hi / s - 1e-9);
            if (fb - fa + 1 <= max_ticks) {
                a = fa, b = fb, step = s, found = true;
                break;
            }
        }
    }
    if (!found) {  // only when min_step exceeds every candidate
        a = std::floor(lo / step), b = std::ceil(hi / step);
    }
    if (b <= a) b = a + 1;
    // Widen where the data come closest to the last tick, but never across
    // zero: a non-negative quantity (a deviance, a norm) keeps its axis at 0.
    while (b - a + 1 < min_ticks) {
        const bool keep_low = a == 0 && lo >= 0, keep_high = b == 0 && hi <= 0;
        if (keep_low || (!keep_high && b * step - hi <= lo - a * step)) b += 1;
        else a -= 1;
    }
    axis.step = step;
    axis.lo = a * step;
    axis.hi = b * step;
    for (double i = a; i <= b; i += 1) axis.ticks.push_back(i * step);
    return axis;
}

// A degenerate (empty or constant) range gets room around it, as R's plot does.
void pad_range(double& lo, double& hi, bool log) {
    if (!(lo <= hi)) {
        lo = 0, hi = 1;
        return;
    }
    const double magnitude = std::max(std::fabs(lo), std::fabs(hi));
    if (hi - lo > magnitude * 1e-9) return;
    const double pad = log ? 0.5 : (magnitude == 0 ? 1 : magnitude * 0.1);
    lo -= pad, hi += pad;
}

std::string linear_label(double v, const Axis& axis) {
    if (std::fabs(v) < axis.step * 1e-6) v = 0;
    const double magnitude = std::max(std::fabs(axis.lo), std::fabs(axis.hi));
    const int step_exp = static_cast<int>(std::floor(std::log10(axis.step) + 1e-9));
    if (magnitude >= 1e6 || axis.step < 1e-4) {
        const int mag_exp = static_cast<int>(std::floor(std::log10(magnitude)));
        // Enough digits that neighbouring ticks differ (a span is never below
        // 1e-9 of the magnitude, see pad_range).
        const int digits = std::clamp(mag_exp - step_exp, 0, 16);
        return format_scientific(v, digits);
    }
    return format_fixed(v, std::max(0, -step_exp));
}

std::string log_label(double v) {
    const int k = static_cast<int>(std::lround(v));
    if (k >= -3 && k <= 4) return format_fixed(std::pow(10.0, k), std::max(0, -k));
    return std::string("1e").append(std::to_string(k));
}

std::string tick_label(double v, const Axis& axis) { return axis.log ? log_label(v) : linear_label(v, axis); }

// The plotted value of y, or nothing when it cannot be drawn.
std::optional<double> plotted_y(double y, bool log) {
    if (!std::isfinite(y)) return std::nullopt;
    if (log) {
        if (y <= 0) return std::nullopt;
        return std::log10(y);
    }
    return std::clamp(y, -value_limit, value_limit);
}

std::optional<double> plotted_x(double x) {
    if (!std::isfinite(x)) return std::nullopt;
    return std::clamp(x, -value_limit, value_limit);
}

struct Range {
    double lo = std::numeric_limits<double>::infinity();
    double hi = -std::numeric_limits<double>::infinity();
    void add(double v) { lo = std::min(lo, v), hi = std::max(hi, v); }
};

class Canvas {
public:
    Canvas(Axis x, Axis y) : x_(std::move(x)), y_(std::move(y)) {}
    // Halving first keeps hi - lo finite for spans near the double range.
    double to_px_x(double v) const {
        const double t = (v / 2 - x_.lo / 2) / (x_.hi / 2 - x_.lo / 2);
        return area_left + std::clamp(t, 0.0, 1.0) * area_width;
    }
    double to_px_y(double v) const {
        const double t = (v / 2 - y_.lo / 2) / (y_.hi / 2 - y_.lo / 2);
        return area_top + (1 - std::clamp(t, 0.0, 1.0)) * area_height;
    }
    const Axis& x() const { return x_; }
    const Axis& y() const { return y_; }

private:
    Axis x_, y_;
};

void write_axes(std::ostringstream& out, const Canvas& canvas, const Plot& plot) {
    const double right = area_left + area_width, bottom = area_top + area_height;
    out << "<g class=\"grid\" stroke=\"#e5e5e5\" stroke-width=\"1\">\n";
    for (double t : canvas.x().ticks) {
        const std::string x = px(canvas.to_px_x(t));
        out << "<line x1=\"" << x << "\" y1=\"" << px(area_top) << "\" x2=\"" << x << "\" y2=\"" << px(bottom)
            << "\"/>\n";
    }
    for (double t : canvas.y().ticks) {
        const std::string y = px(canvas.to_px_y(t));
        out << "<line x1=\"" << px(area_left) << "\" y1=\"" << y << "\" x2=\"" << px(right) << "\" y2=\"" << y
            << "\"/>\n";
    }
    out << "</g>\n";
    out << "<rect class=\"plot-area\" x=\"" << px(area_left) << "\" y=\"" << px(area_top) << "\" width=\""
        << px(area_width) << "\" height=\"" << px(area_height) << "\" fill=\"none\" stroke=\"#333333\"/>\n";
    out << "<g class=\"ticks\" stroke=\"#333333\">\n";
    for (double t : canvas.x().ticks) {
        const std::string x = px(canvas.to_px_x(t));
        out << "<line x1=\"" << x << "\" y1=\"" << px(bottom) << "\" x2=\"" << x << "\" y2=\"" << px(bottom + 5)
            << "\"/>\n";
    }
    for (double t : canvas.y().ticks) {
        const std::string y = px(canvas.to_px_y(t));
        out << "<line x1=\"" << px(area_left - 5) << "\" y1=\"" << y << "\" x2=\"" << px(area_left) << "\" y2=\"" << y
            << "\"/>\n";
    }
    out << "</g>\n";
    for (double t : canvas.x().ticks)
        out << "<text class=\"x-tick\" x=\"" << px(canvas.to_px_x(t)) << "\" y=\"" << px(bottom + 19)
            << "\" text-anchor=\"middle\">" << tick_label(t, canvas.x()) << "</text>\n";
    for (double t : canvas.y().ticks)
        out << "<text class=\"y-tick\" x=\"" << px(area_left - 8) << "\" y=\"" << px(canvas.to_px_y(t) + 4)
            << "\" text-anchor=\"end\">" << tick_label(t, canvas.y()) << "</text>\n";
    out << "<text class=\"x-label\" x=\"" << px(area_left + area_width / 2) << "\" y=\"" << px(height - 12)
        << "\" text-anchor=\"middle\">" << escape(plot.x_label) << "</text>\n";
    out << "<text class=\"y-label\" transform=\"translate(" << px(16) << "," << px(area_top + area_height / 2)
        << ") rotate(-90)\" text-anchor=\"middle\">" << escape(plot.y_label) << "</text>\n";
    out << "<text class=\"title\" x=\"" << px(width / 2) << "\" y=\"" << px(26)
        << "\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">" << escape(plot.title) << "</text>\n";
}

// Text width is unknown without a font; this fits 12 px sans-serif.
constexpr double char_width = 6.5;

using Piece = std::vector<std::pair<double, double>>;  // pixel coordinates

// The maximal runs of drawable points, in pixels.
std::vector<Piece> pieces_of(const Canvas& canvas, const PlotSeries& s, bool log_y) {
    const std::size_t n = std::min(s.x.size(), s.y.size());
    std::vector<Piece> pieces;
    bool open = false;
    for (std::size_t i = 0; i < n; ++i) {
        const auto x = plotted_x(s.x[i]);
        const auto y = plotted_y(s.y[i], log_y);
        if (!x || !y) {
            open = false;
            continue;
        }
        if (!open) pieces.emplace_back();
        open = true;
        pieces.back().emplace_back(canvas.to_px_x(*x), canvas.to_px_y(*y));
    }
    return pieces;
}

void write_series(std::ostringstream& out, const std::vector<Piece>& pieces, const PlotSeries& s, const char* colour) {
    const std::string label = escape(s.label);
    for (const auto& piece : pieces) {
        out << "<polyline class=\"series\" data-label=\"" << label << "\" fill=\"none\" stroke=\"" << colour
            << "\" stroke-width=\"1.8\" stroke-linejoin=\"round\" points=\"";
        for (std::size_t i = 0; i < piece.size(); ++i)
            out << (i ? " " : "") << px(piece[i].first) << "," << px(piece[i].second);
        out << "\"/>\n";
    }
    // A lone point draws no line, so it gets a marker even without `points`.
    for (const auto& piece : pieces) {
        if (!s.points && piece.size() > 1) continue;
        for (const auto& [x, y] : piece)
            out << "<circle class=\"point\" data-label=\"" << label << "\" cx=\"" << px(x) << "\" cy=\"" << px(y)
                << "\" r=\"2.8\" fill=\"" << colour << "\"/>\n";
    }
}

struct Box {
    double x, y, w, h;
    bool contains(double px_x, double px_y) const { return px_x >= x && px_x <= x + w && px_y >= y && px_y <= y + h; }
    bool overlaps(const Box& o) const { return x < o.x + o.w && o.x < x + w && y < o.y + o.h && o.y < y + h; }
};

// The legend goes where it hides the least of the lines (sampled along each
// segment, and along the dashed marks) and none of the labels, like
// matplotlib's loc="best"; the corners are tried first, so they win ties.
Box legend_box(double box_w, double box_h, const std::vector<std::vector<Piece>>& drawn,
               const std::vector<double>& mark_xs, const std::vector<Box>& labels) {
    const double inset = 8;
    const double left = area_left + inset, right = area_left + area_width - inset - box_w;
    const double top = area_top + inset, bottom = area_top + area_height - inset - box_h;
    std::vector<Box> candidates = {Box{right, top, box_w, box_h}, Box{left, top, box_w, box_h},
                                   Box{right, bottom, box_w, box_h}, Box{left, bottom, box_w, box_h}};
    constexpr int grid = 12;
    for (int iy = 0; iy <= grid; ++iy)
        for (int ix = 0; ix <= grid; ++ix)
            candidates.push_back(
                Box{left + (right - left) * ix / grid, top + (bottom - top) * iy / grid, box_w, box_h});
    std::vector<std::pair<double, double>> samples;
    constexpr int per_segment = 8;
    for (const auto& pieces : drawn)
        for (const auto& piece : pieces)
            for (std::size_t i = 0; i < piece.size(); ++i) {
                const auto [x1, y1] = piece[i];
                const auto [x0, y0] = i ? piece[i - 1] : piece[i];
                for (int k = i ? 1 : per_segment; k <= per_segment; ++k) {
                    const double t = static_cast<double>(k) / per_segment;
                    samples.emplace_back(x0 + t * (x1 - x0), y0 + t * (y1 - y0));
                }
            }
    for (double x : mark_xs)
        for (double y = area_top; y <= area_top + area_height; y += 6) samples.emplace_back(x, y);
    const Box* best = nullptr;
    double best_score = 0;
    for (const Box& box : candidates) {
        double score = 0;
        for (const auto& [x, y] : samples) score += box.contains(x, y);
        for (const Box& label : labels) score += box.overlaps(label) ? 1e6 : 0;
        if (!best || score < best_score) best = &box, best_score = score;
    }
    return *best;
}

void write_legend(std::ostringstream& out, const Plot& plot, const std::vector<std::vector<Piece>>& drawn,
                  const std::vector<double>& mark_xs, const std::vector<Box>& labels) {
    std::size_t longest = 0;
    for (const auto& s : plot.series) longest = std::max(longest, s.label.size());
    const double row = 18, box_w = std::min(area_width - 16, 44 + char_width * static_cast<double>(longest));
    const double box_h = std::min(area_height - 16, 8 + row * static_cast<double>(plot.series.size()));
    const Box box = legend_box(box_w, box_h, drawn, mark_xs, labels);
    out << "<g class=\"legend\">\n<rect x=\"" << px(box.x) << "\" y=\"" << px(box.y) << "\" width=\"" << px(box.w)
        << "\" height=\"" << px(box.h) << "\" fill=\"white\" fill-opacity=\"0.9\" stroke=\"#999999\"/>\n";
    for (std::size_t i = 0; i < plot.series.size(); ++i) {
        const double y = box.y + 4 + row * (static_cast<double>(i) + 0.5);
        out << "<line x1=\"" << px(box.x + 8) << "\" y1=\"" << px(y) << "\" x2=\"" << px(box.x + 30) << "\" y2=\""
            << px(y) << "\" stroke=\"" << palette[i % palette.size()] << "\" stroke-width=\"2.5\"/>\n";
        out << "<text x=\"" << px(box.x + 36) << "\" y=\"" << px(y + 4) << "\">" << escape(plot.series[i].label)
            << "</text>\n";
    }
    out << "</g>\n";
}

}  // namespace

std::string render_svg(const Plot& plot) {
    Range xr, yr;
    for (const auto& s : plot.series) {
        const std::size_t n = std::min(s.x.size(), s.y.size());
        for (std::size_t i = 0; i < n; ++i) {
            const auto x = plotted_x(s.x[i]);
            const auto y = plotted_y(s.y[i], plot.log_y);
            if (!x || !y) continue;
            xr.add(*x), yr.add(*y);
        }
    }
    std::vector<std::pair<double, std::string>> marks;
    for (const auto& m : plot.vertical) {
        if (const auto x = plotted_x(m.value)) {
            xr.add(*x);
            marks.emplace_back(*x, m.label);
        }
    }
    std::optional<double> reference;
    if (plot.horizontal) {
        reference = plotted_y(*plot.horizontal, plot.log_y);
        if (reference) yr.add(*reference);
    }
    pad_range(xr.lo, xr.hi, false);
    pad_range(yr.lo, yr.hi, plot.log_y);
    Axis y_axis = nice_axis(yr.lo, yr.hi, plot.log_y ? 1.0 : 0.0);
    y_axis.log = plot.log_y;
    const Canvas canvas(nice_axis(xr.lo, xr.hi, 0.0), y_axis);

    std::ostringstream out;
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << px(width) << "\" height=\"" << px(height)
        << "\" viewBox=\"0 0 " << px(width) << " " << px(height)
        << "\" font-family=\"sans-serif\" font-size=\"12\" fill=\"#222222\">\n";
    out << "<rect class=\"background\" width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    write_axes(out, canvas, plot);

    std::vector<std::vector<Piece>> drawn;
    for (std::size_t i = 0; i < plot.series.size(); ++i) {
        drawn.push_back(pieces_of(canvas, plot.series[i], plot.log_y));
        write_series(out, drawn.back(), plot.series[i], palette[i % palette.size()]);
    }

    // Reference lines and their labels go over the data so they stay legible.
    const double right = area_left + area_width, bottom = area_top + area_height;
    // Labels cross the curves; a white outline under the glyphs keeps them legible.
    const char* halo = " stroke=\"white\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\"";
    std::vector<Box> labels;  // where the legend must not go
    if (reference) {
        const double text_w = char_width * static_cast<double>(plot.horizontal_label.size());
        labels.push_back(Box{right - 4 - text_w, canvas.to_px_y(*reference) - 16, text_w, 16});
        const std::string y = px(canvas.to_px_y(*reference));
        out << "<line class=\"reference\" x1=\"" << px(area_left) << "\" y1=\"" << y << "\" x2=\"" << px(right)
            << "\" y2=\"" << y << "\" stroke=\"#777777\" stroke-width=\"1.2\" stroke-dasharray=\"6 4\"/>\n";
        out << "<text class=\"reference-label\" x=\"" << px(right - 4) << "\" y=\""
            << px(canvas.to_px_y(*reference) - 4) << "\" text-anchor=\"end\"" << halo << " fill=\"#555555\">"
            << escape(plot.horizontal_label) << "</text>\n";
    }
    for (const auto& [value, label] : marks) {
        const double x = canvas.to_px_x(value);
        labels.push_back(Box{x - 18, area_top + 6, 18, char_width * static_cast<double>(label.size())});
        out << "<line class=\"mark\" x1=\"" << px(x) << "\" y1=\"" << px(area_top) << "\" x2=\"" << px(x) << "\" y2=\""
            << px(bottom) << "\" stroke=\"#555555\" stroke-width=\"1.2\" stroke-dasharray=\"4 3\"/>\n";
        // Rotated so that labels of nearby marks (an estimate between its
        // interval ends) do not run into each other.
        out << "<text class=\"mark-label\" transform=\"translate(" << px(x - 4) << "," << px(area_top + 6)
            << ") rotate(-90)\" text-anchor=\"end\" font-size=\"11\"" << halo << " fill=\"#555555\">" << escape(label)
            << "</text>\n";
    }
    if (plot.series.size() > 1) {
        std::vector<double> mark_xs;
        for (const auto& mark : marks) mark_xs.push_back(canvas.to_px_x(mark.first));
        write_legend(out, plot, drawn, mark_xs, labels);
    }
    out << "</svg>\n";
    return out.str();
}

}  // namespace mlec::report

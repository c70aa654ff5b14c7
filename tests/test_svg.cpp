// The SVG plot writer: every document is well-formed XML (checked by a small
// parser written here, and by xmllint when it is installed), series break at
// non-finite values, and data land on the pixel the axis ticks promise.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "report/plot_svg.hpp"

namespace {

constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();
constexpr double infinity = std::numeric_limits<double>::infinity();

struct Element {
    std::string name;
    std::map<std::string, std::string> attributes;
    std::string text;  // the element's own character data, entities decoded
};

struct Xml {
    std::string error;              // empty when well-formed
    std::vector<Element> elements;  // in document order
};

bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':'; }
bool is_name_char(char c) {
    return is_name_start(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.';
}
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Decodes the five predefined entities and character references (XML 1.0
// section 4.6 and 4.1); anything else after '&' is an error.
bool decode(const std::string& raw, std::string& out, std::string& error) {
    out.clear();
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] != '&') {
            out += raw[i];
            continue;
        }
        const std::size_t semi = raw.find(';', i);
        if (semi == std::string::npos) {
            error = "'&' without ';' in \"" + raw + "\"";
            return false;
        }
        const std::string name = raw.substr(i + 1, semi - i - 1);
        static const std::map<std::string, char> named = {
            {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}};
        if (auto it = named.find(name); it != named.end()) {
            out += it->second;
        } else if (name.size() > 1 && name[0] == '#') {
            const bool hex = name[1] == 'x';
            const std::string digits = name.substr(hex ? 2 : 1);
            const bool ok = !digits.empty() && std::all_of(digits.begin(), digits.end(), [&](char c) {
                return hex ? std::isxdigit(static_cast<unsigned char>(c)) : std::isdigit(static_cast<unsigned char>(c));
            });
            if (!ok) {
                error = "bad character reference &" + name + ";";
                return false;
            }
            const long code = std::strtol(digits.c_str(), nullptr, hex ? 16 : 10);
            out += code < 128 ? static_cast<char>(code) : '?';
        } else {
            error = "unknown entity &" + name + ";";
            return false;
        }
        i = semi;
    }
    return true;
}

// A well-formedness checker for the subset of XML an SVG writer produces:
// an optional XML declaration, comments, elements with quoted attributes,
// character data. One root element, named svg.
Xml parse_xml(const std::string& doc) {
    Xml xml;
    std::size_t pos = 0;
    const std::size_t n = doc.size();
    auto fail = [&](const std::string& message) {
        xml.error = message + " at offset " + std::to_string(pos);
        return xml;
    };
    auto starts = [&](const char* s) { return doc.compare(pos, std::char_traits<char>::length(s), s) == 0; };
    auto read_name = [&]() {
        std::string name;
        if (pos < n && is_name_start(doc[pos]))
            while (pos < n && is_name_char(doc[pos])) name += doc[pos++];
        return name;
    };
    auto skip_space = [&]() {
        while (pos < n && is_space(doc[pos])) ++pos;
    };

    if (starts("<?xml")) {
        const std::size_t end = doc.find("?>", pos);
        if (end == std::string::npos) return fail("unterminated XML declaration");
        pos = end + 2;
    }
    std::vector<std::size_t> open;  // indices into xml.elements
    std::vector<std::string> open_names;
    int roots = 0;
    bool root_closed = false;
    while (pos < n) {
        if (starts("<!--")) {
            const std::size_t end = doc.find("-->", pos + 4);
            if (end == std::string::npos) return fail("unterminated comment");
            pos = end + 3;
        } else if (starts("<?") || starts("<!")) {
            return fail("unexpected markup declaration");
        } else if (starts("</")) {
            pos += 2;
            const std::string name = read_name();
            skip_space();
            if (pos >= n || doc[pos] != '>') return fail("malformed end tag </" + name);
            ++pos;
            if (open_names.empty() || open_names.back() != name)
                return fail("end tag </" + name + "> does not match " +
                            (open_names.empty() ? std::string("anything") : "<" + open_names.back() + ">"));
            open_names.pop_back();
            open.pop_back();
            if (open.empty()) root_closed = true;
        } else if (doc[pos] == '<') {
            ++pos;
            Element element;
            element.name = read_name();
            if (element.name.empty()) return fail("'<' not followed by a name");
            if (open.empty()) {
                if (++roots > 1 || root_closed) return fail("more than one root element");
            }
            bool self_closing = false;
            while (true) {
                const std::size_t before = pos;
                skip_space();
                if (pos >= n) return fail("unterminated start tag <" + element.name);
                if (starts("/>")) {
                    pos += 2;
                    self_closing = true;
                    break;
                }
                if (doc[pos] == '>') {
                    ++pos;
                    break;
                }
                if (pos == before) return fail("attributes of <" + element.name + "> not separated by space");
                const std::string attribute = read_name();
                if (attribute.empty()) return fail("bad attribute name in <" + element.name + ">");
                skip_space();
                if (pos >= n || doc[pos] != '=') return fail("attribute " + attribute + " without '='");
                ++pos;
                skip_space();
                if (pos >= n || (doc[pos] != '"' && doc[pos] != '\''))
                    return fail("attribute " + attribute + " is not quoted");
                const char quote = doc[pos++];
                const std::size_t end = doc.find(quote, pos);
                if (end == std::string::npos) return fail("unterminated attribute " + attribute);
                const std::string raw = doc.substr(pos, end - pos);
                if (raw.find('<') != std::string::npos) return fail("'<' in attribute " + attribute);
                std::string value, error;
                if (!decode(raw, value, error)) return fail(error);
                if (!element.attributes.emplace(attribute, value).second)
                    return fail("duplicate attribute " + attribute);
                pos = end + 1;
            }
            xml.elements.push_back(element);
            if (self_closing) {
                if (open.empty()) root_closed = true;
            } else {
                open.push_back(xml.elements.size() - 1);
                open_names.push_back(element.name);
            }
        } else {
            const std::size_t end = std::min(doc.find('<', pos), n);
            const std::string raw = doc.substr(pos, end - pos);
            if (open.empty()) {
                if (!std::all_of(raw.begin(), raw.end(), is_space)) return fail("text outside the root element");
            } else {
                if (raw.find("]]>") != std::string::npos) return fail("']]>' in text");
                std::string text, error;
                if (!decode(raw, text, error)) return fail(error);
                xml.elements[open.back()].text += text;
            }
            pos = end;
        }
    }
    if (!open.empty()) return fail("unclosed element <" + open_names.back() + ">");
    if (roots != 1) return fail("no root element");
    if (xml.elements.front().name != "svg") return fail("root element is <" + xml.elements.front().name + ">");
    return xml;
}

std::vector<Element> with_class(const Xml& xml, const std::string& name, const std::string& cls) {
    std::vector<Element> out;
    for (const auto& e : xml.elements) {
        auto it = e.attributes.find("class");
        if (e.name == name && it != e.attributes.end() && it->second == cls) out.push_back(e);
    }
    return out;
}

double number(const Element& e, const std::string& attribute) {
    auto it = e.attributes.find(attribute);
    REQUIRE(it != e.attributes.end());
    return std::stod(it->second);
}

std::vector<std::pair<double, double>> points_of(const Element& polyline) {
    std::vector<std::pair<double, double>> out;
    std::istringstream in(polyline.attributes.at("points"));
    std::string pair;
    while (in >> pair) {
        const std::size_t comma = pair.find(',');
        REQUIRE(comma != std::string::npos);
        out.emplace_back(std::stod(pair.substr(0, comma)), std::stod(pair.substr(comma + 1)));
    }
    return out;
}

bool is_legend(const Element& e) { return e.attributes.count("class") && e.attributes.at("class") == "legend"; }

struct Area {
    double x, y, w, h;
};

Area plot_area(const Xml& xml) {
    const auto rects = with_class(xml, "rect", "plot-area");
    REQUIRE(rects.size() == 1);
    return {number(rects[0], "x"), number(rects[0], "y"), number(rects[0], "width"), number(rects[0], "height")};
}

std::vector<double> tick_values(const Xml& xml, const std::string& cls) {
    std::vector<double> out;
    for (const auto& e : with_class(xml, "text", cls)) out.push_back(std::stod(e.text));
    return out;
}

bool has_xmllint() { return std::system("command -v xmllint > /dev/null 2>&1") == 0; }

// Parses the document, and checks it with xmllint too when that is installed.
Xml checked(const std::string& svg) {
    Xml xml = parse_xml(svg);
    INFO(svg);
    REQUIRE(xml.error == "");
    CHECK(svg.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
    std::string lower = svg;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    CHECK(lower.find("nan") == std::string::npos);
    CHECK(lower.find("inf") == std::string::npos);
    static const bool xmllint = has_xmllint();
    if (xmllint) {
        const auto path = std::filesystem::temp_directory_path() /
                          ("mlec_test_svg_" + std::to_string(std::hash<std::string>{}(svg)) + ".svg");
        std::ofstream(path) << svg;
        const std::string command = "xmllint --noout '" + path.string() + "' 2>&1";
        CHECK(std::system(command.c_str()) == 0);
        std::filesystem::remove(path);
    }
    return xml;
}

mlec::report::PlotSeries series(std::string label, std::vector<double> x, std::vector<double> y) {
    mlec::report::PlotSeries s;
    s.label = std::move(label);
    s.x = std::move(x);
    s.y = std::move(y);
    return s;
}

// A profile-likelihood plot on [0, 10] x [0, 5]: ticks 0, 2, ..., 10 and 0, 1, ..., 5.
mlec::report::Plot profile_plot() {
    mlec::report::Plot plot;
    plot.title = "Profile of b";
    plot.x_label = "b";
    plot.y_label = "2 (NLL(b) - NLL(b_hat))";
    plot.series.push_back(series("profile", {0, 2.5, 5, 7.5, 10}, {5, 1.25, 0, 1.25, 5}));
    plot.vertical = {{2.5, "lower"}, {5, "estimate"}, {7.5, "upper"}};
    plot.horizontal = 3.84;
    plot.horizontal_label = "chi2(1) 95%";
    return plot;
}

}  // namespace

TEST_CASE("the XML checker rejects what is not well-formed", "[svg]") {
    CHECK(
        parse_xml("<?xml version=\"1.0\"?>\n<svg a=\"1\" b='2'><g><t>x &amp; &#60; &#x3c;</t></g><r/></svg>\n").error ==
        "");
    CHECK(parse_xml("<svg><g></svg></g>").error.find("does not match") != std::string::npos);
    CHECK(parse_xml("<svg><g></svg>").error.find("does not match") != std::string::npos);
    CHECK(parse_xml("<svg><g>").error.find("unclosed element <g>") != std::string::npos);
    CHECK(parse_xml("<svg>a & b</svg>").error.find("'&' without ';'") != std::string::npos);
    CHECK(parse_xml("<svg>&nbsp;</svg>").error.find("unknown entity &nbsp;") != std::string::npos);
    CHECK(parse_xml("<svg>&#xZ;</svg>").error.find("bad character reference") != std::string::npos);
    CHECK(parse_xml("<svg a=1/>").error.find("not quoted") != std::string::npos);
    CHECK(parse_xml("<svg a=\"x<y\"/>").error.find("'<' in attribute") != std::string::npos);
    CHECK(parse_xml("<svg a=\"1\" a=\"2\"/>").error.find("duplicate attribute") != std::string::npos);
    CHECK(parse_xml("<svg a=\"1\"b=\"2\"/>").error.find("not separated") != std::string::npos);
    CHECK(parse_xml("<svg/><svg/>").error.find("more than one root") != std::string::npos);
    CHECK(parse_xml("<svg/>text").error.find("text outside") != std::string::npos);
    CHECK(parse_xml("").error.find("no root element") != std::string::npos);
    CHECK(parse_xml("<html/>").error.find("root element is <html>") != std::string::npos);
}

TEST_CASE("plots of every shape are well-formed and never write nan or inf", "[svg]") {
    const std::string nasty = "a & b < c > d \"e\" 'f'";
    std::vector<mlec::report::Plot> plots;
    plots.push_back(profile_plot());
    plots.push_back(mlec::report::Plot{});  // nothing at all
    {
        mlec::report::Plot p;
        p.series.push_back(series("empty", {}, {}));
        p.vertical = {{not_a_number, "nowhere"}, {infinity, "far"}};
        p.horizontal = not_a_number;
        plots.push_back(p);
    }
    {
        mlec::report::Plot p;
        p.series.push_back(series("holes", {0, 1, 2, 3, 4}, {not_a_number, 1, infinity, -infinity, 2}));
        p.series.push_back(series("all missing x", {not_a_number, not_a_number}, {1, 2}));
        p.series.push_back(series("constant", {1, 2, 3}, {7, 7, 7}));
        plots.push_back(p);
    }
    {
        mlec::report::Plot p;
        p.log_y = true;
        p.series.push_back(series("gradient norm", {0, 1, 2, 3, 4, 5}, {1e2, 3, 0, -1, 1e-7, 2e-12}));
        p.horizontal = 1e-8;
        plots.push_back(p);
    }
    {
        mlec::report::Plot p;
        p.log_y = true;
        p.series.push_back(series("flat", {0, 1}, {5, 5}));
        p.horizontal = -1;  // not drawable on a log axis
        plots.push_back(p);
    }
    {
        mlec::report::Plot p;
        p.title = p.x_label = p.y_label = p.horizontal_label = nasty;
        p.series.push_back(series(nasty, {0, 1}, {0, 1}));
        p.series.push_back(series(nasty + "2", {0, 1}, {1, 0}));
        p.series.back().points = true;
        p.vertical = {{0.5, nasty}};
        p.horizontal = 0.5;
        plots.push_back(p);
    }
    {
        mlec::report::Plot p;  // the extremes of double must not overflow the axis span
        p.series.push_back(series("huge", {-1.7e308, 0, 1.7e308}, {1.7e308, -1.7e308, 4.9e-324}));
        p.vertical = {{1e308, "big"}};
        plots.push_back(p);
    }
    {
        mlec::report::Plot p;
        p.series.push_back(series("tiny range", {1, 1 + 1e-15}, {1e-300, 2e-300}));
        p.series.push_back(series("uneven lengths", {1, 2, 3}, {1}));
        plots.push_back(p);
    }
    for (std::size_t i = 0; i < plots.size(); ++i) {
        INFO("plot " << i);
        const Xml xml = checked(mlec::report::render_svg(plots[i]));
        const auto x_ticks = with_class(xml, "text", "x-tick");
        const auto y_ticks = with_class(xml, "text", "y-tick");
        CHECK(x_ticks.size() >= 5);
        CHECK(x_ticks.size() <= 8);
        CHECK(y_ticks.size() >= 5);
        CHECK(y_ticks.size() <= 8);
    }
    const Xml nasty_xml = parse_xml(mlec::report::render_svg(plots[6]));
    CHECK(with_class(nasty_xml, "text", "title").at(0).text == nasty);
    CHECK(with_class(nasty_xml, "text", "x-label").at(0).text == nasty);
    CHECK(with_class(nasty_xml, "text", "y-label").at(0).text == nasty);
    CHECK(with_class(nasty_xml, "text", "mark-label").at(0).text == nasty);
    CHECK(with_class(nasty_xml, "text", "reference-label").at(0).text == nasty);
    CHECK(with_class(nasty_xml, "polyline", "series").at(0).attributes.at("data-label") == nasty);
}

TEST_CASE("a series breaks into one polyline per finite piece", "[svg]") {
    mlec::report::Plot p;
    // Pieces: {0,1,2}, {4,5,6}, {10}: index 3 NaN, 7 inf, 8-9 x NaN, 11 -inf.
    p.series.push_back(series("a", {0, 1, 2, 3, 4, 5, 6, 7, not_a_number, not_a_number, 10, 11},
                              {1, 2, 3, not_a_number, 5, 6, 7, infinity, 1, 1, 1, -infinity}));
    p.series.push_back(series("b", {0, 1}, {2, 3}));
    const Xml xml = checked(mlec::report::render_svg(p));
    const auto lines = with_class(xml, "polyline", "series");
    REQUIRE(lines.size() == 4);
    for (int i = 0; i < 3; ++i) CHECK(lines[i].attributes.at("data-label") == "a");
    CHECK(lines[3].attributes.at("data-label") == "b");
    CHECK(points_of(lines[0]).size() == 3);
    CHECK(points_of(lines[1]).size() == 3);
    CHECK(points_of(lines[2]).size() == 1);
    CHECK(lines[0].attributes.at("stroke") != lines[3].attributes.at("stroke"));
    // The lone point of the third piece is also drawn as a marker.
    CHECK(with_class(xml, "circle", "point").size() == 1);
    // Two series get a legend; one does not.
    CHECK(std::count_if(xml.elements.begin(), xml.elements.end(), is_legend) == 1);
    p.series.pop_back();
    const Xml single = checked(mlec::report::render_svg(p));
    CHECK(std::none_of(single.elements.begin(), single.elements.end(), is_legend));

    mlec::report::Plot log_plot;
    log_plot.log_y = true;
    // y <= 0 cannot be drawn on a log axis: pieces {0,1}, {3}, {5,6}.
    log_plot.series.push_back(series("g", {0, 1, 2, 3, 4, 5, 6}, {1, 0.1, 0, 0.01, -1, 1e-3, 1e-4}));
    CHECK(with_class(checked(mlec::report::render_svg(log_plot)), "polyline", "series").size() == 3);
}

TEST_CASE("marks, the reference line and data sit where the ticks say", "[svg]") {
    const Xml xml = checked(mlec::report::render_svg(profile_plot()));
    const Area a = plot_area(xml);
    CHECK(a.x == Approx(76));
    CHECK(a.w > 400);
    CHECK(a.h > 250);

    CHECK(tick_values(xml, "x-tick") == std::vector<double>{0, 2, 4, 6, 8, 10});
    CHECK(tick_values(xml, "y-tick") == std::vector<double>{0, 1, 2, 3, 4, 5});
    for (const auto& t : with_class(xml, "text", "x-tick"))
        CHECK(number(t, "x") == Approx(a.x + std::stod(t.text) / 10 * a.w).margin(0.01));

    const auto lines = with_class(xml, "polyline", "series");
    REQUIRE(lines.size() == 1);
    const auto pts = points_of(lines[0]);
    REQUIRE(pts.size() == 5);
    // (0, 5): the min x at the left edge, the max y at the top.
    CHECK(pts[0].first == Approx(a.x).margin(0.01));
    CHECK(pts[0].second == Approx(a.y).margin(0.01));
    // (5, 0): the centre of the x axis, on the bottom edge.
    CHECK(pts[2].first == Approx(a.x + a.w / 2).margin(0.01));
    CHECK(pts[2].second == Approx(a.y + a.h).margin(0.01));
    // (7.5, 1.25)
    CHECK(pts[3].first == Approx(a.x + 0.75 * a.w).margin(0.01));
    CHECK(pts[3].second == Approx(a.y + a.h * (1 - 1.25 / 5)).margin(0.01));

    const auto marks = with_class(xml, "line", "mark");
    const auto mark_labels = with_class(xml, "text", "mark-label");
    REQUIRE(marks.size() == 3);
    REQUIRE(mark_labels.size() == 3);
    const std::vector<double> at = {2.5, 5, 7.5};
    const std::vector<std::string> labels = {"lower", "estimate", "upper"};
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(number(marks[i], "x1") == Approx(a.x + at[i] / 10 * a.w).margin(0.01));
        CHECK(number(marks[i], "x2") == number(marks[i], "x1"));
        CHECK(number(marks[i], "y1") == Approx(a.y));
        CHECK(number(marks[i], "y2") == Approx(a.y + a.h));
        CHECK(marks[i].attributes.count("stroke-dasharray") == 1);
        CHECK(mark_labels[i].text == labels[i]);
    }
    const auto reference = with_class(xml, "line", "reference");
    REQUIRE(reference.size() == 1);
    CHECK(number(reference[0], "y1") == Approx(a.y + a.h * (1 - 3.84 / 5)).margin(0.01));
    CHECK(number(reference[0], "y2") == number(reference[0], "y1"));
    CHECK(number(reference[0], "x1") == Approx(a.x));
    CHECK(number(reference[0], "x2") == Approx(a.x + a.w));
    CHECK(reference[0].attributes.count("stroke-dasharray") == 1);
    CHECK(with_class(xml, "text", "reference-label").at(0).text == "chi2(1) 95%");
    CHECK(with_class(xml, "text", "title").at(0).text == "Profile of b");
}

TEST_CASE("marks and the reference line widen the axes to include them", "[svg]") {
    mlec::report::Plot p;
    p.series.push_back(series("s", {0, 1}, {0, 1}));
    p.vertical = {{-3, "far left"}};
    p.horizontal = 9;
    const Xml xml = checked(mlec::report::render_svg(p));
    const auto x = tick_values(xml, "x-tick");
    const auto y = tick_values(xml, "y-tick");
    CHECK(x.front() <= -3);
    CHECK(x.back() >= 1);
    CHECK(y.front() <= 0);
    CHECK(y.back() >= 9);
}

TEST_CASE("constant and empty series still give a padded plot", "[svg]") {
    mlec::report::Plot p;
    p.series.push_back(series("c", {1, 2, 3}, {3, 3, 3}));
    const Xml xml = checked(mlec::report::render_svg(p));
    const Area a = plot_area(xml);
    const auto y = tick_values(xml, "y-tick");
    REQUIRE(y.size() >= 5);
    CHECK(y.front() < 3);
    CHECK(y.back() > 3);
    const auto pts = points_of(with_class(xml, "polyline", "series").at(0));
    const double expected = a.y + a.h * (y.back() - 3) / (y.back() - y.front());
    for (const auto& [px, py] : pts) {
        CHECK(py == Approx(expected).margin(0.01));
        CHECK(py > a.y);
        CHECK(py < a.y + a.h);
    }

    mlec::report::Plot zero;
    zero.series.push_back(series("z", {0}, {0}));
    const Xml zero_xml = checked(mlec::report::render_svg(zero));
    const auto zx = tick_values(zero_xml, "x-tick");
    CHECK(zx.front() < 0);
    CHECK(zx.back() > 0);
}

TEST_CASE("widening to five ticks never takes a one-signed axis across zero", "[svg]") {
    // Step 2 would give 9 ticks, step 5 only 4 (0, 5, 10, 15): the fifth goes
    // at 20, not at -5.
    mlec::report::Plot p;
    p.series.push_back(series("deviance", {0, 1}, {0, 14.9}));
    CHECK(tick_values(checked(mlec::report::render_svg(p)), "y-tick") == std::vector<double>{0, 5, 10, 15, 20});
    p.series[0].y = {-14.9, 0};
    CHECK(tick_values(checked(mlec::report::render_svg(p)), "y-tick") == std::vector<double>{-20, -15, -10, -5, 0});
}

TEST_CASE("the legend lies inside the plotting area", "[svg]") {
    mlec::report::Plot p = profile_plot();
    p.series.push_back(series("quadratic approximation", {0, 10}, {5, 5}));
    const Xml xml = checked(mlec::report::render_svg(p));
    const Area a = plot_area(xml);
    std::vector<Element> legend_rects;
    bool in_legend = false;
    std::vector<std::string> texts;
    for (const auto& e : xml.elements) {
        if (e.name == "g") in_legend = is_legend(e);
        if (in_legend && e.name == "rect") legend_rects.push_back(e);
        if (in_legend && e.name == "text") texts.push_back(e.text);
    }
    REQUIRE(legend_rects.size() == 1);
    CHECK(texts == std::vector<std::string>{"profile", "quadratic approximation"});
    const Element& r = legend_rects[0];
    CHECK(number(r, "x") >= a.x);
    CHECK(number(r, "y") >= a.y);
    CHECK(number(r, "x") + number(r, "width") <= a.x + a.w);
    CHECK(number(r, "y") + number(r, "height") <= a.y + a.h);
}

TEST_CASE("a log axis has ticks at powers of ten", "[svg]") {
    mlec::report::Plot p;
    p.log_y = true;
    p.series.push_back(series("gradient norm", {0, 1, 2, 3}, {1e2, 1, 1e-3, 1e-8}));
    const Xml xml = checked(mlec::report::render_svg(p));
    // Ten decades: every second power of ten.
    std::vector<std::string> labels;
    for (const auto& e : with_class(xml, "text", "y-tick")) labels.push_back(e.text);
    CHECK(labels == std::vector<std::string>{"1e-8", "1e-6", "1e-4", "0.01", "1", "100"});
    const Area a = plot_area(xml);
    const auto pts = points_of(with_class(xml, "polyline", "series").at(0));
    REQUIRE(pts.size() == 4);
    CHECK(pts[0].second == Approx(a.y).margin(0.01));
    CHECK(pts[3].second == Approx(a.y + a.h).margin(0.01));
    // log10(1e-3) = -3 is 5/10 of the way up from -8.
    CHECK(pts[2].second == Approx(a.y + a.h * 0.5).margin(0.01));

    // One decade still gets at least five ticks, all powers of ten.
    mlec::report::Plot narrow;
    narrow.log_y = true;
    narrow.series.push_back(series("n", {0, 1}, {2, 7}));
    const auto ticks = tick_values(checked(mlec::report::render_svg(narrow)), "y-tick");
    CHECK(ticks.size() >= 5);
    CHECK(ticks.size() <= 8);
    for (double t : ticks) CHECK(std::log10(t) == Approx(std::round(std::log10(t))).margin(1e-12));
    CHECK(ticks.front() <= 2);
    CHECK(ticks.back() >= 7);
}

TEST_CASE("ticks are 5 to 8 evenly spaced 1-2-5 steps covering the data", "[svg]") {
    std::mt19937 rng(20240611);
    std::uniform_real_distribution<double> unit(-1, 1);
    std::uniform_real_distribution<double> decades(-6, 7);
    for (int trial = 0; trial < 400; ++trial) {
        const double span = std::pow(10.0, decades(rng)) * (1 + unit(rng) * 0.9);
        const double lo = unit(rng) * span * std::pow(10.0, std::round(unit(rng) * 3));
        const double hi = lo + span;
        mlec::report::Plot p;
        p.series.push_back(series("r", {lo, hi}, {hi, lo}));
        const Xml xml = parse_xml(mlec::report::render_svg(p));
        REQUIRE(xml.error == "");
        const Area a = plot_area(xml);
        for (const char* axis : {"x-tick", "y-tick"}) {
            INFO("lo " << lo << " hi " << hi << " " << axis);
            const auto t = tick_values(xml, axis);
            REQUIRE(t.size() >= 5);
            REQUIRE(t.size() <= 8);
            const double step = t[1] - t[0];
            for (std::size_t i = 1; i < t.size(); ++i) CHECK(t[i] - t[i - 1] == Approx(step).epsilon(1e-6));
            const double mantissa = step / std::pow(10.0, std::floor(std::log10(step) + 1e-9));
            CHECK((mantissa == Approx(1) || mantissa == Approx(2) || mantissa == Approx(5)));
            CHECK(t.front() <= lo + step * 1e-6);
            CHECK(t.back() >= hi - step * 1e-6);
            // The first and last ticks are the edges of the plotting area.
            const auto e = with_class(xml, "text", axis);
            if (std::string(axis) == "x-tick") {
                CHECK(number(e.front(), "x") == Approx(a.x).margin(0.01));
                CHECK(number(e.back(), "x") == Approx(a.x + a.w).margin(0.01));
            }
        }
    }
}

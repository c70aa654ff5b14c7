// Parameters (checker.hpp): declarations, their bounds, start values and
// sizes; the bounds a use as a distribution's argument implies; one theta
// coordinate per entry, numbered in order of first appearance.
#include <cmath>
#include <cstdlib>
#include <limits>

#include "interpreter/checker.hpp"
#include "runtime/functions.hpp"

namespace mlec::interp::check {

namespace {

double default_start(const rt::Bounds& b) {
    if (b.has_lower() && b.has_upper()) return 0.5 * (b.lower + b.upper);
    if (b.has_lower()) return b.lower + 1.0;
    if (b.has_upper()) return b.upper - 1.0;
    return 0.0;
}

// The graph form of rt::Bounds::to_user, so derivatives flow through it.
int user_scale(rt::Graph& g, int raw, const rt::Bounds& b) {
    if (b.has_lower() && b.has_upper()) {
        const int s = g.add_op(rt::op_sigmoid(), {raw});
        const int scaled =
            b.upper - b.lower == 1.0 ? s : g.add_op(rt::op_mul(), {g.add_constant(b.upper - b.lower), s});
        return b.lower == 0.0 ? scaled : g.add_op(rt::op_add(), {g.add_constant(b.lower), scaled});
    }
    if (b.has_lower()) {
        const int e = g.add_op(rt::op_exp(), {raw});
        return b.lower == 0.0 ? e : g.add_op(rt::op_add(), {g.add_constant(b.lower), e});
    }
    if (b.has_upper()) {
        const int e = g.add_op(rt::op_exp(), {raw});
        return g.add_op(rt::op_sub(), {g.add_constant(b.upper), e});
    }
    return raw;
}

}  // namespace

void Checker::declare(const ast::Param& p) {
    for (const ast::ParamDecl& d : p.decls) {
        if (auto it = declared_.find(d.name); it != declared_.end())
            fail(d.name_span,
                 "parameter '" + d.name + "' is declared twice (first at " + location_of(it->second->name_span) + ")");
        declared_[d.name] = &d;
    }
}

// An implicit parameter written directly as a distribution argument
// whose domain is restricted (normal's sigma > 0, bernoulli's p in
// (0, 1)) is optimized inside that domain: outside it the likelihood is
// undefined. Declared parameters keep exactly the bounds the user wrote.
void Checker::collect_implied_bounds() {
    for (const ast::Statement& s : model_.statements) {
        // (the standard deviation of random effects is normal's sigma too;
        // of correlated ones, each entry of multi_normal's [sa, sb])
        if (const auto* r = std::get_if<ast::Random>(&s.node))
            if (const auto* call = std::get_if<ast::Call>(&r->distribution.node)) {
                imply_from(*call);
                const auto* sd = call->callee == "multi_normal" && call->args.size() == 3
                                     ? std::get_if<ast::VectorLiteral>(&call->args[1].node)
                                     : nullptr;
                if (sd)
                    for (const ast::Expr& e : sd->elements) imply(e, rt::Domain::positive, "multi_normal's sd");
            }
        const auto* sample = std::get_if<ast::Sample>(&s.node);
        if (!sample) continue;
        const auto* call = std::get_if<ast::Call>(&sample->distribution.node);
        if (!call) continue;
        // mixture is a language construct, not a distribution of the table.
        if (call->callee == "mixture" && !call->args.empty()) {
            imply(call->args[0], rt::Domain::unit_open, "mixture's weight");
            for (std::size_t i = 1; i < call->args.size(); ++i)
                if (const auto* comp = std::get_if<ast::Call>(&call->args[i].node)) imply_from(*comp);
            continue;
        }
        imply_from(*call);
    }
}

void Checker::imply_from(const ast::Call& call) {
    const rt::DistributionDef* dist = rt::find_distribution(call.callee);
    if (!dist || call.args.size() != dist->args.size()) return;
    for (std::size_t i = 0; i < call.args.size(); ++i)
        if (!dist->args[i].vector)
            imply(call.args[i], dist->args[i].domain,
                  std::string(dist->name) + "'s " + std::string(dist->args[i].name));
}

void Checker::imply(const ast::Expr& arg, rt::Domain domain, std::string why) {
    const auto* name = std::get_if<ast::Name>(&arg.node);
    if (!name || implied_.count(name->name)) return;
    rt::Bounds b;
    switch (domain) {
        case rt::Domain::positive:
        case rt::Domain::nonnegative: b.lower = 0; break;
        case rt::Domain::unit_open:
        case rt::Domain::unit_closed:
            b.lower = 0;
            b.upper = 1;
            break;
        default: return;
    }
    implied_[name->name] = Implied{b, std::move(why)};
}

void Checker::visit(const ast::Statement&, const ast::Param& p) {
    for (const ast::ParamDecl& d : p.decls) {
        if (columns_.usable_column(d.name))
            fail(d.name_span,
                 "'" + d.name + "' is declared as a parameter, but it is also a column of " + columns_.data_name());
        check_not_builtin(d.name, d.name_span, "a parameter");
        // Bounds and start are checked here, where they are written;
        // parameters are numbered in order of first appearance.
        declared_info(d);
        if (used_names_.count(d.name)) parameter_entry(d.name, d.name_span);
    }
}

// Evaluates a bound, size or start value: it must not depend on data or
// parameters.
double Checker::constant_expression(const ast::Expr& e, const std::string& what) {
    const Value v = expression(e);
    if (!v.is_scalar() || out_.graph.node(v.node()).kind != rt::NodeKind::constant)
        fail(e.span, what + " must be a constant (a number or an expression of numbers)");
    const double x = out_.graph.node(v.node()).constant;
    if (!std::isfinite(x)) fail(e.span, what + " is not a finite number");
    return x;
}

Checker::Declared Checker::declared_info(const ast::ParamDecl& d) {
    if (auto it = declared_cache_.find(d.name); it != declared_cache_.end()) return it->second;
    Declared info;
    if (d.lower) info.bounds.lower = constant_expression(*d.lower, "the lower bound of '" + d.name + "'");
    if (d.upper) info.bounds.upper = constant_expression(*d.upper, "the upper bound of '" + d.name + "'");
    if (d.lower && d.upper && !(info.bounds.lower < info.bounds.upper))
        fail(d.upper->span, "the bounds of '" + d.name + "' are empty: the lower bound " +
                                format_number(info.bounds.lower) + " is not below the upper bound " +
                                format_number(info.bounds.upper));
    if (d.lower && d.upper && !std::isfinite(info.bounds.upper - info.bounds.lower))
        fail(d.upper->span, "the bounds of '" + d.name +
                                "' are too far apart to represent their width; "
                                "leave out one bound");
    if (d.simplex && (d.lower || d.upper))
        fail(d.name_span, "a simplex has its own bounds (entries in (0, 1) that sum to 1); remove the bounds");
    if (d.corr && (d.lower || d.upper))
        fail(d.name_span,
             "a correlation matrix has its own bounds (entries in (-1, 1), positive definite); remove the bounds");
    if (d.ordered && (d.lower || d.upper))
        fail(d.name_span,
             "an ordered vector has its own bounds (increasing entries); remove the bounds, or for increasing "
             "positive entries write positive_ordered");
    // An ordered vector's and a correlation matrix's start is a vector
    // (ordered_start, corr_start).
    if (d.start && !d.ordered && !d.corr) {
        if (d.simplex) fail(d.start->span, "a simplex starts at equal weights; it takes no start value");
        const double s = constant_expression(*d.start, "the start value of '" + d.name + "'");
        if (!info.bounds.contains(s))
            fail(d.start->span, "the start value " + format_number(s) + " of '" + d.name +
                                    "' is not strictly inside its bounds " + bounds_text(info.bounds));
        info.start = s;
    }
    declared_cache_[d.name] = info;
    return info;
}

int Checker::size_of(const ast::Expr& e, const std::string& name) {
    const double v = constant_expression(e, "the size of '" + name + "'");
    if (v != std::floor(v) || v < 1 || v > 1e6)
        fail(e.span, "the size of '" + name + "' must be a whole number from 1 to 1000000, not " + format_number(v));
    return static_cast<int>(v);
}

// One theta coordinate, with its user-scale node and (unless it belongs
// to a simplex) its Estimand.
int Checker::coordinate(const std::string& name, Span span, bool declared, const rt::Bounds& bounds,
                        std::string implied_by, double start, bool estimand) {
    ParameterInfo p;
    p.name = name;
    p.first_use = span;
    p.declared = declared;
    p.bounds = bounds;
    p.implied_by = std::move(implied_by);
    p.start = start;
    const int index = static_cast<int>(out_.parameters.size());
    p.raw_node = out_.graph.add_parameter(index);
    p.user_node = user_scale(out_.graph, p.raw_node, p.bounds);
    if (estimand) {
        Estimand e;
        e.name = name;
        e.node = p.user_node;
        e.implicit = !declared;
        e.bounds = bounds;
        e.coordinate = index;
        out_.estimands.push_back(std::move(e));
    }
    out_.parameters.push_back(std::move(p));
    return out_.parameters.back().user_node;
}

// The parameter `name`, its coordinates made on its first use.
const Checker::ParamEntry& Checker::parameter_entry(const std::string& name, Span span) {
    if (auto it = params_.find(name); it != params_.end()) return it->second;
    // Its bounds, start value and size are evaluated below and may name
    // it again (param w = w * 2, param v[v]): without this, endless
    // recursion (a fuzzer found it).
    if (!entering_.insert(name).second)
        fail(span, "the bounds, start value or size of '" + name + "' depend on '" + name + "' itself");
    struct Leave {
        std::set<std::string>& entering;
        const std::string& name;
        ~Leave() { entering.erase(name); }
    } leave{entering_, name};
    auto decl = declared_.find(name);
    ParamEntry entry = decl == declared_.end() ? implicit_parameter(name, span) : declared_parameter(*decl->second);
    return params_[name] = std::move(entry);
}

// An undeclared name: a scalar, kept inside the bounds its use implies.
Checker::ParamEntry Checker::implicit_parameter(const std::string& name, Span span) {
    if (auto instead = not_a_constant(name))
        fail(span, "'" + name + "' is not a constant in mlec: " + *instead + "; to name a parameter '" + name +
                       "', declare it with 'param " + name + "'");
    rt::Bounds bounds;
    std::string why;
    if (auto it = implied_.find(name); it != implied_.end()) {
        bounds = it->second.bounds;
        why = it->second.why;
        out_.notes.push_back("parameter '" + name + "' is kept " + bounds_text(bounds) + " as " + why + " must be");
    }
    ParamEntry entry;
    entry.value = Value::scalar(coordinate(name, span, false, bounds, why, default_start(bounds), true));
    return entry;
}

Checker::ParamEntry Checker::declared_parameter(const ast::ParamDecl& d) {
    const std::string& name = d.name;
    const Declared info = declared_info(d);
    const double start = info.start ? *info.start : default_start(info.bounds);
    // lo + 1 rounds to lo for a bound like 1e308: then only the user
    // can say where to start.
    if (!d.simplex && !d.ordered && !d.corr &&
        (!info.bounds.contains(start) || !std::isfinite(info.bounds.to_unconstrained(start))))
        fail(d.name_span, "cannot choose a start value strictly inside the bounds " + bounds_text(info.bounds) +
                              " of '" + name + "'; give one, as in 'param " + name + " " + bounds_text(info.bounds) +
                              " = value'");
    if (d.simplex) return simplex_parameter(d);
    if (d.ordered) return ordered_parameter(d);
    if (d.corr) return corr_parameter(d);
    if (d.dims.empty()) {
        ParamEntry entry;
        entry.value = Value::scalar(coordinate(name, d.name_span, true, info.bounds, "", start, true));
        return entry;
    }
    // A group parameter: param effect[g], one entry per level of g.
    if (const auto* col = d.dims.size() == 1 ? std::get_if<ast::Name>(&d.dims[0].node) : nullptr;
        col && columns_.header_index(col->name))
        return group_parameter(d, col->name, info, start);
    return shaped_parameter(d, info, start);
}

Checker::ParamEntry Checker::simplex_parameter(const ast::ParamDecl& d) {
    const std::string& name = d.name;
    const Span at = d.name_span;
    if (d.dims.size() != 1) fail(at, "a simplex has one size, as in 'w simplex[3]'");
    const int k = size_of(d.dims[0], name);
    if (k < 2) fail(d.dims[0].span, "a simplex needs at least 2 weights");
    // Softmax with the first weight as reference: coordinate j is
    // log(w[j+1] / w[1]), so the K weights have K - 1 free
    // coordinates, all unconstrained, and start equal (0).
    std::vector<int> logits{build_.constant(0.0)};
    for (int j = 2; j <= k; ++j)
        logits.push_back(coordinate("log(" + name + "[" + std::to_string(j) + "]/" + name + "[1])", at, true,
                                    rt::Bounds{}, "", 0.0, false));
    Value w = build_.softmax(Value::vector(logits));
    for (int j = 0; j < k; ++j) {
        Estimand e;
        e.name = name + "[" + std::to_string(j + 1) + "]";
        e.node = w.nodes[static_cast<std::size_t>(j)];
        e.simplex = true;
        e.bounds = rt::Bounds{0, 1};
        out_.estimands.push_back(std::move(e));
    }
    ParamEntry entry;
    entry.value = std::move(w);
    return entry;
}

// Stan's transform for K increasing entries: c[1] = u_1 (positive_ordered:
// exp(u_1)), c[j] = c[j-1] + exp(u_j). So coordinate 1 is c[1] itself (kept
// > 0 for positive_ordered) and coordinate j the gap c[j] - c[j-1], kept
// > 0; all K are free, and the entries are Estimands computed from them,
// with delta-method standard errors.
Checker::ParamEntry Checker::ordered_parameter(const ast::ParamDecl& d) {
    const std::string& name = d.name;
    const Span at = d.name_span;
    if (d.dims.size() != 1) fail(at, "an ordered vector has one size, as in 'c ordered[3]'");
    const int k = size_of(d.dims[0], name);
    const std::vector<double> start = d.start ? ordered_start(d, k) : default_ordered_start(d, k);
    const rt::Bounds positive{0, std::numeric_limits<double>::infinity()};
    const rt::Bounds entry_bounds = d.positive_ordered ? positive : rt::Bounds{};
    auto entry = [&](int j) { return name + "[" + std::to_string(j) + "]"; };
    std::vector<int> c{coordinate(entry(1), at, true, entry_bounds, "", start[0], true)};
    for (int j = 2; j <= k; ++j) {
        const auto i = static_cast<std::size_t>(j - 1);
        const int gap = coordinate(entry(j).append("-").append(entry(j - 1)), at, true, positive, "",
                                   start[i] - start[i - 1], false);
        c.push_back(build_.op(rt::op_add(), {c.back(), gap}));
        Estimand e;
        e.name = entry(j);
        e.node = c.back();
        e.bounds = entry_bounds;
        out_.estimands.push_back(std::move(e));
    }
    ParamEntry out;
    out.value = Value::vector(std::move(c));
    return out;
}

// `param c ordered[3] = [-1, 0, 1]`: K constants, strictly increasing (and
// positive for positive_ordered), each gap representable as exp(u).
std::vector<double> Checker::ordered_start(const ast::ParamDecl& d, int k) {
    const ast::Expr& s = *d.start;
    const std::string what = "the start value of '" + d.name + "'";
    const Value v = expression(s);
    if (v.shape != Shape::vector || static_cast<int>(v.nodes.size()) != k)
        fail(s.span, what + " must be a vector of " + std::to_string(k) + " increasing numbers, as in '" +
                         (d.positive_ordered ? "[1, 2, 3]" : "[-1, 0, 1]") + "', not " + describe(v));
    const auto* literal = std::get_if<ast::VectorLiteral>(&s.node);
    auto span_of = [&](std::size_t i) { return literal ? literal->elements[i].span : s.span; };
    std::vector<double> out;
    for (std::size_t i = 0; i < v.nodes.size(); ++i) {
        const rt::Node& n = out_.graph.node(v.nodes[i]);
        if (n.kind != rt::NodeKind::constant || !std::isfinite(n.constant))
            fail(span_of(i), what + " must be finite constants (numbers or expressions of numbers)");
        out.push_back(n.constant);
        if (i == 0 && d.positive_ordered && !(out[0] > 0))
            fail(span_of(0), what + " must be positive: its first entry is " + format_number(out[0]));
        if (i > 0 && !(out[i] > out[i - 1] && std::isfinite(std::log(out[i] - out[i - 1]))))
            fail(span_of(i), what + " must be strictly increasing: entry " + std::to_string(i + 1) + " (" +
                                 format_number(out[i]) + ") is not above entry " + std::to_string(i) + " (" +
                                 format_number(out[i - 1]) + ")");
    }
    return out;
}

// The cut-points of `y ~ ordered_logistic(eta, c)` start where they fit the
// outcome's frequencies with eta = 0 (where a linear predictor's
// coefficients start): c[j] = F^-1(P(y <= j)), the MLE of the model without
// covariates (cut_points_from_data). Without such a statement, or for
// positive_ordered, evenly spaced, one apart: -(K-1)/2, ..., (K-1)/2 for
// ordered (centred on 0), 1, ..., K for positive_ordered.
std::vector<double> Checker::default_ordered_start(const ast::ParamDecl& d, int k) {
    if (!d.positive_ordered)
        if (auto fitted = cut_points_from_data(d, k)) return *fitted;
    std::vector<double> out;
    for (int j = 1; j <= k; ++j) out.push_back(d.positive_ordered ? j : j - 0.5 * (k + 1));
    return out;
}

// F^-1 of the cumulative frequencies of the outcome of the first sampling
// statement that passes `d` as an ordinal distribution's cut-points, when
// that outcome is an integer column. Half a count is added to each of the
// K + 1 categories, so that an empty category (or one the data lack) still
// gives strictly increasing, finite start values.
std::optional<std::vector<double>> Checker::cut_points_from_data(const ast::ParamDecl& d, int k) {
    for (const ast::Statement& s : model_.statements) {
        const auto* sample = std::get_if<ast::Sample>(&s.node);
        const auto* call = sample ? std::get_if<ast::Call>(&sample->distribution.node) : nullptr;
        if (!call || call->args.size() != 2) continue;
        const rt::DistributionDef* dist = rt::find_distribution(call->callee);
        const auto* cuts = std::get_if<ast::Name>(&call->args[1].node);
        const auto* y = std::get_if<ast::Name>(&sample->outcome.node);
        if (!dist || !dist->latent_quantile || !cuts || cuts->name != d.name || !y) continue;
        const auto column = columns_.usable_column(y->name);
        if (!column || locals_.value(y->name)) return std::nullopt;
        const Levels* levels = columns_.levels_if_any(*column);
        if (!levels || !levels->numeric) return std::nullopt;
        const Levels& lv = *levels;
        // Counted over all rows (all ranks' in a distributed fit), so that
        // every rank starts at the same point.
        std::vector<double> per_level(lv.names.size(), 0.0);
        if (!lv.counts.empty()) {
            for (std::size_t i = 0; i < per_level.size(); ++i) per_level[i] = static_cast<double>(lv.counts[i]);
        } else {
            for (const double code : lv.codes)
                if (code >= 1 && code <= static_cast<double>(per_level.size()))
                    per_level[static_cast<std::size_t>(code) - 1] += 1;
        }
        std::vector<double> count(static_cast<std::size_t>(k) + 1, 0.5);
        for (std::size_t i = 0; i < lv.names.size(); ++i) {
            const double v = std::strtod(lv.names[i].c_str(), nullptr);
            if (v >= 1 && v <= k + 1 && v == std::floor(v)) count[static_cast<std::size_t>(v) - 1] += per_level[i];
        }
        double total = 0;
        for (const double n : count) total += n;
        std::vector<double> out;
        double below = 0;
        for (int j = 0; j < k; ++j) {
            below += count[static_cast<std::size_t>(j)];
            out.push_back(dist->latent_quantile(below / total));
        }
        return out;
    }
    return std::nullopt;
}

Checker::ParamEntry Checker::group_parameter(const ast::ParamDecl& d, const std::string& column, const Declared& info,
                                             double start) {
    columns_.require_listed(column, d.dims[0].span);
    const Levels& lv = columns_.levels_of(*columns_.header_index(column), d.dims[0].span);
    std::vector<int> nodes;
    for (const std::string& level : lv.names)
        nodes.push_back(coordinate(d.name + "[" + level + "]", d.name_span, true, info.bounds, "", start, true));
    ParamEntry entry;
    entry.value = Value::vector(std::move(nodes));
    entry.group = true;
    entry.group_column = column;
    return entry;
}

// A vector (param beta[3]) or matrix (param W[2, 3]) of entries.
Checker::ParamEntry Checker::shaped_parameter(const ast::ParamDecl& d, const Declared& info, double start) {
    const std::string& name = d.name;
    if (d.dims.size() > 2) fail(d.name_span, "a parameter has at most two dimensions (a matrix)");
    const int rows = size_of(d.dims[0], name);
    const int cols = d.dims.size() == 2 ? size_of(d.dims[1], name) : 1;
    // (Built with append: GCC 12 gives a false -Wrestrict on "literal" + string&&.)
    std::vector<int> nodes;
    for (int r = 1; r <= rows; ++r)
        for (int c = 1; c <= cols; ++c)
            nodes.push_back(
                coordinate(name + "[" + std::to_string(r) +
                               (d.dims.size() == 2 ? std::string(",").append(std::to_string(c)) : std::string()) + "]",
                           d.name_span, true, info.bounds, "", start, true));
    ParamEntry entry;
    entry.value = d.dims.size() == 2 ? Value::matrix(rows, cols, std::move(nodes)) : Value::vector(std::move(nodes));
    return entry;
}

}  // namespace mlec::interp::check

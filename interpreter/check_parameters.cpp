// Parameters (checker.hpp): declarations, their bounds, start values and
// sizes; the bounds a use as a distribution's argument implies; one theta
// coordinate per entry, numbered in order of first appearance.
#include <cmath>

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
    if (d.start) {
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
    if (!d.simplex && (!info.bounds.contains(start) || !std::isfinite(info.bounds.to_unconstrained(start))))
        fail(d.name_span, "cannot choose a start value strictly inside the bounds " + bounds_text(info.bounds) +
                              " of '" + name + "'; give one, as in 'param " + name + " " + bounds_text(info.bounds) +
                              " = value'");
    if (d.simplex) return simplex_parameter(d);
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

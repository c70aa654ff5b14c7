// Name resolution, checks and lowering of a parsed model into the graph.
//
// A name in an expression is, in this order: a local defined above it, a data
// column, a declared parameter, or else an implicit scalar parameter. Calls
// name built-in functions; sampling statements name distributions. The first
// error stops the check (later errors are often consequences of it).
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <type_traits>

#include "interpreter/checked_model.hpp"
#include "interpreter/suggest.hpp"
#include "runtime/functions.hpp"

namespace mlec::interp {

namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();

struct CheckError {
    Diagnostic diagnostic;
};

std::string plural(std::size_t n, const char* word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string format_number(double x) {
    std::ostringstream s;
    s.precision(15);
    s << x;
    return s.str();
}

std::string bounds_text(const rt::Bounds& b) {
    if (b.has_lower() && b.has_upper())
        return "(" + format_number(b.lower) + ", " + format_number(b.upper) + ")";
    if (b.has_lower()) return "> " + format_number(b.lower);
    if (b.has_upper()) return "< " + format_number(b.upper);
    return "unbounded";
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

class Checker {
public:
    Checker(const SourceText& source, const ast::Model& model, std::span<const std::string> header,
            const std::string& data_name)
        : source_(source), model_(model), header_(header), data_name_(data_name) {}

    CheckedModel run() {
        for (const ast::Statement& s : model_.statements) collect_used_names(s);
        collect_declarations();
        collect_implied_bounds();
        for (const ast::Statement& s : model_.statements) statement(s);
        if (out_.terms.empty())
            throw CheckError{Diagnostic{Severity::error, Category::model, source_.name(), 0, 0,
                                        "the model has no sampling statement ('~') and no 'target +=': "
                                        "there is nothing to fit",
                                        "", 1}};
        for (const auto& [name, decl] : declared_) {
            if (param_index_.count(name)) continue;
            out_.warnings.push_back(source_.diagnostic(
                decl->name_span,
                "parameter '" + name + "' is declared but never used: it does not affect the "
                "likelihood and is not estimated",
                Category::model, Severity::warning));
        }
        typo_warnings();
        return std::move(out_);
    }

private:
    [[noreturn]] void fail(Span span, std::string message) {
        throw CheckError{source_.diagnostic(span, std::move(message))};
    }

    std::string_view text_of(Span span) const {
        return std::string_view(source_.text()).substr(span.begin, span.end - span.begin);
    }

    std::string location_of(Span span) const {
        const LineColumn lc = source_.locate(span.begin);
        return std::to_string(lc.line) + ":" + std::to_string(lc.column);
    }

    std::optional<int> header_index(const std::string& name) const {
        for (std::size_t i = 0; i < header_.size(); ++i)
            if (header_[i] == name) return static_cast<int>(i);
        return std::nullopt;
    }

    // ---- pre-passes -------------------------------------------------------

    void collect_used_names(const ast::Expr& e) {
        std::visit(
            [&](const auto& n) {
                using T = std::decay_t<decltype(n)>;
                if constexpr (std::is_same_v<T, ast::Name>) {
                    used_names_.insert(n.name);
                } else if constexpr (std::is_same_v<T, ast::Negate>) {
                    collect_used_names(*n.operand);
                } else if constexpr (std::is_same_v<T, ast::Binary>) {
                    collect_used_names(*n.lhs);
                    collect_used_names(*n.rhs);
                } else if constexpr (std::is_same_v<T, ast::Call>) {
                    for (const auto& a : n.args) collect_used_names(a);
                } else if constexpr (std::is_same_v<T, ast::Index>) {
                    used_names_.insert(n.name);
                    for (const auto& a : n.indices) collect_used_names(a);
                } else if constexpr (std::is_same_v<T, ast::VectorLiteral>) {
                    for (const auto& a : n.elements) collect_used_names(a);
                }
            },
            e.node);
    }

    void collect_used_names(const ast::Statement& s) {
        std::visit(
            [&](const auto& n) {
                using T = std::decay_t<decltype(n)>;
                if constexpr (std::is_same_v<T, ast::Sample>) {
                    collect_used_names(n.outcome);
                    collect_used_names(n.distribution);
                } else if constexpr (std::is_same_v<T, ast::Assign> || std::is_same_v<T, ast::TargetAdd> ||
                                     std::is_same_v<T, ast::Report>) {
                    collect_used_names(n.value);
                }
            },
            s.node);
    }

    void collect_declarations() {
        for (const ast::Statement& s : model_.statements) {
            if (const auto* p = std::get_if<ast::Param>(&s.node)) {
                for (const ast::ParamDecl& d : p->decls) {
                    if (auto it = declared_.find(d.name); it != declared_.end())
                        fail(d.name_span, "parameter '" + d.name + "' is declared twice (first at " +
                                              location_of(it->second->name_span) + ")");
                    declared_[d.name] = &d;
                }
            } else if (const auto* a = std::get_if<ast::Assign>(&s.node)) {
                if (!local_definitions_.count(a->name)) local_definitions_[a->name] = a->name_span;
            } else if (const auto* d = std::get_if<ast::Data>(&s.node)) {
                if (!data_list_) data_list_.emplace();
                for (const ast::DataName& n : d->names) {
                    if (!header_index(n.name))
                        fail(n.span, "column '" + n.name + "' listed in 'data' is not in " + data_name_);
                    data_list_->insert(n.name);
                }
            }
        }
    }

    // An implicit parameter written directly as a distribution argument
    // whose domain is restricted (normal's sigma > 0, bernoulli's p in
    // (0, 1)) is optimized inside that domain: outside it the likelihood is
    // undefined. Declared parameters keep exactly the bounds the user wrote.
    void collect_implied_bounds() {
        for (const ast::Statement& s : model_.statements) {
            const auto* sample = std::get_if<ast::Sample>(&s.node);
            if (!sample) continue;
            const auto* call = std::get_if<ast::Call>(&sample->distribution.node);
            if (!call) continue;
            const rt::DistributionDef* dist = rt::find_distribution(call->callee);
            if (!dist || call->args.size() != dist->args.size()) continue;
            for (std::size_t i = 0; i < call->args.size(); ++i) {
                const auto* name = std::get_if<ast::Name>(&call->args[i].node);
                if (!name || implied_.count(name->name)) continue;
                rt::Bounds b;
                switch (dist->args[i].domain) {
                    case rt::Domain::positive:
                    case rt::Domain::nonnegative: b.lower = 0; break;
                    case rt::Domain::unit_open:
                    case rt::Domain::unit_closed: b.lower = 0; b.upper = 1; break;
                    default: continue;
                }
                implied_[name->name] = {b, std::string(dist->name) + "'s " + std::string(dist->args[i].name)};
            }
        }
    }

    // ---- statements -------------------------------------------------------

    void statement(const ast::Statement& s) {
        std::visit([&](const auto& node) { this->visit(s, node); }, s.node);
    }

    void visit(const ast::Statement& s, const ast::Sample& sample) {
        const auto* call = std::get_if<ast::Call>(&sample.distribution.node);
        if (!call) fail(sample.distribution.span, "expected a distribution call after '~'");
        if (call->conditional)
            fail(call->callee_span, "'|' belongs in a log density call such as " + call->callee +
                                        "_lpdf(y | ...), not after '~'");
        const rt::DistributionDef* dist = find_distribution_or_fail(call->callee, call->callee_span);
        add_distribution_term(s, *dist, sample.outcome, call->args, sample.distribution.span, *call);
    }

    void visit(const ast::Statement& s, const ast::Assign& a) {
        if (header_index(a.name) && (!data_list_ || data_list_->count(a.name)))
            fail(a.name_span, "'" + a.name + "' is a column of " + data_name_ +
                                  "; a local definition cannot have a column's name");
        if (declared_.count(a.name))
            fail(a.name_span, "'" + a.name + "' is declared as a parameter at " +
                                  location_of(declared_[a.name]->name_span) + "; it cannot also be defined here");
        if (locals_.count(a.name))
            fail(a.name_span, "'" + a.name + "' is already defined at " + location_of(local_spans_[a.name]));
        check_not_builtin(a.name, a.name_span, "a local definition");
        (void)s;
        const int node = expression(a.value);
        locals_[a.name] = node;
        local_spans_[a.name] = a.name_span;
    }

    void visit(const ast::Statement&, const ast::Param& p) {
        for (const ast::ParamDecl& d : p.decls) {
            if (!d.dims.empty() || d.simplex)
                fail(d.name_span, "vector, matrix and simplex parameters are not supported in this "
                                  "version of mlec; declare scalar parameters");
            if (auto col = header_index(d.name); col && (!data_list_ || data_list_->count(d.name)))
                fail(d.name_span, "'" + d.name + "' is declared as a parameter, but it is also a column of " +
                                      data_name_);
            check_not_builtin(d.name, d.name_span, "a parameter");
            // Bounds and start are checked here, where they are written;
            // parameters are numbered in order of first appearance.
            declared_info(d);
            if (used_names_.count(d.name)) parameter(d.name, d.name_span);
        }
    }

    void visit(const ast::Statement&, const ast::Data&) {}

    void visit(const ast::Statement& s, const ast::TargetAdd& t) {
        add_term(s, nullptr, expression(t.value), {}, {});
    }

    void visit(const ast::Statement&, const ast::Report& r) {
        fail(r.name_span, "'report' statements are not supported in this version of mlec");
    }

    // ---- distributions ----------------------------------------------------

    const rt::DistributionDef* find_distribution_or_fail(const std::string& name, Span span) {
        if (const rt::DistributionDef* d = rt::find_distribution(name)) return d;
        if (rt::find_function(name))
            fail(span, "'" + name + "' is a function, not a distribution");
        std::vector<std::string> names;
        for (const rt::DistributionDef* d : rt::all_distributions()) names.emplace_back(d->name);
        std::string message = "unknown distribution '" + name + "'";
        if (auto guess = closest(name, names)) message += "; did you mean '" + *guess + "'?";
        fail(span, message);
    }

    void add_distribution_term(const ast::Statement& s, const rt::DistributionDef& dist,
                               const ast::Expr& outcome, const std::vector<ast::Expr>& args, Span call_span,
                               const ast::Call& call) {
        if (args.size() != dist.args.size()) {
            std::string names;
            for (std::size_t i = 0; i < dist.args.size(); ++i)
                names += (i ? ", " : "") + std::string(dist.args[i].name);
            fail(call_span, std::string(dist.name) + " takes " + plural(dist.args.size(), "argument") + " (" +
                                names + "), but " + std::to_string(args.size()) +
                                (args.size() == 1 ? " was" : " were") + " given");
        }
        const rt::DistributionDef* chosen = &dist;
        std::vector<const ast::Expr*> arg_exprs;
        for (const ast::Expr& a : args) arg_exprs.push_back(&a);
        // Stable forms: bernoulli(sigmoid(e)) -> bernoulli_logit(e) and
        // poisson(exp(e)) -> poisson_log(e), so a fit that pushes e to
        // +-infinity (separation) keeps a finite log-likelihood.
        if (args.size() == 1) {
            if (const auto* inner = std::get_if<ast::Call>(&args[0].node);
                inner && !inner->conditional && inner->args.size() == 1) {
                const char* target = nullptr;
                if (dist.name == "bernoulli" && (inner->callee == "sigmoid" || inner->callee == "inv_logit"))
                    target = "bernoulli_logit";
                else if (dist.name == "poisson" && inner->callee == "exp")
                    target = "poisson_log";
                if (target) {
                    chosen = rt::find_distribution(target);
                    arg_exprs[0] = &inner->args[0];
                    const LineColumn lc = source_.locate(call_span.begin);
                    out_.notes.push_back("line " + std::to_string(lc.line) + ": " + std::string(dist.name) + "(" +
                                         inner->callee + "(...)) is evaluated as " + target +
                                         "(...), which stays finite however large the linear predictor grows");
                }
            }
        }
        (void)call;
        std::vector<int> inputs;
        std::vector<Span> spans;
        // A bare outcome name that is not a column is almost always a column
        // missing from the data (or misspelled), not a parameter.
        if (const auto* name = std::get_if<ast::Name>(&outcome.node);
            name && !header_index(name->name) && !locals_.count(name->name) && !declared_.count(name->name)) {
            std::string message = "'" + name->name + "' is not a column of " + data_name_;
            if (auto guess = closest(name->name, header_)) message += "; did you mean '" + *guess + "'?";
            else message += "; the outcome of '~' must be data";
            fail(outcome.span, message);
        }
        const int y = expression(outcome);
        const rt::Node& yn = out_.graph.node(y);
        if (!yn.deps.empty())
            fail(outcome.span, "the outcome of '~' depends on parameter '" +
                                   out_.parameters[static_cast<std::size_t>(yn.deps.front())].name +
                                   "'; it must be data");
        inputs.push_back(y);
        spans.push_back(outcome.span);
        for (const ast::Expr* a : arg_exprs) {
            inputs.push_back(expression(*a));
            spans.push_back(a->span);
        }
        const int node = out_.graph.add_op(chosen->op, inputs);
        add_term(s, chosen, node, std::move(inputs), std::move(spans));
        out_.terms.back().written = dist.name;
    }

    void add_term(const ast::Statement& s, const rt::DistributionDef* dist, int node, std::vector<int> inputs,
                  std::vector<Span> spans) {
        TermInfo t;
        t.span = s.span;
        t.text = std::string(text_of(s.span));
        t.distribution = dist;
        t.node = node;
        t.input_nodes = std::move(inputs);
        t.input_spans = std::move(spans);
        out_.graph.add_term(node);
        out_.terms.push_back(std::move(t));
    }

    // ---- expressions ------------------------------------------------------

    int expression(const ast::Expr& e) {
        return std::visit([&](const auto& node) { return this->lower(e, node); }, e.node);
    }

    int lower(const ast::Expr&, const ast::Number& n) { return out_.graph.add_constant(n.value); }

    int lower(const ast::Expr& e, const ast::Name& n) { return resolve(n.name, e.span); }

    int lower(const ast::Expr&, const ast::Negate& n) { return make_op(rt::op_neg(), {expression(*n.operand)}); }

    int lower(const ast::Expr&, const ast::Binary& b) {
        const int l = expression(*b.lhs);
        const int r = expression(*b.rhs);
        switch (b.op) {
            case ast::BinaryOp::add: return make_op(rt::op_add(), {l, r});
            case ast::BinaryOp::sub: return make_op(rt::op_sub(), {l, r});
            case ast::BinaryOp::mul: return make_op(rt::op_mul(), {l, r});
            case ast::BinaryOp::div: return make_op(rt::op_div(), {l, r});
            case ast::BinaryOp::pow: return make_op(rt::op_pow(), {l, r});
        }
        return l;
    }

    int lower(const ast::Expr& e, const ast::Call& c) {
        if (ends_with(c.callee, "_lpdf") || ends_with(c.callee, "_lpmf")) {
            const std::string base = c.callee.substr(0, c.callee.size() - 5);
            const rt::DistributionDef* dist = find_distribution_or_fail(base, c.callee_span);
            if (dist->discrete != ends_with(c.callee, "_lpmf"))
                fail(c.callee_span, "'" + base + "' is " + (dist->discrete ? "discrete: write " + base + "_lpmf"
                                                                          : "continuous: write " + base + "_lpdf"));
            if (!c.conditional || c.args.empty())
                fail(c.callee_span, "write " + c.callee + "(y | ...): the outcome, then '|', then the arguments");
            if (c.args.size() - 1 != dist->args.size()) {
                std::string names;
                for (std::size_t i = 0; i < dist->args.size(); ++i)
                    names += (i ? ", " : "") + std::string(dist->args[i].name);
                fail(e.span, c.callee + " takes the outcome and " + plural(dist->args.size(), "argument") + " (" +
                                 names + "), but " + std::to_string(c.args.size() - 1) +
                                 (c.args.size() == 2 ? " was" : " were") + " given after '|'");
            }
            std::vector<int> inputs;
            for (const ast::Expr& a : c.args) inputs.push_back(expression(a));
            return out_.graph.add_op(dist->op, inputs);
        }
        if (c.conditional)
            fail(c.callee_span, "'|' is only used in log density calls such as normal_lpdf(y | mu, sigma)");
        const rt::OpDef* op = rt::find_function(c.callee);
        if (!op) {
            if (rt::find_distribution(c.callee))
                fail(c.callee_span, "'" + c.callee + "' is a distribution: use it after '~' (y ~ " + c.callee +
                                        "(...)) or as " + c.callee + "_lpdf(y | ...)");
            std::vector<std::string> names;
            for (const rt::OpDef* f : rt::all_functions()) names.emplace_back(f->name);
            std::string message = "unknown function '" + c.callee + "'";
            if (auto guess = closest(c.callee, names)) message += "; did you mean '" + *guess + "'?";
            fail(c.callee_span, message);
        }
        if (static_cast<int>(c.args.size()) != op->arity)
            fail(e.span, std::string(op->name) + " takes " + plural(static_cast<std::size_t>(op->arity), "argument") +
                             ", but " + std::to_string(c.args.size()) + (c.args.size() == 1 ? " was" : " were") +
                             " given");
        std::vector<int> inputs;
        for (const ast::Expr& a : c.args) inputs.push_back(expression(a));
        return make_op(*op, std::move(inputs));
    }

    int lower(const ast::Expr& e, const ast::Index& i) {
        (void)i;
        fail(e.span, "indexing is not supported in this version of mlec");
    }

    int lower(const ast::Expr& e, const ast::VectorLiteral&) {
        fail(e.span, "vector literals are not supported in this version of mlec");
    }

    // Ops whose inputs are all constants are folded into a constant.
    int make_op(const rt::OpDef& op, std::vector<int> inputs) {
        bool all_constant = true;
        for (int in : inputs) all_constant = all_constant && out_.graph.node(in).kind == rt::NodeKind::constant;
        if (!all_constant) return out_.graph.add_op(op, std::move(inputs));
        std::vector<double> values;
        for (int in : inputs) values.push_back(out_.graph.node(in).constant);
        std::vector<rt::ConstCol> in_maps;
        for (const double& v : values) in_maps.emplace_back(&v, 1);
        double result = 0;
        rt::OpCall call{in_maps, rt::Col(&result, 1), {}, {}};
        op.eval(call);
        return out_.graph.add_constant(result);
    }

    void check_not_builtin(const std::string& name, Span span, const char* what) {
        if (rt::find_function(name))
            fail(span, "'" + name + "' is a built-in function; it cannot be " + what);
        if (rt::find_distribution(name))
            fail(span, "'" + name + "' is a distribution; it cannot be " + what);
    }

    int resolve(const std::string& name, Span span) {
        if (auto it = locals_.find(name); it != locals_.end()) return it->second;
        if (auto it = local_definitions_.find(name); it != local_definitions_.end())
            fail(span, "'" + name + "' is used before its definition at " + location_of(it->second));
        if (auto col = header_index(name)) {
            if (data_list_ && !data_list_->count(name))
                fail(span, "'" + name + "' is a column of " + data_name_ + " but is not listed in 'data'");
            return column(name, *col, span);
        }
        if (rt::find_function(name))
            fail(span, "'" + name + "' is a function: call it as " + name + "(...)");
        if (rt::find_distribution(name))
            fail(span, "'" + name + "' is a distribution: use it after '~' as " + name + "(...)");
        return parameter(name, span);
    }

    int column(const std::string& name, int csv_index, Span span) {
        if (auto it = column_index_.find(name); it != column_index_.end())
            return out_.graph.add_data(it->second);
        const int k = static_cast<int>(out_.columns.size());
        out_.columns.push_back(ColumnInfo{name, csv_index, span});
        column_index_[name] = k;
        return out_.graph.add_data(k);
    }

    // Evaluates a bound or start value: it must not depend on data or
    // parameters.
    double constant_expression(const ast::Expr& e, const std::string& what) {
        const int node = expression(e);
        const rt::Node& n = out_.graph.node(node);
        if (n.kind != rt::NodeKind::constant)
            fail(e.span, what + " must be a constant (a number or an expression of numbers)");
        if (!std::isfinite(n.constant)) fail(e.span, what + " is not a finite number");
        return n.constant;
    }

    struct Declared {
        rt::Bounds bounds;
        std::optional<double> start;
    };

    Declared declared_info(const ast::ParamDecl& d) {
        if (auto it = declared_cache_.find(d.name); it != declared_cache_.end()) return it->second;
        Declared info;
        if (d.lower) info.bounds.lower = constant_expression(*d.lower, "the lower bound of '" + d.name + "'");
        if (d.upper) info.bounds.upper = constant_expression(*d.upper, "the upper bound of '" + d.name + "'");
        if (d.lower && d.upper && !(info.bounds.lower < info.bounds.upper))
            fail(d.upper->span, "the bounds of '" + d.name + "' are empty: the lower bound " +
                                    format_number(info.bounds.lower) + " is not below the upper bound " +
                                    format_number(info.bounds.upper));
        if (d.start) {
            const double s = constant_expression(*d.start, "the start value of '" + d.name + "'");
            if (!info.bounds.contains(s))
                fail(d.start->span, "the start value " + format_number(s) + " of '" + d.name +
                                        "' is not strictly inside its bounds " + bounds_text(info.bounds));
            info.start = s;
        }
        declared_cache_[d.name] = info;
        return info;
    }

    static double default_start(const rt::Bounds& b) {
        if (b.has_lower() && b.has_upper()) return 0.5 * (b.lower + b.upper);
        if (b.has_lower()) return b.lower + 1.0;
        if (b.has_upper()) return b.upper - 1.0;
        return 0.0;
    }

    int parameter(const std::string& name, Span span) {
        if (auto it = param_index_.find(name); it != param_index_.end())
            return out_.parameters[static_cast<std::size_t>(it->second)].user_node;
        ParameterInfo p;
        p.name = name;
        p.first_use = span;
        if (auto it = declared_.find(name); it != declared_.end()) {
            const Declared info = declared_info(*it->second);
            p.declared = true;
            p.first_use = it->second->name_span;
            p.bounds = info.bounds;
            p.start = info.start ? *info.start : default_start(p.bounds);
        } else {
            if (auto it2 = implied_.find(name); it2 != implied_.end()) {
                p.bounds = it2->second.first;
                p.implied_by = it2->second.second;
                out_.notes.push_back("parameter '" + name + "' is kept " + bounds_text(p.bounds) + " as " +
                                     p.implied_by + " must be");
            }
            p.start = default_start(p.bounds);
        }
        const int index = static_cast<int>(out_.parameters.size());
        p.raw_node = out_.graph.add_parameter(index);
        p.user_node = user_scale(p.raw_node, p.bounds);
        param_index_[name] = index;
        out_.parameters.push_back(std::move(p));
        return out_.parameters.back().user_node;
    }

    // The graph form of rt::Bounds::to_user, so derivatives flow through it.
    int user_scale(int raw, const rt::Bounds& b) {
        rt::Graph& g = out_.graph;
        if (b.has_lower() && b.has_upper()) {
            const int s = g.add_op(*rt::find_function("sigmoid"), {raw});
            const int scaled = b.upper - b.lower == 1.0 ? s : g.add_op(rt::op_mul(), {g.add_constant(b.upper - b.lower), s});
            return b.lower == 0.0 ? scaled : g.add_op(rt::op_add(), {g.add_constant(b.lower), scaled});
        }
        if (b.has_lower()) {
            const int e = g.add_op(*rt::find_function("exp"), {raw});
            return b.lower == 0.0 ? e : g.add_op(rt::op_add(), {g.add_constant(b.lower), e});
        }
        if (b.has_upper()) {
            const int e = g.add_op(*rt::find_function("exp"), {raw});
            return g.add_op(rt::op_sub(), {g.add_constant(b.upper), e});
        }
        return raw;
    }

    void typo_warnings() {
        for (const ParameterInfo& p : out_.parameters) {
            for (const std::string& col : header_) {
                if (!looks_like_typo(p.name, col)) continue;
                out_.warnings.push_back(source_.diagnostic(
                    p.first_use,
                    "parameter '" + p.name + "' is one edit away from column '" + col + "' of " + data_name_ +
                        "; if you meant the column, correct the name",
                    Category::model, Severity::warning));
                break;
            }
        }
    }

    const SourceText& source_;
    const ast::Model& model_;
    std::span<const std::string> header_;
    std::string data_name_;
    CheckedModel out_;

    std::map<std::string, const ast::ParamDecl*> declared_;
    std::map<std::string, Declared> declared_cache_;
    std::map<std::string, Span> local_definitions_;
    std::map<std::string, int> locals_;
    std::map<std::string, Span> local_spans_;
    std::map<std::string, int> param_index_;
    std::map<std::string, int> column_index_;
    std::map<std::string, std::pair<rt::Bounds, std::string>> implied_;
    std::optional<std::set<std::string>> data_list_;
    std::set<std::string> used_names_;
};

}  // namespace

CheckResult check_model(const SourceText& source, const ast::Model& model, std::span<const std::string> header,
                        const std::string& data_name) {
    CheckResult result;
    try {
        Checker checker(source, model, header, data_name);
        result.model = checker.run();
    } catch (const CheckError& e) {
        result.diagnostics.push_back(e.diagnostic);
    }
    return result;
}

}  // namespace mlec::interp

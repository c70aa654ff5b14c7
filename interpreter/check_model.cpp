// Name resolution, shape checks and lowering of a parsed model into the graph.
//
// A name in an expression is, in this order: a local defined above it, the
// constant pi, a data column, a declared parameter, or else an implicit
// scalar parameter (not e, inf, NA, TRUE and the like: constants mlec does
// not have are errors; nor, in check_free_names, a free name that looks
// like a mistyped column). Calls name built-in functions; sampling statements
// name distributions. The first error stops the check (later errors are
// often consequences of it).
#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>
#include <ranges>
#include <set>
#include <sstream>
#include <tuple>
#include <type_traits>

#include "interpreter/builder.hpp"
#include "interpreter/checked_model.hpp"
#include "interpreter/products.hpp"
#include "interpreter/suggest.hpp"
#include "runtime/functions.hpp"
#include "runtime/select.hpp"

namespace mlec::interp {

namespace {

struct CheckError {
    Diagnostic diagnostic;
};

std::string plural(std::size_t n, const char* word) { return std::to_string(n) + " " + word + (n == 1 ? "" : "s"); }

std::string format_number(double x) {
    std::ostringstream s;
    s.precision(15);
    s << x;
    return s.str();
}

std::string bounds_text(const rt::Bounds& b) {
    if (b.has_lower() && b.has_upper()) return "(" + format_number(b.lower) + ", " + format_number(b.upper) + ")";
    if (b.has_lower()) return "> " + format_number(b.lower);
    if (b.has_upper()) return "< " + format_number(b.upper);
    return "unbounded";
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string arg_names(const rt::DistributionDef& d) {
    std::string names;
    for (std::size_t i = 0; i < d.args.size(); ++i) names += (i ? ", " : "") + std::string(d.args[i].name);
    return names;
}

class Checker {
public:
    Checker(const SourceText& source, const ast::Model& model, std::span<const std::string> header,
            const std::string& data_name, const LevelsSource& levels)
        : source_(source), model_(model), header_(header), data_name_(data_name), levels_(levels), build_(out_.graph) {}

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
        check_free_names();
        // A parameter that reaches no term cannot be estimated: say so
        // before fitting rather than report a singular Hessian after.
        std::set<int> reached;
        for (int term : out_.graph.terms())
            for (int p : out_.graph.node(term).deps) reached.insert(p);
        for (std::size_t i = 0; i < out_.parameters.size(); ++i)
            if (!reached.count(static_cast<int>(i)))
                fail(out_.parameters[i].first_use, "parameter '" + out_.parameters[i].name +
                                                       "' does not affect the likelihood: it reaches no '~' "
                                                       "or 'target +=' statement, so the data say nothing about it");
        for (const auto& [name, decl] : declared_) {
            if (params_.count(name)) continue;
            out_.warnings.push_back(source_.diagnostic(decl->name_span,
                                                       "parameter '" + name +
                                                           "' is declared but never used: it does not affect the "
                                                           "likelihood and is not estimated",
                                                       Category::model, Severity::warning));
        }
        column_warnings();
        for (Estimand& e : reports_) out_.estimands.push_back(std::move(e));
        return std::move(out_);
    }

private:
    // A parameter as the model sees it: a scalar, vector, matrix, simplex, or
    // a group (one entry per level of a column, usable only as name[column]).
    struct ParamEntry {
        Value value;
        bool group = false;
        std::string group_column;
    };

    // A local definition (`name = expression`): every one is collected,
    // with where it is written, before the statements are checked; its
    // value is set when its statement is, so a use above it is an error.
    struct Local {
        Span definition;  // the name in its (first) definition
        std::optional<Value> value;
    };

    // The value of a local defined above the statement being checked.
    const Value* local_value(const std::string& name) const {
        auto it = locals_.find(name);
        return it != locals_.end() && it->second.value ? &*it->second.value : nullptr;
    }

    [[noreturn]] void fail(Span span, std::string message) {
        throw CheckError{source_.diagnostic(span, std::move(message))};
    }

    std::string_view text_of(Span span) const {
        return std::string_view(source_.text()).substr(span.begin, span.end - span.begin);
    }

    // The source of `span` on one line, cut after 60 characters: how a
    // message quotes an expression (it may span lines, or be very long).
    std::string excerpt(Span span) const {
        constexpr std::size_t longest = 60;
        std::string out;
        for (char c : text_of(span)) {
            const bool blank = c == ' ' || c == '\t' || c == '\r' || c == '\n';
            if (blank && (out.empty() || out.back() == ' ')) continue;
            out += blank ? ' ' : c;
        }
        if (out.size() > longest) out = out.substr(0, longest - 3) + "...";
        return out;
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

    // A column the model may use: in the header, and listed when there is a
    // `data` statement.
    std::optional<int> usable_column(const std::string& name) const {
        auto col = header_index(name);
        if (col && data_list_ && !data_list_->count(name)) return std::nullopt;
        return col;
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
                locals_.try_emplace(a->name, Local{a->name_span, std::nullopt});
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

    void imply_from(const ast::Call& call) {
        const rt::DistributionDef* dist = rt::find_distribution(call.callee);
        if (!dist || call.args.size() != dist->args.size()) return;
        for (std::size_t i = 0; i < call.args.size(); ++i)
            if (!dist->args[i].vector)
                imply(call.args[i], dist->args[i].domain,
                      std::string(dist->name) + "'s " + std::string(dist->args[i].name));
    }

    void imply(const ast::Expr& arg, rt::Domain domain, std::string why) {
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
        implied_[name->name] = {b, std::move(why)};
    }

    // ---- statements -------------------------------------------------------

    void statement(const ast::Statement& s) {
        std::visit([&](const auto& node) { this->visit(s, node); }, s.node);
    }

    void visit(const ast::Statement& s, const ast::Sample& sample) {
        const auto* call = std::get_if<ast::Call>(&sample.distribution.node);
        if (!call) fail(sample.distribution.span, "expected a distribution call after '~'");
        if (call->conditional)
            fail(call->callee_span,
                 "'|' belongs in a log density call such as " + call->callee + "_lpdf(y | ...), not after '~'");
        if (call->callee == "mixture") {  // a language construct (add_mixture_term)
            add_mixture_term(s, sample.outcome, *call, sample.distribution.span);
            return;
        }
        const rt::DistributionDef* dist = find_distribution_or_fail(call->callee, call->callee_span);
        add_distribution_term(s, *dist, sample.outcome, call->args, sample.distribution.span);
    }

    void visit(const ast::Statement&, const ast::Assign& a) {
        if (usable_column(a.name))
            fail(a.name_span,
                 "'" + a.name + "' is a column of " + data_name_ + "; a local definition cannot have a column's name");
        if (declared_.count(a.name))
            fail(a.name_span, "'" + a.name + "' is declared as a parameter at " +
                                  location_of(declared_[a.name]->name_span) + "; it cannot also be defined here");
        Local& local = locals_.at(a.name);  // (collect_declarations found every definition)
        if (local.value) fail(a.name_span, "'" + a.name + "' is already defined at " + location_of(local.definition));
        check_not_builtin(a.name, a.name_span, "a local definition");
        local.value = expression(a.value);
    }

    void visit(const ast::Statement&, const ast::Param& p) {
        for (const ast::ParamDecl& d : p.decls) {
            if (usable_column(d.name))
                fail(d.name_span,
                     "'" + d.name + "' is declared as a parameter, but it is also a column of " + data_name_);
            check_not_builtin(d.name, d.name_span, "a parameter");
            // Bounds and start are checked here, where they are written;
            // parameters are numbered in order of first appearance.
            declared_info(d);
            if (used_names_.count(d.name)) parameter(d.name, d.name_span);
        }
    }

    void visit(const ast::Statement&, const ast::Data&) {}

    void visit(const ast::Statement& s, const ast::TargetAdd& t) {
        const Value v = expression(t.value);
        if (!v.is_scalar())
            fail(t.value.span, "'target +=' adds one number per row, but this is " + describe(v) +
                                   "; use sum(...) to add its entries");
        add_term(s, v.node(), {}, {});
    }

    void visit(const ast::Statement&, const ast::Report& r) {
        check_not_builtin(r.name, r.name_span, "the name of a reported quantity");
        const bool parameter = declared_.count(r.name) || params_.count(r.name);
        if (usable_column(r.name) || parameter || local_value(r.name) || reported_.count(r.name))
            fail(r.name_span, "'" + r.name + "' already names a " +
                                  std::string(usable_column(r.name) ? "column"
                                              : parameter           ? "parameter"
                                              : local_value(r.name) ? "local"
                                                                    : "reported quantity") +
                                  "; give the reported quantity another name");
        const Value v = expression(r.value);
        for (int n : v.nodes)
            if (!out_.graph.node(n).row_invariant)
                fail(r.value.span,
                     "a reported quantity must depend on parameters only, but this depends on "
                     "the data; report a summary of parameters, such as exp(b1)");
        reported_.insert(r.name);
        for (std::size_t i = 0; i < v.nodes.size(); ++i) {
            Estimand e;
            e.name = v.is_scalar() ? r.name : entry_name(r.name, v, i);
            e.node = v.nodes[i];
            e.derived = true;
            reports_.push_back(std::move(e));
        }
    }

    static std::string entry_name(const std::string& base, const Value& v, std::size_t i) {
        if (v.shape == Shape::matrix)
            return base + "[" + std::to_string(static_cast<int>(i) / v.cols + 1) + "," +
                   std::to_string(static_cast<int>(i) % v.cols + 1) + "]";
        return base + "[" + std::to_string(i + 1) + "]";
    }

    // ---- distributions ----------------------------------------------------

    const rt::DistributionDef* find_distribution_or_fail(const std::string& name, Span span) {
        if (const rt::DistributionDef* d = rt::find_distribution(name)) return d;
        if (rt::find_function(name)) fail(span, "'" + name + "' is a function, not a distribution");
        std::vector<std::string> names;
        for (const rt::DistributionDef* d : rt::all_distributions()) names.emplace_back(d->name);
        names.emplace_back("mixture");
        std::string message = "unknown distribution '" + name + "'";
        if (auto guess = closest(name, names)) message += "; did you mean '" + *guess + "'?";
        fail(span, message);
    }

    // The outcome of '~': one number per row, from data only.
    int outcome_node(const ast::Expr& outcome, bool categorical) {
        // A bare outcome name that is not a column is almost always a column
        // missing from the data (or misspelled), not a parameter.
        if (const auto* name = std::get_if<ast::Name>(&outcome.node);
            name && !usable_column(name->name) && !local_value(name->name) && !declared_.count(name->name)) {
            std::string message = "'" + name->name + "' is not a column of " + data_name_;
            if (auto guess = closest(name->name, header_)) message += "; did you mean '" + *guess + "'?";
            else message += "; the outcome of '~' must be data";
            fail(outcome.span, message);
        }
        // A categorical outcome held as text is read as level numbers.
        if (const auto* name = std::get_if<ast::Name>(&outcome.node); categorical && name) {
            if (auto col = usable_column(name->name); col && !local_value(name->name)) {
                const Levels& lv = levels_of(*col, outcome.span);
                if (!lv.numeric) {
                    std::string list;
                    for (std::size_t i = 0; i < lv.names.size(); ++i)
                        list += (i ? ", " : "") + lv.names[i] + " = " + std::to_string(i + 1);
                    out_.notes.push_back("categorical outcome '" + name->name + "': " + list);
                    return categorical_column(name->name, *col, outcome.span);
                }
            }
        }
        const Value y = expression(outcome);
        if (!y.is_scalar()) fail(outcome.span, "the outcome of '~' must be one number per row, not " + describe(y));
        const rt::Node& yn = out_.graph.node(y.node());
        if (!yn.deps.empty())
            fail(outcome.span, "the outcome of '~' depends on parameter '" +
                                   out_.parameters[static_cast<std::size_t>(yn.deps.front())].name +
                                   "'; it must be data");
        return y.node();
    }

    // A distribution's arguments as op inputs: scalars, or the entries of a
    // vector argument. `outcome` is input 0.
    struct Inputs {
        std::vector<int> nodes;
        std::vector<std::string> names;
    };

    Inputs distribution_inputs(const rt::DistributionDef& dist, int outcome, const std::vector<const ast::Expr*>& args,
                               const std::string& written, Span call_span) {
        if (args.size() != dist.args.size())
            fail(call_span, written + " takes " + plural(dist.args.size(), "argument") + " (" + arg_names(dist) +
                                "), but " + std::to_string(args.size()) + (args.size() == 1 ? " was" : " were") +
                                " given");
        Inputs in;
        in.nodes.push_back(outcome);
        in.names.emplace_back("outcome");
        for (std::size_t i = 0; i < args.size(); ++i) {
            const rt::DistArg& spec = dist.args[i];
            const Value v = expression(*args[i]);
            if (spec.vector) {
                if (v.shape != Shape::vector)
                    fail(args[i]->span,
                         written + "'s " + std::string(spec.name) + " must be a vector, not " + describe(v));
                for (std::size_t k = 0; k < v.nodes.size(); ++k) {
                    in.nodes.push_back(v.nodes[k]);
                    in.names.push_back(std::string(spec.name) + "[" + std::to_string(k + 1) + "]");
                }
                continue;
            }
            if (!v.is_scalar())
                fail(args[i]->span,
                     written + "'s " + std::string(spec.name) + " must be one number per row, not " + describe(v));
            in.nodes.push_back(v.node());
            in.names.emplace_back(spec.name);
            add_check(v.node(), args[i]->span, spec.domain, 0, written + "'s " + std::string(spec.name));
        }
        return in;
    }

    // Stable forms (rt::StableForm): a one-argument distribution whose
    // argument is a call of a link function, such as bernoulli(sigmoid(e)),
    // is evaluated as the distribution the table names for that pair
    // (bernoulli_logit(e)), and `arg_exprs` then holds e. Returns the
    // distribution evaluated: the stable form, or `dist` itself.
    const rt::DistributionDef* stable_form(const rt::DistributionDef& dist, const std::vector<ast::Expr>& args,
                                           std::vector<const ast::Expr*>& arg_exprs, Span call_span) {
        if (args.size() != 1) return &dist;
        const auto* inner = std::get_if<ast::Call>(&args[0].node);
        if (!inner || inner->conditional || inner->args.size() != 1) return &dist;
        const rt::DistributionDef* stable = rt::find_stable_form(dist.name, inner->callee);
        if (!stable) return &dist;
        arg_exprs[0] = &inner->args[0];
        const LineColumn lc = source_.locate(call_span.begin);
        out_.notes.push_back("line " + std::to_string(lc.line) + ": " + std::string(dist.name) + "(" + inner->callee +
                             "(...)) is evaluated as " + std::string(stable->name) +
                             "(...), which stays finite however large the linear predictor grows");
        return stable;
    }

    void add_distribution_term(const ast::Statement& s, const rt::DistributionDef& dist, const ast::Expr& outcome,
                               const std::vector<ast::Expr>& args, Span call_span) {
        std::vector<const ast::Expr*> arg_exprs;
        for (const ast::Expr& a : args) arg_exprs.push_back(&a);
        const rt::DistributionDef* chosen = stable_form(dist, args, arg_exprs, call_span);
        const bool categorical = dist.outcome == rt::Domain::category;
        const int y = outcome_node(outcome, categorical);
        const std::string written(dist.name);
        Inputs in = distribution_inputs(*chosen, y, arg_exprs, written, call_span);
        add_check(y, outcome.span, dist.outcome, categorical ? static_cast<int>(in.nodes.size()) - 1 : 0,
                  written + " outcome");
        add_limit_checks(*chosen, in, outcome.span, written);
        const int node = out_.graph.add_op(chosen->op, in.nodes);
        // E[y | args] for `mlec predict` (its delta-method SE follows from
        // the node's gradient); -1 where the distribution has no mean.
        const std::span<const int> arguments = std::span<const int>(in.nodes).subspan(1);
        const int expected = chosen->mean ? chosen->mean(build_, arguments) : -1;
        add_term(s, node, std::move(in.nodes), std::move(in.names));
        TermInfo& term = out_.terms.back();
        term.outcome = std::string(text_of(outcome.span));
        term.distribution = chosen;
        term.expected_node = expected;
        if (chosen->linear_predictor >= 0)
            term.linear_predictor_node = term.input_nodes[static_cast<std::size_t>(chosen->linear_predictor) + 1];
    }

    // y ~ mixture(w, d1(...), d2(...), ...): log sum_k w_k p_k(y), evaluated
    // as log_sum_exp_k(log w_k + log p_k(y)). A scalar w weighs two
    // components (w, 1 - w); a vector (a simplex) weighs one each. (Its term
    // names no distribution: TermInfo::distribution stays nullptr.)
    void add_mixture_term(const ast::Statement& s, const ast::Expr& outcome, const ast::Call& call, Span span) {
        if (call.args.size() < 3)
            fail(span,
                 "mixture takes the weights and at least two component distributions, as in "
                 "mixture(w, normal(m1, s1), normal(m2, s2))");
        const std::size_t components = call.args.size() - 1;
        const Value w = expression(call.args[0]);
        std::vector<int> log_weights;
        const rt::OpDef& log = rt::op_log();
        if (w.is_scalar()) {
            if (components != 2)
                fail(call.args[0].span, "a single weight w mixes exactly two components (w and 1 - w); for " +
                                            std::to_string(components) + " components give a simplex of " +
                                            std::to_string(components) + " weights");
            log_weights.push_back(build_.op(log, {w.node()}));
            log_weights.push_back(build_.op(rt::op_log1p(), {build_.op(rt::op_neg(), {w.node()})}));
        } else {
            if (w.shape != Shape::vector || static_cast<std::size_t>(w.rows) != components)
                fail(call.args[0].span, "the weights are " + describe(w) + ", but there are " +
                                            std::to_string(components) + " components");
            for (int n : w.nodes) log_weights.push_back(build_.op(log, {n}));
        }
        for (int n : w.nodes) add_check(n, call.args[0].span, rt::Domain::unit_closed, 0, "mixture's weight");

        const int y = outcome_node(outcome, false);
        std::vector<int> terms;
        std::set<rt::Domain> outcome_domains;
        for (std::size_t k = 0; k < components; ++k) {
            const ast::Expr& arg = call.args[k + 1];
            const auto* comp = std::get_if<ast::Call>(&arg.node);
            if (!comp || comp->conditional || !rt::find_distribution(comp->callee))
                fail(arg.span, "each component of a mixture is a distribution, as in normal(m1, s1)");
            const rt::DistributionDef& dist = *rt::find_distribution(comp->callee);
            std::vector<const ast::Expr*> args;
            for (const ast::Expr& a : comp->args) args.push_back(&a);
            Inputs in = distribution_inputs(dist, y, args, std::string(dist.name), arg.span);
            if (outcome_domains.insert(dist.outcome).second)
                add_check(y, outcome.span, dist.outcome, 0, "mixture component " + std::string(dist.name) + " outcome");
            const int density = out_.graph.add_op(dist.op, in.nodes);
            terms.push_back(build_.op(rt::op_add(), {log_weights[k], density}));
        }
        add_term(s, build_.log_sum_exp(terms), {y}, {"outcome"});
        out_.terms.back().outcome = std::string(text_of(outcome.span));
    }

    void add_check(int node, Span span, rt::Domain domain, int max, std::string what) {
        const rt::Node& n = out_.graph.node(node);
        if (!n.deps.empty() || n.row_invariant || (domain == rt::Domain::real && max == 0)) return;
        out_.checks.push_back(DataCheck{node, span, domain, max, std::move(what)});
    }

    // The limits an argument sets on the outcome (rt::OutcomeLimit), for
    // an outcome and argument that are both data or constants (and not
    // both constants). `written` names the distribution as the user did.
    // (Not for a mixture's components: its outcome needs to lie in only one
    // component's support.)
    void add_limit_checks(const rt::DistributionDef& dist, const Inputs& in, Span span, const std::string& written) {
        const rt::Node& y = out_.graph.node(in.nodes[0]);
        for (const rt::OutcomeLimit& limit : dist.limits) {
            const int bound = in.nodes[static_cast<std::size_t>(limit.arg) + 1];  // (scalar arguments only)
            const rt::Node& b = out_.graph.node(bound);
            if (!y.deps.empty() || !b.deps.empty() || (y.row_invariant && b.row_invariant)) continue;
            const std::string argument(dist.args[static_cast<std::size_t>(limit.arg)].name);
            out_.checks.push_back(DataCheck{in.nodes[0], span, rt::Domain::real, 0, written + " outcome", bound,
                                            limit.upper, written + "'s " + argument});
        }
    }

    void add_term(const ast::Statement& s, int node, std::vector<int> inputs, std::vector<std::string> names) {
        TermInfo t;
        t.span = s.span;
        t.text = std::string(text_of(s.span));
        t.node = node;
        t.input_nodes = std::move(inputs);
        t.input_names = std::move(names);
        out_.graph.add_term(node);
        out_.terms.push_back(std::move(t));
    }

    // ---- expressions ------------------------------------------------------

    Value expression(const ast::Expr& e) {
        return std::visit([&](const auto& node) { return this->lower(e, node); }, e.node);
    }

    int scalar(const ast::Expr& e, const std::string& what) {
        const Value v = expression(e);
        if (!v.is_scalar()) fail(e.span, what + " must be a scalar, not " + describe(v));
        return v.node();
    }

    Value lower(const ast::Expr&, const ast::Number& n) { return Value::scalar(build_.constant(n.value)); }

    Value lower(const ast::Expr& e, const ast::Name& n) { return resolve(n.name, e.span); }

    Value lower(const ast::Expr&, const ast::Negate& n) { return build_.map(rt::op_neg(), expression(*n.operand)); }

    Value lower(const ast::Expr& e, const ast::Binary& b) {
        const Value l = expression(*b.lhs);
        const Value r = expression(*b.rhs);
        std::string error;
        std::optional<Value> v;
        switch (b.op) {
            case ast::BinaryOp::add: v = build_.elementwise(rt::op_add(), l, r, error); break;
            case ast::BinaryOp::sub: v = build_.elementwise(rt::op_sub(), l, r, error); break;
            case ast::BinaryOp::mul: v = build_.multiply(l, r, error); break;
            case ast::BinaryOp::div: v = build_.elementwise(rt::op_div(), l, r, error); break;
            case ast::BinaryOp::pow: v = build_.elementwise(rt::op_pow(), l, r, error); break;
        }
        if (!v) fail(e.span, error);
        return *v;
    }

    Value lower(const ast::Expr& e, const ast::VectorLiteral& v) {
        std::vector<int> nodes;
        for (const ast::Expr& el : v.elements) nodes.push_back(scalar(el, "an element of a vector"));
        if (nodes.empty()) fail(e.span, "a vector needs at least one element");
        return Value::vector(std::move(nodes));
    }

    Value lower(const ast::Expr& e, const ast::Call& c) {
        if (ends_with(c.callee, "_lpdf") || ends_with(c.callee, "_lpmf")) return Value::scalar(log_density(e, c));
        if (c.conditional)
            fail(c.callee_span, "'|' is only used in log density calls such as normal_lpdf(y | mu, sigma)");
        // dot and softmax are language constructs on shapes (a vector in, a
        // scalar or a vector out), not elementwise ops of the function table:
        // the Builder expands them into scalar nodes.
        if (c.callee == "dot") {
            if (c.args.size() != 2)
                fail(e.span, "dot takes 2 arguments, but " + std::to_string(c.args.size()) +
                                 (c.args.size() == 1 ? " was" : " were") + " given");
            const Value a = expression(c.args[0]), b = expression(c.args[1]);
            if (a.shape != Shape::vector || b.shape != Shape::vector || a.rows != b.rows)
                fail(e.span, "dot needs two vectors of the same length, not " + describe(a) + " and " + describe(b));
            return Value::scalar(build_.dot(a.nodes, b.nodes));
        }
        if (c.callee == "softmax") {
            if (c.args.size() != 1) fail(e.span, "softmax takes 1 argument (a vector)");
            const Value v = expression(c.args[0]);
            if (v.shape != Shape::vector) fail(c.args[0].span, "softmax needs a vector, not " + describe(v));
            return build_.softmax(v);
        }
        // log(sum(exp(v))) is evaluated as log_sum_exp(v), which cannot overflow.
        if (calls(c, rt::op_log())) {
            const auto* sum = std::get_if<ast::Call>(&c.args[0].node);
            if (sum && calls(*sum, rt::op_sum())) {
                const auto* exp = std::get_if<ast::Call>(&sum->args[0].node);
                if (exp && calls(*exp, rt::op_exp())) {
                    const Value v = expression(exp->args[0]);
                    const LineColumn lc = source_.locate(e.span.begin);
                    out_.notes.push_back("line " + std::to_string(lc.line) +
                                         ": log(sum(exp(...))) is evaluated as log_sum_exp(...), which cannot "
                                         "overflow");
                    return Value::scalar(build_.log_sum_exp(v.nodes));
                }
            }
        }
        const rt::OpDef* op = rt::find_function(c.callee);
        if (!op) {
            if (rt::find_distribution(c.callee) || c.callee == "mixture")
                fail(c.callee_span, "'" + c.callee + "' is a distribution: use it after '~' (y ~ " + c.callee +
                                        "(...)) or as " + c.callee + "_lpdf(y | ...)");
            if (c.callee == "pi") fail(c.callee_span, "'pi' is a constant, not a function; write pi without '()'");
            std::vector<std::string> names{"dot", "softmax"};  // the constructs above
            for (const rt::OpDef* f : rt::all_functions()) names.emplace_back(f->name);
            std::string message = "unknown function '" + c.callee + "'";
            if (auto guess = closest(c.callee, names)) message += "; did you mean '" + *guess + "'?";
            fail(c.callee_span, message);
        }
        // A variadic function (sum, log_sum_exp, min, max) folds every entry
        // of every argument, scalars and vectors alike.
        if (op->arity < 0) {
            std::vector<int> nodes;
            for (const ast::Expr& a : c.args) {
                const Value v = expression(a);
                nodes.insert(nodes.end(), v.nodes.begin(), v.nodes.end());
            }
            if (nodes.empty()) fail(e.span, c.callee + " needs at least one argument");
            // The Builder shapes these two itself (sums spliced into one node).
            if (op == &rt::op_sum()) return Value::scalar(build_.sum(nodes));
            if (op == &rt::op_log_sum_exp()) return Value::scalar(build_.log_sum_exp(nodes));
            return Value::scalar(nodes.size() == 1 ? nodes.front() : build_.op(*op, nodes));
        }
        if (static_cast<int>(c.args.size()) != op->arity)
            fail(e.span, std::string(op->name) + " takes " + plural(static_cast<std::size_t>(op->arity), "argument") +
                             ", but " + std::to_string(c.args.size()) + (c.args.size() == 1 ? " was" : " were") +
                             " given");
        if (op->arity == 1) return build_.map(*op, expression(c.args[0]));
        if (op->arity == 2) {
            std::string error;
            auto v = build_.elementwise(*op, expression(c.args[0]), expression(c.args[1]), error);
            if (!v) fail(e.span, std::string(op->name) + ": " + error);
            return *v;
        }
        std::vector<int> inputs;
        for (const ast::Expr& a : c.args) inputs.push_back(scalar(a, std::string(op->name) + "'s argument"));
        return Value::scalar(build_.op(*op, std::move(inputs)));
    }

    // Whether `call` calls the built-in `op` with one argument.
    static bool calls(const ast::Call& call, const rt::OpDef& op) {
        return call.args.size() == 1 && rt::find_function(call.callee) == &op;
    }

    // name_lpdf(y | args) / name_lpmf(y | args)
    int log_density(const ast::Expr& e, const ast::Call& c) {
        const std::string base = c.callee.substr(0, c.callee.size() - 5);
        const rt::DistributionDef* dist = find_distribution_or_fail(base, c.callee_span);
        if (dist->discrete != ends_with(c.callee, "_lpmf"))
            fail(c.callee_span,
                 "'" + base + "' is " +
                     (dist->discrete ? "discrete: write " + base + "_lpmf" : "continuous: write " + base + "_lpdf"));
        if (!c.conditional || c.args.empty())
            fail(c.callee_span, "write " + c.callee + "(y | ...): the outcome, then '|', then the arguments");
        if (c.args.size() - 1 != dist->args.size())
            fail(e.span, c.callee + " takes the outcome and " + plural(dist->args.size(), "argument") + " (" +
                             arg_names(*dist) + "), but " + std::to_string(c.args.size() - 1) +
                             (c.args.size() == 2 ? " was" : " were") + " given after '|'");
        const int y = scalar(c.args[0], c.callee + "'s outcome");
        std::vector<const ast::Expr*> args;
        for (std::size_t i = 1; i < c.args.size(); ++i) args.push_back(&c.args[i]);
        Inputs in = distribution_inputs(*dist, y, args, c.callee, e.span);
        add_check(y, c.args[0].span, dist->outcome, 0, c.callee + " outcome");
        add_limit_checks(*dist, in, c.args[0].span, c.callee);
        return out_.graph.add_op(dist->op, in.nodes);
    }

    Value lower(const ast::Expr& e, const ast::Index& ix) {
        if (usable_column(ix.name) && !local_value(ix.name))
            fail(ix.name_span, "'" + ix.name + "' is a data column, one number per row; it cannot be indexed");
        Value base;
        std::string group_column;
        if (const Value* local = local_value(ix.name)) {
            base = *local;
        } else if (auto it = locals_.find(ix.name); it != locals_.end()) {
            fail(ix.name_span,
                 "'" + ix.name + "' is used before its definition at " + location_of(it->second.definition));
        } else {
            if (!declared_.count(ix.name))
                fail(ix.name_span, "'" + ix.name +
                                       "' is indexed but not declared; declare it with its size, as in "
                                       "'param " +
                                       ix.name + "[3]' or 'param " + ix.name +
                                       "[g]' for one entry per "
                                       "level of column g");
            const ParamEntry& p = parameter_entry(ix.name, ix.name_span);
            base = p.value;
            group_column = p.group_column;
        }
        if (!group_column.empty()) {
            const auto* name = ix.indices.size() == 1 ? std::get_if<ast::Name>(&ix.indices[0].node) : nullptr;
            if (!name || name->name != group_column)
                fail(e.span, "'" + ix.name + "' has one entry per level of column '" + group_column +
                                 "'; index it with that column: " + ix.name + "[" + group_column + "]");
            const int codes = categorical_column(group_column, *usable_column(group_column), ix.indices[0].span);
            std::vector<int> inputs{codes};
            inputs.insert(inputs.end(), base.nodes.begin(), base.nodes.end());
            return Value::scalar(build_.op(rt::op_select(), std::move(inputs)));
        }
        if (base.is_scalar()) fail(ix.name_span, "'" + ix.name + "' is a scalar; it cannot be indexed");
        const std::size_t wanted = base.shape == Shape::matrix ? 2 : 1;
        if (ix.indices.size() != wanted && !(base.shape == Shape::matrix && ix.indices.size() == 1))
            fail(e.span, "'" + ix.name + "' is " + describe(base) + "; it takes " + plural(wanted, "index") + ", not " +
                             std::to_string(ix.indices.size()));
        // Each index is a constant (picks an entry) or a data column (picks
        // one entry per row); at most one may be a column.
        std::vector<std::optional<int>> constant(ix.indices.size());
        std::optional<std::size_t> by_data;
        std::vector<int> index_nodes;
        for (std::size_t i = 0; i < ix.indices.size(); ++i) {
            const int n = scalar(ix.indices[i], "an index");
            index_nodes.push_back(n);
            const rt::Node& node = out_.graph.node(n);
            if (node.kind == rt::NodeKind::constant) {
                const double v = node.constant;
                const int limit = i == 0 ? base.rows : base.cols;
                if (v != std::floor(v) || v < 1 || v > limit)
                    fail(ix.indices[i].span, "index " + format_number(v) + " is outside 1.." + std::to_string(limit) +
                                                 " of '" + ix.name + "' (" + describe(base) + ")");
                constant[i] = static_cast<int>(v) - 1;
            } else if (!node.deps.empty()) {
                fail(ix.indices[i].span, "an index cannot depend on parameters");
            } else {
                if (by_data) fail(ix.indices[i].span, "at most one index may be a data column");
                by_data = i;
            }
        }
        const int rows = base.rows;
        const int cols = base.shape == Shape::matrix ? base.cols : 1;
        auto at = [&](int r, int c) { return base.nodes[static_cast<std::size_t>(r * cols + c)]; };
        if (ix.indices.size() == 1 && base.shape == Shape::matrix) {
            if (by_data) fail(ix.indices[0].span, "a matrix row must be picked by a constant index");
            std::vector<int> row;
            for (int c = 0; c < cols; ++c) row.push_back(at(*constant[0], c));
            return Value::vector(std::move(row));
        }
        if (!by_data) return Value::scalar(at(*constant[0], ix.indices.size() > 1 ? *constant[1] : 0));
        // select(index, candidates): the candidates along the data index.
        std::vector<int> inputs{index_nodes[*by_data]};
        const int count = *by_data == 0 ? rows : cols;
        for (int k = 0; k < count; ++k)
            inputs.push_back(*by_data == 0 ? at(k, ix.indices.size() > 1 ? *constant[1] : 0) : at(*constant[0], k));
        add_check(index_nodes[*by_data], ix.indices[*by_data].span, rt::Domain::category, count,
                  "index of '" + ix.name + "'");
        return Value::scalar(build_.op(rt::op_select(), std::move(inputs)));
    }

    // Function names and pi are reserved (a name like `exp` used without a
    // call is a forgotten call); distribution names are not, since a
    // distribution only ever appears as a call: `param beta[3]` and
    // `y ~ beta(a, b)` mix.
    void check_not_builtin(const std::string& name, Span span, const char* what) {
        if (is_function_name(name)) fail(span, "'" + name + "' is a built-in function; it cannot be " + what);
        if (name == "pi") fail(span, std::string("'pi' is the constant 3.14159...; it cannot be ") + what);
    }

    // dot and softmax are language constructs, reserved as function names are.
    static bool is_function_name(const std::string& name) {
        return rt::find_function(name) || name == "dot" || name == "softmax";
    }

    // pi = 3.14159..., the one named constant (e is exp(1)). A column named
    // pi would make every use ambiguous: refused, not silently chosen.
    Value pi_constant(Span span) {
        if (header_index("pi"))
            fail(span, "'pi' is the constant 3.14159..., but " + data_name_ +
                           " also has a column 'pi'; rename the column to use it");
        return Value::scalar(build_.constant(std::numbers::pi));
    }

    Value resolve(const std::string& name, Span span) {
        if (const Value* local = local_value(name)) return *local;
        if (auto it = locals_.find(name); it != locals_.end())
            fail(span, "'" + name + "' is used before its definition at " + location_of(it->second.definition));
        if (name == "pi") return pi_constant(span);
        if (auto col = header_index(name)) {
            if (data_list_ && !data_list_->count(name))
                fail(span, "'" + name + "' is a column of " + data_name_ + " but is not listed in 'data'");
            return Value::scalar(numeric_column(name, *col, span));
        }
        if (is_function_name(name)) fail(span, "'" + name + "' is a function: call it as " + name + "(...)");
        const ParamEntry& p = parameter_entry(name, span);
        if (p.group)
            fail(span, "'" + name + "' has one entry per level of column '" + p.group_column + "'; write " + name +
                           "[" + p.group_column + "]");
        return p.value;
    }

    int numeric_column(const std::string& name, int csv_index, Span span) {
        const auto key = std::make_pair(name, false);
        if (auto it = column_index_.find(key); it != column_index_.end()) return out_.graph.add_data(it->second);
        const int k = static_cast<int>(out_.columns.size());
        out_.columns.push_back(ColumnInfo{name, csv_index, span, false, {}, {}});
        column_index_[key] = k;
        return out_.graph.add_data(k);
    }

    const Levels& levels_of(int csv_index, Span span) {
        if (auto it = levels_cache_.find(csv_index); it != levels_cache_.end()) return it->second;
        if (!levels_) fail(span, "this use of a column as categories needs the data's levels");
        Diagnostics ds;
        auto lv = levels_(csv_index, ds);
        if (!lv)
            throw CheckError{ds.empty() ? source_.diagnostic(span, "cannot read the column's levels") : ds.front()};
        return levels_cache_[csv_index] = std::move(*lv);
    }

    // The level numbers (1-based) of a categorical column, as a data node.
    int categorical_column(const std::string& name, int csv_index, Span span) {
        const auto key = std::make_pair(name, true);
        if (auto it = column_index_.find(key); it != column_index_.end()) return out_.graph.add_data(it->second);
        const Levels& lv = levels_of(csv_index, span);
        const int k = static_cast<int>(out_.columns.size());
        out_.columns.push_back(ColumnInfo{name, csv_index, span, true, lv.codes, lv.names});
        column_index_[key] = k;
        return out_.graph.add_data(k);
    }

    // Evaluates a bound, size or start value: it must not depend on data or
    // parameters.
    double constant_expression(const ast::Expr& e, const std::string& what) {
        const Value v = expression(e);
        if (!v.is_scalar() || out_.graph.node(v.node()).kind != rt::NodeKind::constant)
            fail(e.span, what + " must be a constant (a number or an expression of numbers)");
        const double x = out_.graph.node(v.node()).constant;
        if (!std::isfinite(x)) fail(e.span, what + " is not a finite number");
        return x;
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

    static double default_start(const rt::Bounds& b) {
        if (b.has_lower() && b.has_upper()) return 0.5 * (b.lower + b.upper);
        if (b.has_lower()) return b.lower + 1.0;
        if (b.has_upper()) return b.upper - 1.0;
        return 0.0;
    }

    int size_of(const ast::Expr& e, const std::string& name) {
        const double v = constant_expression(e, "the size of '" + name + "'");
        if (v != std::floor(v) || v < 1 || v > 1e6)
            fail(e.span,
                 "the size of '" + name + "' must be a whole number from 1 to 1000000, not " + format_number(v));
        return static_cast<int>(v);
    }

    // One theta coordinate, with its user-scale node and (unless it belongs
    // to a simplex) its Estimand.
    int coordinate(const std::string& name, Span span, bool declared, const rt::Bounds& bounds, std::string implied_by,
                   double start, bool estimand) {
        ParameterInfo p;
        p.name = name;
        p.first_use = span;
        p.declared = declared;
        p.bounds = bounds;
        p.implied_by = std::move(implied_by);
        p.start = start;
        const int index = static_cast<int>(out_.parameters.size());
        p.raw_node = out_.graph.add_parameter(index);
        p.user_node = user_scale(p.raw_node, p.bounds);
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

    const ParamEntry& parameter_entry(const std::string& name, Span span) {
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
        ParamEntry entry;
        auto decl_it = declared_.find(name);
        if (decl_it == declared_.end()) {
            if (auto instead = not_a_constant(name))
                fail(span, "'" + name + "' is not a constant in mlec: " + *instead + "; to name a parameter '" + name +
                               "', declare it with 'param " + name + "'");
            rt::Bounds bounds;
            std::string why;
            if (auto it2 = implied_.find(name); it2 != implied_.end()) {
                bounds = it2->second.first;
                why = it2->second.second;
                out_.notes.push_back("parameter '" + name + "' is kept " + bounds_text(bounds) + " as " + why +
                                     " must be");
            }
            entry.value = Value::scalar(coordinate(name, span, false, bounds, why, default_start(bounds), true));
            return params_[name] = std::move(entry);
        }
        const ast::ParamDecl& d = *decl_it->second;
        const Declared info = declared_info(d);
        const double start = info.start ? *info.start : default_start(info.bounds);
        // lo + 1 rounds to lo for a bound like 1e308: then only the user
        // can say where to start.
        if (!d.simplex && (!info.bounds.contains(start) || !std::isfinite(info.bounds.to_unconstrained(start))))
            fail(d.name_span, "cannot choose a start value strictly inside the bounds " + bounds_text(info.bounds) +
                                  " of '" + name + "'; give one, as in 'param " + name + " " +
                                  bounds_text(info.bounds) + " = value'");
        const Span at = d.name_span;
        if (d.simplex) {
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
            entry.value = std::move(w);
            return params_[name] = std::move(entry);
        }
        if (d.dims.empty()) {
            entry.value = Value::scalar(coordinate(name, at, true, info.bounds, "", start, true));
            return params_[name] = std::move(entry);
        }
        // A group parameter: param effect[g], one entry per level of g.
        if (const auto* col = d.dims.size() == 1 ? std::get_if<ast::Name>(&d.dims[0].node) : nullptr;
            col && header_index(col->name)) {
            if (data_list_ && !data_list_->count(col->name))
                fail(d.dims[0].span,
                     "'" + col->name + "' is a column of " + data_name_ + " but is not listed in 'data'");
            const Levels& lv = levels_of(*header_index(col->name), d.dims[0].span);
            std::vector<int> nodes;
            for (const std::string& level : lv.names)
                nodes.push_back(coordinate(name + "[" + level + "]", at, true, info.bounds, "", start, true));
            entry.value = Value::vector(std::move(nodes));
            entry.group = true;
            entry.group_column = col->name;
            return params_[name] = std::move(entry);
        }
        if (d.dims.size() > 2) fail(at, "a parameter has at most two dimensions (a matrix)");
        const int rows = size_of(d.dims[0], name);
        const int cols = d.dims.size() == 2 ? size_of(d.dims[1], name) : 1;
        std::vector<int> nodes;
        for (int r = 1; r <= rows; ++r)
            for (int c = 1; c <= cols; ++c)
                nodes.push_back(coordinate(name + "[" + std::to_string(r) +
                                               (d.dims.size() == 2 ? "," + std::to_string(c) : std::string()) + "]",
                                           at, true, info.bounds, "", start, true));
        entry.value =
            d.dims.size() == 2 ? Value::matrix(rows, cols, std::move(nodes)) : Value::vector(std::move(nodes));
        return params_[name] = std::move(entry);
    }

    void parameter(const std::string& name, Span span) { parameter_entry(name, span); }

    // The graph form of rt::Bounds::to_user, so derivatives flow through it.
    int user_scale(int raw, const rt::Bounds& b) {
        rt::Graph& g = out_.graph;
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

    // ---- free names -------------------------------------------------------

    // An undeclared name that is not a column becomes a parameter; when it is
    // really a mistyped column, the fit would still converge and report it.
    // So a free name is an error, in this order, when:
    //   1. the data cannot tell it apart from another parameter it multiplies
    //      (products.hpp: b1*x3 with neither elsewhere);
    //   2. it looks like a column (suggest.hpp's looks_like_column: x3 beside
    //      x1, x2; hieght beside height);
    //   3. with a `data` statement, it is used like a column: multiplied by
    //      something that depends on parameters but not on data, and never
    //      multiplied by data alone as a coefficient is.
    // A name declared with `param` is a parameter by the user's word.
    void check_free_names() {
        const ProductUses uses = product_uses(model_, [this](const std::string& n) { return params_.count(n) > 0; });
        const std::set<std::string> inseparable = scale_free(uses);
        for (const ParameterInfo& p : out_.parameters) {
            if (p.declared) continue;
            if (inseparable.count(p.name)) fail_inseparable(p.name, uses, inseparable);
            if (auto like = looks_like_column(p.name, header_))
                fail(p.first_use, not_a_column(p.name, *like) + "; correct the name, or " + declare_advice({p.name}));
            if (data_list_) check_not_used_like_column(p.name, uses);
        }
    }

    [[noreturn]] void fail_inseparable(const std::string& name, const ProductUses& uses,
                                       const std::set<std::string>& inseparable) {
        // The first product that shows it, with its inseparable factors.
        for (const Product& p : uses.products) {
            std::vector<const Factor*> factors;
            for (const Factor& f : p.parameters) {
                const bool seen =
                    std::any_of(factors.begin(), factors.end(), [&](const Factor* g) { return g->name == f.name; });
                if (inseparable.count(f.name) && !seen) factors.push_back(&f);
            }
            const bool shows =
                std::any_of(factors.begin(), factors.end(), [&](const Factor* f) { return f->name == name; });
            if (shows && factors.size() >= 2) fail_inseparable_in(p, factors);
        }
        fail(first_use_of(name), "the data cannot tell '" + name + "' apart from other parameters");
    }

    // Led by the factor that looks like a column, if one does: the likely
    // cause is a typo, and the caret goes under it.
    [[noreturn]] void fail_inseparable_in(const Product& p, const std::vector<const Factor*>& factors) {
        std::vector<std::string> names, undeclared;
        for (const Factor* f : factors) {
            names.push_back(f->name);
            if (!declared_.count(f->name)) undeclared.push_back(f->name);
        }
        const std::string product = "'" + excerpt(p.span) + "'";
        for (const Factor* f : factors) {
            auto like = declared_.count(f->name) ? std::nullopt : looks_like_column(f->name, header_);
            if (!like) continue;
            std::vector<std::string> others;
            for (const std::string& n : names)
                if (n != f->name) others.push_back(n);
            fail(f->span, not_a_column(f->name, *like) + ", and as a parameter the data could not tell it apart from " +
                              quoted_list(others) + " in " + product + "; correct the name, or " +
                              declare_advice(undeclared));
        }
        fail(p.span, "in " + product + ", the data cannot tell " + quoted_list(names) +
                         " apart: rescaling them together leaves the likelihood unchanged; use one parameter for the "
                         "product, or " +
                         declare_advice(undeclared));
    }

    std::string not_a_column(const std::string& name, const ColumnLikeness& like) const {
        return "'" + name + "' is not a column of " + data_name_ + " but looks like its " + describe(like);
    }

    // "declare it with 'param x3' if it is a parameter"
    static std::string declare_advice(const std::vector<std::string>& names) {
        std::string list;
        for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
        return names.size() == 1 ? "declare it with 'param " + list + "' if it is a parameter"
                                 : "declare them with 'param " + list + "' if they are parameters";
    }

    // Rule 3 of check_free_names, for a model with a `data` statement.
    void check_not_used_like_column(const std::string& name, const ProductUses& uses) {
        std::optional<std::pair<Span, Span>> like_column;  // (the name, its product)
        for (const Product& p : uses.products) {
            for (std::size_t i = 0; i < p.parameters.size(); ++i) {
                if (p.parameters[i].name != name) continue;
                Involvement others;  // of the other factors: parameters (or the name again) and the rest
                others.parameters = p.parameters.size() > 1;
                for (const ast::Expr* e : p.others) others.add(involvement(*e));
                if (others.data && !others.parameters) return;  // a coefficient of data
                if (others.parameters && !others.data && !like_column) like_column = {{p.parameters[i].span, p.span}};
            }
        }
        if (!like_column) return;
        fail(like_column->first,
             "'" + name +
                 "' is not listed in 'data', so it is a parameter, but it is used like a "
                 "column: in '" +
                 excerpt(like_column->second) +
                 "' it multiplies a term with parameters; correct the name if you meant a column, or " +
                 declare_advice({name}));
    }

    // Whether an expression depends on data and on parameters.
    struct Involvement {
        bool data = false;
        bool parameters = false;
        void add(Involvement other) {
            data = data || other.data;
            parameters = parameters || other.parameters;
        }
    };

    Involvement involvement(const ast::Expr& e) const {
        Involvement out;
        auto name = [&](const std::string& n) {
            if (const Value* local = local_value(n)) {
                for (int node : local->nodes) {
                    out.parameters = out.parameters || !out_.graph.node(node).deps.empty();
                    out.data = out.data || !out_.graph.node(node).row_invariant;
                }
            } else if (usable_column(n)) {
                out.data = true;
            } else if (params_.count(n)) {
                out.parameters = true;
            }
        };
        std::visit(
            [&](const auto& n) {
                using T = std::decay_t<decltype(n)>;
                if constexpr (std::is_same_v<T, ast::Name>) {
                    name(n.name);
                } else if constexpr (std::is_same_v<T, ast::Negate>) {
                    out.add(involvement(*n.operand));
                } else if constexpr (std::is_same_v<T, ast::Binary>) {
                    out.add(involvement(*n.lhs));
                    out.add(involvement(*n.rhs));
                } else if constexpr (std::is_same_v<T, ast::Call>) {
                    for (const auto& a : n.args) out.add(involvement(a));
                } else if constexpr (std::is_same_v<T, ast::Index>) {
                    name(n.name);
                    for (const auto& a : n.indices) out.add(involvement(a));
                } else if constexpr (std::is_same_v<T, ast::VectorLiteral>) {
                    for (const auto& a : n.elements) out.add(involvement(a));
                }
            },
            e.node);
        return out;
    }

    static std::string quoted_list(const std::vector<std::string>& names) {
        std::string out;
        for (std::size_t i = 0; i < names.size(); ++i)
            out += (i == 0 ? "'" : i + 1 == names.size() ? " and '" : ", '") + names[i] + "'";
        return out;
    }

    // A declared parameter is a parameter by the user's word; one that looks
    // like a column still gets a warning.
    void column_warnings() {
        // (a plain loop, not std::views::keys: clang 14, which builds the
        // fuzz targets, cannot compile libstdc++ 12's views over a map)
        for (const auto& entry : declared_) {
            const std::string& name = entry.first;
            if (!params_.count(name)) continue;
            auto like = looks_like_column(name, header_);
            if (!like) continue;
            out_.warnings.push_back(source_.diagnostic(entry.second->name_span,
                                                       "parameter '" + name + "' looks like " + describe(*like) +
                                                           " of " + data_name_ + "; if you meant " +
                                                           (like->numbered ? "a" : "the") + " column, correct the name",
                                                       Category::model, Severity::warning));
        }
        std::sort(out_.warnings.begin(), out_.warnings.end(), [](const Diagnostic& a, const Diagnostic& b) {
            return std::tie(a.line, a.column) < std::tie(b.line, b.column);
        });
    }

    Span first_use_of(const std::string& name) const {
        for (const ParameterInfo& p : out_.parameters)
            if (p.name == name) return p.first_use;
        return Span{};
    }

    const SourceText& source_;
    const ast::Model& model_;
    std::span<const std::string> header_;
    std::string data_name_;
    const LevelsSource& levels_;
    CheckedModel out_;
    Builder build_;

    std::map<std::string, const ast::ParamDecl*> declared_;
    std::map<std::string, Declared> declared_cache_;
    std::set<std::string> entering_;  // parameters whose entry is being built
    std::map<std::string, Local> locals_;
    std::map<std::string, ParamEntry> params_;
    std::map<std::pair<std::string, bool>, int> column_index_;
    std::map<int, Levels> levels_cache_;
    std::map<std::string, std::pair<rt::Bounds, std::string>> implied_;
    std::optional<std::set<std::string>> data_list_;
    std::set<std::string> used_names_;
    std::set<std::string> reported_;
    std::vector<Estimand> reports_;
};

}  // namespace

CheckResult check_model(const SourceText& source, const ast::Model& model, std::span<const std::string> header,
                        const std::string& data_name, const LevelsSource& levels) {
    CheckResult result;
    try {
        Checker checker(source, model, header, data_name, levels);
        result.model = checker.run();
    } catch (const CheckError& e) {
        result.diagnostics.push_back(e.diagnostic);
    }
    return result;
}

}  // namespace mlec::interp

// User functions (user_functions.hpp). A def is a pure function of its
// arguments, as Stan's functions are: its body may use its arguments, pi,
// numbers, built-in functions, log densities and other defs (above or below
// it), but no parameter, column or local by name. So a def means the same
// wherever it is called, and a misspelt name in a body cannot silently
// become a parameter. A call is replaced by the body with each argument's
// expression in place of its name: the tree the checker sees is the one
// the user would have written by hand, node for node, so the graph (which
// hash-conses equal nodes), the exact derivatives and the speed are too.
#include "interpreter/user_functions.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <type_traits>
#include <utility>

#include "interpreter/checker.hpp"
#include "runtime/distributions.hpp"
#include "runtime/functions.hpp"

namespace mlec::interp {

namespace {

using check::CheckError;

// An expression inlined from nested calls may be much deeper than any
// written one; the checker walks trees recursively, so depth is bounded as
// the parser bounds it (grammar/model_grammar_to_ast.hpp).
constexpr int max_inlined_height = 2048;
// And a def calling another twice, which calls another twice, ... doubles
// the tree each level: past this many nodes the model is refused.
constexpr std::size_t max_inlined_nodes = 1'000'000;

ast::ExprPtr boxed(ast::Expr e) { return std::make_unique<ast::Expr>(std::move(e)); }

ast::Expr clone(const ast::Expr& e);

std::vector<ast::Expr> clone_all(const std::vector<ast::Expr>& es) {
    std::vector<ast::Expr> out;
    out.reserve(es.size());
    for (const ast::Expr& e : es) out.push_back(clone(e));
    return out;
}

ast::Expr clone(const ast::Expr& e) {
    ast::Expr out;
    out.span = e.span;
    out.node = std::visit(
        [](const auto& n) -> decltype(ast::Expr::node) {
            using T = std::decay_t<decltype(n)>;
            if constexpr (std::is_same_v<T, ast::Negate>) return ast::Negate{boxed(clone(*n.operand))};
            else if constexpr (std::is_same_v<T, ast::Binary>)
                return ast::Binary{n.op, boxed(clone(*n.lhs)), boxed(clone(*n.rhs))};
            else if constexpr (std::is_same_v<T, ast::Call>)
                return ast::Call{n.callee, n.callee_span, clone_all(n.args), n.conditional};
            else if constexpr (std::is_same_v<T, ast::Index>)
                return ast::Index{n.name, n.name_span, clone_all(n.indices)};
            else if constexpr (std::is_same_v<T, ast::VectorLiteral>) return ast::VectorLiteral{clone_all(n.elements)};
            else return n;  // Number, Name
        },
        e.node);
    return out;
}

// Every name a model reserves for something else: a def may not take it.
bool is_function_name(const std::string& name) {
    return rt::find_function(name) || name == "dot" || name == "softmax" || name == "lag" || name == "lag_exists" ||
           name == "!";
}

// normal_lpdf, poisson_lcdf, ...: the distribution whose function `name` is.
const rt::DistributionDef* distribution_function_of(const std::string& name) {
    for (const char* suffix : {"_lpdf", "_lpmf", "_lcdf", "_lccdf", "_cdf"})
        if (check::ends_with(name, suffix))
            return rt::find_distribution(
                std::string_view(name).substr(0, name.size() - std::string_view(suffix).size()));
    return nullptr;
}

std::string quoted(const std::string& name) { return std::string("'").append(name).append("'"); }

class Inliner {
public:
    Inliner(const SourceText& source, const ast::Model& model, std::span<const std::string> header)
        : source_(source), model_(model), header_(header) {}

    InlinedModel run() {
        collect_defs();
        if (defs_.empty()) return copy_without_defs();
        for (const auto& [name, def] : defs_) check_def(*def);
        check_recursion();
        InlinedModel result = copy_without_defs();
        for (const ast::Statement& s : model_.statements)
            if (const auto* def = std::get_if<ast::Def>(&s.node); def && !called_.count(def->name))
                result.warnings.push_back(source_.diagnostic(
                    def->name_span,
                    "function " + quoted(def->name) + " is defined but never called; call it, or remove the def",
                    Category::model, Severity::warning));
        return result;
    }

private:
    // The arguments of the call being inlined, already inlined themselves.
    struct Frame {
        const ast::Def* def = nullptr;
        std::map<std::string, const ast::Expr*> bound;
        int call = -1;  // its InlinedCall
    };

    [[noreturn]] void fail(Span span, std::string message) const {
        throw CheckError{source_.diagnostic(span, std::move(message))};
    }

    std::string location_of(Span span) const {
        const LineColumn lc = source_.locate(span.begin);
        return std::to_string(lc.line) + ":" + std::to_string(lc.column);
    }

    // "def f(x, k) at 3:5"
    std::string signature(const ast::Def& def) const {
        std::string out = "def " + def.name + "(";
        for (std::size_t i = 0; i < def.arguments.size(); ++i) out.append(i ? ", " : "").append(def.arguments[i].name);
        return out.append(") at ").append(location_of(def.name_span));
    }

    void collect_defs() {
        for (const ast::Statement& s : model_.statements) {
            if (const auto* def = std::get_if<ast::Def>(&s.node)) {
                if (auto [it, fresh] = defs_.try_emplace(def->name, def); !fresh)
                    fail(def->name_span, "function " + quoted(def->name) + " is already defined at " +
                                             location_of(it->second->name_span) + "; give one of them another name");
                statement_of_[def->name] = s.span;
            } else if (const auto* assign = std::get_if<ast::Assign>(&s.node)) {
                locals_.try_emplace(assign->name, assign->name_span);
            } else if (const auto* report = std::get_if<ast::Report>(&s.node)) {
                reports_.try_emplace(report->name, report->name_span);
            } else if (const auto* param = std::get_if<ast::Param>(&s.node)) {
                for (const ast::ParamDecl& d : param->decls) declared_.try_emplace(d.name, d.name_span);
            } else if (const auto* random = std::get_if<ast::Random>(&s.node)) {
                for (const ast::RandomName& n : random->names) randoms_.try_emplace(n.name, n.span);
            }
        }
    }

    // A def's name must not be another thing's: a call f(...) would then
    // mean one and a use of f the other.
    void check_def(const ast::Def& def) {
        const std::string& f = def.name;
        const std::string rename = "; give the function another name";
        if (is_function_name(f) || f == "ifelse") fail(def.name_span, quoted(f) + " is a built-in function" + rename);
        if (rt::find_distribution(f) || f == "mixture") fail(def.name_span, quoted(f) + " is a distribution" + rename);
        if (const rt::DistributionDef* d = distribution_function_of(f))
            fail(def.name_span,
                 quoted(f) + " is a function of the distribution '" + std::string(d->name) + "'" + rename);
        if (f == "pi") fail(def.name_span, "'pi' is the constant 3.14159..." + rename);
        if (std::find(header_.begin(), header_.end(), f) != header_.end())
            fail(def.name_span, quoted(f) + " is a column of the data" + rename);
        if (auto it = declared_.find(f); it != declared_.end())
            fail(def.name_span, quoted(f) + " is declared as a parameter at " + location_of(it->second) + rename);
        if (auto it = locals_.find(f); it != locals_.end())
            fail(def.name_span, quoted(f) + " is a local defined at " + location_of(it->second) + rename);
        if (auto it = randoms_.find(f); it != randoms_.end())
            fail(def.name_span, quoted(f) + " is a random effect declared at " + location_of(it->second) + rename);
        if (auto it = reports_.find(f); it != reports_.end())
            fail(def.name_span, quoted(f) + " is a reported quantity at " + location_of(it->second) + rename);
        std::set<std::string> seen;
        for (const ast::DefArgument& a : def.arguments) {
            if (is_function_name(a.name) || a.name == "ifelse")
                fail(a.span, quoted(a.name) + " is a built-in function; give the argument another name");
            if (a.name == "pi") fail(a.span, "'pi' is the constant 3.14159...; give the argument another name");
            if (!seen.insert(a.name).second)
                fail(a.span, "argument " + quoted(a.name) + " of " + quoted(f) +
                                 " is named twice; give each argument its own name");
        }
        check_body_names(def, def.body);
    }

    // A name in a body is an argument or pi: a def sees nothing else.
    void check_body_names(const ast::Def& def, const ast::Expr& e) const {
        std::visit(
            [&](const auto& n) {
                using T = std::decay_t<decltype(n)>;
                if constexpr (std::is_same_v<T, ast::Name>) {
                    check_body_name(def, n.name, e.span);
                } else if constexpr (std::is_same_v<T, ast::Negate>) {
                    check_body_names(def, *n.operand);
                } else if constexpr (std::is_same_v<T, ast::Binary>) {
                    check_body_names(def, *n.lhs);
                    check_body_names(def, *n.rhs);
                } else if constexpr (std::is_same_v<T, ast::Call>) {
                    for (const ast::Expr& a : n.args) check_body_names(def, a);
                } else if constexpr (std::is_same_v<T, ast::Index>) {
                    check_body_name(def, n.name, n.name_span);
                    for (const ast::Expr& a : n.indices) check_body_names(def, a);
                } else if constexpr (std::is_same_v<T, ast::VectorLiteral>) {
                    for (const ast::Expr& a : n.elements) check_body_names(def, a);
                }
            },
            e.node);
    }

    void check_body_name(const ast::Def& def, const std::string& name, Span span) const {
        for (const ast::DefArgument& a : def.arguments)
            if (a.name == name) return;
        if (name == "pi") return;
        if (defs_.count(name)) fail(span, quoted(name) + " is a function: call it as " + name + "(...)");
        std::string with = "def " + def.name + "(";
        for (const ast::DefArgument& a : def.arguments) with.append(a.name).append(", ");
        with.append(name).append(")");
        fail(span, quoted(name) + " is not an argument of " + quoted(def.name) +
                       ": a function sees only its arguments; add it, as in '" + with +
                       " = ...', and pass it at every call");
    }

    // The calls between defs form no cycle: inlining would never end.
    void check_recursion() {
        std::map<std::string, int> state;  // 1 while its calls are followed, 2 when done
        std::vector<std::string> path;
        for (const auto& [name, def] : defs_) visit_calls(name, state, path);
    }

    void visit_calls(const std::string& f, std::map<std::string, int>& state, std::vector<std::string>& path) {
        if (state[f] == 2) return;
        state[f] = 1;
        path.push_back(f);
        std::vector<const ast::Call*> calls;
        calls_of(defs_.at(f)->body, calls);
        for (const ast::Call* c : calls) {
            if (state[c->callee] == 1) {
                std::string cycle;
                auto from = std::find(path.begin(), path.end(), c->callee);
                for (auto it = from; it != path.end(); ++it) cycle.append(*it).append(" -> ");
                cycle.append(c->callee);
                fail(c->callee_span, "function " + quoted(c->callee) + " calls itself (" + cycle +
                                         "); a def is inlined at every call, so it cannot be recursive: "
                                         "write the computation out without the cycle");
            }
            visit_calls(c->callee, state, path);
        }
        path.pop_back();
        state[f] = 2;
    }

    // The calls of defs in an expression, in the order written.
    void calls_of(const ast::Expr& e, std::vector<const ast::Call*>& out) const {
        std::visit(
            [&](const auto& n) {
                using T = std::decay_t<decltype(n)>;
                if constexpr (std::is_same_v<T, ast::Negate>) {
                    calls_of(*n.operand, out);
                } else if constexpr (std::is_same_v<T, ast::Binary>) {
                    calls_of(*n.lhs, out);
                    calls_of(*n.rhs, out);
                } else if constexpr (std::is_same_v<T, ast::Call>) {
                    for (const ast::Expr& a : n.args) calls_of(a, out);
                    if (defs_.count(n.callee)) out.push_back(&n);
                } else if constexpr (std::is_same_v<T, ast::Index>) {
                    for (const ast::Expr& a : n.indices) calls_of(a, out);
                } else if constexpr (std::is_same_v<T, ast::VectorLiteral>) {
                    for (const ast::Expr& a : n.elements) calls_of(a, out);
                }
            },
            e.node);
    }

    // ---- inlining ----------------------------------------------------------

    InlinedModel copy_without_defs() {
        InlinedModel out;
        for (const ast::Statement& s : model_.statements) {
            if (std::holds_alternative<ast::Def>(s.node)) continue;
            statement_ = out.model.statements.size();
            out.model.statements.push_back(statement(s));
        }
        out.calls = std::move(calls_);
        return out;
    }

    ast::Statement statement(const ast::Statement& s) {
        return {s.span, std::visit([&](const auto& n) -> decltype(ast::Statement::node) { return node(n); }, s.node)};
    }

    // A top-level expression: inlined, then bounded in depth.
    ast::Expr top(const ast::Expr& e) {
        ast::Expr out = expand(e, nullptr);
        if (height(out) > max_inlined_height) fail_too_deep(e.span);
        return out;
    }

    std::optional<ast::Expr> top(const std::optional<ast::Expr>& e) {
        if (!e) return std::nullopt;
        return top(*e);
    }

    ast::Sample node(const ast::Sample& s) {
        const auto& call = std::get<ast::Call>(s.distribution.node);
        refuse_as_distribution(call);
        if (call.callee == "mixture")
            for (std::size_t i = 1; i < call.args.size(); ++i)
                if (const auto* component = std::get_if<ast::Call>(&call.args[i].node))
                    refuse_as_distribution(*component);
        ast::Sample out{top(s.outcome), top(s.distribution), std::nullopt, std::nullopt};
        if (s.censoring) {
            ast::Censoring& c = out.censoring.emplace();
            c.span = s.censoring->span;
            for (const ast::CensorKey& k : s.censoring->keys) c.keys.push_back({k.key, k.key_span, top(k.value)});
        }
        if (s.truncation)
            out.truncation = ast::Truncation{s.truncation->span, top(s.truncation->lower), top(s.truncation->upper)};
        return out;
    }

    void refuse_as_distribution(const ast::Call& call) const {
        if (auto it = defs_.find(call.callee); it != defs_.end())
            fail(call.callee_span, quoted(call.callee) + " is a function (" + signature(*it->second) +
                                       "), not a distribution: after '~' comes a distribution, as in "
                                       "'y ~ normal(" +
                                       call.callee +
                                       "(...), sigma)'; a def that computes a log density is added with "
                                       "'target += " +
                                       call.callee + "(...)'");
    }

    ast::Assign node(const ast::Assign& a) { return {a.name, a.name_span, top(a.value)}; }
    ast::TargetAdd node(const ast::TargetAdd& t) { return {top(t.value), t.per}; }
    ast::WeightBy node(const ast::WeightBy& w) { return {top(w.value)}; }
    ast::Report node(const ast::Report& r) { return {r.name, r.name_span, top(r.value)}; }
    ast::Data node(const ast::Data& d) { return d; }
    ast::Random node(const ast::Random& r) { return {r.names, r.column, top(r.distribution)}; }
    ast::Def node(const ast::Def& d) { return {d.name, d.name_span, d.arguments, clone(d.body)}; }  // (not reached)

    ast::Param node(const ast::Param& p) {
        ast::Param out;
        for (const ast::ParamDecl& d : p.decls) {
            ast::ParamDecl c{d.name, d.name_span,  {},           d.simplex,   d.ordered, d.positive_ordered,
                             d.corr, top(d.lower), top(d.upper), top(d.start)};
            for (const ast::Expr& dim : d.dims) c.dims.push_back(top(dim));
            out.decls.push_back(std::move(c));
        }
        return out;
    }

    // `e` with every call of a def replaced by the def's body; inside a body
    // (`frame`), an argument's name by the argument's expression.
    ast::Expr expand(const ast::Expr& e, const Frame* frame) {
        // (Bounded while expanding, not only after: a chain of defs, each
        // with a body as deep as the parser allows, would overflow the stack.)
        // (Every message is built in a cold function of its own: this one
        // recurses once per level, and its frame must stay small, sanitizers
        // included, for 2048 levels to fit any thread's stack.)
        const Depth depth(depth_);
        if (depth_ > max_inlined_height) fail_too_deep(e.span);
        if (++nodes_ > max_inlined_nodes) fail_too_large(e.span);
        ast::Expr out;
        out.span = e.span;
        if (const auto* name = std::get_if<ast::Name>(&e.node)) {
            if (frame)
                if (auto it = frame->bound.find(name->name); it != frame->bound.end()) return clone(*it->second);
            if (defs_.count(name->name)) fail_function_as_value(e.span, name->name);
            out.node = *name;
        } else if (const auto* neg = std::get_if<ast::Negate>(&e.node)) {
            out.node = ast::Negate{boxed(expand(*neg->operand, frame))};
        } else if (const auto* b = std::get_if<ast::Binary>(&e.node)) {
            out.node = ast::Binary{b->op, boxed(expand(*b->lhs, frame)), boxed(expand(*b->rhs, frame))};
        } else if (const auto* v = std::get_if<ast::VectorLiteral>(&e.node)) {
            out.node = ast::VectorLiteral{expand_all(v->elements, frame)};
        } else if (const auto* ix = std::get_if<ast::Index>(&e.node)) {
            out.node = index(*ix, frame);
        } else if (const auto* c = std::get_if<ast::Call>(&e.node)) {
            if (defs_.count(c->callee)) return call(e, *c, frame);
            out.node = ast::Call{c->callee, c->callee_span, expand_all(c->args, frame), c->conditional};
        } else {
            out.node = std::get<ast::Number>(e.node);
        }
        return out;
    }

    [[noreturn, gnu::cold, gnu::noinline]] void fail_too_deep(Span span) const {
        fail(span, "this expression is more than " + std::to_string(max_inlined_height) +
                       " operations deep once its function calls are inlined; split it into local definitions");
    }

    [[noreturn, gnu::cold, gnu::noinline]] void fail_too_large(Span span) const {
        fail(span, "the model has more than " + std::to_string(max_inlined_nodes) +
                       " operations once its function calls are inlined; compute a repeated part once, as a local "
                       "definition (name = expr), and pass it");
    }

    [[noreturn, gnu::cold, gnu::noinline]] void fail_function_as_value(Span span, const std::string& name) const {
        fail(span, quoted(name) + " is a function (" + signature(*defs_.at(name)) + "): call it as " + name + "(...)");
    }

    std::vector<ast::Expr> expand_all(const std::vector<ast::Expr>& es, const Frame* frame) {
        std::vector<ast::Expr> out;
        out.reserve(es.size());
        for (const ast::Expr& e : es) out.push_back(expand(e, frame));
        return out;
    }

    // v[i] in a body indexes the argument v, which must then be a name
    // (a vector parameter, a local, a column): the language indexes names.
    [[gnu::noinline]] ast::Index index(const ast::Index& ix, const Frame* frame) {
        ast::Index out{ix.name, ix.name_span, expand_all(ix.indices, frame)};
        if (frame)
            if (auto it = frame->bound.find(ix.name); it != frame->bound.end()) {
                const auto* name = std::get_if<ast::Name>(&it->second->node);
                if (!name) fail_indexed_argument(it->second->span, ix.name, frame->def->name);
                out.name = name->name;
                out.name_span = it->second->span;
                return out;
            }
        if (defs_.count(ix.name)) fail_function_as_value(ix.name_span, ix.name);
        return out;
    }

    [[gnu::noinline]] ast::Expr call(const ast::Expr& e, const ast::Call& c, const Frame* caller) {
        const ast::Def& def = *defs_.at(c.callee);
        called_.insert(def.name);
        if (c.conditional || c.args.size() != def.arguments.size()) fail_call(e, c, def);
        // The arguments in the caller's frame, then the body in the callee's.
        const std::vector<ast::Expr> args = expand_all(c.args, caller);
        Frame frame;
        frame.def = &def;
        for (std::size_t i = 0; i < args.size(); ++i) frame.bound[def.arguments[i].name] = &args[i];
        frame.call = static_cast<int>(calls_.size());
        calls_.push_back({def.name, e.span, statement_of_.at(def.name), caller ? caller->call : -1, statement_});
        ast::Expr out = expand(def.body, &frame);
        // The whole inlined body stands where the call is written: what is
        // said of it as a whole (the outcome, an argument) points there.
        out.span = e.span;
        return out;
    }

    [[noreturn, gnu::cold, gnu::noinline]] void fail_indexed_argument(Span span, const std::string& argument,
                                                                      const std::string& def) const {
        fail(span, "argument " + quoted(argument) + " of " + quoted(def) + " is indexed in its body (" + argument +
                       "[...]), so it must be a name: pass a vector parameter or a local holding the vector");
    }

    // A call of a def whose arguments are separated by '|' or miscounted.
    [[noreturn, gnu::cold, gnu::noinline]] void fail_call(const ast::Expr& e, const ast::Call& c,
                                                          const ast::Def& def) const {
        if (c.conditional)
            fail(c.callee_span, quoted(def.name) + " is a function (" + signature(def) +
                                    "); its arguments are separated by ',', not '|'");
        fail(e.span, quoted(def.name) + " takes " + check::plural(def.arguments.size(), "argument") + " (" +
                         signature(def) + "), but " + std::to_string(c.args.size()) +
                         (c.args.size() == 1 ? " was" : " were") + " given");
    }

    static int height(const ast::Expr& e) {
        return 1 + std::visit(
                       [](const auto& n) {
                           using T = std::decay_t<decltype(n)>;
                           int h = 0;
                           if constexpr (std::is_same_v<T, ast::Negate>) h = height(*n.operand);
                           else if constexpr (std::is_same_v<T, ast::Binary>)
                               h = std::max(height(*n.lhs), height(*n.rhs));
                           else if constexpr (std::is_same_v<T, ast::Call>)
                               for (const ast::Expr& a : n.args) h = std::max(h, height(a));
                           else if constexpr (std::is_same_v<T, ast::Index>)
                               for (const ast::Expr& a : n.indices) h = std::max(h, height(a));
                           else if constexpr (std::is_same_v<T, ast::VectorLiteral>)
                               for (const ast::Expr& a : n.elements) h = std::max(h, height(a));
                           return h;
                       },
                       e.node);
    }

    // Counts the nesting of `expand` while one is running.
    struct Depth {
        explicit Depth(int& depth) : count(++depth) {}
        ~Depth() { --count; }
        Depth(const Depth&) = delete;
        Depth& operator=(const Depth&) = delete;
        int& count;
    };

    const SourceText& source_;
    const ast::Model& model_;
    std::span<const std::string> header_;
    std::map<std::string, const ast::Def*> defs_;
    std::map<std::string, Span> statement_of_;  // a def's statement
    std::map<std::string, Span> locals_;        // locals, where defined
    std::map<std::string, Span> reports_;       // reported quantities
    std::map<std::string, Span> declared_;      // declared parameters
    std::map<std::string, Span> randoms_;       // random effects, where declared
    std::set<std::string> called_;
    std::vector<InlinedCall> calls_;
    std::size_t statement_ = 0;  // the statement being inlined, among those kept
    std::size_t nodes_ = 0;
    int depth_ = 0;
};

bool contains(Span outer, std::uint32_t offset) { return outer.begin <= offset && offset < outer.end; }

}  // namespace

InlinedModel inline_user_functions(const SourceText& source, const ast::Model& model,
                                   std::span<const std::string> header) {
    return Inliner(source, model, header).run();
}

Diagnostics inlining_notes(const SourceText& source, std::span<const InlinedCall> calls, std::uint32_t offset,
                           std::optional<std::size_t> statement) {
    Diagnostics notes;
    // The calls of the def the error is in; the first in the statement
    // being checked when there is one.
    int chosen = -1;
    for (std::size_t i = 0; i < calls.size(); ++i) {
        const InlinedCall& c = calls[i];
        if (!contains(c.definition, offset)) continue;
        if (chosen < 0) chosen = static_cast<int>(i);
        if (statement && c.statement == *statement) {
            chosen = static_cast<int>(i);
            break;
        }
    }
    for (int k = chosen; k >= 0; k = calls[static_cast<std::size_t>(k)].caller) {
        const InlinedCall& c = calls[static_cast<std::size_t>(k)];
        notes.push_back(source.diagnostic(c.call, "in this call of '" + c.function + "', whose body the error is in",
                                          Category::model, Severity::note));
    }
    return notes;
}

}  // namespace mlec::interp

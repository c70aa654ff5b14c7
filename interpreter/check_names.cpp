// What a name is (checker.hpp): a local defined above its use, the constant
// pi, a data column, a parameter; which names are reserved; the names a
// model uses, collected before any statement is checked.
#include <numbers>
#include <type_traits>

#include "interpreter/checker.hpp"
#include "runtime/distributions.hpp"
#include "runtime/functions.hpp"

namespace mlec::interp::check {

namespace {

// dot and softmax are language constructs, reserved as function names are.
bool is_function_name(const std::string& name) { return rt::find_function(name) || name == "dot" || name == "softmax"; }

}  // namespace

void Locals::collect(const ast::Assign& a) { locals_.try_emplace(a.name, Local{a.name_span, std::nullopt}); }

std::optional<Span> Locals::definition(const std::string& name) const {
    auto it = locals_.find(name);
    if (it == locals_.end()) return std::nullopt;
    return it->second.definition;
}

const Value* Locals::value(const std::string& name) const {
    auto it = locals_.find(name);
    return it != locals_.end() && it->second.value ? &*it->second.value : nullptr;
}

void Locals::set(const std::string& name, Value v) { locals_.at(name).value = std::move(v); }

void Checker::collect_used_names(const ast::Expr& e) {
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

void Checker::collect_used_names(const ast::Statement& s) {
    std::visit(
        [&](const auto& n) {
            using T = std::decay_t<decltype(n)>;
            if constexpr (std::is_same_v<T, ast::Sample>) {
                collect_used_names(n.outcome);
                collect_used_names(n.distribution);
                if (n.censoring)
                    for (const ast::CensorKey& k : n.censoring->keys) collect_used_names(k.value);
                if (n.truncation && n.truncation->lower) collect_used_names(*n.truncation->lower);
                if (n.truncation && n.truncation->upper) collect_used_names(*n.truncation->upper);
            } else if constexpr (std::is_same_v<T, ast::Random>) {
                collect_used_names(n.distribution);
            } else if constexpr (std::is_same_v<T, ast::Assign> || std::is_same_v<T, ast::TargetAdd> ||
                                 std::is_same_v<T, ast::WeightBy> || std::is_same_v<T, ast::Report>) {
                collect_used_names(n.value);
            }
        },
        s.node);
}

void Checker::visit(const ast::Statement&, const ast::Assign& a) {
    // `y = normal(mu, sigma)`: a habit from tools where '=' states a
    // distribution; here it would define a local.
    if (const auto* call = std::get_if<ast::Call>(&a.value.node);
        call && (rt::find_distribution(call->callee) || call->callee == "mixture"))
        fail(call->callee_span, "'" + call->callee + "' is a distribution: to say that '" + a.name +
                                    "' follows it, write '" + a.name + " ~ " + call->callee +
                                    "(...)'; '=' defines a local");
    if (columns_.usable_column(a.name))
        fail(a.name_span, "'" + a.name + "' is a column of " + columns_.data_name() +
                              "; a local definition cannot have a column's name");
    if (declared_.count(a.name))
        fail(a.name_span, "'" + a.name + "' is declared as a parameter at " +
                              location_of(declared_[a.name]->name_span) + "; it cannot also be defined here");
    if (locals_.value(a.name))
        fail(a.name_span, "'" + a.name + "' is already defined at " + location_of(*locals_.definition(a.name)));
    check_not_builtin(a.name, a.name_span, "a local definition");
    locals_.set(a.name, expression(a.value));
}

Value Checker::resolve(const std::string& name, Span span) {
    if (const Value* local = locals_.value(name)) return *local;
    if (auto defined = locals_.definition(name))
        fail(span, "'" + name + "' is used before its definition at " + location_of(*defined));
    if (name == "pi") return pi_constant(span);
    if (auto col = columns_.header_index(name)) {
        columns_.require_listed(name, span);
        return Value::scalar(columns_.numeric_column(name, *col, span));
    }
    if (is_function_name(name)) fail(span, "'" + name + "' is a function: call it as " + name + "(...)");
    if (auto it = randoms_.find(name); it != randoms_.end())
        fail(span, "'" + name + "' is a random effect, one per level of column '" + it->second.decl->column.name +
                       "'; write " + name + "[" + it->second.decl->column.name + "]");
    const ParamEntry& p = parameter_entry(name, span);
    if (p.group)
        fail(span, "'" + name + "' has one entry per level of column '" + p.group_column + "'; write " + name + "[" +
                       p.group_column + "]");
    return p.value;
}

// pi = 3.14159..., the one named constant (e is exp(1)). A column named
// pi would make every use ambiguous: refused, not silently chosen.
Value Checker::pi_constant(Span span) {
    if (columns_.header_index("pi"))
        fail(span, "'pi' is the constant 3.14159..., but " + columns_.data_name() +
                       " also has a column 'pi'; rename the column to use it");
    return Value::scalar(build_.constant(std::numbers::pi));
}

// Function names and pi are reserved (a name like `exp` used without a
// call is a forgotten call); distribution names are not, since a
// distribution only ever appears as a call: `param beta[3]` and
// `y ~ beta(a, b)` mix.
void Checker::check_not_builtin(const std::string& name, Span span, const char* what) const {
    if (is_function_name(name)) fail(span, "'" + name + "' is a built-in function; it cannot be " + what);
    if (name == "pi") fail(span, std::string("'pi' is the constant 3.14159...; it cannot be ") + what);
}

}  // namespace mlec::interp::check

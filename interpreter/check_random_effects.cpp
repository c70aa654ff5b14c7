// Independent random effects (checker.hpp; docs/language.md, "Random
// effects"; the correlated ones are check_correlated_effects.cpp):
// `random u[g] ~ normal(0, s)` declares u, one effect per level of column
// g, independent N(0, s^2). Lowered in the spherical form u = s z with
// z ~ N(0, 1) (Bates et al. 2015, "Fitting linear mixed-effects models
// using lme4", section 2.1): one graph effect of z per statement
// (rt::Graph::add_effect, never shared, so an intercept and a slope on one
// column are two), and u[g] is the node s * z[level of the row]. So s
// enters only the rows' likelihood, may reach 0 smoothly, and z's N(0, 1)
// is the Laplace approximation's business, not a term of the graph.
#include <cmath>

#include "interpreter/checker.hpp"
#include "runtime/functions.hpp"

namespace mlec::interp::check {

namespace {

const char* const random_example = "as in 'random u[g] ~ normal(0, s)'";

}  // namespace

// Called once the parameters, locals and `data` names are collected: a
// random effect's name must be none of them, nor a column or a built-in
// (each name of a correlated `random (a, b)[g]` likewise).
void Checker::declare_random(const ast::Random& r) {
    for (const ast::RandomName& n : r.names) {
        const std::string& u = n.name;
        const std::string own = "; a random effect needs a name of its own";
        if (auto it = randoms_.find(u); it != randoms_.end() && it->second.decl == &r)
            fail(n.span, "random effect '" + u + "' is named twice in this statement (first at " +
                             location_of(it->second.name_span) + "); give each random effect its own name");
        if (auto it = randoms_.find(u); it != randoms_.end())
            fail(n.span, "random effect '" + u + "' is already declared at " + location_of(it->second.name_span) +
                             "; give each random effect its own name");
        check_not_builtin(u, n.span, "a random effect");
        if (auto it = declared_.find(u); it != declared_.end())
            fail(n.span, "'" + u + "' is declared as a parameter at " + location_of(it->second->name_span) + own);
        if (auto defined = locals_.definition(u))
            fail(n.span, "'" + u + "' is a local defined at " + location_of(*defined) + own);
        if (columns_.header_index(u)) fail(n.span, "'" + u + "' is a column of " + columns_.data_name() + own);
        randoms_[u] = RandomEntry{&r, n.span, -1};
    }
}

void Checker::visit(const ast::Statement& s, const ast::Random& r) {
    if (r.correlated()) return correlated_random(s, r);
    const int scale = random_scale(r);
    const int effect_node = new_effect(s, r, 0, scale, -1);
    randoms_[r.names[0].name].node = build_.op(rt::op_mul(), {scale, effect_node});
}

// The graph effect z of name `which` of statement `r` on its column's
// levels (never shared), recorded with its scale for the fit and reports.
int Checker::new_effect(const ast::Statement& s, const ast::Random& r, std::size_t which, int scale, int block) {
    const int csv_index = random_column(r);
    const Levels& levels = columns_.levels_of(csv_index, r.column.span);
    const int codes = columns_.categorical_column(r.column.name, csv_index, r.column.span);
    const int effect_node = out_.graph.add_effect(codes, static_cast<int>(levels.names.size()));
    RandomEffect info;
    info.name = r.names[which].name;
    info.column = r.column.name;
    info.span = s.span;
    info.effect = out_.graph.node(effect_node).effect;
    info.effect_node = effect_node;
    info.scale_node = scale;
    info.scale_parameter = scale_parameter(scale);
    info.level_names = levels.names;
    info.block = block;
    info.coefficients = {scale};  // (a correlated block's entries get theirs once L is known)
    out_.random_effects.push_back(std::move(info));
    return effect_node;
}

// g of `random u[g]`: a column of the data (its levels are u's).
int Checker::random_column(const ast::Random& r) {
    const ast::DataName& g = r.column;
    if (locals_.value(g.name) || locals_.definition(g.name))
        fail(g.span, "random effects are one per level of a data column, but '" + g.name + "' is a local");
    if (columns_.header_index(g.name)) {
        columns_.require_listed(g.name, g.span);
        return *columns_.header_index(g.name);
    }
    std::string message = "'" + g.name + "' is not a column of " + columns_.data_name();
    if (auto guess = closest(g.name, columns_.header())) message += "; did you mean '" + *guess + "'?";
    else message.append("; random effects are one per level of a data column, ").append(random_example);
    fail(g.span, message);
}

// s of `normal(0, s)`: the scale node, of parameters and constants only.
int Checker::random_scale(const ast::Random& r) {
    const auto& call = std::get<ast::Call>(r.distribution.node);
    if (call.callee != "normal" || call.conditional)
        fail(call.callee_span, "random effects here are normal with mean 0 and a standard deviation, " +
                                   std::string(random_example) + "; '" + call.callee + "' is not available");
    if (call.args.size() != 2)
        fail(r.distribution.span, "normal takes 2 arguments (mu, sigma), " + std::string(random_example) + "; " +
                                      std::to_string(call.args.size()) + (call.args.size() == 1 ? " was" : " were") +
                                      " given");
    const ast::Expr& mean = call.args[0];
    if (const auto* zero = std::get_if<ast::Number>(&mean.node); !zero || zero->value != 0)
        fail(mean.span,
             "random effects here are normal with mean 0; put a mean into the model's expression "
             "instead, as in 'y ~ normal(m + " +
                 r.names[0].name + "[" + r.column.name + "], sigma)'");
    const ast::Expr& sd = call.args[1];
    const std::string& u = r.names[0].name;
    if (auto other = random_use(sd))
        fail(other->second, "the standard deviation of random effect '" + u + "' cannot depend on a random effect ('" +
                                other->first + "'); write it with parameters and constants");
    const int scale = scalar(sd, "the standard deviation of a random effect");
    check_random_scale(scale, sd.span, u, random_example);
    return scale;
}

// A scale is one number for all levels, of parameters and constants only.
void Checker::check_random_scale(int scale, Span span, const std::string& u, const std::string& example) const {
    const rt::Node& node = out_.graph.node(scale);
    if (!node.row_invariant)
        fail(span, "the standard deviation of random effect '" + u +
                       "' depends on the data; it is one number for all levels, written with parameters and "
                       "constants, " +
                       example);
    if (node.kind == rt::NodeKind::constant && !(node.constant > 0))
        fail(span, "the standard deviation of random effect '" + u + "' is " + format_number(node.constant) +
                       ", but must be positive");
}

// The parameter s whose 0 makes `scale` 0, when the scale is s times or
// divided by positive constants, or a positive power of s (1000*s, s/10,
// sqrt(v), v^0.5): then L(theta) is even in s, s = 0 is the model without
// the effect, and a singular fit holds s at 0 as it would a bare scale.
// -1 when the scale is anything else (exp(t) never reaches 0: there a
// scale running to 0 runs t to -inf, a divergence).
int Checker::scale_parameter(int scale) const {
    const auto positive_constant = [this](int id) {
        const rt::Node& n = out_.graph.node(id);
        return n.kind == rt::NodeKind::constant && n.constant > 0 && std::isfinite(n.constant);
    };
    for (int at = scale;;) {
        // (a parameter's node is its transform, exp(raw) for s > 0)
        for (const Estimand& e : out_.estimands)
            if (e.node == at && e.coordinate >= 0 && !e.derived && e.bounds.lower == 0) return at;
        const rt::Node& n = out_.graph.node(at);
        if (n.kind != rt::NodeKind::op) return -1;
        const std::vector<int>& in = n.inputs;
        const bool binary = in.size() == 2;
        if (n.op == &rt::op_mul() && binary && positive_constant(in[0])) at = in[1];
        else if (n.op == &rt::op_mul() && binary && positive_constant(in[1])) at = in[0];
        else if ((n.op == &rt::op_div() || n.op == &rt::op_pow()) && binary && positive_constant(in[1])) at = in[0];
        else if (n.op == &rt::op_sqrt() && in.size() == 1) at = in[0];
        else return -1;
    }
}

// The first use of a random effect in `e`, and where.
std::optional<std::pair<std::string, Span>> Checker::random_use(const ast::Expr& e) const {
    std::optional<std::pair<std::string, Span>> found;
    const auto in = [&](const ast::Expr& sub) {
        if (!found) found = random_use(sub);
    };
    std::visit(
        [&](const auto& n) {
            using T = std::decay_t<decltype(n)>;
            if constexpr (std::is_same_v<T, ast::Name> || std::is_same_v<T, ast::Index>) {
                const std::string& name = n.name;
                if (randoms_.count(name) && !locals_.value(name)) found = std::make_pair(name, e.span);
            }
            if constexpr (std::is_same_v<T, ast::Negate>) {
                in(*n.operand);
            } else if constexpr (std::is_same_v<T, ast::Binary>) {
                in(*n.lhs);
                in(*n.rhs);
            } else if constexpr (std::is_same_v<T, ast::Call>) {
                for (const ast::Expr& a : n.args) in(a);
            } else if constexpr (std::is_same_v<T, ast::Index>) {
                for (const ast::Expr& a : n.indices) in(a);
            } else if constexpr (std::is_same_v<T, ast::VectorLiteral>) {
                for (const ast::Expr& a : n.elements) in(a);
            }
        },
        e.node);
    return found;
}

// u[g] after `random u[g] ~ ...`: the row's effect, s * z[level].
Value Checker::random_entry(const ast::Expr& e, const ast::Index& ix, const RandomEntry& entry) {
    const ast::Random& r = *entry.decl;
    if (entry.node < 0)
        fail(ix.name_span, "random effect '" + ix.name + "' is used before its 'random' statement at " +
                               location_of(entry.name_span));
    const auto* name = ix.indices.size() == 1 ? std::get_if<ast::Name>(&ix.indices[0].node) : nullptr;
    if (!name || name->name != r.column.name)
        fail(e.span, "'" + ix.name + "' is a random effect, one per level of column '" + r.column.name +
                         "'; index it with that column: " + ix.name + "[" + r.column.name + "]");
    return Value::scalar(entry.node);
}

// A random effect is no more data than a parameter is, even with a
// constant sd (then its node has no parameter below it).
void Checker::refuse_random_effects(int node, Span span, const std::string& what) const {
    const std::vector<int>& effects = out_.graph.node(node).effects;
    if (effects.empty()) return;
    for (const RandomEffect& r : out_.random_effects)
        if (r.effect == effects.front())
            fail(span, what + " depends on random effect '" + r.name + "'; it must be data");
    fail(span, what + " depends on a random effect; it must be data");
}

// A random effect that reaches no term says nothing, and its standard
// deviation could not be estimated: an error, as for such a parameter.
void Checker::check_random_effects_reached() {
    std::set<int> reached;
    for (int term : out_.graph.terms())
        for (int effect : out_.graph.node(term).effects) reached.insert(effect);
    for (const RandomEffect& r : out_.random_effects)
        if (!reached.count(r.effect))
            fail(randoms_.at(r.name).name_span,
                 "random effect '" + r.name +
                     "' does not affect the likelihood: no '~' or 'target +=' statement uses " + r.name + "[" +
                     r.column + "]");
}

}  // namespace mlec::interp::check

// Terms of the log-likelihood (checker.hpp): sampling statements with their
// distribution (its stable form; a mixture of several), `target +=`, log
// density calls, and the checks of the data they need.
#include "interpreter/checker.hpp"
#include "runtime/functions.hpp"

namespace mlec::interp::check {

void Checker::visit(const ast::Statement& s, const ast::Sample& sample) {
    const auto* call = std::get_if<ast::Call>(&sample.distribution.node);
    if (!call) fail(sample.distribution.span, "expected a distribution call after '~'");
    if (call->conditional)
        fail(call->callee_span,
             "'|' belongs in a log density call such as " + call->callee + "_lpdf(y | ...), not after '~'");
    if (call->callee == "mixture") {  // a language construct (add_mixture_term)
        if (sample.censoring) fail(sample.censoring->span, "censoring a mixture is not supported");
        if (sample.truncation) fail(sample.truncation->span, "truncating a mixture is not supported");
        add_mixture_term(s, sample.outcome, *call, sample.distribution.span);
        return;
    }
    const rt::DistributionDef* dist = find_distribution_or_fail(call->callee, call->callee_span);
    add_distribution_term(s, *dist, sample, call->args, sample.distribution.span);
}

void Checker::visit(const ast::Statement& s, const ast::TargetAdd& t) {
    const Value v = expression(t.value);
    if (!v.is_scalar())
        fail(t.value.span,
             "'target +=' adds one number per row, but this is " + describe(v) + "; use sum(...) to add its entries");
    if (t.per) {
        add_group_term(s, t, v);
        return;
    }
    // A term that depends on no data (a prior, a penalty) is added once per
    // fit, not once per row (rt::Graph): said in the report, as a habit from
    // per-row tools could expect either.
    if (out_.graph.node(v.node()).row_invariant) {
        std::string note = line_of(s.span);
        note.append(": '").append(excerpt(s.span));
        note.append("' depends on no data column, so it is added once, not once per row");
        out_.notes.push_back(std::move(note));
    }
    add_term(s, v.node(), {}, {});
}

namespace {

// The parts of a sum as written: a + b - c gives a, b and c.
void additive_parts(const ast::Expr& e, std::vector<const ast::Expr*>& out) {
    const auto* b = std::get_if<ast::Binary>(&e.node);
    if (b && (b->op == ast::BinaryOp::add || b->op == ast::BinaryOp::sub)) {
        additive_parts(*b->lhs, out);
        additive_parts(*b->rhs, out);
    } else {
        out.push_back(&e);
    }
}

}  // namespace

// `target += normal_lpdf(y | mu, s) + normal_lpdf(mu | 0, 10)` adds its
// second part, a prior, once per row: in Stan the statement runs once, in
// mlec once per row. Which was meant is ambiguous, so it is a warning that
// says how to write the other. Run after every statement, when every
// parameter is known.
void Checker::warn_parts_added_per_row() {
    for (const ast::Statement& s : model_.statements) {
        const auto* t = std::get_if<ast::TargetAdd>(&s.node);
        if (!t || t->per) continue;  // (a group-level term is added once per level, not per row)
        std::vector<const ast::Expr*> parts;
        additive_parts(t->value, parts);
        const Involvement whole = involvement(t->value);
        if (!whole.data) continue;  // the whole term is added once
        for (const ast::Expr* part : parts) {
            const Involvement in = involvement(*part);
            if (in.data || !in.parameters) continue;
            // (appended, not concatenated: GCC 12 at -O3 misreports the
            // concatenation as an overlapping memcpy, -Wrestrict)
            std::string message = "'";
            message.append(excerpt(part->span));
            message.append(
                "' depends on no data column but is part of a term added once per row; if it is a prior or a "
                "penalty, give it its own 'target +=', which is added once");
            out_.warnings.push_back(
                source_.diagnostic(part->span, std::move(message), Category::model, Severity::warning));
        }
    }
}

const rt::DistributionDef* Checker::find_distribution_or_fail(const std::string& name, Span span) {
    if (const rt::DistributionDef* d = rt::find_distribution(name)) return d;
    if (rt::find_function(name)) fail(span, "'" + name + "' is a function, not a distribution");
    std::vector<std::string> names;
    for (const rt::DistributionDef* d : rt::all_distributions()) names.emplace_back(d->name);
    names.emplace_back("mixture");
    std::string message = "unknown distribution '" + name + "'";
    if (auto foreign = foreign_name(name)) message.append("; ").append(foreign_advice(name, *foreign, true));
    else if (auto guess = closest(name, names)) message += "; did you mean '" + *guess + "'?";
    fail(span, message);
}

// The outcome of '~': one number per row, from data only.
int Checker::outcome_node(const ast::Expr& outcome, bool categorical) {
    // A bare outcome name that is not a column is almost always a column
    // missing from the data (or misspelled), not a parameter.
    if (const auto* name = std::get_if<ast::Name>(&outcome.node);
        name && !columns_.usable_column(name->name) && !locals_.value(name->name) && !declared_.count(name->name)) {
        std::string message = "'" + name->name + "' is not a column of " + columns_.data_name();
        if (auto guess = closest(name->name, columns_.header())) message += "; did you mean '" + *guess + "'?";
        else message += "; the outcome of '~' must be data";
        fail(outcome.span, message);
    }
    if (categorical)
        if (auto codes = text_categorical_outcome(outcome)) return *codes;
    const Value y = expression(outcome);
    if (!y.is_scalar()) {
        std::string message = "the outcome of '~' must be one number per row, not " + describe(y);
        message.append("; a vector outcome is taken only by");
        for (const rt::DistributionDef* d : rt::all_distributions())
            if (d->vector_outcome) message.append(" '").append(d->name).append("'");
        fail(outcome.span, message);
    }
    refuse_random_effects(y.node(), outcome.span, "the outcome of '~'");
    const rt::Node& yn = out_.graph.node(y.node());
    if (!yn.deps.empty())
        fail(outcome.span, "the outcome of '~' depends on parameter '" +
                               out_.parameters[static_cast<std::size_t>(yn.deps.front())].name + "'; it must be data");
    return y.node();
}

// A categorical outcome held as text is read as level numbers: their node,
// or nothing for an outcome that is no such column.
std::optional<int> Checker::text_categorical_outcome(const ast::Expr& outcome) {
    const auto* name = std::get_if<ast::Name>(&outcome.node);
    if (!name) return std::nullopt;
    auto col = columns_.usable_column(name->name);
    if (!col || locals_.value(name->name)) return std::nullopt;
    const Levels& lv = columns_.levels_of(*col, outcome.span);
    if (lv.numeric) return std::nullopt;
    std::string list;
    for (std::size_t i = 0; i < lv.names.size(); ++i)
        list += (i ? ", " : "") + lv.names[i] + " = " + std::to_string(i + 1);
    out_.notes.push_back("categorical outcome '" + name->name + "': " + list);
    return columns_.categorical_column(name->name, *col, outcome.span);
}

Checker::Inputs Checker::distribution_inputs(const rt::DistributionDef& dist, int outcome,
                                             const std::vector<const ast::Expr*>& args, const std::string& written,
                                             Span call_span) {
    if (args.size() != dist.args.size())
        fail(call_span, written + " takes " + plural(dist.args.size(), "argument") + " (" + arg_names(dist) +
                            "), but " + std::to_string(args.size()) + (args.size() == 1 ? " was" : " were") + " given");
    Inputs in;
    in.nodes.push_back(outcome);
    in.names.emplace_back("outcome");
    for (std::size_t i = 0; i < args.size(); ++i) {
        const rt::DistArg& spec = dist.args[i];
        const Value v = expression(*args[i]);
        if (spec.vector) {
            if (v.shape != Shape::vector)
                fail(args[i]->span, written + "'s " + std::string(spec.name) + " must be a vector, not " + describe(v));
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
const rt::DistributionDef* Checker::stable_form(const rt::DistributionDef& dist, const std::vector<ast::Expr>& args,
                                                std::vector<const ast::Expr*>& arg_exprs, Span call_span) {
    if (args.size() != 1) return &dist;
    const auto* inner = std::get_if<ast::Call>(&args[0].node);
    if (!inner || inner->conditional || inner->args.size() != 1) return &dist;
    const rt::DistributionDef* stable = rt::find_stable_form(dist.name, inner->callee);
    if (!stable) return &dist;
    arg_exprs[0] = &inner->args[0];
    out_.notes.push_back(line_of(call_span) + ": " + std::string(dist.name) + "(" + inner->callee +
                         "(...)) is evaluated as " + std::string(stable->name) +
                         "(...), which stays finite however large the linear predictor grows");
    return stable;
}

void Checker::add_distribution_term(const ast::Statement& s, const rt::DistributionDef& dist, const ast::Sample& sample,
                                    const std::vector<ast::Expr>& args, Span call_span) {
    const ast::Expr& outcome = sample.outcome;
    std::vector<const ast::Expr*> arg_exprs;
    for (const ast::Expr& a : args) arg_exprs.push_back(&a);
    const rt::DistributionDef* chosen = stable_form(dist, args, arg_exprs, call_span);
    if (chosen->vector_outcome) {
        add_vector_outcome_term(s, *chosen, sample, arg_exprs, call_span);
        return;
    }
    const bool categorical = dist.outcome == rt::Domain::category;
    // An ordinal outcome's numbers carry its order, which text levels
    // (numbered by first appearance) do not: it must be numbers.
    const int y = outcome_node(outcome, categorical && !dist.ordinal);
    const std::string written(dist.name);
    Inputs in = distribution_inputs(*chosen, y, arg_exprs, written, call_span);
    add_check(y, outcome.span, dist.outcome, categorical ? static_cast<int>(in.nodes.size()) - 1 : 0,
              written + " outcome");
    add_limit_checks(*chosen, in, outcome.span, written);
    int node = out_.graph.add_op(chosen->op, in.nodes);
    TermInfo modified;  // what censored(...) and T[...] record
    if (sample.censoring)
        node = censored_term(*chosen, in, node, *sample.censoring, outcome.span, modified.censoring.emplace());
    if (sample.truncation)
        node = truncated_term(*chosen, in, node, *sample.truncation, outcome.span, written, modified);
    // E[y | args] for `mlec predict` (its delta-method SE follows from
    // the node's gradient); for a truncated outcome, the truncated
    // distribution's mean. -1 where the distribution has no such mean
    // (inference/predict says so).
    const std::span<const int> arguments = std::span<const int>(in.nodes).subspan(1);
    int expected = -1;
    if (!sample.truncation && chosen->mean) expected = chosen->mean(build_, arguments);
    if (sample.truncation && chosen->truncated_mean)
        expected = chosen->truncated_mean(build_, arguments,
                                          rt::TruncationBounds{modified.truncation_lower, modified.truncation_upper});
    add_term(s, node, std::move(in.nodes), std::move(in.names));
    TermInfo& term = out_.terms.back();
    term.censoring = modified.censoring;
    term.truncation = std::move(modified.truncation);
    term.truncation_lower = modified.truncation_lower;
    term.truncation_upper = modified.truncation_upper;
    term.outcome = std::string(text_of(outcome.span));
    term.distribution = chosen;
    term.expected_node = expected;
    if (chosen->linear_predictor >= 0)
        term.linear_predictor_node = term.input_nodes[static_cast<std::size_t>(chosen->linear_predictor) + 1];
}

// The entries of a vector outcome ([n1, n2, n3]), each data, with where
// each is written (the whole outcome's span when it is not a literal).
std::vector<std::pair<int, Span>> Checker::vector_outcome_entries(const ast::Expr& outcome,
                                                                  const rt::DistributionDef& dist) {
    const std::string written(dist.name);
    const Value y = expression(outcome);
    if (y.shape != Shape::vector || y.nodes.empty())
        fail(outcome.span, written + "'s outcome is a vector of counts, one entry per category, as in [n1, n2, n3] ~ " +
                               written + "(p); this is " + describe(y));
    const auto* literal = std::get_if<ast::VectorLiteral>(&outcome.node);
    std::vector<std::pair<int, Span>> entries;
    for (std::size_t k = 0; k < y.nodes.size(); ++k) {
        const Span span = literal ? literal->elements[k].span : outcome.span;
        refuse_random_effects(y.nodes[k], span, "the outcome of '~'");
        const rt::Node& n = out_.graph.node(y.nodes[k]);
        if (!n.deps.empty())
            fail(span, "the outcome of '~' depends on parameter '" +
                           out_.parameters[static_cast<std::size_t>(n.deps.front())].name + "'; it must be data");
        entries.emplace_back(y.nodes[k], span);
    }
    return entries;
}

// The op's inputs for a vector outcome: the K entries of the outcome, each
// checked as an outcome, then the K entries of the (vector) argument.
Checker::Inputs Checker::vector_outcome_inputs(const ast::Expr& outcome, const rt::DistributionDef& dist,
                                               const std::vector<const ast::Expr*>& arg_exprs,
                                               const std::string& written, Span call_span) {
    const std::vector<std::pair<int, Span>> entries = vector_outcome_entries(outcome, dist);
    Inputs in = distribution_inputs(dist, entries.front().first, arg_exprs, written, call_span);
    const std::size_t argument_entries = in.nodes.size() - 1;
    if (argument_entries != entries.size())
        fail(arg_exprs.back()->span,
             written + "'s outcome has " + plural(entries.size(), "count") + " but its " +
                 std::string(dist.args.back().name) + " has " + std::to_string(argument_entries) +
                 (argument_entries == 1 ? " entry" : " entries") + ": they must have the same length");
    Inputs out;
    for (std::size_t k = 0; k < entries.size(); ++k) {
        out.nodes.push_back(entries[k].first);
        out.names.push_back("outcome[" + std::to_string(k + 1) + "]");
        add_check(entries[k].first, entries[k].second, dist.outcome, 0, written + " outcome");
    }
    out.nodes.insert(out.nodes.end(), in.nodes.begin() + 1, in.nodes.end());
    out.names.insert(out.names.end(), in.names.begin() + 1, in.names.end());
    return out;
}

// [n1, ..., nK] ~ multinomial(p): a vector outcome (rt::DistributionDef::
// vector_outcome), whose op takes the K entries, then the K entries of the
// argument. Each entry is checked as an outcome; E[n_k | N] per entry for
// `mlec predict`.
void Checker::add_vector_outcome_term(const ast::Statement& s, const rt::DistributionDef& dist,
                                      const ast::Sample& sample, const std::vector<const ast::Expr*>& arg_exprs,
                                      Span call_span) {
    const std::string written(dist.name);
    if (sample.censoring) fail(sample.censoring->span, "censoring a vector outcome (" + written + ") is not supported");
    if (sample.truncation)
        fail(sample.truncation->span, "truncating a vector outcome (" + written + ") is not supported");
    Inputs in = vector_outcome_inputs(sample.outcome, dist, arg_exprs, written, call_span);
    const std::vector<int> counts(in.nodes.begin(),
                                  in.nodes.begin() + static_cast<std::ptrdiff_t>(in.nodes.size() / 2));
    const int node = out_.graph.add_op(dist.op, in.nodes);
    std::vector<int> expected;
    if (dist.expected_entry) {
        const int total = build_.op(rt::op_sum(), counts);
        for (std::size_t k = 0; k < counts.size(); ++k)
            expected.push_back(dist.expected_entry(build_, total, in.nodes[counts.size() + k]));
    }
    add_term(s, node, std::move(in.nodes), std::move(in.names));
    TermInfo& term = out_.terms.back();
    term.outcome = std::string(text_of(sample.outcome.span));
    term.distribution = &dist;
    term.outcome_entries = counts;
    term.expected_entries = std::move(expected);
}

// y ~ mixture(w, d1(...), d2(...), ...): log sum_k w_k p_k(y), evaluated
// as log_sum_exp_k(log w_k + log p_k(y)). (Its term names no distribution:
// TermInfo::distribution stays nullptr.)
void Checker::add_mixture_term(const ast::Statement& s, const ast::Expr& outcome, const ast::Call& call, Span span) {
    if (call.args.size() < 3)
        fail(span,
             "mixture takes the weights and at least two component distributions, as in "
             "mixture(w, normal(m1, s1), normal(m2, s2))");
    const std::size_t components = call.args.size() - 1;
    const std::vector<int> log_weights = mixture_log_weights(call.args[0], components);
    const int y = outcome_node(outcome, false);
    std::vector<int> terms;
    std::set<rt::Domain> outcome_domains;
    for (std::size_t k = 0; k < components; ++k) {
        const ast::Expr& arg = call.args[k + 1];
        const auto* comp = std::get_if<ast::Call>(&arg.node);
        if (!comp || comp->conditional || !rt::find_distribution(comp->callee))
            fail(arg.span, "each component of a mixture is a distribution, as in normal(m1, s1)");
        const rt::DistributionDef& dist = *rt::find_distribution(comp->callee);
        if (dist.vector_outcome)
            fail(arg.span, "'" + comp->callee + "' has a vector outcome and cannot be a mixture component");
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

// A mixture's log weights: a scalar w weighs two components (w, 1 - w); a
// vector (a simplex) weighs one each.
std::vector<int> Checker::mixture_log_weights(const ast::Expr& weights, std::size_t components) {
    const Value w = expression(weights);
    std::vector<int> log_weights;
    const rt::OpDef& log = rt::op_log();
    if (w.is_scalar()) {
        if (components != 2)
            fail(weights.span, "a single weight w mixes exactly two components (w and 1 - w); for " +
                                   std::to_string(components) + " components give a simplex of " +
                                   std::to_string(components) + " weights");
        log_weights.push_back(build_.op(log, {w.node()}));
        log_weights.push_back(build_.op(rt::op_log1p(), {build_.op(rt::op_neg(), {w.node()})}));
    } else {
        if (w.shape != Shape::vector || static_cast<std::size_t>(w.rows) != components)
            fail(weights.span,
                 "the weights are " + describe(w) + ", but there are " + std::to_string(components) + " components");
        for (int n : w.nodes) log_weights.push_back(build_.op(log, {n}));
    }
    for (int n : w.nodes) add_check(n, weights.span, rt::Domain::unit_closed, 0, "mixture's weight");
    return log_weights;
}

void Checker::add_check(int node, Span span, rt::Domain domain, int max, std::string what) {
    const rt::Node& n = out_.graph.node(node);
    if (!n.deps.empty() || !n.effects.empty() || n.row_invariant || (domain == rt::Domain::real && max == 0)) return;
    DataCheck check{node, span, domain, max, std::move(what)};
    check.guards = guards_;
    out_.checks.push_back(std::move(check));
}

// The limits an argument sets on the outcome (rt::OutcomeLimit), for
// an outcome and argument that are both data or constants (and not
// both constants). `written` names the distribution as the user did.
// (Not for a mixture's components: its outcome needs to lie in only one
// component's support.)
void Checker::add_limit_checks(const rt::DistributionDef& dist, const Inputs& in, Span span,
                               const std::string& written) {
    const rt::Node& y = out_.graph.node(in.nodes[0]);
    for (const rt::OutcomeLimit& limit : dist.limits) {
        const int bound = in.nodes[static_cast<std::size_t>(limit.arg) + 1];  // (scalar arguments only)
        const rt::Node& b = out_.graph.node(bound);
        if (!y.deps.empty() || !b.deps.empty() || !y.effects.empty() || !b.effects.empty() ||
            (y.row_invariant && b.row_invariant))
            continue;
        const std::string argument(dist.args[static_cast<std::size_t>(limit.arg)].name);
        out_.checks.push_back(DataCheck{in.nodes[0], span, rt::Domain::real, 0, written + " outcome", bound,
                                        limit.upper, written + "'s " + argument});
    }
}

void Checker::add_term(const ast::Statement& s, int node, std::vector<int> inputs, std::vector<std::string> names,
                       int multiplier) {
    TermInfo t;
    t.span = s.span;
    t.text = std::string(text_of(s.span));
    t.node = node;
    t.input_nodes = std::move(inputs);
    t.input_names = std::move(names);
    out_.graph.add_term(node, multiplier);
    out_.terms.push_back(std::move(t));
}

// The inputs of a call `callee(y | args)` of a distribution's op (a log
// density or a distribution function): the outcome, then the arguments,
// with the outcome's domain and limits checked on the data.
std::vector<int> Checker::distribution_call_inputs(const ast::Expr& e, const ast::Call& c,
                                                   const rt::DistributionDef& dist) {
    if (!c.conditional || c.args.empty())
        fail(c.callee_span, "write " + c.callee + "(y | ...): the outcome, then '|', then the arguments");
    if (c.args.size() - 1 != dist.args.size())
        fail(e.span, c.callee + " takes the outcome and " + plural(dist.args.size(), "argument") + " (" +
                         arg_names(dist) + "), but " + std::to_string(c.args.size() - 1) +
                         (c.args.size() == 2 ? " was" : " were") + " given after '|'");
    std::vector<const ast::Expr*> args;
    for (std::size_t i = 1; i < c.args.size(); ++i) args.push_back(&c.args[i]);
    if (dist.vector_outcome) return vector_outcome_inputs(c.args[0], dist, args, c.callee, e.span).nodes;
    const int y = scalar(c.args[0], c.callee + "'s outcome");
    Inputs in = distribution_inputs(dist, y, args, c.callee, e.span);
    add_check(y, c.args[0].span, dist.outcome, 0, c.callee + " outcome");
    add_limit_checks(dist, in, c.args[0].span, c.callee);
    return std::move(in.nodes);
}

// name_lpdf(y | args) / name_lpmf(y | args)
int Checker::log_density(const ast::Expr& e, const ast::Call& c) {
    const std::string base = c.callee.substr(0, c.callee.size() - 5);
    const rt::DistributionDef* dist = find_distribution_or_fail(base, c.callee_span);
    if (dist->discrete != ends_with(c.callee, "_lpmf"))
        fail(c.callee_span,
             "'" + base + "' is " +
                 (dist->discrete ? "discrete: write " + base + "_lpmf" : "continuous: write " + base + "_lpdf"));
    return out_.graph.add_op(dist->op, distribution_call_inputs(e, c, *dist));
}

// name_lcdf(y | args) = log P(Y <= y), name_lccdf(y | args) = log P(Y > y),
// name_cdf(y | args) = P(Y <= y), evaluated as exp of the lcdf node (whose
// tails are exact). Nothing for a call of another name.
std::optional<int> Checker::distribution_function(const ast::Expr& e, const ast::Call& c) {
    std::string_view suffix;
    for (std::string_view s : {"_lcdf", "_lccdf", "_cdf"}) {
        if (ends_with(c.callee, s)) suffix = s;
    }
    if (suffix.empty() || rt::find_function(c.callee)) return std::nullopt;
    const std::string base = c.callee.substr(0, c.callee.size() - suffix.size());
    const rt::DistributionDef* dist = find_distribution_or_fail(base, c.callee_span);
    const rt::OpDef& op = suffix == "_lccdf" ? dist->lccdf : dist->lcdf;
    if (!op.eval) {
        std::string message = "'" + c.callee + "' is not available: ";
        message.append(dist->no_cdf);
        fail(c.callee_span, message);
    }
    const int node = out_.graph.add_op(op, distribution_call_inputs(e, c, *dist));
    if (suffix != "_cdf") return node;
    return build_.map(rt::op_exp(), Value::scalar(node)).node();
}

}  // namespace mlec::interp::check

// Censoring and truncation of a sampling statement (checker.hpp):
// `y ~ dist(...) censored(right = r)` and `y ~ dist(...) T[lo, hi]`.
//
// A censored statement's term is, row by row, one of
//   log p(y)                    no indicator set
//   log P(Y > y)   = lccdf(y)   right = 1 (survreg's status 0: y is a lower limit)
//   log P(Y <= y)  = lcdf(y)    left = 1 (y is an upper limit)
//   log P(y < Y <= hi)          interval = 1, hi = upper
// picked by rt::op_select from an index the indicators make: the untaken
// entries get a zero adjoint, and select is linear, so the Hessian stays
// exact. Every op involved gives finite partials on every row (-inf values
// only), so an untaken entry adds exactly nothing.
//
// Truncation to [lo, hi] subtracts log P(lo <= Y <= hi) from every row,
// censored or not: F(hi) - F(lo) for a continuous Y, F(hi) - F(lo - 1) for
// a discrete one, as in Stan.
#include "interpreter/checker.hpp"
#include "runtime/functions.hpp"
#include "runtime/interval_probability.hpp"
#include "runtime/select.hpp"

namespace mlec::interp::check {

namespace {

// The keys of censored(...), in the order of the select's entries.
const std::vector<std::string> censor_keys = {"right", "left", "interval", "upper"};

std::string key_text(const std::string& key) { return std::string("censored(").append(key).append(" = ...)"); }

}  // namespace

// A node of data (and constants) only, one number per row: an indicator,
// an interval's upper end.
int Checker::data_only(const ast::Expr& e, const std::string& what) {
    const int node = scalar(e, what);
    refuse_random_effects(node, e.span, what);
    const rt::Node& n = out_.graph.node(node);
    if (!n.deps.empty())
        fail(e.span, what + " depends on parameter '" + out_.parameters[static_cast<std::size_t>(n.deps.front())].name +
                         "'; it must be data");
    return node;
}

// The op `dist` needs for `what`, or a positioned error naming it.
const rt::OpDef& Checker::cdf_op(const rt::DistributionDef& dist, bool complement, Span span, const std::string& what) {
    const rt::OpDef& op = complement ? dist.lccdf : dist.lcdf;
    if (op.eval) return op;
    std::string message = std::string(dist.name);
    message.append(complement ? " has no log complementary cdf (log P(Y > y)), which "
                              : " has no log cdf (log P(Y <= y)), which ");
    message.append(what).append(" needs");
    if (!dist.no_cdf.empty()) message.append(": ").append(dist.no_cdf);
    fail(span, std::move(message));
}

// `op` at y = `at` with the distribution's arguments of `in`.
int Checker::cdf_at(const rt::OpDef& op, const Inputs& in, int at) {
    std::vector<int> nodes = in.nodes;
    nodes[0] = at;
    return build_.op(op, std::move(nodes));
}

// The keys of censored(...), each at most once, checked; indexed as
// censor_keys.
std::vector<const ast::CensorKey*> Checker::censor_keys_of(const ast::Censoring& c) {
    std::vector<const ast::CensorKey*> keys(censor_keys.size(), nullptr);
    for (const ast::CensorKey& k : c.keys) {
        const auto at = std::find(censor_keys.begin(), censor_keys.end(), k.key);
        if (at == censor_keys.end()) {
            std::string message = "unknown key '" + k.key +
                                  "' in censored(...); the keys are left, right, interval "
                                  "and upper";
            if (auto guess = closest(k.key, censor_keys))
                message.append("; did you mean '").append(*guess).append("'?");
            fail(k.key_span, std::move(message));
        }
        const auto index = static_cast<std::size_t>(at - censor_keys.begin());
        if (keys[index]) fail(k.key_span, "'" + k.key + "' is given twice in censored(...)");
        keys[index] = &k;
    }
    if (keys[2] && !keys[3])
        fail(keys[2]->key_span,
             "censored(interval = ...) needs 'upper = ...', the upper end of each interval-censored row's interval");
    if (keys[3] && !keys[2])
        fail(keys[3]->key_span,
             "'upper' is the upper end of an interval-censored row's interval; it needs "
             "'interval = ...', which says which rows those are");
    return keys;
}

// The term of a censored statement: `density` where no indicator is set,
// the censored probability where one is.
int Checker::censored_term(const rt::DistributionDef& dist, const Inputs& in, int density, const ast::Censoring& c,
                           Span outcome_span, CensoringInfo& info) {
    const std::vector<const ast::CensorKey*> keys = censor_keys_of(c);
    std::vector<int> entries = {density};
    std::vector<int> weighted;  // k * indicator_k for the k-th entry after the density
    std::vector<int> indicators;
    std::string names;
    int* info_nodes[] = {&info.right, &info.left, &info.interval};
    for (std::size_t k = 0; k < 3; ++k) {
        if (!keys[k]) continue;
        const std::string what = key_text(keys[k]->key);
        const int indicator = data_only(keys[k]->value, what);
        add_check(indicator, keys[k]->value.span, rt::Domain::binary, 0, what);
        check_constant_indicator(indicator, keys[k]->value.span, what);
        *info_nodes[k] = indicator;
        int entry = -1;
        if (k == 0) entry = cdf_at(cdf_op(dist, true, keys[k]->key_span, what), in, in.nodes[0]);
        if (k == 1) entry = cdf_at(cdf_op(dist, false, keys[k]->key_span, what), in, in.nodes[0]);
        if (k == 2) entry = interval_entry(dist, in, *keys[2], *keys[3], outcome_span, indicator);
        entries.push_back(entry);
        const int number = static_cast<int>(entries.size()) - 1;
        weighted.push_back(number == 1 ? indicator : build_.op(rt::op_mul(), {build_.constant(number), indicator}));
        indicators.push_back(indicator);
        names.append(names.empty() ? "" : " + ").append(keys[k]->key);
    }
    if (indicators.size() > 1) {
        // A row with two indicators set is a data error naming the row.
        add_check(build_.sum(indicators), c.span, rt::Domain::binary, 0,
                  "the sum of censored(...)'s indicators (" + names + ")");
    }
    weighted.push_back(build_.constant(1));
    std::vector<int> inputs = {build_.sum(weighted)};  // the 1-based entry of each row
    inputs.insert(inputs.end(), entries.begin(), entries.end());
    return build_.op(rt::op_select(), std::move(inputs));
}

// log P(y < Y <= hi) on the rows where `indicator` is 1; a data check that
// hi > y there.
int Checker::interval_entry(const rt::DistributionDef& dist, const Inputs& in, const ast::CensorKey& interval,
                            const ast::CensorKey& upper, Span outcome_span, int indicator) {
    const std::string what = key_text("interval");
    const rt::OpDef& lcdf = cdf_op(dist, false, interval.key_span, what);
    const rt::OpDef& lccdf = cdf_op(dist, true, interval.key_span, what);
    const int hi = data_only(upper.value, key_text("upper"));
    const int y = in.nodes[0];
    // indicator * (hi - y) + (1 - indicator): positive on every row exactly
    // when each interval-censored row's interval is not empty.
    const int gap = build_.sum({build_.op(rt::op_mul(), {indicator, build_.op(rt::op_sub(), {hi, y})}),
                                build_.op(rt::op_sub(), {build_.constant(1), indicator})});
    add_check(gap, outcome_span, rt::Domain::positive, 0,
              "on an interval-censored row, censored(upper = ...) minus the outcome");
    return build_.op(rt::op_interval_probability(),
                     {cdf_at(lcdf, in, y), cdf_at(lcdf, in, hi), cdf_at(lccdf, in, y), cdf_at(lccdf, in, hi)});
}

// An indicator that is a constant must still be 0 or 1 (the data checks
// see only what varies by row).
void Checker::check_constant_indicator(int node, Span span, const std::string& what) {
    const rt::Node& n = out_.graph.node(node);
    if (n.kind != rt::NodeKind::constant || n.constant == 0 || n.constant == 1) return;
    fail(span, what + " must be 0 or 1, found " + format_number(n.constant));
}

// `term` less log P(lo <= Y <= hi) for T[lo, hi]; data checks that the
// outcome lies in [lo, hi] where a bound is data or a constant.
int Checker::truncated_term(const rt::DistributionDef& dist, const Inputs& in, int term, const ast::Truncation& t,
                            Span outcome_span, const std::string& written, TermInfo& info) {
    if (!t.lower && !t.upper) fail(t.span, "T[, ] truncates nothing; give a lower bound, an upper bound or both");
    const std::string what = "T[" + std::string(t.lower ? "lo" : "") + ", " + (t.upper ? "hi" : "") + "]";
    std::optional<int> lo;
    std::optional<int> hi;
    if (t.lower) lo = scalar(*t.lower, "T[...]'s lower bound");
    if (t.upper) hi = scalar(*t.upper, "T[...]'s upper bound");
    if (lo) add_bound_check(in.nodes[0], *lo, false, outcome_span, written, "T[...]'s lower bound");
    if (hi) add_bound_check(in.nodes[0], *hi, true, outcome_span, written, "T[...]'s upper bound");
    info.truncation = std::string(text_of(t.span));
    info.truncation_lower = lo.value_or(-1);
    info.truncation_upper = hi.value_or(-1);
    // P(Y >= lo) = P(Y > lo) for a continuous Y, P(Y > lo - 1) for a count.
    const int below = lo && dist.discrete ? build_.op(rt::op_sub(), {*lo, build_.constant(1)}) : (lo ? *lo : -1);
    int log_mass = -1;
    if (lo && hi) {
        const rt::OpDef& lcdf = cdf_op(dist, false, t.span, what);
        const rt::OpDef& lccdf = cdf_op(dist, true, t.span, what);
        log_mass = build_.op(rt::op_interval_probability(), {cdf_at(lcdf, in, below), cdf_at(lcdf, in, *hi),
                                                             cdf_at(lccdf, in, below), cdf_at(lccdf, in, *hi)});
    } else if (lo) {
        log_mass = cdf_at(cdf_op(dist, true, t.span, what), in, below);
    } else {
        log_mass = cdf_at(cdf_op(dist, false, t.span, what), in, *hi);
    }
    return build_.op(rt::op_sub(), {term, log_mass});
}

// The outcome must be at least (at most) a bound that is data or a
// constant, checked before fitting like rt::OutcomeLimit.
void Checker::add_bound_check(int y, int bound, bool upper, Span span, const std::string& written,
                              const std::string& bound_what) {
    const rt::Node& yn = out_.graph.node(y);
    const rt::Node& b = out_.graph.node(bound);
    if (!yn.deps.empty() || !b.deps.empty() || !yn.effects.empty() || !b.effects.empty()) return;
    if (yn.row_invariant && b.row_invariant) {
        const bool both_constant = yn.kind == rt::NodeKind::constant && b.kind == rt::NodeKind::constant;
        if (both_constant && (upper ? yn.constant > b.constant : yn.constant < b.constant))
            fail(span, written + " outcome " + format_number(yn.constant) + " lies outside " + bound_what + " (" +
                           format_number(b.constant) + ")");
        return;
    }
    out_.checks.push_back(DataCheck{y, span, rt::Domain::real, 0, written + " outcome", bound, upper, bound_what});
}

}  // namespace mlec::interp::check

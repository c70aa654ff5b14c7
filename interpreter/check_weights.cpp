// The `weight` statement (checker.hpp): frequency weights. Every row's
// terms count w times, as if the row were written w times; the weight is
// data, never a parameter, and at most one statement gives it.
#include "interpreter/checker.hpp"

namespace mlec::interp::check {

void Checker::visit(const ast::Statement& s, const ast::WeightBy& w) {
    if (weight_at_) fail(s.span, "the rows' weights are already given at " + location_of(*weight_at_));
    const Value v = expression(w.value);
    if (!v.is_scalar()) fail(w.value.span, "a weight is one number per row, but this is " + describe(v));
    refuse_random_effects(v.node(), w.value.span, "a weight");
    const rt::Node& node = out_.graph.node(v.node());
    if (!node.deps.empty()) fail(w.value.span, "a weight must be data: this depends on parameters");
    if (node.row_invariant)
        fail(w.value.span,
             "a weight must use a data column: the same weight for every row changes nothing but the "
             "scale of the log-likelihood");
    weight_at_ = s.span;
    out_.weight = excerpt(w.value.span);
    out_.graph.set_weight(v.node());
    add_check(v.node(), w.value.span, rt::Domain::nonnegative, 0, "weight");
}

}  // namespace mlec::interp::check

#include "interpreter/reml.hpp"

#include <algorithm>

#include "interpreter/leave_theta.hpp"
#include "interpreter/profiled_groups.hpp"
#include "runtime/functions.hpp"

namespace mlec::interp {

namespace {

using Mask = std::vector<bool>;  // over theta's coordinates

// Whether node `id` is affine in the parameters of `b` (its Hessian in them
// identically zero): sums and differences of affine nodes, products with at
// most one factor of a pair depending on b, quotients by a divisor free of
// b, and ifelse with a condition free of b. Anything else that depends on b is not (by its structure: a
// non-linear op of b is taken as non-linear).
bool affine(const rt::Graph& graph, int id, const Mask& b) {
    const rt::Node& node = graph.node(id);
    if (!rt::depends_on_any(node, b) || node.kind == rt::NodeKind::parameter) return true;
    if (node.kind != rt::NodeKind::op) return false;
    const rt::OpDef& op = *node.op;
    const auto inputs = node.inputs;
    if (op.linear || op.constant_partial)
        return std::all_of(inputs.begin(), inputs.end(), [&](int in) { return affine(graph, in, b); });
    if (op.product) {
        for (std::size_t k = 0; k + 1 < inputs.size(); k += 2) {
            const bool left = rt::depends_on_any(graph.node(inputs[k]), b),
                       right = rt::depends_on_any(graph.node(inputs[k + 1]), b);
            if (left && right) return false;
            if ((left && !affine(graph, inputs[k], b)) || (right && !affine(graph, inputs[k + 1], b))) return false;
        }
        return true;
    }
    if (op.branch)
        return !rt::depends_on_any(graph.node(inputs[0]), b) && affine(graph, inputs[1], b) &&
               affine(graph, inputs[2], b);
    if (&op == &rt::op_div()) return !rt::depends_on_any(graph.node(inputs[1]), b) && affine(graph, inputs[0], b);
    return false;
}

bool plain_normal(const TermInfo& term) {
    static const rt::DistributionDef* normal = rt::find_distribution("normal");
    return term.distribution == normal && !term.censoring && term.truncation.empty() && term.input_nodes.size() == 3;
}

class Integration {
public:
    Integration(CheckedModel& model, const SourceText& source, Diagnostics& diagnostics)
        : m_(model), source_(source), out_(diagnostics), k_(model.parameters.size()) {}

    bool run() {
        if (!find_mean_parameters() || !check_terms() || !check_reports()) return false;
        integrate();
        return true;
    }

private:
    bool fail(Span span, const std::string& message) {
        out_.push_back(source_.diagnostic(span, "--reml: " + message));
        return false;
    }
    const std::string& name(std::size_t i) const { return m_.parameters[i].name; }

    // The normal means' parameters that are not variance parameters (in a
    // random effect's scale, standard deviations or correlation).
    bool find_mean_parameters() {
        Mask variance(k_, false);
        for (const RandomEffect& e : m_.random_effects)
            for (int c : e.coefficients)
                for (int d : m_.graph.node(c).deps) variance[static_cast<std::size_t>(d)] = true;
        mean_.assign(k_, false);
        for (const TermInfo& term : m_.terms) {
            if (term.outcome.empty()) continue;  // target +=: checked with the rest
            if (!plain_normal(term))
                return fail(term.span, "REML is defined for normal outcomes, and '" + term.text +
                                           "' is not one (fit it by maximum likelihood, without --reml)");
            for (int d : m_.graph.node(term.input_nodes[1]).deps)
                if (!variance[static_cast<std::size_t>(d)]) mean_[static_cast<std::size_t>(d)] = true;
        }
        if (std::none_of(mean_.begin(), mean_.end(), [](bool x) { return x; })) {
            out_.push_back(Diagnostic::error(Category::model, source_.name(),
                                             "--reml: the normal means have no fixed effects to integrate out"));
            return false;
        }
        for (std::size_t i = 0; i < k_; ++i)
            if (mean_[i] && !m_.parameters[i].bounds.unbounded())
                return fail(m_.parameters[i].first_use,
                            "'" + name(i) +
                                "' is a fixed effect of a normal mean and has bounds, but REML integrates the fixed "
                                "effects over the whole real line");
        return true;
    }

    // Each normal mean affine in the fixed effects, which reach nothing else.
    bool check_terms() {
        for (const TermInfo& term : m_.terms) {
            const rt::Node& node = m_.graph.node(term.node);
            if (!rt::depends_on_any(node, mean_)) continue;
            const bool inputs_known =
                plain_normal(term) && node.kind == rt::NodeKind::op && node.inputs == term.input_nodes;
            // (the node that uses a fixed effect other than as a mean)
            int misuse = inputs_known ? -1 : term.node;
            for (std::size_t k : {0, 2})
                if (inputs_known && rt::depends_on_any(m_.graph.node(term.input_nodes[k]), mean_))
                    misuse = term.input_nodes[k];
            if (misuse >= 0)
                return fail(term.span, "the fixed effect '" + name(first_of(m_.graph.node(misuse))) +
                                           "' is used here other than in a normal mean; REML integrates out the "
                                           "parameters that enter only the means, linearly");
            const int mu = term.input_nodes[1];
            if (affine(m_.graph, mu, mean_)) continue;
            for (std::size_t i = 0; i < k_; ++i) {
                Mask one(k_, false);
                one[i] = mean_[i];
                if (mean_[i] && !affine(m_.graph, mu, one))
                    return fail(term.span, "'" + name(i) +
                                               "' enters this mean non-linearly; REML integrates out the fixed "
                                               "effects, which must enter the means linearly");
            }
            return fail(term.span,
                        "fixed effects multiply each other in this mean; REML integrates out the fixed effects, "
                        "which must enter the means linearly");
        }
        return true;
    }

    bool check_reports() {
        for (const Estimand& e : m_.estimands)
            if (e.derived && rt::depends_on_any(m_.graph.node(e.node), mean_)) {
                out_.push_back(Diagnostic::error(
                    Category::model, source_.name(),
                    "--reml: report '" + e.name + "' uses the fixed effect '" + name(first_of(m_.graph.node(e.node))) +
                        "', which REML integrates out; fit by maximum likelihood to report it"));
                return false;
            }
        return true;
    }

    std::size_t first_of(const rt::Node& node) const {
        for (int d : node.deps)
            if (mean_[static_cast<std::size_t>(d)]) return static_cast<std::size_t>(d);
        return 0;
    }

    // The graph's parameters become flat effects; theta, the parameters
    // and the estimands lose them (interp::leave_theta).
    // A group parameter's entries (`param u[g]`: fixed effects per level)
    // become one flat effect of K levels read by g, not K effects read by
    // every row: each row reads one of them, so the sweep's per-row
    // buffers stay as wide as the row's effects.
    void integrate() {
        std::vector<int> z_of(k_, -1);
        const std::vector<int> selects = group_selects(m_, mean_);
        const std::vector<std::vector<int>> parameters = select_parameters(m_.graph, selects);
        std::vector<bool> in_groups(k_, false);
        for (const auto& of : parameters)
            for (int i : of) in_groups[static_cast<std::size_t>(i)] = true;
        level_coordinates(m_.graph, m_.graph.select_effects(selects, false), parameters, z_of);
        // The others, numbered as select_effects left theta.
        std::vector<int> which, original;
        for (std::size_t i = 0, kept = 0; i < k_; ++i) {
            if (in_groups[i]) continue;
            if (mean_[i]) {
                which.push_back(static_cast<int>(kept));
                original.push_back(static_cast<int>(i));
            }
            ++kept;
        }
        const std::vector<int> effects = m_.graph.integrate_parameters(which);
        for (std::size_t j = 0; j < which.size(); ++j)
            z_of[static_cast<std::size_t>(original[j])] =
                m_.graph.effects()[static_cast<std::size_t>(effects[j])].first;
        leave_theta(m_, mean_, z_of, false);

        std::string note = "REML: the fixed effects ";
        for (std::size_t j = 0; j < m_.integrated.size(); ++j)
            note.append(j == 0 ? "" : ", ").append(m_.integrated[j].name);
        note.append(
            " are integrated out with the random effects (flat prior); their estimates are the conditional modes "
            "(GLS) given the variance parameters, their standard errors conditional on them (as lmer's), and "
            "their intervals Wald intervals");
        m_.notes.push_back(std::move(note));
    }

    CheckedModel& m_;
    const SourceText& source_;
    Diagnostics& out_;
    std::size_t k_;
    Mask mean_;
};

}  // namespace

bool integrate_fixed_effects(CheckedModel& model, const SourceText& source, Diagnostics& diagnostics) {
    return Integration(model, source, diagnostics).run();
}

}  // namespace mlec::interp

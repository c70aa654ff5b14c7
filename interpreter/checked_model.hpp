// What the interpreter makes of a parsed model once it knows the data's
// columns: every name resolved (column, parameter, local, built-in), shapes
// checked, the numerically stable forms chosen, and the whole model lowered
// into one expression graph of scalar-per-row nodes whose terms sum to the
// log-likelihood. Vectors and matrices exist only here, at check time: a
// vector is a list of graph nodes, so the evaluator never sees a shape.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "grammar/ast.hpp"
#include "grammar/source_text.hpp"
#include "interpreter/user_functions.hpp"
#include "mlec/diagnostic.hpp"
#include "runtime/bounds.hpp"
#include "runtime/distributions.hpp"
#include "runtime/graph.hpp"

namespace mlec::interp {

// One coordinate of the optimizer's vector theta. A scalar parameter is
// one; a vector, matrix or group parameter is one per entry; a simplex of K
// weights is K - 1 (its entries are Estimands computed from them).
struct ParameterInfo {
    std::string name;        // "sigma", "beta[2]", "effect[red]"; simplex coordinates "w[2]/w[1]"
    Span first_use;          // where the name first appears (declaration or use)
    bool declared = false;   // `param` statement, or an implicit free name
    rt::Bounds bounds;       // on the user's scale
    std::string implied_by;  // non-empty when the bounds were implied by use, e.g. "normal's sigma"
    double start = 0;        // user scale
    int raw_node = -1;       // graph node of the unconstrained value theta[i]
    int user_node = -1;      // graph node of the user-scale value
};

// A quantity the report shows with a standard error: a parameter's entry on
// the user's scale, or a `report` quantity. Its value is a row-invariant
// graph node; its standard error follows by the delta method from the
// node's gradient in theta.
struct Estimand {
    std::string name;  // "sigma", "beta[2]", "effect[red]", "w[3]", "odds_ratio"
    int node = -1;
    bool derived = false;   // from a `report` statement
    bool implicit = false;  // an undeclared free name
    bool simplex = false;   // an entry of a simplex: interval on the logit scale
    rt::Bounds bounds;      // the entry's bounds, for display and the interval's scale
    int coordinate = -1;    // theta index when the value is bounds.to_user(theta[coordinate])
};

// The levels of a column used as a group index or categorical outcome.
struct Levels {
    std::vector<std::string> names;  // level k is names[k - 1]
    std::vector<double> codes;       // per row, 1-based level number
    bool numeric = false;            // integer column (levels sorted) or text (first appearance)
    // The rows of each level over all ranks of a distributed fit (where
    // `codes` are this rank's rows only); empty: count `codes`.
    std::vector<std::int64_t> counts{};
};

// Reads a column's levels on demand (only group and categorical columns are
// read this way). Returns nothing after adding a diagnostic.
using LevelsSource = std::function<std::optional<Levels>(int csv_index, Diagnostics& diagnostics)>;

struct ColumnInfo {
    std::string name;
    int csv_index = -1;  // index into the CSV header
    Span first_use;
    // True when the graph's column holds the level numbers of a categorical
    // column (moved out of here at binding) rather than its numbers.
    bool categorical = false;
    std::vector<double> codes;
    std::vector<std::string> level_names;  // categorical: level k is level_names[k - 1]
    // lag(x, k) or lag(x, k, g), lag_exists(...) (docs/language.md,
    // "Previous rows"): a column the file does not have (csv_index -1),
    // computed at binding from graph column `source` in the file's order,
    // within the levels of graph column `group` (level numbers) when given.
    struct Lag {
        int source = -1;
        int k = 1;
        int group = -1;
        bool exists = false;  // lag_exists: 1 where the row has k earlier rows (in its group), else 0
    };
    std::optional<Lag> lag{};
    // The multiplier of a group-level term on this column (GroupTerm): 1 on
    // the first row of each level, 0 elsewhere, filled in at binding; not
    // a column of the data file's values (simulate does not write it).
    bool first_of_level = false;
    int level_column = -1;  // first_of_level: the graph column of the level numbers
};

// A value the data must satisfy before fitting: an outcome in its
// distribution's support, a data argument in its domain, an index column
// within 1..max, an outcome within the limit another argument sets
// (rt::OutcomeLimit). Checked row by row when the model is bound to data.
struct DataCheck {
    int node = -1;  // a node depending on data only
    Span span;      // where the model uses it
    rt::Domain domain = rt::Domain::real;
    int max = 0;       // for indices: the largest allowed value
    std::string what;  // "bernoulli outcome", "binomial's n", "index of 'beta'"
    // A limit set by another node depending on data only: node's value
    // must be at most (upper) or at least limit_node's in every row.
    int limit_node = -1;
    bool upper = true;
    std::string limit_what{};  // "binomial's n"
    // The conditions under which the checked value is used at all: a value
    // inside a branch of ifelse(c, a, b) is checked only on the rows that
    // take that branch. A condition that depends on parameters may change
    // during the fit, so it does not exempt any row.
    struct Guard {
        int condition = -1;     // a node
        bool when_true = true;  // the value is used where the condition is true (else false)
    };
    std::vector<Guard> guards{};
    // The statement (index among the statements without defs) whose
    // checking made this check: a check inside an inlined def's body points
    // into the def, and binding adds the notes of the calls it came through
    // (interp::inlining_notes), preferring this statement's.
    std::optional<std::size_t> statement{};
};

// Which rows of a `~` statement are censored (censored(...)): the
// indicators' nodes, -1 for a key not given. For the report's counts, and
// for simulate, which has no model of the censoring to draw from.
struct CensoringInfo {
    int right = -1;
    int left = -1;
    int interval = -1;
};

// One term of the log-likelihood: a sampling statement or `target +=`.
struct TermInfo {
    Span span;         // the statement
    std::string text;  // the statement's source text
    int node = -1;     // graph node of the per-row log density
    // As evaluated (bernoulli_logit for bernoulli(sigmoid(...))); nullptr
    // for `target +=` and a mixture, whose term is no one distribution's.
    const rt::DistributionDef* distribution = nullptr;
    std::string outcome;  // a `~` statement's outcome as written ("log(y)"), "" for target
    // For messages about a non-finite value: the inputs and their names
    // ("outcome", "mu", "sigma"); empty for `target +=`.
    std::vector<int> input_nodes;
    std::vector<std::string> input_names;
    // For prediction: E[y] as a graph node (-1 when the distribution has
    // none, e.g. cauchy), and the linear predictor of a logit or log link
    // (rt::DistributionDef::mean, linear_predictor).
    int expected_node = -1;
    int linear_predictor_node = -1;
    std::optional<CensoringInfo> censoring;
    // T[...] as written ("T[0, ]"); empty when not truncated. The
    // truncation's bounds, where predict and simulate need them.
    std::string truncation;
    int truncation_lower = -1;  // node of lo; -1: open
    int truncation_upper = -1;  // node of hi; -1: open
    // A vector outcome's entries (multinomial's counts, also the first
    // entries of input_nodes) and, for prediction, E[entry | the row's
    // total] per entry; both empty for a scalar outcome.
    std::vector<int> outcome_entries{};
    std::vector<int> expected_entries{};
    // `target += ... per g`: g; empty for a term added per row or once.
    std::string per{};
};

// A group-level term, `target += expr per g`, added once per level of g:
// counted on the first row of each level (its multiplier column), so its
// data must be the same on every row of a level, which binding checks.
struct GroupTerm {
    std::size_t term = 0;             // index into CheckedModel::terms
    std::string column;               // g
    Span span;                        // g after 'per'
    int level_column = -1;            // graph column of g's level numbers
    int multiplier_column = -1;       // graph column of the first-of-level indicator
    std::vector<int> data_columns{};  // the other graph columns the term uses
};

// Random effects, `random u[g] ~ normal(0, s)` (docs/language.md, "Random
// effects"): one graph effect of spherical coordinates z ~ N(0, 1), one per
// level of g, and u[g] is the node s * z on each row (u = s z, as lme4
// writes it), so s enters only the rows' likelihood and may reach 0.
struct RandomEffect {
    std::string name;    // u
    std::string column;  // g
    Span span;           // the statement
    int effect = -1;     // graph effect id (rt::Graph::effects())
    int effect_node = -1;
    int scale_node = -1;                   // s, a row-invariant node of parameters and constants
    std::vector<std::string> level_names;  // level k is level_names[k - 1]: "u[subject 308]"
    // Correlated effects (`random (a, b)[g] ~ multi_normal(0, [sa, sb], R)`)
    // share a block: the index in random_effects of the block's first
    // entry; -1 for an independent effect. Entry m of a block is
    // sd_m * sum_{j<=m} L[m,j] z_j, with L the Cholesky factor of R, so its
    // effect (z_m) is not all it depends on.
    int block = -1;
    // The effect at a level as a combination of z's:
    //     u[level] = sum_j coefficients[j] * z_j[level],
    // z_j the effect of random_effects[first + j], first = block (this
    // entry's own index for an independent effect). Row-invariant nodes of
    // parameters and constants: {scale_node} for u = s z; sd_m L[m,1..m]
    // for entry m of a block. (So its conditional mode is sum_j c_j z_hat_j
    // and its conditional variance sum_jk c_j c_k (H^-1)_jk, the z's of one
    // level sharing rows and so H's pattern.)
    std::vector<int> coefficients{};
};

// A parameter integrated out of the likelihood (REML's fixed effects,
// interp::integrate_fixed_effects): a flat effect of one level, no longer a
// coordinate of theta. Its estimate is its conditional mode given theta (for
// a linear mixed model the GLS estimate), its standard error the square
// root of H^-1's entry there (conditional on theta, as lmer's).
struct IntegratedParameter {
    std::string name;
    Span first_use;
    int effect = -1;     // graph effect id
    int z = -1;          // its coordinate of z
    std::size_t at = 0;  // its place among the parameters' estimates, as declared
    bool implicit = false;
};

struct CheckedModel {
    rt::Graph graph;
    std::vector<ParameterInfo> parameters;  // index = position in theta
    std::vector<Estimand> estimands;        // parameters first (model order), then `report`s
    std::vector<ColumnInfo> columns;        // index = graph data column
    std::vector<TermInfo> terms;            // same order as graph.terms()
    std::vector<DataCheck> checks;
    std::vector<GroupTerm> group_terms;
    std::vector<RandomEffect> random_effects;     // in the model's order
    std::vector<IntegratedParameter> integrated;  // REML's fixed effects, in the model's order
    // A `weight` statement's expression as written ("n"); empty without one.
    // Its node is graph.weight().
    std::string weight;
    Diagnostics warnings;            // e.g. a declared parameter that looks like a column
    std::vector<std::string> notes;  // rewrites to stable forms, implied bounds
    // The calls of defs that were inlined, for the notes of an error that
    // binding finds in a def's body (DataCheck::statement).
    std::vector<InlinedCall> inlined_calls;
};

struct CheckResult {
    std::optional<CheckedModel> model;
    Diagnostics diagnostics;  // errors (model is empty) or nothing
};

// `header` is the data's column names; `data_name` is how diagnostics name
// the data file; `levels` reads a column's categories when the model uses it
// as a group index or categorical outcome.
CheckResult check_model(const SourceText& source, const ast::Model& model, std::span<const std::string> header,
                        const std::string& data_name, const LevelsSource& levels = {});

}  // namespace mlec::interp

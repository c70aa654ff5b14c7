// The checker behind check_model (checked_model.hpp), shared by the files
// that implement it, one concept each:
//   check_model.cpp       the pass over the statements, what the whole model
//                         must satisfy (a term; every parameter used), and
//                         the texts messages share;
//   check_names.cpp       what a name is: locals and their scope, reserved
//                         names, pi; the names a model uses;
//   check_columns.cpp     the data's columns: which the model may use, their
//                         graph columns (numbers or level numbers), levels;
//   check_parameters.cpp  parameters: declarations, bounds and start values,
//                         implied bounds, one coordinate per entry;
//   check_terms.cpp       sampling statements and `target +=`: distribution
//                         terms (stable forms, mixtures), log density calls,
//                         the data checks they need;
//   check_censoring.cpp   censored(...) and T[...] after a distribution;
//   check_group_terms.cpp `target += ... per g`: terms once per level of g;
//   check_correlation_matrix.cpp `param R corr[K]`: a correlation matrix by
//                         its canonical partial correlations;
//   check_random_effects.cpp `random u[g] ~ normal(0, s)`: effects lowered
//                         as s * z, one graph effect per statement;
//   check_correlated_effects.cpp `random (a, b)[g] ~ multi_normal(0, sd, R)`:
//                         effects lowered as diag(sd) L z, one graph effect
//                         per name;
//   check_expressions.cpp shaped expressions: operators, vectors, calls,
//                         indexing;
//   check_reports.cpp     `report` quantities (estimands);
//   check_free_names.cpp  free names that are mistyped columns, declared
//                         parameters that look like columns.
// Before it, user_functions.cpp checks the defs and inlines their calls.
// The first error stops the check: a CheckError that check_model catches.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "grammar/ast.hpp"
#include "grammar/source_text.hpp"
#include "interpreter/builder.hpp"
#include "interpreter/checked_model.hpp"
#include "interpreter/products.hpp"
#include "interpreter/suggest.hpp"
#include "mlec/diagnostic.hpp"
#include "runtime/bounds.hpp"
#include "runtime/distributions.hpp"

namespace mlec::interp::check {

struct CheckError {
    Diagnostic diagnostic;
};

// Texts of messages (check_model.cpp).
std::string plural(std::size_t n, const char* word);  // "1 argument", "2 arguments"
std::string format_number(double x);                  // 15 significant digits
std::string bounds_text(const rt::Bounds& b);         // "(0, 1)", "> 0", "unbounded"
std::string arg_names(const rt::DistributionDef& d);  // "mu, sigma"
bool ends_with(std::string_view s, std::string_view suffix);

// The data's columns as the model uses them (check_columns.cpp): which the
// header has and a `data` statement lists, and the graph's data columns
// (CheckedModel::columns), one per column and use: its numbers, or the
// level numbers of its categories.
class Columns {
public:
    Columns(const SourceText& source, std::span<const std::string> header, std::string data_name,
            const LevelsSource& levels, CheckedModel& out)
        : source_(source), header_(header), data_name_(std::move(data_name)), levels_(levels), out_(out) {}

    std::span<const std::string> header() const { return header_; }
    const std::string& data_name() const { return data_name_; }  // how messages name the data

    // A `data` statement: its names must be columns; only they may be used.
    void list(const ast::Data& d);
    bool listed_only() const { return data_list_.has_value(); }  // whether there is a `data` statement
    // Fails when there is a `data` statement that does not list `name`.
    void require_listed(const std::string& name, Span span) const;

    std::optional<int> header_index(const std::string& name) const;
    // A column the model may use: in the header, and listed when there is a
    // `data` statement.
    std::optional<int> usable_column(const std::string& name) const;

    // The graph's data node of a column's numbers, or of the level numbers
    // (1-based) of its categories.
    int numeric_column(const std::string& name, int csv_index, Span span);
    int categorical_column(const std::string& name, int csv_index, Span span);
    // A column of previous rows (ColumnInfo::Lag), named as written
    // canonically ("lag(y, 1, g)").
    int lag_column(const std::string& name, const ColumnInfo::Lag& lag, Span span);
    const Levels& levels_of(int csv_index, Span span);
    // The multiplier column of a group-level term on column g (whose level
    // numbers are graph column `level_column`): 1 on the first row of each
    // level, filled in at binding.
    int first_of_level_column(const std::string& name, int csv_index, int level_column, Span span);
    // The levels when they can be read, nullptr otherwise (a model checked
    // without data; new data for predictions, which know only the fitted
    // categorical columns' levels): for uses that have a fallback.
    const Levels* levels_if_any(int csv_index);

private:
    [[noreturn]] void fail(Span span, std::string message) const;

    const SourceText& source_;
    std::span<const std::string> header_;
    std::string data_name_;
    const LevelsSource& levels_;
    CheckedModel& out_;
    std::optional<std::set<std::string>> data_list_;            // the names of a `data` statement
    std::map<std::pair<std::string, bool>, int> column_index_;  // (name, categorical) -> graph column
    std::map<int, Levels> levels_cache_;                        // csv index -> its levels
    std::map<int, int> first_of_level_index_;                   // csv index -> its multiplier's graph column
};

// Local definitions (`name = expression`; check_names.cpp): every one is
// collected, with where it is written, before the statements are checked;
// its value is set when its statement is, so a use above it is an error.
class Locals {
public:
    void collect(const ast::Assign& a);  // the first definition of a name is its definition
    // Where `name` is defined, if it is a local.
    std::optional<Span> definition(const std::string& name) const;
    // The value of a local defined above the statement being checked.
    const Value* value(const std::string& name) const;
    void set(const std::string& name, Value v);

private:
    struct Local {
        Span definition;  // the name in its (first) definition
        std::optional<Value> value;
    };
    std::map<std::string, Local> locals_;
};

class Checker {
public:
    Checker(const SourceText& source, const ast::Model& model, std::span<const std::string> header,
            const std::string& data_name, const LevelsSource& levels)
        : source_(source), model_(model), columns_(source, header, data_name, levels, out_), build_(out_.graph) {}

    CheckedModel run();
    // The index of the statement being checked, while the statements are.
    std::optional<std::size_t> checking() const { return checking_; }

private:
    // ---- check_model.cpp: the pass, shared texts ---------------------------
    void collect_declarations();
    void statement(const ast::Statement& s);
    void visit(const ast::Statement&, const ast::Data&) {}
    void visit(const ast::Statement&, const ast::Def&) {}  // inlined before the check (user_functions)
    void check_parameters_reached();
    void warn_unused_declarations();

    [[noreturn]] void fail(Span span, std::string message) const;
    std::string_view text_of(Span span) const;
    std::string excerpt(Span span) const;
    std::string location_of(Span span) const;
    std::string line_of(Span span) const;  // "line 3"

    // ---- check_names.cpp ---------------------------------------------------
    void collect_used_names(const ast::Statement& s);
    void collect_used_names(const ast::Expr& e);
    void visit(const ast::Statement&, const ast::Assign& a);
    Value resolve(const std::string& name, Span span);
    Value pi_constant(Span span);
    void check_not_builtin(const std::string& name, Span span, const char* what) const;

    // ---- check_parameters.cpp ----------------------------------------------
    // A parameter as the model sees it: a scalar, vector, matrix, simplex, or
    // a group (one entry per level of a column, usable only as name[column]).
    struct ParamEntry {
        Value value;
        bool group = false;
        std::string group_column;
        // A correlation matrix (corr[K]): its Cholesky factor L, K x K row
        // by row (above the diagonal, constant 0 nodes).
        std::vector<int> cholesky{};
        // Its coordinates: x_ij (i > j) of CPC_ij = tanh(x_ij) at i * K + j,
        // -1 elsewhere.
        std::vector<int> cpc_coordinates{};
        // and at i * K + j (i > j) the index in CheckedModel::estimands of
        // R[j+1, i+1], whose CPC x_ij is the last it depends on.
        std::vector<int> correlation_estimands{};
    };
    // A declaration's bounds and start value, as written.
    struct Declared {
        rt::Bounds bounds;
        std::optional<double> start;
    };
    // Bounds implied by a use as a distribution's argument, and by whose.
    struct Implied {
        rt::Bounds bounds;
        std::string why;  // "normal's sigma"
    };

    void declare(const ast::Param& p);
    void collect_implied_bounds();
    void imply_from(const ast::Call& call);
    void imply(const ast::Expr& arg, rt::Domain domain, std::string why);
    void visit(const ast::Statement&, const ast::Param& p);
    double constant_expression(const ast::Expr& e, const std::string& what);
    Declared declared_info(const ast::ParamDecl& d);
    int size_of(const ast::Expr& e, const std::string& name);
    int coordinate(const std::string& name, Span span, bool declared, const rt::Bounds& bounds, std::string implied_by,
                   double start, bool estimand);
    const ParamEntry& parameter_entry(const std::string& name, Span span);
    ParamEntry implicit_parameter(const std::string& name, Span span);
    ParamEntry declared_parameter(const ast::ParamDecl& d);
    ParamEntry simplex_parameter(const ast::ParamDecl& d);
    ParamEntry ordered_parameter(const ast::ParamDecl& d);
    // ---- check_correlation_matrix.cpp ---------------------------------------
    ParamEntry corr_parameter(const ast::ParamDecl& d);
    std::vector<double> corr_start(const ast::ParamDecl& d, int k);
    std::vector<double> ordered_start(const ast::ParamDecl& d, int k);
    std::vector<double> default_ordered_start(const ast::ParamDecl& d, int k);
    std::optional<std::vector<double>> cut_points_from_data(const ast::ParamDecl& d, int k);
    ParamEntry group_parameter(const ast::ParamDecl& d, const std::string& column, const Declared& info, double start);
    ParamEntry shaped_parameter(const ast::ParamDecl& d, const Declared& info, double start);

    // ---- check_terms.cpp ---------------------------------------------------
    // A distribution's arguments as op inputs: scalars, or the entries of a
    // vector argument. `outcome` is input 0.
    struct Inputs {
        std::vector<int> nodes;
        std::vector<std::string> names;
    };

    void visit(const ast::Statement& s, const ast::Sample& sample);
    void visit(const ast::Statement& s, const ast::TargetAdd& t);
    void warn_parts_added_per_row();
    const rt::DistributionDef* find_distribution_or_fail(const std::string& name, Span span);
    int outcome_node(const ast::Expr& outcome, bool categorical);
    std::optional<int> text_categorical_outcome(const ast::Expr& outcome);
    Inputs distribution_inputs(const rt::DistributionDef& dist, int outcome, const std::vector<const ast::Expr*>& args,
                               const std::string& written, Span call_span);
    const rt::DistributionDef* stable_form(const rt::DistributionDef& dist, const std::vector<ast::Expr>& args,
                                           std::vector<const ast::Expr*>& arg_exprs, Span call_span);
    void add_distribution_term(const ast::Statement& s, const rt::DistributionDef& dist, const ast::Sample& sample,
                               const std::vector<ast::Expr>& args, Span call_span);
    std::vector<std::pair<int, Span>> vector_outcome_entries(const ast::Expr& outcome, const rt::DistributionDef& dist);
    Inputs vector_outcome_inputs(const ast::Expr& outcome, const rt::DistributionDef& dist,
                                 const std::vector<const ast::Expr*>& arg_exprs, const std::string& written,
                                 Span call_span);
    void add_vector_outcome_term(const ast::Statement& s, const rt::DistributionDef& dist, const ast::Sample& sample,
                                 const std::vector<const ast::Expr*>& arg_exprs, Span call_span);
    void add_mixture_term(const ast::Statement& s, const ast::Expr& outcome, const ast::Call& call, Span span);
    std::vector<int> mixture_log_weights(const ast::Expr& weights, std::size_t components);
    void add_check(int node, Span span, rt::Domain domain, int max, std::string what);
    void add_limit_checks(const rt::DistributionDef& dist, const Inputs& in, Span span, const std::string& written);
    void add_term(const ast::Statement& s, int node, std::vector<int> inputs, std::vector<std::string> names,
                  int multiplier = -1);
    // ---- check_group_terms.cpp ---------------------------------------------
    int grouping_column(const ast::DataName& per);
    void add_group_term(const ast::Statement& s, const ast::TargetAdd& t, const Value& v);
    std::vector<int> distribution_call_inputs(const ast::Expr& e, const ast::Call& c, const rt::DistributionDef& dist);
    int log_density(const ast::Expr& e, const ast::Call& c);
    std::optional<int> distribution_function(const ast::Expr& e, const ast::Call& c);

    // ---- check_random_effects.cpp ------------------------------------------
    // A `random` statement and, once it is checked, the node of u[g].
    struct RandomEntry {
        const ast::Random* decl = nullptr;
        Span name_span;  // its name in the statement
        int node = -1;
    };
    void declare_random(const ast::Random& r);
    void visit(const ast::Statement& s, const ast::Random& r);
    int new_effect(const ast::Statement& s, const ast::Random& r, std::size_t which, int scale, int block);
    int random_column(const ast::Random& r);
    int random_scale(const ast::Random& r);
    void check_random_scale(int scale, Span span, const std::string& u, const std::string& example) const;
    int scale_parameter(int scale) const;
    // ---- check_correlated_effects.cpp ---------------------------------------
    void correlated_random(const ast::Statement& s, const ast::Random& r);
    std::vector<int> correlated_scales(const ast::Random& r, const ast::Expr& sd);
    const ParamEntry& correlation_of(const ast::Random& r, const ast::Expr& corr);
    std::optional<std::pair<std::string, Span>> random_use(const ast::Expr& e) const;
    Value random_entry(const ast::Expr& e, const ast::Index& ix, const RandomEntry& entry);
    void check_random_effects_reached();
    // Fails when `node` depends on a random effect where data are needed:
    // "<what> depends on random effect 'u'; it must be data".
    void refuse_random_effects(int node, Span span, const std::string& what) const;

    // ---- check_censoring.cpp -----------------------------------------------
    int data_only(const ast::Expr& e, const std::string& what);
    const rt::OpDef& cdf_op(const rt::DistributionDef& dist, bool complement, Span span, const std::string& what);
    int cdf_at(const rt::OpDef& op, const Inputs& in, int at);
    std::vector<const ast::CensorKey*> censor_keys_of(const ast::Censoring& c);
    int censored_term(const rt::DistributionDef& dist, const Inputs& in, int density, const ast::Censoring& c,
                      Span outcome_span, CensoringInfo& info);
    int interval_entry(const rt::DistributionDef& dist, const Inputs& in, const ast::CensorKey& interval,
                       const ast::CensorKey& upper, Span outcome_span, int indicator);
    void check_constant_indicator(int node, Span span, const std::string& what);
    int truncated_term(const rt::DistributionDef& dist, const Inputs& in, int term, const ast::Truncation& t,
                       Span outcome_span, const std::string& written, TermInfo& info);
    void add_bound_check(int y, int bound, bool upper, Span span, const std::string& written,
                         const std::string& bound_what);

    // ---- check_expressions.cpp ---------------------------------------------
    Value expression(const ast::Expr& e);
    int scalar(const ast::Expr& e, const std::string& what);
    Value lower(const ast::Expr&, const ast::Number& n);
    Value lower(const ast::Expr& e, const ast::Name& n);
    Value lower(const ast::Expr&, const ast::Negate& n);
    Value lower(const ast::Expr& e, const ast::Binary& b);
    Value lower(const ast::Expr& e, const ast::VectorLiteral& v);
    Value lower(const ast::Expr& e, const ast::Call& c);
    std::optional<Value> shape_construct(const ast::Expr& e, const ast::Call& c);
    std::optional<Value> log_sum_exp_rewrite(const ast::Expr& e, const ast::Call& c);
    [[noreturn]] void fail_unknown_function(const ast::Call& c);
    Value variadic_call(const ast::Expr& e, const ast::Call& c, const rt::OpDef& op);
    Value conditional(const ast::Expr& e, const ast::Call& c);
    Value logical_not(const ast::Call& c);

    // ---- check_lags.cpp ----------------------------------------------------
    Value previous_rows(const ast::Expr& e, const ast::Call& c);
    std::string lagged_column(const ast::Expr& arg, const std::string& what);
    Value lower(const ast::Expr& e, const ast::Index& ix);
    Value group_entry(const ast::Expr& e, const ast::Index& ix, const Value& base, const std::string& group_column);
    Value shaped_entry(const ast::Expr& e, const ast::Index& ix, const Value& base);

    // ---- check_reports.cpp -------------------------------------------------
    void visit(const ast::Statement&, const ast::Report& r);

    // ---- check_weights.cpp -------------------------------------------------
    void visit(const ast::Statement& s, const ast::WeightBy& w);

    // ---- check_free_names.cpp ----------------------------------------------
    // Whether an expression depends on data and on parameters.
    struct Involvement {
        bool data = false;
        bool parameters = false;
        void add(Involvement other) {
            data = data || other.data;
            parameters = parameters || other.parameters;
        }
    };

    void check_free_names();
    [[noreturn]] void fail_inseparable(const std::string& name, const ProductUses& uses,
                                       const std::set<std::string>& inseparable);
    [[noreturn]] void fail_inseparable_in(const Product& p, const std::vector<const Factor*>& factors);
    std::string not_a_column(const std::string& name, const ColumnLikeness& like) const;
    void check_not_used_like_column(const std::string& name, const ProductUses& uses);
    Involvement involvement(const ast::Expr& e) const;
    void column_warnings();
    Span first_use_of(const std::string& name) const;

    const SourceText& source_;
    const ast::Model& model_;
    CheckedModel out_;
    Columns columns_;
    Builder build_;
    Locals locals_;
    std::set<std::string> used_names_;      // every name an expression uses (a parameter is numbered where declared)
    std::optional<std::size_t> checking_;   // the statement being checked
    std::optional<Span> weight_at_;         // the `weight` statement, once seen
    std::vector<DataCheck::Guard> guards_;  // the branches of ifelse being lowered, outermost first

    // Parameters (check_parameters.cpp).
    std::map<std::string, const ast::ParamDecl*> declared_;
    std::map<std::string, Declared> declared_cache_;
    std::map<std::string, Implied> implied_;
    std::map<std::string, ParamEntry> params_;
    std::set<std::string> entering_;  // parameters whose entry is being built

    // Random effects by name (check_random_effects.cpp).
    std::map<std::string, RandomEntry> randoms_;

    // `report` quantities (check_reports.cpp), estimands after the parameters'.
    std::set<std::string> reported_;
    std::vector<Estimand> reports_;
};

}  // namespace mlec::interp::check

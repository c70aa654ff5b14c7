// Problem: binding a model to data. Resolves names against the CSV header,
// loads just the columns the model uses, checks their values against each
// distribution's support, and compiles the NLL.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <sstream>
#include <string_view>
#include <utility>
#include <vector>

#include "interpreter/profiled_groups.hpp"
#include "interpreter/reml.hpp"
#include "problem/distributed.hpp"
#include "problem/group_terms.hpp"
#include "problem/impl.hpp"
#include "problem/previous_rows.hpp"
#include "problem/quadrature.hpp"
#include "report/number_format.hpp"
#include "runtime/exact_sum.hpp"

namespace mlec {

Problem::Problem(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Problem::Problem(Problem&&) noexcept = default;
Problem& Problem::operator=(Problem&&) noexcept = default;
Problem::~Problem() = default;

namespace {

// The data must satisfy what the model assumes of them before any fitting:
// a bernoulli outcome of 2 or an index outside its vector is a data error
// found here, not a NaN found during the fit. The first of `e`'s rows that
// breaks `check`, with what is wrong with it.
struct BadRow {
    std::size_t row = 0;  // among e's rows
    std::string message;
};
std::optional<BadRow> first_bad_row(const Problem::Impl& p, rt::Evaluator& e, const interp::DataCheck& check) {
    const Eigen::VectorXd theta = Eigen::VectorXd::Zero(p.model.graph.parameter_count());
    const std::vector<double> values = e.node_values(theta, check.node);
    const std::vector<double> limits =
        check.limit_node >= 0 ? e.node_values(theta, check.limit_node) : std::vector<double>{};
    // (a row-invariant node has one value for every row)
    auto at = [](const std::vector<double>& v, std::size_t row) { return v.size() == 1 ? v[0] : v[row]; };
    // The branches the value lies in (DataCheck::guards): a row that takes
    // none of them does not use it. Conditions on parameters exempt no row.
    std::vector<std::pair<std::vector<double>, bool>> guards;
    for (const interp::DataCheck::Guard& g : check.guards)
        if (p.model.graph.node(g.condition).deps.empty())
            guards.emplace_back(e.node_values(theta, g.condition), g.when_true);
    auto used = [&](std::size_t row) {
        for (const auto& [condition, when_true] : guards) {
            const double c = at(condition, row);
            if (!std::isnan(c) && (c != 0) != when_true) return false;
        }
        return true;
    };
    for (std::size_t row = 0; row < p.rows; ++row) {
        if (!used(row)) continue;
        const double v = at(values, row);
        if (!rt::in_domain(check.domain, v) || (check.max > 0 && v > check.max)) {
            std::string must = check.max > 0 ? "a whole number from 1 to " + std::to_string(check.max)
                                             : std::string(rt::domain_text(check.domain));
            return BadRow{row, check.what + " must be " + must + ", found " + report::format_short(v)};
        }
        if (limits.empty()) continue;
        const double limit = at(limits, row);
        if (check.upper ? v <= limit : v >= limit) continue;
        return BadRow{row, check.what + " must be " + (check.upper ? "at most " : "at least ") + check.limit_what +
                               " (" + report::format_short(limit) + "), found " + report::format_short(v)};
    }
    return std::nullopt;
}

// The error for row `table_row` of `csv` (a row as read, before any was
// dropped): at the cell when the check is on a data column, else at the
// model's expression.
void add_bad_row_error(const Problem::Impl& p, const Model::Impl& model, const data::Table& csv,
                       const interp::DataCheck& check, std::size_t table_row, const std::string& message,
                       Diagnostics& diagnostics) {
    const rt::Node& n = p.model.graph.node(check.node);
    // (a lag's column is not the file's: the error is at the model's lag)
    if (n.kind == rt::NodeKind::data && !p.model.columns[static_cast<std::size_t>(n.column)].lag) {
        const interp::ColumnInfo& col = p.model.columns[static_cast<std::size_t>(n.column)];
        diagnostics.push_back(csv.field_error(table_row, col.csv_index,
                                              csv.row_text(table_row) + ", column '" + col.name + "': " + message));
        return;
    }
    diagnostics.push_back(
        model.source.diagnostic(check.span, csv.row_text_with_name(table_row) + ": " + message, Category::data));
    // A check inside a def's body: the calls it came through, as the
    // checker says them for its own errors.
    for (Diagnostic& note :
         interp::inlining_notes(model.source, p.model.inlined_calls, check.span.begin, check.statement))
        diagnostics.push_back(std::move(note));
}

// Leaves out every row with a NaN (a missing value) in any column of the
// file. (A lag's NaN says the row has no previous row, which the first-row
// rule checks: no reason to leave it out.)
void drop_incomplete_rows(Problem::Impl& p) {
    const std::size_t n = p.rows;
    std::vector<std::size_t> kept;
    kept.reserve(n);
    for (std::size_t r = 0; r < n; ++r) {
        bool complete = true;
        for (std::size_t c = 0; c < p.columns.size(); ++c)
            complete = complete && (p.model.columns[c].lag || !std::isnan(p.columns[c][r]));
        if (complete) kept.push_back(r);
    }
    if (kept.size() == n) return;
    std::vector<std::vector<double>> filtered;
    for (std::span<const double> c : p.columns) {
        std::vector<double>& f = filtered.emplace_back();
        f.reserve(kept.size());
        for (std::size_t r : kept) f.push_back(c[r]);
    }
    p.storage = std::move(filtered);
    p.columns.assign(p.storage.begin(), p.storage.end());
    p.rows_dropped = n - kept.size();
    p.rows = kept.size();
    p.original_row = std::move(kept);
}

// The model checked against the data's header. The same model text and
// header on every rank, and levels agreed between them: every rank makes
// the same graph, or the same error.
std::optional<interp::CheckedModel> check_against(const Model::Impl& m, const data::Table& csv, rt::Collective* cluster,
                                                  bool drop, Diagnostics& diagnostics) {
    const interp::LevelsSource levels = [&csv, cluster, drop](int column,
                                                              Diagnostics& ds) -> std::optional<interp::Levels> {
        if (cluster) return problem::agree_levels(*cluster, csv, column, drop, ds);
        auto categories = csv.load_categories(column, ds, drop);
        if (!categories) return std::nullopt;
        return interp::Levels{std::move(categories->levels), std::move(categories->codes), categories->numeric};
    };
    interp::CheckResult checked = interp::check_model(m.source, m.ast, csv.header(), csv.name(), levels);
    diagnostics.insert(diagnostics.end(), checked.diagnostics.begin(), checked.diagnostics.end());
    return std::move(checked.model);
}

// The graph's data columns. Numeric columns are parsed now; categorical
// ones were read as levels while checking the model. A distributed read
// leaves room for the rows align_rows appends. False after adding the
// error.
bool load_columns(Problem::Impl& p, const data::Table& csv, rt::Collective* cluster, bool drop,
                  Diagnostics& diagnostics) {
    std::vector<int> which;
    for (const interp::ColumnInfo& c : p.model.columns)
        if (!c.categorical && !c.lag) which.push_back(c.csv_index);
    Diagnostics local;
    auto numeric = csv.load(which, local, drop, p.threads, p.storage, cluster ? rt::default_block_rows : 0);
    if (!problem::agree(cluster, numeric.has_value(), local, diagnostics)) return false;
    std::size_t next = 0;
    for (interp::ColumnInfo& c : p.model.columns) {
        if (c.lag) {
            p.columns.emplace_back();  // filled below, from the columns it reads
        } else if (c.categorical) {
            p.storage.push_back(std::move(c.codes));  // moving keeps the buffer the views see
            p.columns.emplace_back(p.storage.back());
        } else {
            p.columns.push_back((*numeric)[next++]);
        }
    }
    p.rows = csv.rows();
    problem::fill_previous_rows(p.model.columns, p.columns, p.storage, p.rows, cluster);
    if (cluster && problem::count_rows(*cluster, p.rows).total_rows == 0) {
        // (each rank's part may be empty; the file may not)
        diagnostics.push_back(Diagnostic::error(Category::data, csv.name(), "no data rows after the header"));
        return false;
    }
    return true;
}

// BindOptions::drop_missing: the rows with a missing value left out, and
// counted on all ranks. False after adding the error when none is left.
bool drop_missing(Problem::Impl& p, const data::Table& csv, rt::Collective* cluster, Diagnostics& diagnostics) {
    drop_incomplete_rows(p);
    std::size_t kept = p.rows;
    if (cluster) {
        kept = problem::count_rows(*cluster, p.rows).total_rows;
        p.rows_dropped = problem::count_rows(*cluster, p.rows_dropped).total_rows;
    }
    if (kept == 0) {
        diagnostics.push_back(
            Diagnostic::error(Category::data, csv.name(), "every row has a missing value in a column the model uses"));
        return false;
    }
    return true;
}

// On one machine: the evaluator, and the data checks on it. False after
// adding the error for the first bad row.
bool check_rows(Problem::Impl& p, const Model::Impl& m, const data::Table& csv, Diagnostics& diagnostics) {
    p.total_rows = p.rows;
    problem::set_aside_missing_lags(p);
    p.workspace.evaluator = make_evaluator(p, p.columns);
    const bool profiled = !p.model.integrated.empty() && p.model.integrated.front().profiled;
    if (!p.model.graph.effects().empty()) {
        // The Laplace approximation's exact gradient chains every op's third
        // partials; an op without them would make it wrong, silently. (A
        // profile's gradient needs none.)
        if (const std::string_view op = p.evaluator().missing_third_partials(); !op.empty() && !profiled) {
            std::string message = "random effects reach '";
            message.append(op).append(
                "', whose third derivatives mlec does not have (a distribution function: censoring or "
                "truncation); the Laplace approximation's exact gradient needs them, so such a model "
                "cannot be fitted yet");
            diagnostics.push_back(Diagnostic::error(Category::model, p.model_name, std::move(message)));
            return false;
        }
        p.workspace.laplace = std::make_unique<rt::Laplace>(p.evaluator());
    }
    if (!p.model.graph.effects().empty() && !profiled) {
        const auto random = p.model.graph.effect_size() - static_cast<int>(p.model.integrated.size());
        std::string note = "the " + std::to_string(random) + " random effects " +
                           (p.model.integrated.empty() ? "are" : "and the fixed effects are") +
                           " integrated out by the Laplace approximation, with its exact gradient; standard errors "
                           "from central differences of that gradient";
        p.model.notes.push_back(std::move(note));
        problem::bind_quadrature(p);
    }
    // The first-row rule first: a missing lag would fail a data check
    // with a less helpful message (NaN is in no domain).
    if (Diagnostics errors = problem::unguarded_lag(p, m, csv); !errors.empty()) {
        diagnostics.insert(diagnostics.end(), errors.begin(), errors.end());
        return false;
    }
    for (const interp::DataCheck& check : p.model.checks) {
        if (auto bad = first_bad_row(p, p.evaluator(), check)) {
            const std::size_t row = p.original_row.empty() ? bad->row : p.original_row[bad->row];
            add_bad_row_error(p, m, csv, check, row, bad->message, diagnostics);
            return false;
        }
    }
    return true;
}

// The first row of all ranks that breaks `check` (numbered among all rows)
// and what is wrong with it: each rank offers its first.
std::optional<BadRow> first_bad_row_of_all(const Problem::Impl& p, rt::Collective& cluster,
                                           const interp::DataCheck& check) {
    const auto bad = first_bad_row(p, p.evaluator(), check);
    const std::uint64_t none = std::numeric_limits<std::uint64_t>::max();
    std::string offer = bad ? std::to_string(p.first_row + bad->row) + "\n" + bad->message : std::string();
    std::uint64_t first = none;
    std::string message;
    for (const std::string& o : cluster.all_gather(offer)) {
        if (o.empty()) continue;
        const std::uint64_t row = std::stoull(o.substr(0, o.find('\n')));
        if (row < first) {
            first = row;
            message = o.substr(o.find('\n') + 1);
        }
    }
    if (first == none) return std::nullopt;
    return BadRow{first, message};
}

// Distributed: the rows move to block boundaries first, so that every
// value is computed as on one machine, checks included. False after every
// rank has added the error for the first bad row of all.
bool check_rows_distributed(Problem::Impl& p, const Model::Impl& m, const data::Table& csv, rt::Collective& cluster,
                            Diagnostics& diagnostics) {
    const problem::RowCounts read =
        problem::align_rows(cluster, p.columns, p.storage, p.rows, rt::default_block_rows, p.first_row);
    p.total_rows = read.total_rows;
    if (!p.model.graph.effects().empty()) {
        diagnostics.push_back(Diagnostic::error(Category::model, p.model_name,
                                                "random effects and REML are not yet available in a distributed "
                                                "fit: fit the model on one machine"));
        return false;
    }
    problem::set_aside_missing_lags(p);
    p.workspace.evaluator = make_evaluator(p, p.columns);
    if (!problem::unguarded_lag_of_all(p, m, csv, cluster, read, diagnostics)) return false;
    for (const interp::DataCheck& check : p.model.checks) {
        const std::optional<BadRow> bad = first_bad_row_of_all(p, cluster, check);
        if (!bad) continue;
        // The rank that read that row has its place in the file.
        std::size_t owner = 0, before = 0;
        while (before + read.rows_of_rank[owner] <= bad->row) before += read.rows_of_rank[owner++];
        Diagnostics mine;
        if (owner == static_cast<std::size_t>(cluster.rank())) {
            const std::size_t kept = bad->row - before;
            const std::size_t row = p.original_row.empty() ? kept : p.original_row[kept];
            add_bad_row_error(p, m, csv, check, row, bad->message, mine);
        }
        problem::agree(&cluster, mine.empty(), mine, diagnostics);
        return false;
    }
    return true;
}

// The sum of the weights over all ranks' rows, exactly (the same for any
// number of ranks); the row count without a `weight` statement.
double total_weight(const Problem::Impl& p) {
    const int node = p.model.graph.weight();
    if (node < 0) return static_cast<double>(p.total_rows);
    const Eigen::VectorXd theta = Eigen::VectorXd::Zero(p.model.graph.parameter_count());
    rt::ExactSums sum;
    sum.reset(1);
    for (double w : p.evaluator().node_values(theta, node)) sum.add(0, w);
    sum.normalize();
    if (p.collective) {
        p.collective->sum(sum.raw());
        sum.normalize();
    }
    return sum.value(0);
}

}  // namespace

std::optional<Problem> Problem::bind(const Model& model, const Data& data, Diagnostics& diagnostics,
                                     const BindOptions& options) {
    const Model::Impl& m = model.impl();
    const data::Table& csv = *data.impl().table;
    rt::Collective* cluster = data.impl().collective.get();
    const bool drop = options.drop_missing;
    std::optional<interp::CheckedModel> checked = check_against(m, csv, cluster, drop, diagnostics);
    if (!checked) return std::nullopt;
    if (Diagnostics errors = problem::check_quadrature(m, *checked, options); !errors.empty()) {
        diagnostics.insert(diagnostics.end(), errors.begin(), errors.end());
        return std::nullopt;
    }

    auto impl = std::make_unique<Impl>();
    impl->model_name = m.source.name();
    impl->source_model = &m;
    impl->data_name = csv.name();
    impl->model = std::move(*checked);
    impl->threads = options.threads;
    impl->agq_nodes = options.agq_nodes;
    if (cluster) impl->collective = data.impl().collective;
    if (options.reml && !interp::integrate_fixed_effects(impl->model, m.source, diagnostics)) return std::nullopt;
    // (on one machine: a distributed fit keeps them in theta)
    if (!options.reml && !cluster) interp::profile_group_parameters(impl->model);

    if (!load_columns(*impl, csv, cluster, drop, diagnostics)) return std::nullopt;
    if (drop && !drop_missing(*impl, csv, cluster, diagnostics)) return std::nullopt;
    if (!problem::bind_group_terms(*impl, csv, cluster, diagnostics)) return std::nullopt;
    const bool valid =
        cluster ? check_rows_distributed(*impl, m, csv, *cluster, diagnostics) : check_rows(*impl, m, csv, diagnostics);
    if (!valid) return std::nullopt;
    impl->weight_total = total_weight(*impl);
    return Problem(std::move(impl));
}

int Problem::dimension() const { return static_cast<int>(impl_->model.parameters.size()); }
std::size_t Problem::observations() const { return impl_->total_rows; }
std::size_t Problem::rows_dropped() const { return impl_->rows_dropped; }

std::vector<std::string> Problem::parameter_names() const {
    std::vector<std::string> out;
    for (const auto& p : impl_->model.parameters) out.push_back(p.name);
    return out;
}

std::vector<std::string> Problem::data_columns() const {
    // In the order of the data file's header, as a user reads the file.
    std::vector<const interp::ColumnInfo*> columns;
    for (const auto& c : impl_->model.columns)
        // (lag columns are computed; a group-level term's multiplier is no column of the file)
        if (!c.lag && !c.first_of_level) columns.push_back(&c);
    std::sort(columns.begin(), columns.end(), [](auto* a, auto* b) { return a->csv_index < b->csv_index; });
    std::vector<std::string> out;
    for (const auto* c : columns) out.push_back(c->name);
    return out;
}

std::vector<std::string> Problem::outcomes() const {
    std::vector<std::string> out;
    for (const interp::TermInfo& term : impl_->model.terms) {
        if (term.outcome.empty()) continue;  // target +=
        std::string text;
        for (char c : term.outcome)
            if (!std::isspace(static_cast<unsigned char>(c))) text += c;
        out.push_back(std::move(text));
    }
    return out;
}

Eigen::VectorXd Problem::start() const {
    Eigen::VectorXd theta(dimension());
    for (int i = 0; i < dimension(); ++i) {
        const auto& p = impl_->model.parameters[static_cast<std::size_t>(i)];
        theta[i] = p.bounds.to_unconstrained(p.start);
    }
    return theta;
}

Eigen::VectorXd Problem::to_user_scale(const Eigen::VectorXd& theta) const {
    Eigen::VectorXd x(theta.size());
    for (Eigen::Index i = 0; i < theta.size(); ++i)
        x[i] = impl_->model.parameters[static_cast<std::size_t>(i)].bounds.to_user(theta[i]);
    return x;
}

const Diagnostics& Problem::warnings() const { return impl_->model.warnings; }
const std::vector<std::string>& Problem::notes() const { return impl_->model.notes; }

// The const members evaluate through the Impl's workspace, the one
// mutable part of a Problem (problem/impl.hpp says why that is const).
double Problem::nll(const Eigen::VectorXd& theta) const {
    if (auto& quadrature = impl().workspace.quadrature) return quadrature->value(theta);
    if (auto& laplace = impl().workspace.laplace) return laplace->value(theta);
    return impl().evaluator().nll(theta);
}

double Problem::nll_gradient(const Eigen::VectorXd& theta, Eigen::VectorXd& gradient) const {
    if (auto& quadrature = impl().workspace.quadrature) return quadrature->value_gradient(theta, gradient);
    if (auto& laplace = impl().workspace.laplace) return laplace->value_gradient(theta, gradient);
    return impl().evaluator().nll_gradient(theta, gradient);
}

double Problem::nll_gradient_hessian(const Eigen::VectorXd& theta, Eigen::VectorXd& gradient,
                                     Eigen::MatrixXd& hessian) const {
    auto& last = impl().workspace.last_hessian;
    if (last.valid && last.theta.size() == theta.size() && last.theta == theta) {
        gradient = last.gradient;
        hessian = last.hessian;
        return last.nll;
    }
    auto& laplace = impl().workspace.laplace;
    auto& quadrature = impl().workspace.quadrature;
    const double f = quadrature ? quadrature->value_gradient_hessian(theta, gradient, hessian)
                     : laplace  ? laplace->value_gradient_hessian(theta, gradient, hessian)
                                : impl().evaluator().nll_gradient_hessian(theta, gradient, hessian);
    last.valid = true;
    last.theta = theta;
    last.gradient = gradient;
    last.hessian = hessian;
    last.nll = f;
    return f;
}

}  // namespace mlec

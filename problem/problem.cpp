// Problem: binding a model to data. Resolves names against the CSV header,
// loads just the columns the model uses, checks their values against each
// distribution's support, and compiles the NLL.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <sstream>

#include "problem/distributed.hpp"
#include "problem/impl.hpp"
#include "report/number_format.hpp"

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
    for (std::size_t row = 0; row < p.rows; ++row) {
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
Diagnostic bad_row_error(const Problem::Impl& p, const Model::Impl& model, const data::Table& csv,
                         const interp::DataCheck& check, std::size_t table_row, const std::string& message) {
    const rt::Node& n = p.model.graph.node(check.node);
    if (n.kind == rt::NodeKind::data) {
        const interp::ColumnInfo& col = p.model.columns[static_cast<std::size_t>(n.column)];
        return csv.field_error(table_row, col.csv_index,
                               csv.row_text(table_row) + ", column '" + col.name + "': " + message);
    }
    return model.source.diagnostic(check.span, csv.row_text_with_name(table_row) + ": " + message, Category::data);
}

// Leaves out every row with a NaN (a missing value) in any column.
void drop_incomplete_rows(Problem::Impl& p) {
    const std::size_t n = p.rows;
    std::vector<std::size_t> kept;
    kept.reserve(n);
    for (std::size_t r = 0; r < n; ++r) {
        bool complete = true;
        for (const auto& c : p.columns) complete = complete && !std::isnan(c[r]);
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

}  // namespace

std::optional<Problem> Problem::bind(const Model& model, const Data& data, Diagnostics& diagnostics,
                                     const BindOptions& options) {
    const Model::Impl& m = model.impl();
    const data::Table& csv = *data.impl().table;
    rt::Collective* cluster = data.impl().collective.get();
    const bool drop = options.drop_missing;
    const interp::LevelsSource levels = [&csv, cluster, drop](int column,
                                                              Diagnostics& ds) -> std::optional<interp::Levels> {
        if (cluster) return problem::agree_levels(*cluster, csv, column, drop, ds);
        auto categories = csv.load_categories(column, ds, drop);
        if (!categories) return std::nullopt;
        return interp::Levels{std::move(categories->levels), std::move(categories->codes), categories->numeric};
    };
    // The same model text and header on every rank, and levels agreed
    // between them: every rank makes the same graph, or the same error.
    interp::CheckResult checked = interp::check_model(m.source, m.ast, csv.header(), csv.name(), levels);
    diagnostics.insert(diagnostics.end(), checked.diagnostics.begin(), checked.diagnostics.end());
    if (!checked.model) return std::nullopt;

    auto impl = std::make_unique<Impl>();
    impl->model_name = m.source.name();
    impl->source_model = &m;
    impl->data_name = csv.name();
    impl->model = std::move(*checked.model);
    impl->threads = options.threads;
    if (cluster) impl->collective = data.impl().collective;

    // Numeric columns are parsed now; categorical ones were read as levels
    // while checking the model. A distributed read leaves room for the rows
    // align_rows appends.
    std::vector<int> which;
    for (const interp::ColumnInfo& c : impl->model.columns)
        if (!c.categorical) which.push_back(c.csv_index);
    Diagnostics local;
    auto numeric = csv.load(which, local, drop, options.threads, impl->storage, cluster ? rt::default_block_rows : 0);
    if (!problem::agree(cluster, numeric.has_value(), local, diagnostics)) return std::nullopt;
    std::size_t next = 0;
    for (interp::ColumnInfo& c : impl->model.columns) {
        if (c.categorical) {
            impl->storage.push_back(std::move(c.codes));  // moving keeps the buffer the views see
            impl->columns.emplace_back(impl->storage.back());
        } else {
            impl->columns.push_back((*numeric)[next++]);
        }
    }
    impl->rows = csv.rows();
    if (cluster && problem::count_rows(*cluster, impl->rows).total_rows == 0) {
        // (each rank's part may be empty; the file may not)
        diagnostics.push_back(Diagnostic::error(Category::data, csv.name(), "no data rows after the header"));
        return std::nullopt;
    }
    if (drop) {
        drop_incomplete_rows(*impl);
        std::size_t kept = impl->rows;
        if (cluster) {
            kept = problem::count_rows(*cluster, impl->rows).total_rows;
            impl->rows_dropped = problem::count_rows(*cluster, impl->rows_dropped).total_rows;
        }
        if (kept == 0) {
            diagnostics.push_back(Diagnostic::error(Category::data, csv.name(),
                                                    "every row has a missing value in a column the model uses"));
            return std::nullopt;
        }
    }

    if (!cluster) {
        impl->total_rows = impl->rows;
        impl->workspace.evaluator = make_evaluator(*impl, impl->columns);
        for (const interp::DataCheck& check : impl->model.checks) {
            if (auto bad = first_bad_row(*impl, impl->evaluator(), check)) {
                const std::size_t row = impl->original_row.empty() ? bad->row : impl->original_row[bad->row];
                diagnostics.push_back(bad_row_error(*impl, m, csv, check, row, bad->message));
                return std::nullopt;
            }
        }
        return Problem(std::move(impl));
    }

    // Distributed: the rows move to block boundaries first, so that every
    // value is computed as on one machine, checks included.
    const problem::RowCounts read = problem::align_rows(*cluster, impl->columns, impl->storage, impl->rows,
                                                        rt::default_block_rows, impl->first_row);
    impl->total_rows = read.total_rows;
    impl->workspace.evaluator = make_evaluator(*impl, impl->columns);
    for (const interp::DataCheck& check : impl->model.checks) {
        // The first bad row of all: each rank offers its first (numbered
        // among all rows) and what is wrong with it.
        const auto bad = first_bad_row(*impl, impl->evaluator(), check);
        const std::uint64_t none = std::numeric_limits<std::uint64_t>::max();
        std::string offer = bad ? std::to_string(impl->first_row + bad->row) + "\n" + bad->message : std::string();
        std::uint64_t first = none;
        std::string message;
        for (const std::string& o : cluster->all_gather(offer)) {
            if (o.empty()) continue;
            const std::uint64_t row = std::stoull(o.substr(0, o.find('\n')));
            if (row < first) {
                first = row;
                message = o.substr(o.find('\n') + 1);
            }
        }
        if (first == none) continue;
        // The rank that read that row has its place in the file.
        std::size_t owner = 0, before = 0;
        while (before + read.rows_of_rank[owner] <= first) before += read.rows_of_rank[owner++];
        Diagnostics mine;
        if (owner == static_cast<std::size_t>(cluster->rank())) {
            const std::size_t kept = first - before;
            const std::size_t row = impl->original_row.empty() ? kept : impl->original_row[kept];
            mine.push_back(bad_row_error(*impl, m, csv, check, row, message));
        }
        problem::agree(cluster, mine.empty(), mine, diagnostics);
        return std::nullopt;
    }
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
    for (const auto& c : impl_->model.columns) columns.push_back(&c);
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
double Problem::nll(const Eigen::VectorXd& theta) const { return impl().evaluator().nll(theta); }

double Problem::nll_gradient(const Eigen::VectorXd& theta, Eigen::VectorXd& gradient) const {
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
    const double f = impl().evaluator().nll_gradient_hessian(theta, gradient, hessian);
    last.valid = true;
    last.theta = theta;
    last.gradient = gradient;
    last.hessian = hessian;
    last.nll = f;
    return f;
}

}  // namespace mlec

// Problem: binding a model to data. Resolves names against the CSV header,
// loads just the columns the model uses, checks their values against each
// distribution's support, and compiles the NLL.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "api/impl.hpp"
#include "api/number_format.hpp"

namespace mlec {

Problem::Problem(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Problem::Problem(Problem&&) noexcept = default;
Problem& Problem::operator=(Problem&&) noexcept = default;
Problem::~Problem() = default;

namespace {

// The data must satisfy what the model assumes of them before any fitting:
// a bernoulli outcome of 2 or an index outside its vector is a data error
// found here, not a NaN found during the fit.
bool check_data(Problem::Impl& p, const Model::Impl& model, const api::Table& csv, Diagnostics& diagnostics) {
    const rt::Graph& graph = p.model.graph;
    const Eigen::VectorXd theta = Eigen::VectorXd::Zero(graph.parameter_count());
    for (const interp::DataCheck& check : p.model.checks) {
        const std::vector<double> values = p.evaluator->node_values(theta, check.node);
        for (std::size_t kept_row = 0; kept_row < values.size(); ++kept_row) {
            const double v = values[kept_row];
            const std::size_t row = p.original_row.empty() ? kept_row : p.original_row[kept_row];
            const bool ok = rt::in_domain(check.domain, v) && (check.max == 0 || v <= check.max);
            if (ok) continue;
            std::string must = check.max > 0 ? "a whole number from 1 to " + std::to_string(check.max)
                                             : std::string(rt::domain_text(check.domain));
            const std::string message = check.what + " must be " + must + ", found " + format_short(v);
            const rt::Node& n = graph.node(check.node);
            if (n.kind == rt::NodeKind::data) {
                const interp::ColumnInfo& col = p.model.columns[static_cast<std::size_t>(n.column)];
                diagnostics.push_back(csv.field_error(
                    row, col.csv_index, "row " + std::to_string(row + 1) + ", column '" + col.name + "': " + message));
            } else {
                diagnostics.push_back(model.source.diagnostic(
                    check.span, "row " + std::to_string(row + 1) + " of " + p.data_name + ": " + message,
                    Category::data));
            }
            return false;
        }
    }
    return true;
}

}  // namespace

namespace {

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
    const api::Table& csv = *data.impl().table;
    const bool drop = options.drop_missing;
    const interp::LevelsSource levels = [&csv, drop](int column, Diagnostics& ds) -> std::optional<interp::Levels> {
        auto categories = csv.load_categories(column, ds, drop);
        if (!categories) return std::nullopt;
        return interp::Levels{std::move(categories->levels), std::move(categories->codes), categories->numeric};
    };
    interp::CheckResult checked = interp::check_model(m.source, m.ast, csv.header(), csv.name(), levels);
    diagnostics.insert(diagnostics.end(), checked.diagnostics.begin(), checked.diagnostics.end());
    if (!checked.model) return std::nullopt;

    auto impl = std::make_unique<Impl>();
    impl->model_name = m.source.name();
    impl->source_model = &m;
    impl->data_name = csv.name();
    impl->model = std::move(*checked.model);

    // Numeric columns are parsed now; categorical ones were read as levels
    // while checking the model.
    std::vector<int> which;
    for (const interp::ColumnInfo& c : impl->model.columns)
        if (!c.categorical) which.push_back(c.csv_index);
    auto numeric = csv.load(which, diagnostics, drop, options.threads, impl->storage);
    if (!numeric) return std::nullopt;
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
    if (drop) {
        drop_incomplete_rows(*impl);
        if (impl->rows == 0) {
            diagnostics.push_back(Diagnostic{Severity::error, Category::data, csv.name(), 0, 0,
                                             "every row has a missing value in a column the model uses", "", 1});
            return std::nullopt;
        }
    }

    impl->threads = options.threads;
    impl->evaluator = std::make_unique<rt::Evaluator>(impl->model.graph, impl->columns, impl->rows,
                                                      rt::default_block_rows, options.threads);
    if (!check_data(*impl, m, csv, diagnostics)) return std::nullopt;
    return Problem(std::move(impl));
}

int Problem::dimension() const { return static_cast<int>(impl_->model.parameters.size()); }
std::size_t Problem::observations() const { return impl_->rows; }
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

double Problem::nll(const Eigen::VectorXd& theta) const { return impl_->evaluator->nll(theta); }

double Problem::nll_gradient(const Eigen::VectorXd& theta, Eigen::VectorXd& gradient) const {
    return impl_->evaluator->nll_gradient(theta, gradient);
}

double Problem::nll_gradient_hessian(const Eigen::VectorXd& theta, Eigen::VectorXd& gradient,
                                     Eigen::MatrixXd& hessian) const {
    auto& last = impl_->last_hessian;
    if (last.valid && last.theta.size() == theta.size() && last.theta == theta) {
        gradient = last.gradient;
        hessian = last.hessian;
        return last.nll;
    }
    const double f = impl_->evaluator->nll_gradient_hessian(theta, gradient, hessian);
    last.valid = true;
    last.theta = theta;
    last.gradient = gradient;
    last.hessian = hessian;
    last.nll = f;
    return f;
}

}  // namespace mlec

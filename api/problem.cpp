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

// The values of the outcome and of the data-only arguments of each
// distribution must lie in its support: a bernoulli outcome of 2 is a data
// error found before fitting, not a NaN found during it.
bool check_support(Problem::Impl& p, const Model::Impl& model, const rt::CsvFile& csv,
                   Diagnostics& diagnostics) {
    const rt::Graph& graph = p.model.graph;
    const Eigen::VectorXd theta = Eigen::VectorXd::Zero(graph.parameter_count());
    for (const interp::TermInfo& term : p.model.terms) {
        if (!term.distribution) continue;
        for (std::size_t i = 0; i < term.input_nodes.size(); ++i) {
            const int node = term.input_nodes[i];
            const rt::Node& n = graph.node(node);
            if (!n.deps.empty()) continue;
            const rt::Domain domain = i == 0 ? term.distribution->outcome : term.distribution->args[i - 1].domain;
            if (domain == rt::Domain::real) continue;
            const std::vector<double> values = p.evaluator->node_values(theta, node);
            for (std::size_t row = 0; row < values.size(); ++row) {
                if (rt::in_domain(domain, values[row])) continue;
                const std::string what =
                    i == 0 ? term.written + " outcome" : term.written + "'s " + std::string(term.distribution->args[i - 1].name);
                const std::string must = std::string(" must be ") + std::string(rt::domain_text(domain)) +
                                         ", found " + format_short(values[row]);
                if (n.kind == rt::NodeKind::data) {
                    const interp::ColumnInfo& col = p.model.columns[static_cast<std::size_t>(n.column)];
                    diagnostics.push_back(csv.field_error(
                        row, col.csv_index,
                        "row " + std::to_string(row + 1) + ", column '" + col.name + "': " + what + must));
                } else {
                    diagnostics.push_back(model.source.diagnostic(
                        term.input_spans[i], "row " + std::to_string(row + 1) + " of " + p.data_name + ": the " +
                                                 what + must,
                        Category::data));
                }
                return false;
            }
        }
    }
    return true;
}

}  // namespace

std::optional<Problem> Problem::bind(const Model& model, const Data& data, Diagnostics& diagnostics) {
    const Model::Impl& m = model.impl();
    const rt::CsvFile& csv = *data.impl().csv;
    interp::CheckResult checked = interp::check_model(m.source, m.ast, csv.header(), csv.name());
    diagnostics.insert(diagnostics.end(), checked.diagnostics.begin(), checked.diagnostics.end());
    if (!checked.model) return std::nullopt;

    auto impl = std::make_unique<Impl>();
    impl->model_name = m.source.name();
    impl->data_name = csv.name();
    impl->model = std::move(*checked.model);

    std::vector<int> which;
    for (const interp::ColumnInfo& c : impl->model.columns) which.push_back(c.csv_index);
    auto columns = csv.load(which, diagnostics);
    if (!columns) return std::nullopt;
    impl->columns = std::move(*columns);
    impl->rows = csv.rows();

    std::vector<std::span<const double>> spans;
    for (const auto& c : impl->columns) spans.emplace_back(c.data(), c.size());
    impl->evaluator = std::make_unique<rt::Evaluator>(impl->model.graph, std::move(spans), impl->rows);
    if (!check_support(*impl, m, csv, diagnostics)) return std::nullopt;
    return Problem(std::move(impl));
}

int Problem::dimension() const { return static_cast<int>(impl_->model.parameters.size()); }
std::size_t Problem::observations() const { return impl_->rows; }

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
    return impl_->evaluator->nll_gradient_hessian(theta, gradient, hessian);
}

}  // namespace mlec

#include "runtime/gaussian_rows.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numbers>
#include <utility>

#include "runtime/distributions.hpp"

namespace mlec::rt {

namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();

// The terms of mu, split: the fixed effects' columns (by parameter), the
// atoms (by effect and scale factors) and the offset, each as the data
// nodes whose per-row product it is.
struct Split {
    std::map<int, std::vector<AffineTerm>> fixed;
    std::map<std::pair<int, std::vector<std::pair<int, int>>>, std::vector<AffineTerm>> atoms;
    std::vector<AffineTerm> offset;
};

std::optional<Split> split_terms(const Graph& graph, const std::vector<AffineTerm>& form, int sigma) {
    Split s;
    std::vector<bool> fixed(static_cast<std::size_t>(graph.parameter_count()), false);
    for (const AffineTerm& t : form) {
        if (t.kind != AffineTerm::Coordinate::effect && !t.scale.empty()) return std::nullopt;
        if (t.kind == AffineTerm::Coordinate::none) {
            s.offset.push_back(t);
        } else if (t.kind == AffineTerm::Coordinate::parameter) {
            s.fixed[t.coordinate].push_back(t);
            fixed[static_cast<std::size_t>(t.coordinate)] = true;
        } else {
            std::vector<std::pair<int, int>> key;
            for (const NodePower& f : t.scale) key.emplace_back(f.node, f.power);
            std::sort(key.begin(), key.end());
            s.atoms[{t.coordinate, key}].push_back(t);
        }
    }
    // A fixed effect is nothing else: not in sigma, not in a scale.
    if (depends_on_any(graph.node(sigma), fixed)) return std::nullopt;
    for (const auto& [key, terms] : s.atoms)
        for (const auto& [node, power] : key.second)
            if (depends_on_any(graph.node(node), fixed)) return std::nullopt;
    return s;
}

// sum over `terms` of coefficient * prod data^power, per row.
std::vector<double> column_of(const std::vector<AffineTerm>& terms, const std::map<int, std::vector<double>>& values,
                              std::size_t rows) {
    std::vector<double> out(rows, 0.0);
    for (const AffineTerm& t : terms) {
        std::vector<double> v(rows, t.coefficient);
        for (const NodePower& f : t.data) {
            const std::vector<double>& x = values.at(f.node);
            for (std::size_t r = 0; r < rows; ++r) v[r] = f.power > 0 ? v[r] * x[r] : v[r] / x[r];
        }
        for (std::size_t r = 0; r < rows; ++r) out[r] += v[r];
    }
    return out;
}

bool all_finite(const std::vector<double>& v) {
    return std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
}

// to += a v, nothing when a is 0: as the evaluator's reverse sweep skips a
// zero adjoint, so that a scale at 0 with an infinite derivative there
// (sqrt(v) at v = 0, where a singular fit holds it) adds 0, not NaN.
void add_scaled(Eigen::VectorXd& to, double a, const Eigen::VectorXd& v) {
    if (a != 0) to += a * v;
}

double scaled_difference(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
    if (a.size() != b.size()) return infinity;
    if (a.size() == 0) return 0;
    return (a - b).cwiseAbs().maxCoeff() / (1 + a.cwiseAbs().maxCoeff());
}

}  // namespace

std::unique_ptr<GaussianRows> GaussianRows::detect(Evaluator& evaluator) {
    const Graph& graph = evaluator.graph();
    if (graph.effects().empty() || graph.terms().size() != 1 || graph.term_multiplier(0) >= 0 || graph.weight() >= 0)
        return nullptr;
    const Node& term = graph.node(graph.terms().front());
    const DistributionDef* normal = find_distribution("normal");
    if (term.kind != NodeKind::op || normal == nullptr || term.op != &normal->op) return nullptr;
    const int y = term.inputs[0], mu = term.inputs[1], sigma = term.inputs[2];
    const Node& sigma_node = graph.node(sigma);
    if (!graph.node(y).deps.empty() || !graph.node(y).effects.empty() || !sigma_node.row_invariant ||
        !sigma_node.effects.empty())
        return nullptr;
    const auto form = affine_form(graph, mu);
    if (!form) return nullptr;
    const auto split = split_terms(graph, *form, sigma);
    if (!split) return nullptr;

    // The data factors' values, all in one pass.
    std::vector<int> nodes{y};
    for (const AffineTerm& t : *form)
        for (const NodePower& f : t.data) nodes.push_back(f.node);
    std::sort(nodes.begin(), nodes.end());
    nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
    const std::size_t rows = evaluator.rows();
    const Eigen::VectorXd origin = Eigen::VectorXd::Zero(graph.parameter_count());
    std::vector<std::vector<double>> values_list = evaluator.node_values(origin, nodes);
    std::map<int, std::vector<double>> values;
    for (std::size_t k = 0; k < nodes.size(); ++k) values[nodes[k]] = std::move(values_list[k]);

    std::vector<double> y_minus_offset = column_of(split->offset, values, rows);
    for (std::size_t r = 0; r < rows; ++r) y_minus_offset[r] = values.at(y)[r] - y_minus_offset[r];
    if (!all_finite(y_minus_offset)) return nullptr;
    std::vector<int> fixed;
    Eigen::MatrixXd x(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(split->fixed.size()));
    for (const auto& [parameter, terms] : split->fixed) {
        const std::vector<double> column = column_of(terms, values, rows);
        if (!all_finite(column)) return nullptr;
        x.col(static_cast<Eigen::Index>(fixed.size())) =
            Eigen::Map<const Eigen::VectorXd>(column.data(), static_cast<Eigen::Index>(rows));
        fixed.push_back(parameter);
    }
    std::vector<Atom> atoms;
    for (const auto& [key, terms] : split->atoms) {
        Atom a;
        a.effect = key.first;
        for (const auto& [node, power] : key.second) a.scale.push_back({node, power});
        a.d = column_of(terms, values, rows);
        if (!all_finite(a.d)) return nullptr;
        a.z.resize(rows);
        for (std::size_t r = 0; r < rows; ++r)
            if ((a.z[r] = evaluator.z_index(a.effect, r)) < 0) return nullptr;
        atoms.push_back(std::move(a));
    }
    // Every row must read every effect: the pattern's positions assume it.
    for (std::size_t e = 0; e < graph.effects().size(); ++e)
        for (std::size_t r = 0; r < rows; ++r)
            if (evaluator.z_index(static_cast<int>(e), r) < 0) return nullptr;

    std::unique_ptr<GaussianRows> g(
        new GaussianRows(evaluator, sigma, std::move(atoms), std::move(fixed), std::move(x),
                         Eigen::Map<const Eigen::VectorXd>(y_minus_offset.data(), static_cast<Eigen::Index>(rows))));

    // The decomposition checked against the sweep at a point of no
    // particular meaning: value, gradient in theta and in z.
    Eigen::VectorXd theta(graph.parameter_count()), z(graph.effect_size());
    for (Eigen::Index j = 0; j < theta.size(); ++j) theta[j] = 0.1 + 0.05 * static_cast<double>(j % 7);
    for (Eigen::Index k = 0; k < z.size(); ++k) z[k] = 0.5 * std::sin(static_cast<double>(k + 1));
    const Eigen::VectorXd saved = evaluator.effects();
    evaluator.set_effects(z);
    Eigen::VectorXd sweep_gradient, gradient;
    EffectDerivatives sweep, ours;
    const double f_sweep = evaluator.nll_effects(theta, sweep_gradient, sweep, false, false);
    evaluator.set_effects(saved);
    const double f = g->nll_effects(theta, z, gradient, ours, false, false);
    if (!std::isfinite(f_sweep) || !std::isfinite(f) ||
        std::abs(f - f_sweep) > 1e-9 * std::max(1.0, std::abs(f_sweep)) ||
        scaled_difference(sweep_gradient, gradient) > 1e-8 ||
        scaled_difference(sweep.gradient_z, ours.gradient_z) > 1e-8)
        return nullptr;
    return g;
}

GaussianRows::GaussianRows(Evaluator& evaluator, int sigma, std::vector<Atom> atoms, std::vector<int> fixed,
                           Eigen::MatrixXd x, Eigen::VectorXd y)
    : evaluator_(evaluator), dimension_(evaluator.graph().parameter_count()), sigma_node_(sigma),
      atoms_(std::move(atoms)), fixed_(std::move(fixed)), x_(std::move(x)), y_(std::move(y)),
      rows_(static_cast<double>(evaluator.rows())), effect_size_(evaluator.graph().effect_size()),
      pattern_(evaluator.effect_pattern()) {
    const auto& effects = evaluator.graph().effects();
    effect_atoms_.resize(effects.size());
    for (std::size_t t = 0; t < atoms_.size(); ++t)
        effect_atoms_[static_cast<std::size_t>(atoms_[t].effect)].push_back(static_cast<int>(t));
    coordinate_effect_.resize(static_cast<std::size_t>(effect_size_));
    for (std::size_t e = 0; e < effects.size(); ++e)
        for (int l = 0; l < effects[e].levels; ++l)
            coordinate_effect_[static_cast<std::size_t>(effects[e].first + l)] = static_cast<int>(e);
    if (x_.cols() > 0) xtx_ = x_.transpose() * x_;
    varying_.resize(atoms_.size());
    for (std::size_t t = 0; t < atoms_.size(); ++t) varying_[t] = !atoms_[t].scale.empty();
    build_gram();
}

// The Gram values sum_rows D_t D_t' at each entry of H's pattern, and S_t' X.
void GaussianRows::build_gram() {
    const std::size_t entries = pattern_.row.size();
    entry_column_.resize(entries);
    for (std::size_t j = 0; j + 1 < pattern_.col_start.size(); ++j)
        for (int k = pattern_.col_start[j]; k < pattern_.col_start[j + 1]; ++k)
            entry_column_[static_cast<std::size_t>(k)] = static_cast<int>(j);
    gram_start_.resize(entries + 1);
    gram_start_[0] = 0;
    for (std::size_t k = 0; k < entries; ++k) {
        const auto& a = atoms_at(pattern_.row[k]);
        const auto& b = atoms_at(entry_column_[k]);
        gram_start_[k + 1] = gram_start_[k] + a.size() * b.size();
    }
    gram_.assign(gram_start_.back(), 0.0);
    // Each atom's place among its effect's atoms.
    std::vector<std::size_t> place(atoms_.size());
    for (const auto& list : effect_atoms_)
        for (std::size_t i = 0; i < list.size(); ++i) place[static_cast<std::size_t>(list[i])] = i;
    const auto rows = static_cast<std::size_t>(rows_);
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t t = 0; t < atoms_.size(); ++t)
            for (std::size_t u = 0; u < atoms_.size(); ++u) {
                const Atom& a = atoms_[t];
                const Atom& b = atoms_[u];
                // Entry (row, column) = (z_t, z_u) with z_t >= z_u; a pair on
                // one coordinate (one effect) counts in both orders.
                if (a.z[r] < b.z[r]) continue;
                const int pos =
                    evaluator_.pattern_position(r, std::max(a.effect, b.effect), std::min(a.effect, b.effect));
                const std::size_t width = effect_atoms_[static_cast<std::size_t>(b.effect)].size();
                gram_[gram_start_[static_cast<std::size_t>(pos)] + place[t] * width + place[u]] += a.d[r] * b.d[r];
            }
    atom_x_.resize(atoms_.size());
    for (std::size_t t = 0; t < atoms_.size(); ++t) {
        atom_x_[t] = Eigen::MatrixXd::Zero(effect_size_, x_.cols());
        // (no fixed effects, as under REML: no rows of X to take blocks of)
        if (x_.cols() == 0) continue;
        for (std::size_t r = 0; r < rows; ++r)
            atom_x_[t].row(atoms_[t].z[r]) += atoms_[t].d[r] * x_.row(static_cast<Eigen::Index>(r));
    }
}

bool GaussianRows::prepare(const Eigen::VectorXd& theta) {
    last_theta_.resize(0);  // (residuals() sets it, at this theta)
    sigma_ = evaluator_.invariant_gradient(theta, sigma_node_, sigma_gradient_);
    if (!(sigma_ > 0) || !std::isfinite(sigma_)) return false;
    // Each scale node's value and gradient once.
    std::map<int, std::pair<double, Eigen::VectorXd>> scales;
    for (const Atom& a : atoms_)
        for (const NodePower& f : a.scale)
            if (!scales.count(f.node)) {
                Eigen::VectorXd gradient;
                const double v = evaluator_.invariant_gradient(theta, f.node, gradient);
                scales.emplace(f.node, std::make_pair(v, std::move(gradient)));
            }
    p_.resize(static_cast<Eigen::Index>(atoms_.size()));
    p_gradient_.resize(atoms_.size());
    for (std::size_t t = 0; t < atoms_.size(); ++t) {
        const auto& scale = atoms_[t].scale;
        double product = 1;
        Eigen::VectorXd gradient = Eigen::VectorXd::Zero(dimension_);
        // The product rule without dividing by a factor (a scale may be 0).
        for (std::size_t k = 0; k < scale.size(); ++k) {
            const auto& [v, dv] = scales.at(scale[k].node);
            product *= scale[k].power > 0 ? v : 1 / v;
            double others = scale[k].power > 0 ? 1 : -1 / (v * v);
            for (std::size_t j = 0; j < scale.size(); ++j)
                if (j != k) {
                    const double w = scales.at(scale[j].node).first;
                    others *= scale[j].power > 0 ? w : 1 / w;
                }
            add_scaled(gradient, others, dv);
        }
        p_[static_cast<Eigen::Index>(t)] = product;
        p_gradient_[t] = std::move(gradient);
    }
    return p_.allFinite();
}

void GaussianRows::residuals(const Eigen::VectorXd& theta, const Eigen::VectorXd& z) {
    Eigen::VectorXd beta(static_cast<Eigen::Index>(fixed_.size()));
    for (std::size_t j = 0; j < fixed_.size(); ++j) beta[static_cast<Eigen::Index>(j)] = theta[fixed_[j]];
    r_ = y_;
    if (beta.size() > 0) r_.noalias() -= x_ * beta;
    const auto rows = static_cast<std::size_t>(rows_);
    for (std::size_t t = 0; t < atoms_.size(); ++t) {
        const double p = p_[static_cast<Eigen::Index>(t)];
        const Atom& a = atoms_[t];
        for (std::size_t r = 0; r < rows; ++r) r_[static_cast<Eigen::Index>(r)] -= p * a.d[r] * z[a.z[r]];
    }
    rr_ = r_.squaredNorm();
    atom_r_.resize(atoms_.size());
    for (std::size_t t = 0; t < atoms_.size(); ++t) {
        const Atom& a = atoms_[t];
        atom_r_[t] = Eigen::VectorXd::Zero(effect_size_);
        for (std::size_t r = 0; r < rows; ++r) atom_r_[t][a.z[r]] += a.d[r] * r_[static_cast<Eigen::Index>(r)];
    }
    x_r_ = x_.cols() > 0 ? Eigen::VectorXd(x_.transpose() * r_) : Eigen::VectorXd();
    last_theta_ = theta;
    last_z_ = z;
}

double GaussianRows::nll_value() const {
    return rows_ * (std::log(sigma_) + 0.5 * std::log(2 * std::numbers::pi)) + rr_ / (2 * sigma_ * sigma_);
}

double GaussianRows::nll(const Eigen::VectorXd& theta, const Eigen::VectorXd& z) {
    if (!prepare(theta)) return infinity;
    residuals(theta, z);
    return nll_value();
}

double GaussianRows::nll_effects(const Eigen::VectorXd& theta, const Eigen::VectorXd& z, Eigen::VectorXd& gradient,
                                 EffectDerivatives& d, bool hessian, bool cross) {
    if (!prepare(theta)) return infinity;
    residuals(theta, z);
    const double f = nll_value();
    const double s2 = sigma_ * sigma_;
    gradient = Eigen::VectorXd::Zero(dimension_);
    add_scaled(gradient, rows_ / sigma_ - rr_ / (s2 * sigma_), sigma_gradient_);
    d.gradient_z = Eigen::VectorXd::Zero(effect_size_);
    for (std::size_t t = 0; t < atoms_.size(); ++t) {
        const double p = p_[static_cast<Eigen::Index>(t)];
        d.gradient_z -= (p / s2) * atom_r_[t];
        if (varying_[t]) add_scaled(gradient, -z.dot(atom_r_[t]) / s2, p_gradient_[t]);
    }
    for (std::size_t j = 0; j < fixed_.size(); ++j) gradient[fixed_[j]] -= x_r_[static_cast<Eigen::Index>(j)] / s2;
    if (hessian) {
        d.zz.assign(pattern_.row.size(), 0.0);
        for (std::size_t k = 0; k < pattern_.row.size(); ++k) {
            const auto& a = atoms_at(pattern_.row[k]);
            const auto& b = atoms_at(entry_column_[k]);
            double h = 0;
            std::size_t g = gram_start_[k];
            for (const int t : a)
                for (const int u : b) h += p_[t] * p_[u] * gram_[g++];
            d.zz[k] = h / s2;
        }
    }
    d.ztheta = Eigen::MatrixXd::Constant(effect_size_, dimension_, std::numeric_limits<double>::quiet_NaN());
    if (cross) {
        d.ztheta.setZero();
        add_cross(z, d.gradient_z, d.ztheta);
    }
    return f;
}

// H_z,theta = d gradient_z / d theta, gradient_z = -B'r / sigma^2:
// through sigma, through each P_u (B'r changes by S_u'r on u's coordinates
// and by -B'S_u z through r) and through b (B'X / sigma^2).
void GaussianRows::add_cross(const Eigen::VectorXd& z, const Eigen::VectorXd& gradient_z,
                             Eigen::MatrixXd& ztheta) const {
    const double s2 = sigma_ * sigma_;
    ztheta.noalias() += (-2 / sigma_) * gradient_z * sigma_gradient_.transpose();
    // m_u = B'S_u z, by the Gram entries: entry (a, b) holds S_t'S_u at
    // (a, b) for t on a's effect and u on b's.
    std::vector<Eigen::VectorXd> m(atoms_.size());
    for (std::size_t t = 0; t < atoms_.size(); ++t)
        if (varying_[t]) m[t] = Eigen::VectorXd::Zero(effect_size_);
    for (std::size_t k = 0; k < pattern_.row.size(); ++k) {
        const int row = pattern_.row[k], col = entry_column_[k];
        const auto& a = atoms_at(row);
        const auto& b = atoms_at(col);
        std::size_t g = gram_start_[k];
        for (const int t : a)
            for (const int u : b) {
                const double v = gram_[g++];
                if (varying_[static_cast<std::size_t>(u)]) m[static_cast<std::size_t>(u)][row] += p_[t] * v * z[col];
                if (row != col && varying_[static_cast<std::size_t>(t)])
                    m[static_cast<std::size_t>(t)][col] += p_[u] * v * z[row];
            }
    }
    for (std::size_t u = 0; u < atoms_.size(); ++u)
        if (varying_[u]) ztheta.noalias() += (-1 / s2) * (atom_r_[u] - m[u]) * p_gradient_[u].transpose();
    for (std::size_t t = 0; t < atoms_.size(); ++t)
        for (std::size_t j = 0; j < fixed_.size(); ++j)
            ztheta.col(fixed_[j]) +=
                (p_[static_cast<Eigen::Index>(t)] / s2) * atom_x_[t].col(static_cast<Eigen::Index>(j));
}

double GaussianRows::trace_gradient(const Eigen::VectorXd& theta, const Eigen::VectorXd& z,
                                    const std::vector<double>& p, Eigen::VectorXd& gradient_theta,
                                    Eigen::VectorXd& gradient_z) {
    gradient_z = Eigen::VectorXd::Zero(effect_size_);
    const bool again =
        last_theta_.size() == theta.size() && last_theta_ == theta && last_z_.size() == z.size() && last_z_ == z;
    if (!again) {
        if (!prepare(theta)) {
            gradient_theta = Eigen::VectorXd::Constant(dimension_, std::numeric_limits<double>::quiet_NaN());
            return infinity;
        }
        residuals(theta, z);
    }
    // Q_tu = sum over entries of P's weight (twice off the diagonal) times
    // the Gram value: 1/2 tr(P H) = 1/2 sum_tu Q_tu P_t P_u / sigma^2.
    const auto count = static_cast<Eigen::Index>(atoms_.size());
    Eigen::MatrixXd q = Eigen::MatrixXd::Zero(count, count);
    for (std::size_t k = 0; k < pattern_.row.size(); ++k) {
        const int row = pattern_.row[k], col = entry_column_[k];
        const double w = (row == col ? 1.0 : 2.0) * p[k];
        const auto& a = atoms_at(row);
        const auto& b = atoms_at(col);
        std::size_t g = gram_start_[k];
        for (const int t : a)
            for (const int u : b) q(t, u) += w * gram_[g++];
    }
    const double s2 = sigma_ * sigma_;
    const double s = p_.dot(q * p_);
    gradient_theta = Eigen::VectorXd::Zero(dimension_);
    add_scaled(gradient_theta, -s / (s2 * sigma_), sigma_gradient_);
    // d/dP_t = sum_u (Q_tu + Q_ut) P_u / (2 sigma^2)
    const Eigen::VectorXd adjoint = 0.5 * (q + q.transpose()) * p_ / s2;
    for (std::size_t t = 0; t < atoms_.size(); ++t)
        if (varying_[t]) add_scaled(gradient_theta, adjoint[static_cast<Eigen::Index>(t)], p_gradient_[t]);
    return nll_value();
}

}  // namespace mlec::rt

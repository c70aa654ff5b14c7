// The evaluator's joint sweep in the parameters theta and the random effects
// z (Coordinates::parameters_and_effects), what the Laplace approximation's
// inner Newton solve needs (docs/architecture.md, "Random effects").
//
// Each row's likelihood reads theta and, for each effect e, one coordinate
// z_e(row) = z[first_e + level_e(row) - 1]. In the row's local coordinates
// (theta, the effects' values) the evaluator's tangents and second-order
// chain rule work unchanged; only the sums differ. Entries of the Hessian in
// theta alone are summed over the rows of a block as before, but an entry
// with an effect coordinate belongs to that row's level: the blocks write
// each row's entries (its gradient in its effects, and its Hessian rows of
// its effects) into per-row buffers, and one pass in row order adds them
// into z's gradient, H_zz (on a sparse pattern fixed by the data) and
// H_z,theta. Rows are disjoint between the blocks, and the final pass has a
// fixed order, so every thread count gives the same bits.
#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "runtime/evaluator.hpp"

namespace mlec::rt {

void Evaluator::set_effects(const Eigen::VectorXd& z) { z_ = z; }

// z's index of effect e on `row`, or -1 where the row's level is not one of
// the effect's (the effect node is NaN there, and so is the likelihood).
int Evaluator::z_index(int effect, std::size_t row) const {
    const Effect& e = graph_.effects()[static_cast<std::size_t>(effect)];
    if (e.index < 0) return e.first;  // one level, every row's
    const Node& index = graph_.node(e.index);
    const double level = columns_[static_cast<std::size_t>(index.column)][row];
    // Compared as a double: converting a value beyond int's range would be undefined.
    if (!(level >= 1 && level <= static_cast<double>(e.levels))) return -1;
    return e.first + static_cast<int>(level) - 1;
}

void Evaluator::fill_effects(Workspace& ws, int id, std::size_t n) const {
    const Node& node = graph_.node(id);
    const Effect& e = graph_.effects()[static_cast<std::size_t>(node.effect)];
    double* out = ws.value[static_cast<std::size_t>(id)].data();
    if (e.index < 0) {  // one level, every row's
        std::fill_n(out, n, z_[e.first]);
        return;
    }
    const double* level = value_ptr(ws, e.index, ws.begin);
    const auto levels = static_cast<double>(e.levels);
    for (std::size_t r = 0; r < n; ++r) {
        const double l = level[r];
        out[r] =
            l >= 1 && l <= levels ? z_[e.first + static_cast<int>(l) - 1] : std::numeric_limits<double>::quiet_NaN();
    }
}

// H_zz's lower triangle: the diagonal (the prior's identity is added there),
// and (z_e(row), z_f(row)) for every row and pair of effects e > f. Effects
// own consecutive ranges of z in their order, so z_e(row) > z_f(row).
void Evaluator::build_pattern() {
    const auto& effects = graph_.effects();
    const int m = static_cast<int>(effects.size());
    const int q = graph_.effect_size();
    effect_node_.assign(static_cast<std::size_t>(m), -1);
    for (std::size_t id = 0; id < graph_.nodes().size(); ++id)
        if (graph_.nodes()[id].kind == NodeKind::effect)
            effect_node_[static_cast<std::size_t>(graph_.nodes()[id].effect)] = static_cast<int>(id);

    std::vector<std::pair<int, int>> entries;  // (column, row)
    entries.reserve(static_cast<std::size_t>(q) + rows_ * static_cast<std::size_t>(m * (m - 1) / 2));
    for (int j = 0; j < q; ++j) entries.emplace_back(j, j);
    std::vector<int> z(static_cast<std::size_t>(m));
    for (std::size_t r = 0; r < rows_; ++r) {
        for (int e = 0; e < m; ++e) z[static_cast<std::size_t>(e)] = z_index(e, r);
        for (int e = 0; e < m; ++e)
            for (int f = 0; f < e; ++f)
                if (z[static_cast<std::size_t>(e)] >= 0 && z[static_cast<std::size_t>(f)] >= 0)
                    entries.emplace_back(z[static_cast<std::size_t>(f)], z[static_cast<std::size_t>(e)]);
    }
    std::sort(entries.begin(), entries.end());
    entries.erase(std::unique(entries.begin(), entries.end()), entries.end());
    pattern_.col_start.assign(static_cast<std::size_t>(q) + 1, 0);
    pattern_.row.clear();
    pattern_.row.reserve(entries.size());
    for (const auto& [col, row] : entries) {
        ++pattern_.col_start[static_cast<std::size_t>(col) + 1];
        pattern_.row.push_back(row);
    }
    for (int j = 0; j < q; ++j)
        pattern_.col_start[static_cast<std::size_t>(j) + 1] += pattern_.col_start[static_cast<std::size_t>(j)];

    // Each row's pairs e >= f, packed as pair_index(f, e, m), and where
    // their entry lies in the pattern.
    const auto pairs = static_cast<std::size_t>(pair_count(m));
    pair_position_.assign(rows_ * pairs, -1);
    for (std::size_t r = 0; r < rows_; ++r) {
        for (int e = 0; e < m; ++e) z[static_cast<std::size_t>(e)] = z_index(e, r);
        for (int e = 0; e < m; ++e) {
            for (int f = 0; f <= e; ++f) {
                const int row = z[static_cast<std::size_t>(e)];
                const int col = z[static_cast<std::size_t>(f)];
                if (row < 0 || col < 0) continue;
                const auto begin = pattern_.row.begin() + pattern_.col_start[static_cast<std::size_t>(col)];
                const auto end = pattern_.row.begin() + pattern_.col_start[static_cast<std::size_t>(col) + 1];
                const auto it = std::lower_bound(begin, end, row);
                pair_position_[r * pairs + static_cast<std::size_t>(pair_index(f, e, m))] =
                    static_cast<int>(it - pattern_.row.begin());
            }
        }
    }
    const auto width = static_cast<std::size_t>(graph_.parameter_count() + m);
    row_gradient_.assign(static_cast<std::size_t>(m) * rows_, 0.0);
    row_hessian_.assign(static_cast<std::size_t>(m) * width * rows_, 0.0);
}

// The block's rows of dNLL/dz_e(row): the effect nodes' adjoints.
void Evaluator::effect_rows_gradient(const Workspace& ws, std::size_t n) {
    for (std::size_t e = 0; e < effect_node_.size(); ++e) {
        double* out = row_gradient_.data() + e * rows_ + ws.begin;
        const int id = effect_node_[e];
        const auto& adjoint = ws.adjoint[static_cast<std::size_t>(id)];
        // An effect no term reads has no adjoint in this sweep.
        const bool read = id >= 0 && !adjoint.empty() &&
                          std::find(current_varying_->begin(), current_varying_->end(), id) != current_varying_->end();
        if (read) std::copy_n(adjoint.data(), n, out);
        else std::fill_n(out, n, 0.0);
    }
}

void Evaluator::clear_effect_rows(const Workspace& ws, std::size_t n) {
    const std::size_t segments = row_hessian_.size() / std::max<std::size_t>(rows_, 1);
    const auto parameters = static_cast<std::size_t>(graph_.parameter_count());
    const std::size_t width = parameters + effect_node_.size();
    for (std::size_t k = 0; k < segments; ++k)
        if (effect_cross_ || k % width >= parameters) std::fill_n(row_hessian_.data() + k * rows_ + ws.begin, n, 0.0);
}

// For inputs in_i, in_j with weights w (adjoint times second partial):
// row r's Hessian rows of its effects gain w(r) t_i(r) t_j(r)^T, restricted
// to rows that are effect coordinates of t_i (and, for a pair of distinct
// inputs, the transpose's). A row-invariant input has no effect coordinate
// and a tangent that is one row for all rows.
void Evaluator::add_effect_rows(Workspace& ws, int in_i, int in_j, const Eigen::Ref<const Eigen::VectorXd>& w,
                                bool symmetric_pair) {
    const int parameters = graph_.parameter_count();
    const auto width = static_cast<std::size_t>(parameters) + effect_node_.size();
    const Eigen::Index len = w.size();
    const auto add = [&](int a_node, int b_node) {
        const auto& a_coords = coords(a_node);
        const auto& b_coords = coords(b_node);
        const Node& b = graph_.node(b_node);
        for (std::size_t alpha = 0; alpha < a_coords.size(); ++alpha) {
            if (a_coords[alpha] < parameters) continue;
            const auto e = static_cast<std::size_t>(a_coords[alpha] - parameters);
            const auto ta =
                ws.tangent[static_cast<std::size_t>(a_node)].col(static_cast<Eigen::Index>(alpha)).head(len);
            for (std::size_t beta = 0; beta < b_coords.size(); ++beta) {
                if (!effect_cross_ && b_coords[beta] < parameters) continue;
                const auto a = static_cast<std::size_t>(b_coords[beta]);
                Col out(row_hessian_.data() + (e * width + a) * rows_ + ws.begin, len);
                if (b.row_invariant)
                    out += w.array() * ta.array() *
                           invariant_tangent_[static_cast<std::size_t>(b_node)](0, static_cast<Eigen::Index>(beta));
                else
                    out += w.array() * ta.array() *
                           ws.tangent[static_cast<std::size_t>(b_node)]
                               .col(static_cast<Eigen::Index>(beta))
                               .head(len)
                               .array();
            }
        }
    };
    if (!graph_.node(in_i).row_invariant) add(in_i, in_j);
    if (symmetric_pair && !graph_.node(in_j).row_invariant) add(in_j, in_i);
}

// The rows' entries added into z's, row after row: a fixed order.
// Effect by effect and buffer by buffer, each read in row order: the
// buffers are effect-major, so a row-major pass would stride across them
// (rows_ doubles apart) and miss the cache on every entry. The sums are the
// same: effects own disjoint ranges of z, so every entry of the results is
// reached from one effect (or one pair of effects) alone, and is still
// summed in row order.
void Evaluator::sum_effect_rows(EffectDerivatives& out, bool hessian) const {
    const int parameters = graph_.parameter_count();
    const int m = static_cast<int>(effect_node_.size());
    const auto width = static_cast<std::size_t>(parameters + m);
    const auto pairs = static_cast<std::size_t>(pair_count(m));
    out.gradient_z.setZero(graph_.effect_size());
    if (hessian) {
        out.zz.assign(pattern_.row.size(), 0.0);
        if (effect_cross_) out.ztheta.setZero(graph_.effect_size(), parameters);
        else out.ztheta.setConstant(graph_.effect_size(), parameters, std::numeric_limits<double>::quiet_NaN());
    }
    std::vector<int> z(rows_);  // z's index of effect e on each row
    for (int e = 0; e < m; ++e) {
        const auto ue = static_cast<std::size_t>(e);
        for (std::size_t r = 0; r < rows_; ++r) z[r] = z_index(e, r);
        const double* g = row_gradient_.data() + ue * rows_;
        for (std::size_t r = 0; r < rows_; ++r)
            if (z[r] >= 0) out.gradient_z[z[r]] += g[r];
        if (!hessian) continue;
        for (int a = 0; a < (effect_cross_ ? parameters : 0); ++a) {
            const double* h = row_hessian_.data() + (ue * width + static_cast<std::size_t>(a)) * rows_;
            double* column = out.ztheta.col(a).data();
            for (std::size_t r = 0; r < rows_; ++r)
                if (z[r] >= 0) column[z[r]] += h[r];
        }
        for (int f = 0; f <= e; ++f) {
            const double* h = row_hessian_.data() + (ue * width + static_cast<std::size_t>(parameters + f)) * rows_;
            const int* position = pair_position_.data() + static_cast<std::size_t>(pair_index(f, e, m));
            for (std::size_t r = 0; r < rows_; ++r) {
                const int pos = position[r * pairs];
                if (z[r] >= 0 && pos >= 0) out.zz[static_cast<std::size_t>(pos)] += h[r];
            }
        }
    }
}

double Evaluator::nll_effects(const Eigen::VectorXd& theta, Eigen::VectorXd& gradient, EffectDerivatives& derivatives,
                              bool hessian, bool cross) {
    effect_cross_ = cross;
    const double f = run(theta, hessian ? Mode::hessian : Mode::gradient, &gradient, nullptr);
    if (std::isfinite(f)) sum_effect_rows(derivatives, hessian);
    return f;
}

double Evaluator::nll_effects_scaled(const Eigen::VectorXd& theta, const RowScale& scale, Eigen::VectorXd& gradient,
                                     EffectDerivatives& derivatives) {
    row_scale_ = &scale;
    const double f = nll_effects(theta, gradient, derivatives, false);
    row_scale_ = nullptr;
    return f;
}

}  // namespace mlec::rt

// The derivative of the Hessian in the random effects, contracted with a
// fixed matrix: what the exact gradient of the Laplace approximation's
// 1/2 log det H needs (Kristensen et al. 2016, "TMB", eq. 7 ff.).
//
// For P held fixed (the selected inverse of H), the function
//     phi(theta, z) = 1/2 tr(P H_zz) = sum over rows r of 1/2 <W_r, S_r>,
// W_r = P at the row's pairs of effects, S_r = the row's NLL's second
// derivatives in its effects' values s, is differentiated here in every
// coordinate. Each node n carries, besides its value x_n,
//     xd_n  = dx_n/ds            (its tangent's effect columns, tangent_block)
//     xdd_n = d2x_n/ds2 = sum_i d1_i xdd_i + sum_ij d2_ij xd_i xd_j'
// (second_forward), and phi = sum_terms seed * 1/2 <W, xdd_term>. The reverse
// sweep of that computation has three adjoints per node: of xdd_n, which is
// 1/2 adj_n W (xdd flows through the d1 as the value's adjoint does, adj_n
// the ordinary adjoint); of xd_n, B_n; and of x_n, C_n:
//     B_i += d1_i B_n + adj_n sum_j d2_ij W xd_j
//     C_i += d1_i C_n + sum_j d2_ij (B_n . xd_j) + 1/2 adj_n sum_j d2_ij <W, xdd_j>
//                     + 1/2 adj_n sum_jk d3_ijk xd_j' W xd_k
// (sums over all inputs, d2 and d3 symmetric). C at an effect node is dphi/ds
// on that row; C summed over the rows at the row-invariant nodes is swept to
// theta like an ordinary adjoint. Every op on the way from the effects needs
// its third partials (op.hpp, OpDef::third).
#include <algorithm>
#include <cmath>

#include "runtime/evaluator.hpp"

namespace mlec::rt {

namespace {

// Whether an op's third partials are all zero, known from its flags.
bool zero_third(const OpDef& op) { return op.linear || op.product || op.constant_partial; }

}  // namespace

std::string_view Evaluator::missing_third_partials() const {
    for (int id : live_varying_) {
        const Node& node = graph_.node(id);
        if (node.kind == NodeKind::op && !node.effects.empty() && !zero_third(*node.op) && !node.op->third)
            return node.op->name;
    }
    return {};
}

bool Evaluator::wants_third(int id, int i, int j, int k) const {
    const Node& node = graph_.node(id);
    int with_effects = 0;
    for (int input : {i, j, k}) {
        const int in = node.inputs[static_cast<std::size_t>(input)];
        if (!has_coords(in)) return false;
        if (!graph_.node(in).effects.empty()) ++with_effects;
    }
    // Only d3_ijk with two inputs that carry effects meets xd_j' W xd_k.
    return with_effects >= 2;
}

void Evaluator::prepare_third(Workspace& ws, int id) {
    const Node& node = graph_.node(id);
    if (ws.third.size() != graph_.nodes().size()) ws.third.resize(graph_.nodes().size());
    if (!has_coords(id)) return;
    Workspace::Third& t = ws.third[static_cast<std::size_t>(id)];
    if (t.value_adjoint.empty()) t.value_adjoint.assign(block_rows_, 0.0);
    const int k = static_cast<int>(node.effects.size());
    if (node.kind != NodeKind::op || k == 0) return;
    if (t.second.empty()) t.second.assign(static_cast<std::size_t>(pair_count(k)), Buffer(block_rows_, 0.0));
    if (t.tangent_adjoint.empty()) t.tangent_adjoint.assign(static_cast<std::size_t>(k), Buffer(block_rows_, 0.0));
    if (t.d3.empty() && !zero_third(*node.op) && node.op->third)
        t.d3.assign(static_cast<std::size_t>(triple_count(static_cast<int>(node.inputs.size()))),
                    Buffer(block_rows_, 0.0));
}

void Evaluator::third_partials(Workspace& ws, int id, std::size_t n, std::vector<Col>& d3) {
    const Node& node = graph_.node(id);
    Workspace::Third& t = ws.third[static_cast<std::size_t>(id)];
    if (t.d3.empty()) return;
    const int a = static_cast<int>(node.inputs.size());
    const auto len = static_cast<Eigen::Index>(n);
    d3.reserve(static_cast<std::size_t>(triple_count(a)));
    for (int i = 0; i < a; ++i)
        for (int j = i; j < a; ++j)
            for (int k = j; k < a; ++k) {
                if (wants_third(id, i, j, k))
                    d3.emplace_back(t.d3[static_cast<std::size_t>(triple_index(i, j, k, a))].data(), len);
                else d3.emplace_back(nullptr, 0);
            }
}

namespace {

// Input i's effects as positions among its user's effects, and back: the
// user's effect A is the input's effect inverse[A] (-1: the input has none).
std::vector<int> positions_in(const std::vector<int>& user, const std::vector<int>& input) {
    std::vector<int> out;
    for (int e : input) out.push_back(static_cast<int>(std::lower_bound(user.begin(), user.end(), e) - user.begin()));
    return out;
}

std::vector<int> inverse_positions(const std::vector<int>& user, const std::vector<int>& input) {
    std::vector<int> out(user.size(), -1);
    for (std::size_t a = 0; a < input.size(); ++a) {
        const auto it = std::lower_bound(user.begin(), user.end(), input[a]);
        out[static_cast<std::size_t>(it - user.begin())] = static_cast<int>(a);
    }
    return out;
}

// xd of input i of `node` in the node's effect a (inverse: inverse_positions
// per input), or null when the input has no such effect.
const double* effect_tangent(const Graph& graph, const std::vector<Eigen::MatrixXd>& tangent, const Node& node,
                             const std::vector<std::vector<int>>& inverse, int i, int a) {
    const int at = inverse[static_cast<std::size_t>(i)][static_cast<std::size_t>(a)];
    if (at < 0) return nullptr;
    const int in = node.inputs[static_cast<std::size_t>(i)];
    return tangent[static_cast<std::size_t>(in)].col(static_cast<Eigen::Index>(graph.node(in).deps.size()) + at).data();
}

}  // namespace

// xdd_n = sum_i d1_i xdd_i + sum_ij d2_ij xd_i xd_j', over the node's effects.
void Evaluator::second_forward(Workspace& ws, std::size_t n) {
    const auto len = static_cast<Eigen::Index>(n);
    for (int id : *current_varying_) {
        const Node& node = graph_.node(id);
        const auto& effects = node.effects;
        const int k = static_cast<int>(effects.size());
        if (node.kind != NodeKind::op || k == 0) continue;
        auto& second = ws.third[static_cast<std::size_t>(id)].second;
        for (Buffer& b : second) std::fill_n(b.begin(), n, 0.0);
        const int arity = static_cast<int>(node.inputs.size());
        std::vector<std::vector<int>> inverse(static_cast<std::size_t>(arity));
        const auto xd = [&](int i, int a) { return effect_tangent(graph_, ws.tangent, node, inverse, i, a); };
        for (int i = 0; i < arity; ++i) {
            const int in = node.inputs[static_cast<std::size_t>(i)];
            inverse[static_cast<std::size_t>(i)] = inverse_positions(effects, graph_.node(in).effects);
            const Node& child = graph_.node(in);
            if (child.effects.empty() || child.kind != NodeKind::op) continue;  // an effect's xdd is 0
            const Partial d = partial(ws, id, static_cast<std::size_t>(i));
            const auto map = positions_in(effects, child.effects);
            const int ki = static_cast<int>(child.effects.size());
            const auto& child_second = ws.third[static_cast<std::size_t>(in)].second;
            for (int a = 0; a < ki; ++a)
                for (int b = a; b < ki; ++b) {
                    Col out(second[static_cast<std::size_t>(pair_index(map[static_cast<std::size_t>(a)],
                                                                       map[static_cast<std::size_t>(b)], k))]
                                .data(),
                            len);
                    const ConstCol from(child_second[static_cast<std::size_t>(pair_index(a, b, ki))].data(), len);
                    if (d.rows) out += ConstCol(d.rows, len) * from;
                    else out += d.scalar * from;
                }
        }
        for (int i = 0; i < arity; ++i) {
            for (int j = i; j < arity; ++j) {
                const double* d2 = nullptr;
                if (node.op->product) {
                    if (!(i % 2 == 0 && j == i + 1)) continue;  // d2 = 1 for the pair (2k, 2k+1)
                } else {
                    if (node.op->linear || ws.d2[static_cast<std::size_t>(id)].empty()) continue;
                    if (!has_coords(node.inputs[static_cast<std::size_t>(i)]) ||
                        !has_coords(node.inputs[static_cast<std::size_t>(j)]))
                        continue;
                    d2 = ws.d2[static_cast<std::size_t>(id)][static_cast<std::size_t>(pair_index(i, j, arity))].data();
                }
                for (int a = 0; a < k; ++a)
                    for (int b = a; b < k; ++b) {
                        const double *ia = xd(i, a), *jb = xd(j, b), *ja = xd(j, a), *ib = xd(i, b);
                        Col out(second[static_cast<std::size_t>(pair_index(a, b, k))].data(), len);
                        Eigen::ArrayXd v = Eigen::ArrayXd::Zero(len);
                        if (ia && jb) v += ConstCol(ia, len) * ConstCol(jb, len);
                        if (i != j && ja && ib) v += ConstCol(ja, len) * ConstCol(ib, len);
                        if (d2) out += ConstCol(d2, len) * v;
                        else out += v;
                    }
            }
        }
        if (conditional_[static_cast<std::size_t>(id)]) {
            const ConstCol active(ws.active[static_cast<std::size_t>(id)].data(), len);
            for (Buffer& b : second) Col(b.data(), len) = (active != 0).select(Col(b.data(), len), 0.0);
        }
    }
}

void Evaluator::third_reverse(Workspace& ws, std::size_t n, std::vector<double>& invariant_adjoint) {
    const auto len = static_cast<Eigen::Index>(n);
    const int m = static_cast<int>(graph_.effects().size());
    for (int id : *current_varying_) {
        if (!has_coords(id)) continue;
        Workspace::Third& t = ws.third[static_cast<std::size_t>(id)];
        std::fill_n(t.value_adjoint.begin(), n, 0.0);
        for (Buffer& b : t.tangent_adjoint) std::fill_n(b.begin(), n, 0.0);
    }
    for (auto it = current_varying_->rbegin(); it != current_varying_->rend(); ++it) {
        const int id = *it;
        const auto uid = static_cast<std::size_t>(id);
        const Node& node = graph_.node(id);
        if (node.kind != NodeKind::op || !has_coords(id)) continue;
        if (conditional_[uid] && !ws.any_active[uid]) continue;
        const auto& effects = node.effects;
        const int k = static_cast<int>(effects.size());
        const int arity = static_cast<int>(node.inputs.size());
        Workspace::Third& t = ws.third[uid];
        const ConstCol c_n(t.value_adjoint.data(), len);
        const ConstCol adj(ws.adjoint[uid].data(), len);
        // W at the node's pairs of effects, row by row.
        const auto w = [&](int a, int b) {
            const int ea = effects[static_cast<std::size_t>(std::min(a, b))];
            const int eb = effects[static_cast<std::size_t>(std::max(a, b))];
            return ConstCol(row_weight_.data() + static_cast<std::size_t>(pair_index(ea, eb, m)) * rows_ + ws.begin,
                            len);
        };
        std::vector<std::vector<int>> inverse(static_cast<std::size_t>(arity));
        for (int i = 0; i < arity; ++i)
            inverse[static_cast<std::size_t>(i)] =
                inverse_positions(effects, graph_.node(node.inputs[static_cast<std::size_t>(i)]).effects);
        const auto xd = [&](int i, int a) { return effect_tangent(graph_, ws.tangent, node, inverse, i, a); };
        // d2_ij over the block, or a constant (a product's pairs), or none.
        const auto d2 = [&](int i, int j, double& constant) -> const double* {
            constant = 0;
            if (node.op->linear) return nullptr;
            if (node.op->product) {
                if (std::min(i, j) % 2 == 0 && std::max(i, j) == std::min(i, j) + 1) constant = 1;
                return nullptr;
            }
            if (ws.d2[uid].empty()) return nullptr;
            return ws.d2[uid][static_cast<std::size_t>(pair_index(i, j, arity))].data();
        };
        // (W xd_j)_A and xd_j' W xd_l over the node's effects.
        const auto w_xd = [&](int j, int a) {
            Eigen::ArrayXd v = Eigen::ArrayXd::Zero(len);
            for (int b = 0; b < k; ++b)
                if (const double* x = xd(j, b)) v += w(a, b) * ConstCol(x, len);
            return v;
        };
        Eigen::ArrayXd c_i(len);
        for (int i = 0; i < arity; ++i) {
            const int in = node.inputs[static_cast<std::size_t>(i)];
            if (!has_coords(in)) continue;
            const Node& child = graph_.node(in);
            const Partial d1 = partial(ws, id, static_cast<std::size_t>(i));
            if (d1.rows) c_i = ConstCol(d1.rows, len) * c_n;
            else c_i = d1.scalar * c_n;
            if (k > 0) {
                for (int j = 0; j < arity; ++j) {
                    const Node& cj = graph_.node(node.inputs[static_cast<std::size_t>(j)]);
                    if (cj.effects.empty()) continue;
                    double constant = 0;
                    const double* d2ij = d2(i, j, constant);
                    if (!d2ij && constant == 0) continue;
                    // B_n . xd_j + 1/2 adj <W, xdd_j>
                    Eigen::ArrayXd v = Eigen::ArrayXd::Zero(len);
                    for (int a = 0; a < k; ++a)
                        if (const double* x = xd(j, a))
                            v +=
                                ConstCol(t.tangent_adjoint[static_cast<std::size_t>(a)].data(), len) * ConstCol(x, len);
                    if (cj.kind == NodeKind::op) {
                        const auto map = positions_in(effects, cj.effects);
                        const int kj = static_cast<int>(cj.effects.size());
                        const auto& second =
                            ws.third[static_cast<std::size_t>(node.inputs[static_cast<std::size_t>(j)])].second;
                        for (int a = 0; a < kj; ++a)
                            for (int b = a; b < kj; ++b)
                                v += (a == b ? 0.5 : 1.0) * adj *
                                     w(map[static_cast<std::size_t>(a)], map[static_cast<std::size_t>(b)]) *
                                     ConstCol(second[static_cast<std::size_t>(pair_index(a, b, kj))].data(), len);
                    }
                    if (d2ij) c_i += ConstCol(d2ij, len) * v;
                    else c_i += constant * v;
                    // B_i += adj d2_ij W xd_j, in the input's own effects.
                    if (child.kind == NodeKind::op && !child.effects.empty())
                        for (int a = 0; a < k; ++a) {
                            const int at = inverse[static_cast<std::size_t>(i)][static_cast<std::size_t>(a)];
                            if (at < 0) continue;
                            Col b(ws.third[static_cast<std::size_t>(in)]
                                      .tangent_adjoint[static_cast<std::size_t>(at)]
                                      .data(),
                                  len);
                            if (d2ij) b += adj * ConstCol(d2ij, len) * w_xd(j, a);
                            else b += constant * adj * w_xd(j, a);
                        }
                }
                // 1/2 adj sum_jl d3_ijl xd_j' W xd_l
                if (!ws.third[uid].d3.empty()) {
                    for (int j = 0; j < arity; ++j)
                        for (int l = j; l < arity; ++l) {
                            if (!wants_third(id, i, j, l)) continue;
                            Eigen::ArrayXd q = Eigen::ArrayXd::Zero(len);
                            for (int a = 0; a < k; ++a)
                                if (const double* x = xd(j, a)) q += ConstCol(x, len) * w_xd(l, a);
                            if (q.isZero(0)) continue;
                            const ConstCol d3(
                                ws.third[uid].d3[static_cast<std::size_t>(triple_index(i, j, l, arity))].data(), len);
                            c_i += (j == l ? 0.5 : 1.0) * adj * d3 * q;
                        }
                }
                // B_i += d1_i B_n
                if (child.kind == NodeKind::op && !child.effects.empty())
                    for (int a = 0; a < k; ++a) {
                        const int at = inverse[static_cast<std::size_t>(i)][static_cast<std::size_t>(a)];
                        if (at < 0) continue;
                        Col b(
                            ws.third[static_cast<std::size_t>(in)].tangent_adjoint[static_cast<std::size_t>(at)].data(),
                            len);
                        const ConstCol bn(t.tangent_adjoint[static_cast<std::size_t>(a)].data(), len);
                        if (d1.rows) b += ConstCol(d1.rows, len) * bn;
                        else b += d1.scalar * bn;
                    }
            }
            if (child.row_invariant) invariant_adjoint[static_cast<std::size_t>(in)] += c_i.sum();
            else Col(ws.third[static_cast<std::size_t>(in)].value_adjoint.data(), len) += c_i;
        }
    }
}

void Evaluator::third_block(Workspace& ws, std::size_t n, std::vector<double>& invariant_adjoint) {
    tangent_block(ws, n);
    second_forward(ws, n);
    // The ordinary adjoints (their row-invariant sums are not wanted here).
    std::vector<double> unused(graph_.nodes().size(), 0.0);
    reverse_block(ws, n, unused);
    third_reverse(ws, n, invariant_adjoint);
    for (std::size_t e = 0; e < effect_node_.size(); ++e) {
        double* out = row_gradient_.data() + e * rows_ + ws.begin;
        const int id = effect_node_[e];
        const bool read =
            id >= 0 && std::find(current_varying_->begin(), current_varying_->end(), id) != current_varying_->end();
        if (read) std::copy_n(ws.third[static_cast<std::size_t>(id)].value_adjoint.data(), n, out);
        else std::fill_n(out, n, 0.0);
    }
}

double Evaluator::trace_gradient(const Eigen::VectorXd& theta, const std::vector<double>& p,
                                 Eigen::VectorXd& gradient_theta, Eigen::VectorXd& gradient_z) {
    const int m = static_cast<int>(graph_.effects().size());
    const auto pairs = static_cast<std::size_t>(pair_count(m));
    row_weight_.assign(pairs * rows_, 0.0);
    for (std::size_t r = 0; r < rows_; ++r)
        for (std::size_t k = 0; k < pairs; ++k) {
            const int pos = pair_position_[r * pairs + k];
            if (pos >= 0) row_weight_[k * rows_ + r] = p[static_cast<std::size_t>(pos)];
        }
    const double f = run(theta, Mode::third, &gradient_theta, nullptr);
    gradient_z.setZero(graph_.effect_size());
    if (!std::isfinite(f)) return f;
    for (int e = 0; e < m; ++e)
        for (std::size_t r = 0; r < rows_; ++r) {
            const int zi = z_index(e, r);
            if (zi >= 0) gradient_z[zi] += row_gradient_[static_cast<std::size_t>(e) * rows_ + r];
        }
    return f;
}

}  // namespace mlec::rt

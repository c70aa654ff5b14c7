#include "runtime/evaluator.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <thread>

namespace mlec::rt {

namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();

int resolve_threads(int requested) {
    if (requested > 0) return requested;
    const unsigned hw = std::thread::hardware_concurrency();
    return hw > 0 ? static_cast<int>(hw) : 1;
}

}  // namespace

Evaluator::Evaluator(const Graph& graph, std::vector<std::span<const double>> columns, std::size_t rows,
                     std::size_t block_rows, int threads, RowShare share, Coordinates coordinates)
    : graph_(graph), coordinates_(coordinates), columns_(std::move(columns)), rows_(rows),
      share_(share.collective ? share : RowShare{nullptr, 0, rows}),
      // Clamped by all ranks' rows, not this rank's: the blocks are the
      // ones a single machine would make.
      block_rows_(std::max<std::size_t>(1, std::min(block_rows, std::max<std::size_t>(share_.total_rows, 1)))),
      blocks_((rows + block_rows_ - 1) / block_rows_), threads_(resolve_threads(threads)), weight_(graph.weight()) {
    const auto& nodes = graph_.nodes();
    const std::size_t count = nodes.size();
    invariant_value_.assign(count, 0.0);
    invariant_d1_.resize(count);
    invariant_d2_.resize(count);
    invariant_tangent_.resize(count);
    invariant_adjoint_.assign(count, 0.0);
    broadcast_.resize(count);
    dep_position_.resize(count);
    coords_.resize(count);
    z_ = Eigen::VectorXd::Zero(graph_.effect_size());
    const int parameters = graph_.parameter_count();
    for (std::size_t id = 0; id < count; ++id) {
        coords_[id] = nodes[id].deps;
        if (joint())
            for (int e : nodes[id].effects) coords_[id].push_back(parameters + e);
    }

    std::vector<bool> feeds_varying(count, false);
    for (std::size_t id = 0; id < count; ++id) {
        const Node& n = nodes[id];
        if (n.row_invariant) {
            invariant_.push_back(static_cast<int>(id));
            if (n.kind == NodeKind::op) invariant_d1_[id].assign(n.inputs.size(), 0.0);
        } else {
            varying_.push_back(static_cast<int>(id));
            // A product reads its row-invariant factors as numbers, so only
            // other ops need them repeated over a block.
            if (n.kind == NodeKind::op && !n.op->product)
                for (int in : n.inputs)
                    if (graph_.node(in).row_invariant) feeds_varying[static_cast<std::size_t>(in)] = true;
        }
        if (n.kind == NodeKind::op) {
            dep_position_[id].resize(n.inputs.size());
            for (std::size_t i = 0; i < n.inputs.size(); ++i) {
                const std::vector<int>& own = coords_[id];
                for (int p : coords(n.inputs[i])) {
                    auto it = std::lower_bound(own.begin(), own.end(), p);
                    dep_position_[id][i].push_back(static_cast<int>(it - own.begin()));
                }
            }
        }
    }
    for (std::size_t id = 0; id < count; ++id)
        if (feeds_varying[id]) broadcast_[id].assign(block_rows_, 0.0);
    // The nodes the log-likelihood needs: nodes kept only for reports or
    // predictions are not evaluated by nll() and its derivatives.
    std::vector<bool> live(count, false);
    for (int t : graph_.terms()) live[static_cast<std::size_t>(t)] = true;
    if (weight_ >= 0) live[static_cast<std::size_t>(weight_)] = true;
    for (std::size_t t = 0; t < graph_.terms().size(); ++t)
        if (graph_.term_multiplier(t) >= 0) live[static_cast<std::size_t>(graph_.term_multiplier(t))] = true;
    for (std::size_t id = count; id-- > 0;)
        if (live[id])
            for (int in : nodes[id].inputs) live[static_cast<std::size_t>(in)] = true;
    for (int id : varying_)
        if (live[static_cast<std::size_t>(id)]) live_varying_.push_back(id);
    current_varying_ = &live_varying_;
    find_conditional(live);
    // More workers than blocks would only idle.
    threads_ =
        static_cast<int>(std::max<std::size_t>(1, std::min<std::size_t>(static_cast<std::size_t>(threads_), blocks_)));
    workspaces_.resize(static_cast<std::size_t>(threads_));
    sums_.resize(static_cast<std::size_t>(threads_));
    // The row-invariant nodes whose adjoints the blocks add to: those read
    // by a row-varying node.
    std::vector<bool> read_by_varying(count, false);
    for (int id : varying_)
        for (int in : nodes[static_cast<std::size_t>(id)].inputs)
            if (graph_.node(in).row_invariant && has_coords(in)) read_by_varying[static_cast<std::size_t>(in)] = true;
    for (int id : invariant_)
        if (read_by_varying[static_cast<std::size_t>(id)]) adjoint_nodes_.push_back(id);
    if (joint()) build_pattern();
}

// Buffers are allocated on first use and kept: the first write to fresh
// memory is slow on these machines, and every evaluation reuses them.
void Evaluator::prepare(Workspace& ws, Mode mode) {
    const auto& nodes = graph_.nodes();
    const std::size_t count = nodes.size();
    if (ws.value.size() != count) {
        ws.value.resize(count);
        ws.d1.resize(count);
        ws.d2.resize(count);
        ws.adjoint.resize(count);
        ws.tangent.resize(count);
        ws.active.resize(count);
        ws.any_active.assign(count, 1);
    }
    for (int id : varying_) {
        const auto uid = static_cast<std::size_t>(id);
        const Node& n = nodes[uid];
        if (n.kind == NodeKind::effect) {
            if (ws.value[uid].empty()) ws.value[uid].assign(block_rows_, 0.0);
            if (mode == Mode::value || !has_coords(id)) continue;
            if (mode == Mode::third) prepare_third(ws, id);
            // A leaf of the joint sweep: its tangent is 1 in its own coordinate.
            if (ws.adjoint[uid].empty()) ws.adjoint[uid].assign(block_rows_, 0.0);
            if (ws.tangent[uid].rows() != static_cast<Eigen::Index>(block_rows_))
                ws.tangent[uid] = Eigen::MatrixXd::Ones(static_cast<Eigen::Index>(block_rows_), 1);
            continue;
        }
        if (n.kind != NodeKind::op) continue;
        if (ws.value[uid].empty()) ws.value[uid].assign(block_rows_, 0.0);
        if (mode == Mode::value) continue;
        if (conditional_[uid] && ws.active[uid].empty()) ws.active[uid].assign(block_rows_, 0.0);
        if (ws.d1[uid].empty() && !n.op->constant_partial && !n.op->product)
            ws.d1[uid].assign(n.inputs.size(), Buffer(block_rows_, 0.0));
        if (has_coords(id) && ws.adjoint[uid].empty()) ws.adjoint[uid].assign(block_rows_, 0.0);
        if (mode != Mode::gradient && !n.op->linear && !n.op->product && ws.d2[uid].empty())
            ws.d2[uid].assign(static_cast<std::size_t>(pair_count(static_cast<int>(n.inputs.size()))),
                              Buffer(block_rows_, 0.0));
        if (mode == Mode::third) prepare_third(ws, id);
    }
}

const double* Evaluator::value_ptr(const Workspace& ws, int id, std::size_t begin) const {
    const Node& n = graph_.node(id);
    if (n.kind == NodeKind::data) return columns_[static_cast<std::size_t>(n.column)].data() + begin;
    if (n.row_invariant) return &invariant_value_[static_cast<std::size_t>(id)];
    return ws.value[static_cast<std::size_t>(id)].data();
}

// The first partial of varying op node `id` in input i over the current
// block: the same number in every row for an op with constant partials
// and for a product whose other factor is row-invariant (b in b*x);
// otherwise rows: the other factor's values in place for a product, the
// stored d1 for any other op.
Evaluator::Partial Evaluator::partial(const Workspace& ws, int id, std::size_t i) const {
    const Node& node = graph_.node(id);
    if (const auto constant = node.op->constant_partial) return {nullptr, constant(static_cast<int>(i))};
    if (node.op->product) {
        const int other = node.inputs[i ^ 1];
        if (graph_.node(other).row_invariant) return {nullptr, invariant_value_[static_cast<std::size_t>(other)]};
        return {value_ptr(ws, other, ws.begin), 0.0};
    }
    return {ws.d1[static_cast<std::size_t>(id)][i].data(), 0.0};
}

// A product or sum of products over the block, evaluated here rather than
// by the op: a row-invariant factor (the coefficient in b*x) is used as the
// number it is instead of a block-long copy, which saves a stream per
// product in the commonest node of all, the linear predictor.
void Evaluator::evaluate_products(Workspace& ws, int id, std::size_t n) {
    const Node& node = graph_.node(id);
    const auto len = static_cast<Eigen::Index>(n);
    Col out(ws.value[static_cast<std::size_t>(id)].data(), len);
    double constant = 0;  // the products of two row-invariant factors
    bool first = true;
    for (std::size_t k = 0; k + 1 < node.inputs.size(); k += 2) {
        const int a = node.inputs[k];
        const int b = node.inputs[k + 1];
        const bool a_fixed = graph_.node(a).row_invariant;
        const bool b_fixed = graph_.node(b).row_invariant;
        const double* pa = a_fixed ? nullptr : value_ptr(ws, a, ws.begin);
        const double* pb = b_fixed ? nullptr : value_ptr(ws, b, ws.begin);
        const double sa = a_fixed ? invariant_value_[static_cast<std::size_t>(a)] : 0.0;
        const double sb = b_fixed ? invariant_value_[static_cast<std::size_t>(b)] : 0.0;
        if (a_fixed && b_fixed) {
            constant += sa * sb;
            continue;
        }
        if (first) {
            if (a_fixed) out = sa * ConstCol(pb, len);
            else if (b_fixed) out = ConstCol(pa, len) * sb;
            else out = ConstCol(pa, len) * ConstCol(pb, len);
            first = false;
            continue;
        }
        if (a_fixed) out += sa * ConstCol(pb, len);
        else if (b_fixed) out += ConstCol(pa, len) * sb;
        else out += ConstCol(pa, len) * ConstCol(pb, len);
    }
    if (first) out.setConstant(constant);
    else if (constant != 0.0) out += constant;
}

// Evaluates op node `id` over n rows: a row-varying node in `ws`, a
// row-invariant one (ws == nullptr, n == 1) in the Evaluator's own storage.
void Evaluator::call_op(Workspace* ws, int id, std::size_t n, Mode mode) {
    const auto uid = static_cast<std::size_t>(id);
    const Node& node = graph_.node(id);
    if (ws && node.op->product) {
        evaluate_products(*ws, id, n);
        return;
    }
    const auto len = static_cast<Eigen::Index>(n);
    const std::size_t arity = node.inputs.size();

    std::vector<ConstCol> in;
    in.reserve(arity);
    for (int input : node.inputs) {
        const Node& child = graph_.node(input);
        const double* p = nullptr;
        if (!ws) p = &invariant_value_[static_cast<std::size_t>(input)];
        else if (child.row_invariant) p = broadcast_[static_cast<std::size_t>(input)].data();
        else p = value_ptr(*ws, input, ws->begin);
        in.emplace_back(p, len);
    }
    std::vector<Col> d1;
    std::vector<Col> d2;
    if (mode != Mode::value && !(ws && (node.op->constant_partial || node.op->product))) {
        d1.reserve(arity);
        for (std::size_t i = 0; i < arity; ++i) {
            if (!has_coords(node.inputs[i])) {
                d1.emplace_back(nullptr, 0);
                continue;
            }
            double* p = ws ? ws->d1[uid][i].data() : &invariant_d1_[uid][i];
            d1.emplace_back(p, len);
        }
    }
    if ((mode == Mode::hessian || (ws && mode == Mode::third)) && !node.op->linear && !(ws && node.op->product)) {
        const int a = static_cast<int>(arity);
        if (!ws && invariant_d2_[uid].empty()) invariant_d2_[uid].assign(static_cast<std::size_t>(pair_count(a)), 0.0);
        d2.reserve(static_cast<std::size_t>(pair_count(a)));
        for (int i = 0; i < a; ++i) {
            for (int j = i; j < a; ++j) {
                const bool want = has_coords(node.inputs[static_cast<std::size_t>(i)]) &&
                                  has_coords(node.inputs[static_cast<std::size_t>(j)]);
                const auto pair = static_cast<std::size_t>(pair_index(i, j, a));
                if (!want) d2.emplace_back(nullptr, 0);
                else if (ws) d2.emplace_back(ws->d2[uid][pair].data(), len);
                else d2.emplace_back(&invariant_d2_[uid][pair], len);
            }
        }
    }
    std::vector<Col> d3;
    if (ws && mode == Mode::third) third_partials(*ws, id, n, d3);
    double* out = ws ? ws->value[uid].data() : &invariant_value_[uid];
    OpCall call{in, Col(out, len), d1, d2, d3};
    node.op->eval(call);
}

void Evaluator::evaluate_invariant(const Eigen::VectorXd& theta, Mode mode) {
    for (int id : invariant_) {
        const auto uid = static_cast<std::size_t>(id);
        const Node& n = graph_.node(id);
        switch (n.kind) {
            case NodeKind::constant: invariant_value_[uid] = n.constant; break;
            case NodeKind::parameter: invariant_value_[uid] = theta[n.parameter]; break;
            case NodeKind::op: call_op(nullptr, id, 1, mode); break;
            case NodeKind::data:
            case NodeKind::effect: break;  // never invariant
        }
        if (mode == Mode::hessian && has_coords(id)) {
            Eigen::MatrixXd& t = invariant_tangent_[uid];
            t.setZero(1, static_cast<Eigen::Index>(coords(id).size()));
            if (n.kind == NodeKind::parameter) {
                t(0, 0) = 1.0;
            } else if (n.kind == NodeKind::op) {
                for (std::size_t i = 0; i < n.inputs.size(); ++i) {
                    if (!has_coords(n.inputs[i])) continue;
                    const Eigen::MatrixXd& ti = invariant_tangent_[static_cast<std::size_t>(n.inputs[i])];
                    const double d = invariant_d1_[uid][i];
                    if (n.op->branch && d == 0) continue;  // the untaken branch: its tangent may be NaN
                    const auto& pos = dep_position_[uid][i];
                    for (std::size_t a = 0; a < pos.size(); ++a)
                        t(0, pos[a]) += d * ti(0, static_cast<Eigen::Index>(a));
                }
            }
        }
    }
    // Row-invariant inputs of row-varying ops are repeated once per
    // evaluation into a block-long buffer, so ops see equal-length inputs.
    for (int id : invariant_) {
        const auto uid = static_cast<std::size_t>(id);
        if (broadcast_[uid].empty()) continue;
        std::fill(broadcast_[uid].begin(), broadcast_[uid].end(), invariant_value_[uid]);
    }
}

void Evaluator::forward_block(Workspace& ws, std::size_t begin, std::size_t n, Mode mode) {
    ws.begin = begin;
    for (int id : *current_varying_) {
        const NodeKind kind = graph_.node(id).kind;
        if (kind == NodeKind::op) call_op(&ws, id, n, mode);
        else if (kind == NodeKind::effect) fill_effects(ws, id, n);
    }
    if (mode != Mode::value && !conditional_varying_.empty()) mask_block(ws, n, mode);
}

// Which nodes only conditionals reach: a node is unconditional when a term
// reaches it through inputs other than the branches of an ifelse. The
// others are "conditional": each row uses them or not depending on the
// conditions above them, and mask_block works out which.
void Evaluator::find_conditional(const std::vector<bool>& live) {
    const auto& nodes = graph_.nodes();
    const std::size_t count = nodes.size();
    std::vector<bool> unconditional(count, false);
    for (int t : graph_.terms()) unconditional[static_cast<std::size_t>(t)] = true;
    // The rows' weights multiply every term: needed in every row.
    if (weight_ >= 0) unconditional[static_cast<std::size_t>(weight_)] = true;
    for (std::size_t t = 0; t < graph_.terms().size(); ++t)
        if (graph_.term_multiplier(t) >= 0) unconditional[static_cast<std::size_t>(graph_.term_multiplier(t))] = true;
    for (std::size_t id = count; id-- > 0;) {
        if (!unconditional[id]) continue;
        const Node& n = nodes[id];
        for (std::size_t i = 0; i < n.inputs.size(); ++i)
            if (!(n.kind == NodeKind::op && n.op->branch && i > 0))
                unconditional[static_cast<std::size_t>(n.inputs[i])] = true;
    }
    conditional_.assign(count, false);
    uses_.assign(count, {});
    for (std::size_t id = 0; id < count; ++id) {
        conditional_[id] = live[id] && !unconditional[id];
        if (conditional_[id] && !nodes[id].row_invariant && nodes[id].kind == NodeKind::op)
            conditional_varying_.push_back(static_cast<int>(id));
    }
    for (int user : live_varying_) {
        const Node& u = graph_.node(user);
        for (std::size_t i = 0; i < u.inputs.size(); ++i) {
            const auto in = static_cast<std::size_t>(u.inputs[i]);
            if (!conditional_[in] || nodes[in].row_invariant || nodes[in].kind != NodeKind::op) continue;
            const bool branch = u.op->branch && i > 0;
            uses_[in].push_back(Use{user, branch ? u.inputs[0] : -1, i == 1});
        }
    }
}

// The rows of the block that use each conditional node: a row uses it when
// it uses one of its users and, for a branch of ifelse, takes that branch.
// On the other rows its value, partials and (tangent_block) tangent are set
// to 0, so that the untaken branch's NaN or inf (log of a negative number
// on a row that does not take the log) never meets the zero adjoint that
// ifelse gives it: 0 * NaN would be NaN. (Value mode needs none of this:
// ifelse picks its value, and terms are never conditional.)
void Evaluator::mask_block(Workspace& ws, std::size_t n, Mode mode) {
    const auto len = static_cast<Eigen::Index>(n);
    for (auto it = conditional_varying_.rbegin(); it != conditional_varying_.rend(); ++it) {
        const auto uid = static_cast<std::size_t>(*it);
        Col active(ws.active[uid].data(), len);
        active.setZero();
        for (const Use& use : uses_[uid]) {
            const auto user = static_cast<std::size_t>(use.user);
            const double* user_active = conditional_[user] ? ws.active[user].data() : nullptr;
            const Node& c = graph_.node(std::max(use.condition, 0));
            const double* cond = use.condition < 0 ? nullptr
                                 : c.row_invariant ? &invariant_value_[static_cast<std::size_t>(use.condition)]
                                                   : value_ptr(ws, use.condition, ws.begin);
            const std::size_t step = use.condition >= 0 && c.row_invariant ? 0 : 1;
            for (Eigen::Index r = 0; r < len; ++r) {
                if (user_active && user_active[r] == 0) continue;
                if (cond) {
                    const double v = cond[static_cast<std::size_t>(r) * step];
                    const bool taken = use.when_true ? v != 0 && !std::isnan(v) : v == 0;
                    if (!taken) continue;
                }
                active[r] = 1.0;
            }
        }
        ws.any_active[uid] = (active != 0).any() ? 1 : 0;
    }
    for (int id : conditional_varying_) {
        const auto uid = static_cast<std::size_t>(id);
        const ConstCol active(ws.active[uid].data(), len);
        auto clear = [&](Buffer& b) {
            if (b.empty()) return;
            Col x(b.data(), len);
            x = (active != 0).select(x, 0.0);
        };
        clear(ws.value[uid]);
        for (Buffer& b : ws.d1[uid]) clear(b);
        if (mode != Mode::gradient)
            for (Buffer& b : ws.d2[uid]) clear(b);
        if (mode == Mode::third)
            for (Buffer& b : ws.third[uid].d3) clear(b);
    }
}

void Evaluator::reverse_block(Workspace& ws, std::size_t n, std::vector<double>& invariant_adjoint) {
    const auto len = static_cast<Eigen::Index>(n);
    for (int id : *current_varying_)
        if (!ws.adjoint[static_cast<std::size_t>(id)].empty())
            std::fill_n(ws.adjoint[static_cast<std::size_t>(id)].begin(), n, 0.0);
    for (std::size_t k = 0; k < graph_.terms().size(); ++k) {
        const int term = graph_.terms()[k];
        const Node& t = graph_.node(term);
        if (t.row_invariant || !has_coords(term)) continue;
        Col seed(ws.adjoint[static_cast<std::size_t>(term)].data(), len);
        const int w = row_weight(k);
        if (row_scale_) {
            const ConstCol scale(row_scale_->rows.data() + ws.begin, len);
            if (w < 0) seed -= scale;
            else seed -= ConstCol(value_ptr(ws, w, ws.begin), len) * scale;
        } else if (w < 0) {
            seed -= 1.0;
        } else {
            seed -= ConstCol(value_ptr(ws, w, ws.begin), len);
        }
    }
    for (auto it = current_varying_->rbegin(); it != current_varying_->rend(); ++it) {
        const int id = *it;
        const auto uid = static_cast<std::size_t>(id);
        const Node& node = graph_.node(id);
        if (node.kind != NodeKind::op || !has_coords(id)) continue;
        if (conditional_[uid] && !ws.any_active[uid]) continue;  // no row of the block uses it
        ConstCol adj(ws.adjoint[uid].data(), len);
        std::optional<double> adj_sum;  // computed once, when a constant partial meets an invariant input
        for (std::size_t i = 0; i < node.inputs.size(); ++i) {
            const int input = node.inputs[i];
            const Node& child = graph_.node(input);
            if (!has_coords(input)) continue;
            const Partial d = partial(ws, id, i);
            if (!d.rows) {
                if (child.row_invariant) {
                    if (!adj_sum) adj_sum = adj.sum();
                    invariant_adjoint[static_cast<std::size_t>(input)] += d.scalar * *adj_sum;
                } else {
                    Col(ws.adjoint[static_cast<std::size_t>(input)].data(), len) += d.scalar * adj;
                }
                continue;
            }
            ConstCol rows(d.rows, len);
            if (child.row_invariant) invariant_adjoint[static_cast<std::size_t>(input)] += (adj * rows).sum();
            else Col(ws.adjoint[static_cast<std::size_t>(input)].data(), len) += adj * rows;
        }
    }
}

void Evaluator::scatter(const Eigen::MatrixXd& c, const std::vector<int>& row_deps, const std::vector<int>& col_deps,
                        bool symmetric_pair, Eigen::MatrixXd& h) const {
    for (std::size_t a = 0; a < row_deps.size(); ++a) {
        for (std::size_t b = 0; b < col_deps.size(); ++b) {
            const double v = c(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(b));
            h(row_deps[a], col_deps[b]) += v;
            if (symmetric_pair) h(col_deps[b], row_deps[a]) += v;
        }
    }
}

void Evaluator::tangent_block(Workspace& ws, std::size_t n) {
    const auto len = static_cast<Eigen::Index>(n);
    // Forward: tangents t_n = sum_i d1_i * t_i, row by row. A row-invariant
    // input's tangent is one row (the same in every row of the block), so
    // it is read as scalars rather than repeated over the block.
    for (int id : *current_varying_) {
        const auto uid = static_cast<std::size_t>(id);
        const Node& node = graph_.node(id);
        if (node.kind != NodeKind::op || !has_coords(id)) continue;
        Eigen::MatrixXd& t = ws.tangent[uid];
        if (t.rows() != static_cast<Eigen::Index>(block_rows_))
            t.resize(static_cast<Eigen::Index>(block_rows_), static_cast<Eigen::Index>(coords(id).size()));
        auto top = t.topRows(len);
        top.setZero();
        if (node.op->branch) {
            branch_tangent(ws, id, top, n);
            continue;
        }
        for (std::size_t i = 0; i < node.inputs.size(); ++i) {
            const int input = node.inputs[i];
            const Node& child = graph_.node(input);
            if (!has_coords(input)) continue;
            const auto& pos = dep_position_[uid][i];
            const Partial d = partial(ws, id, i);
            if (child.row_invariant) {
                const Eigen::MatrixXd& ti = invariant_tangent_[static_cast<std::size_t>(input)];
                for (std::size_t a = 0; a < pos.size(); ++a) {
                    const double ta = ti(0, static_cast<Eigen::Index>(a));
                    if (!d.rows) top.col(pos[a]).array() += d.scalar * ta;
                    else top.col(pos[a]).array() += ConstCol(d.rows, len) * ta;
                }
                continue;
            }
            const Eigen::MatrixXd& ti = ws.tangent[static_cast<std::size_t>(input)];
            for (std::size_t a = 0; a < pos.size(); ++a) {
                if (!d.rows) top.col(pos[a]) += d.scalar * ti.col(static_cast<Eigen::Index>(a)).head(len);
                else
                    top.col(pos[a]).array() +=
                        ConstCol(d.rows, len) * ti.col(static_cast<Eigen::Index>(a)).head(len).array();
            }
        }
        if (conditional_[uid]) {
            // A row that does not use the node: an input's NaN tangent
            // times the zero partial would be NaN (mask_block).
            const double* active = ws.active[uid].data();
            for (Eigen::Index r = 0; r < len; ++r)
                if (active[r] == 0) top.row(r).setZero();
        }
    }
}

// The tangent of ifelse(c, a, b): a's on the rows that take a, b's on the
// others, chosen rather than computed as 1*t_a + 0*t_b, since the untaken
// branch's tangent may be NaN (a row-invariant branch is not masked).
void Evaluator::branch_tangent(Workspace& ws, int id, Eigen::Ref<Eigen::MatrixXd> top, std::size_t n) const {
    const auto uid = static_cast<std::size_t>(id);
    const Node& node = graph_.node(id);
    const auto len = static_cast<Eigen::Index>(n);
    for (std::size_t i = 1; i < 3; ++i) {
        const int input = node.inputs[i];
        const Node& child = graph_.node(input);
        if (!has_coords(input)) continue;
        const double* taken = ws.d1[uid][i].data();  // 1 where the branch is taken
        const auto& pos = dep_position_[uid][i];
        for (std::size_t a = 0; a < pos.size(); ++a) {
            const auto col = static_cast<Eigen::Index>(a);
            for (Eigen::Index r = 0; r < len; ++r) {
                if (taken[r] == 0) continue;
                top(r, pos[a]) = child.row_invariant ? invariant_tangent_[static_cast<std::size_t>(input)](0, col)
                                                     : ws.tangent[static_cast<std::size_t>(input)](r, col);
            }
        }
    }
}

// hessian(deps_i, deps_j) += sum over the block's rows of w(r) t_i(r)^T t_j(r)
// (and the transpose when symmetric_pair), for inputs in_i, in_j. A
// row-invariant tangent is one row for all rows, which turns the product
// into a weighted column sum instead of a matrix product.
void Evaluator::add_weighted_outer(Workspace& ws, int in_i, int in_j, const Eigen::Ref<const Eigen::VectorXd>& w,
                                   bool symmetric_pair, Eigen::MatrixXd& hessian) {
    // The joint sweep wants only the entries with an effect, row by row.
    if (joint()) {
        add_effect_rows(ws, in_i, in_j, w, symmetric_pair);
        return;
    }
    const Eigen::Index len = w.size();
    const Node& ci = graph_.node(in_i);
    const Node& cj = graph_.node(in_j);
    const auto ui = static_cast<std::size_t>(in_i);
    const auto uj = static_cast<std::size_t>(in_j);
    Eigen::MatrixXd& c = ws.outer;
    if (ci.row_invariant && cj.row_invariant) {
        c.noalias() = w.sum() * invariant_tangent_[ui].transpose() * invariant_tangent_[uj];
    } else if (ci.row_invariant) {
        c.noalias() = invariant_tangent_[ui].transpose() * (w.transpose() * ws.tangent[uj].topRows(len));
    } else if (cj.row_invariant) {
        c.noalias() = (ws.tangent[ui].topRows(len).transpose() * w) * invariant_tangent_[uj];
    } else {
        const Eigen::MatrixXd& tj = ws.tangent[uj];
        auto weighted = ws.weighted.topLeftCorner(len, tj.cols());
        weighted.noalias() = w.asDiagonal() * tj.topRows(len);
        c.noalias() = ws.tangent[ui].topRows(len).transpose() * weighted;
    }
    scatter(c, coords(in_i), coords(in_j), symmetric_pair, hessian);
}

void Evaluator::hessian_block(Workspace& ws, std::size_t n, Eigen::MatrixXd& hessian) {
    const auto len = static_cast<Eigen::Index>(n);
    tangent_block(ws, n);
    if (ws.weighted.rows() != static_cast<Eigen::Index>(block_rows_))
        ws.weighted.resize(static_cast<Eigen::Index>(block_rows_), graph_.parameter_count());
    if (ws.w.size() != static_cast<Eigen::Index>(block_rows_)) ws.w.resize(static_cast<Eigen::Index>(block_rows_));
    // Second-order terms: adj_n * d2_ij * t_i^T t_j, summed over the block.
    for (int id : *current_varying_) {
        const auto uid = static_cast<std::size_t>(id);
        const Node& node = graph_.node(id);
        if (node.kind != NodeKind::op || node.op->linear || !has_coords(id)) continue;
        if (conditional_[uid] && !ws.any_active[uid]) continue;  // no row of the block uses it
        const int arity = static_cast<int>(node.inputs.size());
        Eigen::Map<const Eigen::VectorXd> adj(ws.adjoint[uid].data(), len);
        if (node.op->product) {
            // d2 = 1 for each pair (2k, 2k+1), 0 otherwise: the weight is adj.
            for (int i = 0; i + 1 < arity; i += 2) {
                const int in_i = node.inputs[static_cast<std::size_t>(i)];
                const int in_j = node.inputs[static_cast<std::size_t>(i + 1)];
                if (!has_coords(in_i) || !has_coords(in_j)) continue;
                add_weighted_outer(ws, in_i, in_j, adj, true, hessian);
            }
            continue;
        }
        for (int i = 0; i < arity; ++i) {
            const int in_i = node.inputs[static_cast<std::size_t>(i)];
            if (!has_coords(in_i)) continue;
            for (int j = i; j < arity; ++j) {
                const int in_j = node.inputs[static_cast<std::size_t>(j)];
                if (!has_coords(in_j)) continue;
                Eigen::Map<const Eigen::VectorXd> d2(
                    ws.d2[uid][static_cast<std::size_t>(pair_index(i, j, arity))].data(), len);
                auto w = ws.w.head(len);
                w = adj.cwiseProduct(d2);
                add_weighted_outer(ws, in_i, in_j, w, i != j, hessian);
            }
        }
    }
}

// The block's log-likelihood row by row, for nll_rows (each row's NLL
// written out) and nll_effects_scaled (each row's terms counted
// row_scale_->rows[r] times; a row of scale or weight 0 adds exactly 0).
double Evaluator::split_block(const Workspace& ws, std::size_t begin, std::size_t n) const {
    double sum = 0;
    for (std::size_t r = 0; r < n; ++r) {
        double row = 0;
        for (std::size_t k = 0; k < graph_.terms().size(); ++k) {
            const int term = graph_.terms()[k];
            if (graph_.node(term).row_invariant) continue;
            const int weight = row_weight(k);
            const double w = weight < 0 ? 1.0 : value_ptr(ws, weight, begin)[r];
            if (w != 0) row += w * value_ptr(ws, term, begin)[r];
        }
        if (row_out_) (*row_out_)[begin + r] = -row;
        const double scale = row_scale_ ? row_scale_->rows[begin + r] : 1.0;
        if (scale != 0) sum += scale * row;
    }
    return sum;
}

void Evaluator::run_block(Workspace& ws, std::size_t block, Mode mode, BlockResult& out) {
    const std::size_t begin = block * block_rows_;
    const std::size_t n = std::min(block_rows_, rows_ - begin);
    forward_block(ws, begin, n, mode);
    double sum = 0;
    const auto len = static_cast<Eigen::Index>(n);
    if (row_out_ || row_scale_) {
        sum = split_block(ws, begin, n);
    } else {
        for (std::size_t k = 0; k < graph_.terms().size(); ++k) {
            const int term = graph_.terms()[k];
            const Node& t = graph_.node(term);
            if (t.row_invariant) continue;
            const ConstCol v(value_ptr(ws, term, begin), len);
            const int weight = row_weight(k);
            if (weight < 0) {
                sum += v.sum();
            } else {
                // A row of weight 0 adds exactly 0, even where its term is not
                // finite at theta (0 * -inf would be NaN).
                const ConstCol w(value_ptr(ws, weight, begin), len);
                sum += (w == 0.0).select(0.0, w * v).sum();
            }
        }
    }
    out.loglik = sum;
    out.finite = std::isfinite(sum);
    if (!out.finite || mode == Mode::value) return;
    out.invariant_adjoint.assign(graph_.nodes().size(), 0.0);
    if (mode == Mode::third) {
        third_block(ws, n, out.invariant_adjoint);
        return;
    }
    reverse_block(ws, n, out.invariant_adjoint);
    if (joint()) effect_rows_gradient(ws, n);
    if (mode == Mode::hessian) {
        if (!joint()) out.hessian.setZero(graph_.parameter_count(), graph_.parameter_count());
        else clear_effect_rows(ws, n);
        hessian_block(ws, n, out.hessian);
    }
}

double Evaluator::run(const Eigen::VectorXd& theta, Mode mode, Eigen::VectorXd* gradient, Eigen::MatrixXd* hessian) {
    const int dim = graph_.parameter_count();
    // The third-order sweep's tangent_block reads the row-invariant nodes'
    // tangents, which only the Hessian mode computes: without them it read
    // whatever an earlier sweep left, or, first on a new evaluator, empty
    // matrices. (Only their effect columns reach the result, and a
    // row-invariant node has none, so the values never mattered.)
    evaluate_invariant(theta, mode == Mode::third ? Mode::hessian : mode);
    if (gradient) gradient->setZero(dim);
    if (hessian) hessian->setZero(dim, dim);
    run_blocks(mode);
    const bool dense_hessian = mode == Mode::hessian && !joint();

    const Sums& total = sums_.front();
    double loglik = total.loglik.value(0);
    if (!std::isfinite(loglik)) return infinity;
    if (mode != Mode::value) {
        std::fill(invariant_adjoint_.begin(), invariant_adjoint_.end(), 0.0);
        for (std::size_t a = 0; a < adjoint_nodes_.size(); ++a)
            invariant_adjoint_[static_cast<std::size_t>(adjoint_nodes_[a])] = total.adjoint.value(a);
    }
    if (dense_hessian) {
        std::size_t k = 0;
        for (int i = 0; i < dim; ++i)
            for (int j = i; j < dim; ++j, ++k) {
                const double h = total.hessian.value(k);
                (*hessian)(i, j) = h;
                (*hessian)(j, i) = h;
            }
    }
    // A term that depends on no data (a prior, a penalty) is added once, not
    // once per row (graph.hpp).
    for (int term : graph_.terms()) {
        const Node& t = graph_.node(term);
        if (!t.row_invariant) continue;
        const double times = row_scale_ ? row_scale_->invariant : 1.0;
        if (times != 0) loglik += times * invariant_value_[static_cast<std::size_t>(term)];
        // (The third-order sweep's function has no such term: a term on no
        // data reads no effect.)
        if (mode == Mode::gradient || mode == Mode::hessian)
            invariant_adjoint_[static_cast<std::size_t>(term)] -= times;
    }
    if (!std::isfinite(loglik)) return infinity;
    if (mode == Mode::value) return -loglik;
    reverse_invariant(*gradient);
    if (dense_hessian) hessian_invariant(*hessian);
    return -loglik;
}

void Evaluator::run_blocks(Mode mode) {
    const int dim = graph_.parameter_count();
    // Blocks are dealt to the workers round-robin; each adds its blocks'
    // results to its own exact sums, which are then merged (and, on
    // several ranks, summed over the ranks) and rounded once: the same
    // numbers for every thread count and every split of the rows.
    auto work = [&](std::size_t worker) {
        Workspace& ws = workspaces_[worker];
        Sums& sums = sums_[worker];
        prepare(ws, mode);
        sums.loglik.reset(1);
        sums.adjoint.reset(mode == Mode::value ? 0 : adjoint_nodes_.size());
        sums.hessian.reset(mode == Mode::hessian && !joint() ? static_cast<std::size_t>(dim * (dim + 1) / 2) : 0);
        for (std::size_t b = worker; b < blocks_; b += workspaces_.size()) {
            run_block(ws, b, mode, sums.block);
            add_block(sums, mode);
        }
    };
    if (workspaces_.size() == 1) {
        work(0);
    } else {
        std::vector<std::thread> helpers;
        for (std::size_t w = 1; w < workspaces_.size(); ++w) helpers.emplace_back(work, w);
        work(0);
        for (auto& t : helpers) t.join();
    }
    complete_sums(mode);
}

// The reverse sweep over the row-invariant part, once for all rows.
void Evaluator::reverse_invariant(Eigen::VectorXd& gradient) {
    for (auto it = invariant_.rbegin(); it != invariant_.rend(); ++it) {
        const auto uid = static_cast<std::size_t>(*it);
        const Node& node = graph_.node(*it);
        const double adj = invariant_adjoint_[uid];
        if (node.kind == NodeKind::parameter) {
            gradient[node.parameter] += adj;
            continue;
        }
        if (node.kind != NodeKind::op || adj == 0.0) continue;
        for (std::size_t i = 0; i < node.inputs.size(); ++i)
            if (has_coords(node.inputs[i]))
                invariant_adjoint_[static_cast<std::size_t>(node.inputs[i])] += adj * invariant_d1_[uid][i];
    }
}

// The row-invariant ops' second-order terms: adjoint times second partials
// times the tangents of the two inputs.
void Evaluator::hessian_invariant(Eigen::MatrixXd& hessian) const {
    for (int id : invariant_) {
        const auto uid = static_cast<std::size_t>(id);
        const Node& node = graph_.node(id);
        const double adj = invariant_adjoint_[uid];
        if (node.kind != NodeKind::op || node.op->linear || adj == 0.0) continue;
        const int arity = static_cast<int>(node.inputs.size());
        for (int i = 0; i < arity; ++i) {
            const int in_i = node.inputs[static_cast<std::size_t>(i)];
            if (!has_coords(in_i)) continue;
            for (int j = i; j < arity; ++j) {
                const int in_j = node.inputs[static_cast<std::size_t>(j)];
                if (!has_coords(in_j)) continue;
                const double w = adj * invariant_d2_[uid][static_cast<std::size_t>(pair_index(i, j, arity))];
                Eigen::MatrixXd c = w * invariant_tangent_[static_cast<std::size_t>(in_i)].transpose() *
                                    invariant_tangent_[static_cast<std::size_t>(in_j)];
                scatter(c, coords(in_i), coords(in_j), i != j, hessian);
            }
        }
    }
}

void Evaluator::add_block(Sums& sums, Mode mode) const {
    const BlockResult& r = sums.block;
    // A non-finite block makes the whole sum non-finite (ExactSums keeps
    // that order-free too).
    sums.loglik.add(0, r.finite ? r.loglik : std::numeric_limits<double>::quiet_NaN());
    if (!r.finite || mode == Mode::value) return;
    for (std::size_t a = 0; a < adjoint_nodes_.size(); ++a)
        sums.adjoint.add(a, r.invariant_adjoint[static_cast<std::size_t>(adjoint_nodes_[a])]);
    if (mode != Mode::hessian || joint()) return;
    const auto dim = r.hessian.rows();
    std::size_t k = 0;
    for (Eigen::Index i = 0; i < dim; ++i)
        for (Eigen::Index j = i; j < dim; ++j, ++k) sums.hessian.add(k, r.hessian(i, j));
}

// Merges the workers' sums into the first and, on several ranks, sums the
// ranks' in one collective call: exact integer words, so the order in which
// MPI adds them does not matter.
void Evaluator::complete_sums(Mode mode) {
    Sums& total = sums_.front();
    for (std::size_t w = 1; w < sums_.size(); ++w) {
        total.loglik.add(sums_[w].loglik);
        if (mode != Mode::value) total.adjoint.add(sums_[w].adjoint);
        if (mode == Mode::hessian && !joint()) total.hessian.add(sums_[w].hessian);
    }
    if (!share_.collective) return;
    ExactSums* parts[] = {&total.loglik, &total.adjoint, &total.hessian};
    exchange_.clear();
    for (ExactSums* part : parts) {
        part->normalize();
        const auto words = part->raw();
        exchange_.insert(exchange_.end(), words.begin(), words.end());
    }
    share_.collective->sum(exchange_);
    std::size_t at = 0;
    for (ExactSums* part : parts) {
        const auto words = part->raw();
        std::copy_n(exchange_.begin() + static_cast<std::ptrdiff_t>(at), words.size(), words.begin());
        at += words.size();
        part->normalize();
    }
}

double Evaluator::nll(const Eigen::VectorXd& theta) { return run(theta, Mode::value, nullptr, nullptr); }

double Evaluator::nll_rows(const Eigen::VectorXd& theta, std::vector<double>& row_nll) {
    row_nll.assign(rows_, 0.0);
    row_out_ = &row_nll;
    run(theta, Mode::value, nullptr, nullptr);
    row_out_ = nullptr;
    double once = 0;
    for (int term : graph_.terms())
        if (graph_.node(term).row_invariant) once -= invariant_value_[static_cast<std::size_t>(term)];
    return once;
}

double Evaluator::nll_gradient(const Eigen::VectorXd& theta, Eigen::VectorXd& gradient) {
    return run(theta, Mode::gradient, &gradient, nullptr);
}

double Evaluator::nll_gradient_hessian(const Eigen::VectorXd& theta, Eigen::VectorXd& gradient,
                                       Eigen::MatrixXd& hessian) {
    // The joint sweep sums no Hessian in theta (its entries with an effect
    // go to nll_effects): NaN rather than a zero matrix a caller could trust.
    if (joint()) {
        const double f = run(theta, Mode::gradient, &gradient, nullptr);
        hessian = Eigen::MatrixXd::Constant(dimension(), dimension(), std::numeric_limits<double>::quiet_NaN());
        return f;
    }
    return run(theta, Mode::hessian, &gradient, &hessian);
}

std::optional<Evaluator::NonFinite> Evaluator::find_non_finite(const Eigen::VectorXd& theta) {
    evaluate_invariant(theta, Mode::value);
    const auto& terms = graph_.terms();
    for (std::size_t t = 0; t < terms.size(); ++t) {
        const Node& node = graph_.node(terms[t]);
        const double v = invariant_value_[static_cast<std::size_t>(terms[t])];
        if (node.row_invariant && !std::isfinite(v)) return NonFinite{0, static_cast<int>(t), v};
    }
    Workspace& ws = workspaces_.front();
    prepare(ws, Mode::value);
    for (std::size_t begin = 0; begin < rows_; begin += block_rows_) {
        const std::size_t n = std::min(block_rows_, rows_ - begin);
        forward_block(ws, begin, n, Mode::value);
        for (std::size_t r = 0; r < n; ++r) {
            for (std::size_t t = 0; t < terms.size(); ++t) {
                if (graph_.node(terms[t]).row_invariant) continue;
                const int w = row_weight(t);
                if (w >= 0 && value_ptr(ws, w, begin)[r] == 0) continue;
                const double v = value_ptr(ws, terms[t], begin)[r];
                if (!std::isfinite(v)) return NonFinite{begin + r, static_cast<int>(t), v};
            }
        }
    }
    return std::nullopt;
}

Eigen::MatrixXd Evaluator::node_jacobian(const Eigen::VectorXd& theta, int node) {
    Eigen::MatrixXd in_theta, in_effects;
    node_jacobians(theta, node, in_theta, in_effects);
    return in_theta;
}

void Evaluator::node_jacobians(const Eigen::VectorXd& theta, int node, Eigen::MatrixXd& in_theta,
                               Eigen::MatrixXd& in_effects) {
    const Node& target = graph_.node(node);
    const auto parameters = static_cast<Eigen::Index>(target.deps.size());
    // (a tangent's columns are coords(): the node's parameters, then, in
    // the joint sweep, its effects)
    const auto effects = joint() ? static_cast<Eigen::Index>(target.effects.size()) : 0;
    in_theta = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(rows_), graph_.parameter_count());
    in_effects = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(rows_), effects);
    if (parameters == 0 && effects == 0) return;
    AllNodes all(*this);
    evaluate_invariant(theta, Mode::hessian);
    if (target.row_invariant) {
        const Eigen::MatrixXd& t = invariant_tangent_[static_cast<std::size_t>(node)];
        for (Eigen::Index a = 0; a < parameters; ++a)
            in_theta.col(target.deps[static_cast<std::size_t>(a)]).setConstant(t(0, a));
        return;
    }
    Workspace& ws = workspaces_.front();
    prepare(ws, Mode::gradient);
    for (std::size_t begin = 0; begin < rows_; begin += block_rows_) {
        const std::size_t n = std::min(block_rows_, rows_ - begin);
        const auto b = static_cast<Eigen::Index>(begin), m = static_cast<Eigen::Index>(n);
        forward_block(ws, begin, n, Mode::gradient);
        tangent_block(ws, n);
        const Eigen::MatrixXd& t = ws.tangent[static_cast<std::size_t>(node)];
        for (Eigen::Index a = 0; a < parameters; ++a)
            in_theta.col(target.deps[static_cast<std::size_t>(a)]).segment(b, m) = t.col(a).head(m);
        for (Eigen::Index e = 0; e < effects; ++e) in_effects.col(e).segment(b, m) = t.col(parameters + e).head(m);
    }
}

double Evaluator::invariant_gradient(const Eigen::VectorXd& theta, int node, Eigen::VectorXd& gradient) {
    evaluate_invariant(theta, Mode::gradient);
    gradient.setZero(graph_.parameter_count());
    std::fill(invariant_adjoint_.begin(), invariant_adjoint_.end(), 0.0);
    invariant_adjoint_[static_cast<std::size_t>(node)] = 1.0;
    for (auto it = invariant_.rbegin(); it != invariant_.rend(); ++it) {
        if (*it > node) continue;  // topological order: nothing above node feeds it
        const auto uid = static_cast<std::size_t>(*it);
        const Node& n = graph_.node(*it);
        const double adj = invariant_adjoint_[uid];
        if (adj == 0.0) continue;
        if (n.kind == NodeKind::parameter) {
            gradient[n.parameter] += adj;
        } else if (n.kind == NodeKind::op) {
            for (std::size_t i = 0; i < n.inputs.size(); ++i)
                if (has_coords(n.inputs[i]))
                    invariant_adjoint_[static_cast<std::size_t>(n.inputs[i])] += adj * invariant_d1_[uid][i];
        }
    }
    return invariant_value_[static_cast<std::size_t>(node)];
}

std::vector<double> Evaluator::node_values(const Eigen::VectorXd& theta, int node) {
    AllNodes all(*this);
    evaluate_invariant(theta, Mode::value);
    if (graph_.node(node).row_invariant) return {invariant_value_[static_cast<std::size_t>(node)]};
    Workspace& ws = workspaces_.front();
    prepare(ws, Mode::value);
    std::vector<double> out;
    out.reserve(rows_);
    for (std::size_t begin = 0; begin < rows_; begin += block_rows_) {
        const std::size_t n = std::min(block_rows_, rows_ - begin);
        forward_block(ws, begin, n, Mode::value);
        const double* p = value_ptr(ws, node, begin);
        out.insert(out.end(), p, p + n);
    }
    return out;
}

std::vector<std::vector<double>> Evaluator::node_values(const Eigen::VectorXd& theta, const std::vector<int>& nodes) {
    AllNodes all(*this);
    evaluate_invariant(theta, Mode::value);
    Workspace& ws = workspaces_.front();
    prepare(ws, Mode::value);
    std::vector<std::vector<double>> out(nodes.size());
    for (std::size_t begin = 0; begin < rows_; begin += block_rows_) {
        const std::size_t n = std::min(block_rows_, rows_ - begin);
        forward_block(ws, begin, n, Mode::value);
        for (std::size_t k = 0; k < nodes.size(); ++k) {
            if (graph_.node(nodes[k]).row_invariant) {
                out[k].insert(out[k].end(), n, invariant_value_[static_cast<std::size_t>(nodes[k])]);
            } else {
                const double* p = value_ptr(ws, nodes[k], begin);
                out[k].insert(out[k].end(), p, p + n);
            }
        }
    }
    return out;
}

}  // namespace mlec::rt

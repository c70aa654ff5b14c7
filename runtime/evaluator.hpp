// Evaluates a Graph's negative log-likelihood over the data, block by block
// of rows (docs/architecture.md, "The evaluator"): each op runs once per block on
// arrays of rows, so the interpretive overhead is O(nodes x blocks) while the
// work is O(nodes x rows) in Eigen loops.
//
// Derivatives are exact:
// - gradient by a reverse sweep (adjoints) over each block, then once over
//   the row-invariant part of the graph;
// - Hessian by the second-order chain rule
//       H = sum_n sum_rows adj_n * sum_ij (d2 f_n / du_i du_j) t_i t_j^T
//   where t_i is the tangent (gradient w.r.t. theta) of input i, propagated
//   forward with the first partials. For a linear predictor this is the
//   familiar X^T W X, computed as a weighted product per block.
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "runtime/collective.hpp"
#include "runtime/exact_sum.hpp"
#include "runtime/graph.hpp"

namespace mlec::rt {

// Rows per block: a block's data columns and node arrays should stay in the
// core's L2 cache between the forward and the reverse sweep (2,048 rows x
// 11 columns of a logistic regression is 180 KB of data plus the nodes);
// measured on logistic_eval, 2,048 beat 1,024 and 4,096 by 5-10%.
inline constexpr std::size_t default_block_rows = 2048;

// Where an evaluator's rows lie among the rows of all ranks of a distributed
// fit: rows [first_row, first_row + rows) of total_rows, every sum over rows
// completed over the ranks through `collective`. first_row must be a
// multiple of the block size, so that every block holds the rows it holds
// on one machine (blocks are summed in floating point; only the sums of
// blocks are exact). No collective: the evaluator has all the rows.
struct RowShare {
    Collective* collective = nullptr;
    std::size_t first_row = 0;
    std::size_t total_rows = 0;
};

// The coordinates the derivatives are taken in: the parameters theta, or
// theta and the random effects z (the Laplace approximation's joint sweep,
// docs/architecture.md, "Random effects").
enum class Coordinates { parameters, parameters_and_effects };

// The lower triangle of the Hessian in z, H_zz, as a sparse pattern fixed
// by the data: column j holds the rows row[col_start[j]] ..
// row[col_start[j + 1] - 1], ascending, the diagonal first. Entry (i, j) is
// there when some row's likelihood reads both z_i and z_j.
struct EffectPattern {
    std::vector<int> col_start;
    std::vector<int> row;
};

// The joint sweep's derivatives in z at (theta, z): the gradient, H_zz on
// the pattern, and H_z,theta (effect_size x parameters).
struct EffectDerivatives {
    Eigen::VectorXd gradient_z;
    std::vector<double> zz;
    Eigen::MatrixXd ztheta;
};

class Evaluator {
public:
    // `columns[k]` holds the rows of the graph's data column k; all have
    // `rows` entries and must outlive the evaluator.
    // `threads` workers evaluate blocks in parallel (0: all cores). Blocks
    // have fixed boundaries and their results are summed exactly (ExactSums)
    // and rounded once, so every thread count, and every number of ranks
    // sharing the rows (`share`), gives bit-identical results.
    // With Coordinates::parameters_and_effects the evaluator has all the
    // rows (no `share`): random effects are not yet distributed.
    Evaluator(const Graph& graph, std::vector<std::span<const double>> columns, std::size_t rows,
              std::size_t block_rows = default_block_rows, int threads = 1, RowShare share = {},
              Coordinates coordinates = Coordinates::parameters);
    // It points into itself (the sweep lists): neither copied nor moved.
    Evaluator(const Evaluator&) = delete;
    Evaluator& operator=(const Evaluator&) = delete;

    std::size_t rows() const { return rows_; }  // this rank's rows
    const RowShare& share() const { return share_; }
    int dimension() const { return graph_.parameter_count(); }

    // NLL(theta) = -sum_rows w(row) sum_terms term(row), with w the graph's
    // weight node (1 without one; a row of weight 0 adds exactly 0). +inf
    // when any term is not finite (NaN included), so an optimizer rejects
    // such a point.
    double nll(const Eigen::VectorXd& theta);
    double nll_gradient(const Eigen::VectorXd& theta, Eigen::VectorXd& gradient);
    // With Coordinates::parameters_and_effects the Hessian is all NaN: the
    // joint sweep's second derivatives are nll_effects'.
    double nll_gradient_hessian(const Eigen::VectorXd& theta, Eigen::VectorXd& gradient, Eigen::MatrixXd& hessian);

    // The random effects z the graph's effect nodes read (effect_size()
    // entries; zero until set).
    void set_effects(const Eigen::VectorXd& z);
    const Eigen::VectorXd& effects() const { return z_; }

    // Coordinates::parameters_and_effects only: the NLL at (theta, z), its
    // gradient in theta, and its derivatives in z; with `hessian` false, only
    // derivatives.gradient_z; with `cross` false, not derivatives.ztheta
    // (all NaN then), which the inner Newton steps before the last do not
    // need: most of the per-row buffers (parameters x effects of them) are
    // then neither cleared, filled nor summed. Rows are summed in a fixed
    // order, so the result is the same for every thread count.
    double nll_effects(const Eigen::VectorXd& theta, Eigen::VectorXd& gradient, EffectDerivatives& derivatives,
                       bool hessian, bool cross = true);
    const EffectPattern& effect_pattern() const { return pattern_; }
    const Graph& graph() const { return graph_; }
    // The worker threads it evaluates with (at most one per block).
    int threads() const { return threads_; }
    // z's index of effect e on `row` (Graph::effects() order), or -1 where
    // the row's level is not one of the effect's.
    int z_index(int effect, std::size_t row) const;
    // The position in effect_pattern() of H(z_e(row), z_f(row)), e >= f;
    // -1 where the row has no level of one of them.
    int pattern_position(std::size_t row, int e, int f) const {
        const int m = static_cast<int>(effect_node_.size());
        return pair_position_[row * static_cast<std::size_t>(pair_count(m)) +
                              static_cast<std::size_t>(pair_index(f, e, m))];
    }

    // Adaptive quadrature (runtime/adaptive_quadrature) needs the NLL split
    // by level: row_nll[r] = -sum_terms w(r) term(r) at (theta, effects()),
    // over the terms that read data (non-finite values left as they are).
    // Returns the NLL of the terms counted once (priors), which no row holds.
    double nll_rows(const Eigen::VectorXd& theta, std::vector<double>& row_nll);
    // Coordinates::parameters_and_effects only: nll_effects without the
    // Hessian, each row's terms counted rows[r] times (beside their weight)
    // and the terms counted once `invariant` times: one sweep gives a
    // weighted sum over levels of their gradients, as the quadrature's
    // gradient needs with the nodes' posterior weights. A row of scale 0
    // adds exactly 0 to the value.
    struct RowScale {
        std::span<const double> rows;
        double invariant = 1;
    };
    double nll_effects_scaled(const Eigen::VectorXd& theta, const RowScale& scale, Eigen::VectorXd& gradient,
                              EffectDerivatives& derivatives);

    // Coordinates::parameters_and_effects only: the gradient in theta and
    // in z of 1/2 tr(P H_zz(theta, z)) with P held fixed, P given by its
    // values on effect_pattern() (symmetric; the lower triangle given): for
    // P = H^-1, the derivative of 1/2 log det H (Kristensen et al. 2016),
    // from the ops' exact third partials. Returns the NLL at (theta, z).
    double trace_gradient(const Eigen::VectorXd& theta, const std::vector<double>& p, Eigen::VectorXd& gradient_theta,
                          Eigen::VectorXd& gradient_z);
    // An op on the way from the effects to the likelihood whose third
    // partials trace_gradient would need but which has none (a distribution
    // function): its name; empty when every op has them.
    std::string_view missing_third_partials() const;

    // Every row counts once, whatever the graph's weight node says: for a
    // weighted fit's rows repeated as their weights say (the bootstrap).
    void ignore_weights() { weight_ = -1; }

    // The first (row, term index) whose log-likelihood value is not finite,
    // among this rank's rows of non-zero weight (row: local).
    struct NonFinite {
        std::size_t row = 0;
        int term = 0;
        double value = 0;
    };
    std::optional<NonFinite> find_non_finite(const Eigen::VectorXd& theta);

    // The value of `node` in every row at theta (one entry if row-invariant).
    std::vector<double> node_values(const Eigen::VectorXd& theta, int node);
    // The values of several nodes in every row at theta, in one pass (a
    // row-invariant node's value repeated in every row).
    std::vector<std::vector<double>> node_values(const Eigen::VectorXd& theta, const std::vector<int>& nodes);

    // The gradient in theta of `node` in every row (rows x dimension): for
    // a linear predictor, the design matrix. Memory: rows x dimension.
    Eigen::MatrixXd node_jacobian(const Eigen::VectorXd& theta, int node);
    // Coordinates::parameters_and_effects: the same, and the gradient of
    // `node` in each effect it reads (rows x node's effects, in its
    // `effects` order; on row r effect e is z[z_index(e, r)]), at
    // (theta, effects()): what a prediction conditional on the random
    // effects needs for its standard error.
    void node_jacobians(const Eigen::VectorXd& theta, int node, Eigen::MatrixXd& in_theta, Eigen::MatrixXd& in_effects);

    // Value and gradient in theta of a row-invariant node (a parameter on
    // the user's scale, a `report` quantity): what the delta method needs.
    double invariant_gradient(const Eigen::VectorXd& theta, int node, Eigen::VectorXd& gradient);

private:
    // third: the derivative of the Hessian in z (evaluator_trace.cpp).
    enum class Mode { value, gradient, hessian, third };

    // A block-long array of one node. Aligned to Eigen's packet size so
    // that Eigen's reductions over it (sums, matrix-vector products) start
    // at the same element in every buffer: with 32- or 64-byte packets
    // (AVX, AVX-512) Eigen peels a prologue up to the first aligned element,
    // and buffers at different alignments would add the same numbers in
    // different orders: different threads, or two Problems, would then
    // disagree in the last bits.
    using Buffer = std::vector<double, Eigen::aligned_allocator<double>>;

    // What one worker thread needs for its blocks: per-node buffers of the
    // row-varying nodes (values, partials, adjoints, tangents), reused
    // across blocks and evaluations. Row-invariant nodes live in the
    // Evaluator itself and are read-only while blocks run.
    struct Workspace {
        std::vector<Buffer> value;
        std::vector<std::vector<Buffer>> d1;
        std::vector<std::vector<Buffer>> d2;
        std::vector<Buffer> adjoint;
        std::vector<Eigen::MatrixXd> tangent;
        // Conditional nodes (conditional_): 1 on the block's rows that use
        // the node, 0 on the others; and whether any row does.
        std::vector<Buffer> active;
        std::vector<char> any_active;
        // Hessian scratch: the weights of one pair of inputs, the weighted
        // tangent (block_rows x dimension) and the block's outer product.
        Eigen::VectorXd w;
        Eigen::MatrixXd weighted;
        Eigen::MatrixXd outer;
        std::size_t begin = 0;  // first row of the block being evaluated
        // The third-order sweep, per node with effects (evaluator_trace.cpp):
        // third partials; the second derivatives in the node's effects
        // (packed pairs of its effects); the adjoints of its tangent in its
        // effects and of its value.
        struct Third {
            std::vector<Buffer> d3;
            std::vector<Buffer> second;
            std::vector<Buffer> tangent_adjoint;
            Buffer value_adjoint;
        };
        std::vector<Third> third;
    };
    // One block's contribution, added to its worker's exact sums.
    struct BlockResult {
        double loglik = 0;
        bool finite = true;
        std::vector<double> invariant_adjoint;  // per node
        Eigen::MatrixXd hessian;
    };
    // A worker's exact sums over its blocks: the log-likelihood, the
    // adjoints of adjoint_nodes_, the Hessian's upper triangle.
    struct Sums {
        ExactSums loglik, adjoint, hessian;
        BlockResult block;
    };
    void add_block(Sums& sums, Mode mode) const;
    void complete_sums(Mode mode);

    double run(const Eigen::VectorXd& theta, Mode mode, Eigen::VectorXd* gradient, Eigen::MatrixXd* hessian);
    // Every block on the workers; the sums merged into sums_.front().
    void run_blocks(Mode mode);
    void reverse_invariant(Eigen::VectorXd& gradient);
    void hessian_invariant(Eigen::MatrixXd& hessian) const;
    void run_block(Workspace& ws, std::size_t block, Mode mode, BlockResult& out);
    double split_block(const Workspace& ws, std::size_t begin, std::size_t n) const;
    void evaluate_invariant(const Eigen::VectorXd& theta, Mode mode);
    void prepare(Workspace& ws, Mode mode);
    void forward_block(Workspace& ws, std::size_t begin, std::size_t n, Mode mode);
    void reverse_block(Workspace& ws, std::size_t n, std::vector<double>& invariant_adjoint);
    void tangent_block(Workspace& ws, std::size_t n);
    void mask_block(Workspace& ws, std::size_t n, Mode mode);
    void find_conditional(const std::vector<bool>& live);
    void branch_tangent(Workspace& ws, int id, Eigen::Ref<Eigen::MatrixXd> top, std::size_t n) const;
    void hessian_block(Workspace& ws, std::size_t n, Eigen::MatrixXd& hessian);
    void call_op(Workspace* ws, int id, std::size_t n, Mode mode);
    const double* value_ptr(const Workspace& ws, int id, std::size_t begin) const;
    // A first partial over a block: `rows` (n values), or when rows is
    // null the same `scalar` in every row.
    struct Partial {
        const double* rows = nullptr;
        double scalar = 0;
    };
    Partial partial(const Workspace& ws, int id, std::size_t input) const;
    void evaluate_products(Workspace& ws, int id, std::size_t n);
    void add_weighted_outer(Workspace& ws, int in_i, int in_j, const Eigen::Ref<const Eigen::VectorXd>& w,
                            bool symmetric_pair, Eigen::MatrixXd& hessian);
    void scatter(const Eigen::MatrixXd& c, const std::vector<int>& rows_deps, const std::vector<int>& cols_deps,
                 bool symmetric_pair, Eigen::MatrixXd& h) const;
    // The coordinates node `id`'s derivatives are taken in: its parameters,
    // then (joint sweep) parameter_count + e for each effect e below it.
    const std::vector<int>& coords(int id) const { return coords_[static_cast<std::size_t>(id)]; }
    bool has_coords(int id) const { return !coords_[static_cast<std::size_t>(id)].empty(); }
    bool joint() const { return coordinates_ == Coordinates::parameters_and_effects; }
    // The joint sweep (evaluator_effects.cpp): effect values, the pattern,
    // each row's derivatives in its effects, and their sum into z's.
    void fill_effects(Workspace& ws, int id, std::size_t n) const;
    void build_pattern();
    void effect_rows_gradient(const Workspace& ws, std::size_t n);
    void clear_effect_rows(const Workspace& ws, std::size_t n);
    void add_effect_rows(Workspace& ws, int in_i, int in_j, const Eigen::Ref<const Eigen::VectorXd>& w,
                         bool symmetric_pair);
    void sum_effect_rows(EffectDerivatives& out, bool hessian) const;
    // The third-order sweep (evaluator_trace.cpp).
    void prepare_third(Workspace& ws, int id);
    bool wants_third(int id, int i, int j, int k) const;
    void third_partials(Workspace& ws, int id, std::size_t n, std::vector<Col>& d3);
    void third_block(Workspace& ws, std::size_t n, std::vector<double>& invariant_adjoint);
    void second_forward(Workspace& ws, std::size_t n);
    void third_reverse(Workspace& ws, std::size_t n, std::vector<double>& invariant_adjoint);
    // Per row, the weights W_r = P at the row's pairs of effects ([pair *
    // rows + r], pairs packed by pair_index(f, e, effects)).
    std::vector<double> row_weight_;

    const Graph& graph_;
    Coordinates coordinates_;
    std::vector<std::vector<int>> coords_;  // per node: see coords()
    Eigen::VectorXd z_;                     // the effects' values
    // Joint sweep: the pattern of H_zz, and for each row and pair of its
    // effects e >= f, the position of H(z_e(row), z_f(row)) in it.
    EffectPattern pattern_;
    std::vector<int> pair_position_;
    // Per row, written by the blocks and summed in row order afterwards: the
    // NLL's derivative in each effect (effect-major: [e * rows + r]) and the
    // Hessian's rows of the effects ([(e * width + a) * rows + r], a over
    // the joint coordinates, width = parameters + effects).
    std::vector<int> effect_node_;  // per effect: its node
    std::vector<double> row_gradient_;
    std::vector<double> row_hessian_;
    bool effect_cross_ = true;  // this sweep fills the buffers of H_z,theta (nll_effects' `cross`)
    // While set (nll_rows, nll_effects_scaled): where each row's NLL goes,
    // and how many times each row's terms count.
    std::vector<double>* row_out_ = nullptr;
    const RowScale* row_scale_ = nullptr;
    std::vector<std::span<const double>> columns_;
    std::size_t rows_;
    RowShare share_;
    std::size_t block_rows_;
    std::size_t blocks_;
    int threads_;
    int weight_;  // the graph's weight node, or -1
    // The node whose value weights term t's rows: its own multiplier (a
    // group-level term), else the weight; -1: each row counts once.
    int row_weight(std::size_t t) const {
        const int m = graph_.term_multiplier(t);
        return m >= 0 ? m : weight_;
    }

    // Row-invariant nodes: computed once per evaluation.
    std::vector<double> invariant_value_;
    std::vector<std::vector<double>> invariant_d1_;
    std::vector<std::vector<double>> invariant_d2_;
    std::vector<Eigen::MatrixXd> invariant_tangent_;  // 1 x deps.size()
    std::vector<double> invariant_adjoint_;           // summed over all rows
    std::vector<Buffer> broadcast_;                   // per node: invariant value repeated over a block

    std::vector<std::vector<std::vector<int>>> dep_position_;  // node, input -> columns in node's deps
    std::vector<int> varying_;                                 // varying op/data nodes, topological
    std::vector<int> live_varying_;                            // those the log-likelihood needs
    const std::vector<int>* current_varying_ = nullptr;        // what the block sweeps visit
    // While alive, block sweeps visit every node (node_values, node_jacobian
    // of nodes outside the log-likelihood, such as predictions).
    struct AllNodes {
        explicit AllNodes(Evaluator& e) : e_(e), saved_(e.current_varying_) { e.current_varying_ = &e.varying_; }
        ~AllNodes() { e_.current_varying_ = saved_; }
        AllNodes(const AllNodes&) = delete;
        AllNodes& operator=(const AllNodes&) = delete;
        Evaluator& e_;
        const std::vector<int>* saved_;
    };
    // Conditionals (docs/architecture.md, "Conditionals"): the live nodes
    // that only the branches of ifelse reach; the row-varying op nodes among
    // them, topological; and for each such node, who uses it and under
    // which condition.
    struct Use {
        int user = -1;
        int condition = -1;  // -1: whenever the user is used
        bool when_true = true;
    };
    std::vector<bool> conditional_;
    std::vector<int> conditional_varying_;
    std::vector<std::vector<Use>> uses_;
    std::vector<int> invariant_;          // invariant nodes, topological
    std::vector<Workspace> workspaces_;   // one per thread
    std::vector<Sums> sums_;              // one per thread
    std::vector<int> adjoint_nodes_;      // invariant nodes read by varying ones
    std::vector<std::int64_t> exchange_;  // the words one collective sum sends
};

}  // namespace mlec::rt

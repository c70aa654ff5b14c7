// The hidden halves of the public API's handle classes (pimpl), shared by the
// api/*.cpp files that implement them.
#pragma once

#include <memory>
#include <vector>

#include "data/csv.hpp"
#include "data/table.hpp"
#include "grammar/ast.hpp"
#include "grammar/source_text.hpp"
#include "interpreter/checked_model.hpp"
#include "mlec/mlec.hpp"
#include "runtime/adaptive_quadrature.hpp"
#include "runtime/evaluator.hpp"
#include "runtime/laplace.hpp"

namespace mlec {

struct Model::Impl {
    SourceText source;
    ast::Model ast;
};

struct Data::Impl {
    std::unique_ptr<data::Table> table;
    // A distributed read (mlec/distributed.hpp): `table` holds this rank's
    // part of the rows, and binding agrees with the other ranks through this.
    std::shared_ptr<rt::Collective> collective;
};

struct Problem::Impl {
    std::string model_name;
    std::string data_name;
    const Model::Impl* source_model = nullptr;  // for prediction on new data (the Model outlives the Problem)
    interp::CheckedModel model;
    // Graph data column k: a view into the Data's own columns (in memory)
    // or into `storage` (parsed from a CSV, group codes, rows kept after
    // dropping missing values).
    std::vector<std::span<const double>> columns;
    std::vector<std::vector<double>> storage;
    std::size_t rows = 0;  // this rank's rows
    // Distributed: this rank's rows are rows [first_row, first_row + rows)
    // of total_rows (all ranks'); on one machine 0 and rows.
    std::shared_ptr<rt::Collective> collective;
    std::size_t first_row = 0;
    std::size_t total_rows = 0;
    // After dropping rows with a missing value: the file's row (0-based) of
    // each row kept, for messages. Empty when no row was dropped.
    std::vector<std::size_t> original_row;
    std::size_t rows_dropped = 0;  // on all ranks
    // Per graph column of lag(...): 1 on the rows without a value (fewer
    // than k earlier rows, or a missing x there); empty for other columns.
    // The column itself holds 0 there, never read: no row uses a lag it
    // does not have (problem/previous_rows), and a NaN in an untaken branch
    // would still reach the derivatives through a product's partials.
    std::vector<std::vector<char>> lag_missing;
    // The sum of the rows' weights on all ranks (the `weight` statement):
    // the number of observations the rows stand for; total_rows without one.
    double weight_total = 0;
    int threads = 0;    // for every evaluator built on this problem (BindOptions::threads)
    int agq_nodes = 1;  // BindOptions::agq_nodes

    // What evaluating needs between calls: the evaluator with its buffers,
    // and the last NLL + gradient + Hessian (the fit asks again at the
    // optimizer's final point, which the optimizer has just evaluated).
    // Filling them changes no result: an evaluation depends on theta alone.
    // So they are a cache, logically const, and `mutable`: Problem's const
    // members (and everything given a const Problem: fit, predict,
    // simulate) evaluate through evaluator(). Not for two threads at once:
    // a Problem evaluates on one thread at a time.
    struct Workspace {
        std::unique_ptr<rt::Evaluator> evaluator;
        // A model with random effects: its NLL is the Laplace approximation's
        // marginal one, over the evaluator's joint sweep (runtime/laplace).
        std::unique_ptr<rt::Laplace> laplace;
        // With BindOptions::agq_nodes > 1, the marginal NLL by adaptive
        // quadrature instead, centered at `laplace`'s modes.
        std::unique_ptr<rt::AdaptiveQuadrature> quadrature;
        struct {
            bool valid = false;
            Eigen::VectorXd theta, gradient;
            Eigen::MatrixXd hessian;
            double nll = 0;
        } last_hessian;
    };
    mutable Workspace workspace;
    rt::Evaluator& evaluator() const { return *workspace.evaluator; }
};

// An evaluator over `columns` (this rank's rows, as p.columns), sharing the
// likelihood's sums with the other ranks of a distributed fit.
// With random effects, the joint sweep in theta and z (not distributed:
// binding refuses a distributed model with random effects).
inline std::unique_ptr<rt::Evaluator> make_evaluator(const Problem::Impl& p,
                                                     std::vector<std::span<const double>> columns) {
    const bool effects = !p.model.graph.effects().empty();
    return std::make_unique<rt::Evaluator>(
        p.model.graph, std::move(columns), p.rows, rt::default_block_rows, p.threads,
        rt::RowShare{p.collective.get(), p.first_row, p.total_rows},
        effects ? rt::Coordinates::parameters_and_effects : rt::Coordinates::parameters);
}

// Copies of the data columns, for drawing new outcomes into (simulate,
// bootstrap).
inline std::vector<std::vector<double>> copy_columns(const Problem::Impl& p) {
    std::vector<std::vector<double>> out;
    out.reserve(p.columns.size());
    for (std::span<const double> c : p.columns) out.emplace_back(c.begin(), c.end());
    return out;
}

}  // namespace mlec

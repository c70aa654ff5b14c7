// Drawing new outcomes from a fitted model: shared by `mlec simulate` and
// the parametric bootstrap.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "problem/impl.hpp"
#include "runtime/random.hpp"

namespace mlec {

// Which graph data column each sampling statement's outcome is, and its
// distribution; empty with a message when the model cannot be simulated
// (a `target +=` or mixture term, an outcome that is not a bare column, a
// censored outcome).
struct SimulationPlan {
    struct Outcome {
        int column = -1;  // graph data column
        const rt::DistributionDef* distribution = nullptr;
        std::vector<int> argument_nodes;  // the op's inputs after the outcome
        // T[lo, hi]: the bounds' nodes (-1: open); draws outside are redrawn.
        int lower_node = -1;
        int upper_node = -1;
        bool truncated() const { return lower_node >= 0 || upper_node >= 0; }
        // A vector outcome (multinomial's counts): the graph data column of
        // each entry, drawn together by the distribution's sample_vector
        // from all of the op's inputs (argument_nodes then holds them all,
        // the observed entries first: their total is the number of trials).
        std::vector<int> entry_columns{};
        bool vector() const { return !entry_columns.empty(); }
    };
    std::vector<Outcome> outcomes;
    // lag(y, k, g) of an outcome y: each row's draw depends on drawn
    // earlier rows, so the rows are drawn one after another (on several
    // ranks, one rank after another), the lag column (graph column
    // `column`) read from the draws of `source` in the earlier rows of the
    // same level of graph column `group` (-1: none).
    struct Sequential {
        int column = -1;
        int source = -1;
        int group = -1;
        int k = 1;
    };
    std::vector<Sequential> sequential{};
};
std::optional<SimulationPlan> plan_simulation(const Problem::Impl& p, std::string& why);

// Replaces the outcome columns of `columns` (one vector per graph data
// column, like Problem::Impl::columns) by draws at theta. With `row_of`
// (inference/weighted_rows.hpp) the columns hold one entry per observation,
// observation j a copy of row row_of[j], each drawn independently. A
// truncated outcome is drawn from its truncated distribution by rejection;
// an observation that finds no draw inside its bounds in
// `max_truncated_tries` is NaN. With plan.sequential the rows are drawn in
// order, and the lag columns of `columns` hold the draws' lags.
// With random effects, the outcomes are drawn given `effects`, the
// spherical effects z (new_effects, or the fit's modes).
inline constexpr int max_truncated_tries = 100000;
void draw_outcomes(const Problem::Impl& p, const SimulationPlan& plan, const Eigen::VectorXd& theta, rt::Rng& rng,
                   std::vector<std::vector<double>>& columns, const std::vector<std::size_t>* row_of = nullptr,
                   const Eigen::VectorXd& effects = {});

// New spherical random effects z ~ N(0, I), from a stream of `rng` that no
// outcome's draws use; each coordinate its own, so the draws do not depend
// on the order they are made in.
Eigen::VectorXd new_effects(const Problem::Impl& p, const rt::Rng& rng);

}  // namespace mlec

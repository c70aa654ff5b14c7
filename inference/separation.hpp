// Separation in a binary model (Albert & Anderson, 1984): a direction d of
// the coefficients along which every success row's linear predictor rises
// (x_i'd >= 0) and every failure row's falls (x_i'd <= 0), so the likelihood
// climbs to its supremum as the coefficients run along d and no finite MLE
// exists. Complete when no row has x_i'd = 0, quasi-complete otherwise.
//
// mlec finds d as the direction the fit diverges along (runtime/inference),
// and this check confirms it row by row on the design, so the report can
// say "separation" with certainty rather than guess from huge estimates.
#pragma once

#include <Eigen/Core>
#include <span>
#include <vector>

namespace mlec::inference {

struct SeparationCheck {
    bool separated = false;
    bool complete = false;
    bool contradicted = false;              // a row the direction gets wrong
    std::vector<std::size_t> decided_rows;  // rows with x_i'd != 0: fitted probability -> 0 or 1
    std::size_t decided_total = 0;          // how many (decided_rows may list only the first)
};

// X: rows x coefficients, the gradient of the linear predictor in theta per
// row; y: the 0/1 outcomes; d: the candidate direction. A row counts as
// x_i'd = 0 when |x_i'd| <= 1e-6 * max_i |x_i'd|.
SeparationCheck classify_separation(const Eigen::MatrixXd& X, std::span<const double> y, const Eigen::VectorXd& d);

// The same with the scale given: max_i |x_i'd| over the rows of every rank
// of a distributed fit (separation_scale of each rank's rows, the largest).
double separation_scale(const Eigen::MatrixXd& X, const Eigen::VectorXd& d);
SeparationCheck classify_separation(const Eigen::MatrixXd& X, std::span<const double> y, const Eigen::VectorXd& d,
                                    double scale);

}  // namespace mlec::inference

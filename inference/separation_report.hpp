// Naming separation in a diverged binary fit, private to api/.
#pragma once

#include <string>
#include <vector>

#include "problem/impl.hpp"

namespace mlec {

// When the fit diverges along `direction` and that direction separates the
// outcome of a bernoulli statement (checked row by row on the linear
// predictor's design), adds a "separation" diagnostic naming the statement,
// parameters, columns and rows, and returns true.
bool separation_diagnostic(const Problem::Impl& p, const Eigen::VectorXd& theta, const Eigen::VectorXd& direction,
                           const std::vector<std::string>& diverging, FitResult& r);

}  // namespace mlec

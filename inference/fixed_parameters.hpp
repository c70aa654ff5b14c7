// FitOptions::fixed and FitOptions::start resolved against a problem's
// parameters: which coordinates of theta the fit holds, and where it
// starts. The fit holds them with optim::FixedCoordinates, the objective
// that profiles and the limit fit use.
#pragma once

#include <Eigen/Core>
#include <optional>
#include <vector>

#include "mlec/mlec.hpp"

namespace mlec::inference {

struct ParameterValues {
    std::vector<bool> held;  // per coordinate of theta: held at its value in `start`
    Eigen::VectorXd start;   // theta: the model's start values, FitOptions::start's and the held values in place
    // Per coordinate: the held value as given, on the user's scale (the
    // reports show it, not its round trip through theta); NaN when not held.
    std::vector<double> value;
};

// Nothing after adding an error per mistake to `diagnostics`
// (check_parameter_values in mlec.hpp lists them).
std::optional<ParameterValues> resolve_parameter_values(const Problem& problem, const FitOptions& options,
                                                        Diagnostics& diagnostics);

}  // namespace mlec::inference

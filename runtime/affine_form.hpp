// A node of the graph as an affine form in the parameters and the random
// effects: a sum of terms, each a constant times data factors times scale
// factors times at most one coordinate (a parameter or an effect), such as
// the mean of a linear mixed model,
//     b0 + b1*x + s*z[g] + sb*(L21*z1[g] + L22*z2[g])*x.
// Read off the graph's structure (sums, differences, products, quotients,
// negation), never numerically: runtime/gaussian_rows builds the mean's
// cross-products from it.
#pragma once

#include <optional>
#include <vector>

#include "runtime/graph.hpp"

namespace mlec::rt {

// node ^ power, power +1 or -1.
struct NodePower {
    int node = -1;
    int power = 1;
};

struct AffineTerm {
    enum class Coordinate { none, parameter, effect };
    double coefficient = 1;
    // Nodes of data and constants only (no parameter, no effect).
    std::vector<NodePower> data;
    // Row-invariant nodes of parameters (no data, no effect): a random
    // effect's scale, a correlation factor's entry, or a parameter that
    // multiplies an effect.
    std::vector<NodePower> scale;
    Coordinate kind = Coordinate::none;
    int coordinate = -1;       // the parameter's index in theta, or the effect's id
    int coordinate_node = -1;  // the parameter's or the effect's node
};

// `node` as a sum of such terms; nullopt when it is not one: a function
// other than the arithmetic above of something with parameters and data
// (exp(b*x)), of an effect (exp(z)), a product of two coordinates of the
// same kind (b0*b1, z1*z2), a division by a coordinate, or more than
// max_affine_terms terms after multiplying out.
std::optional<std::vector<AffineTerm>> affine_form(const Graph& graph, int node);

inline constexpr std::size_t max_affine_terms = 4096;

}  // namespace mlec::rt

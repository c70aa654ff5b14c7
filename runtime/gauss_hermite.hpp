// The Gauss-Hermite rule: nodes x_k and weights w_k with
//     integral f(x) exp(-x^2) dx ~= sum_k w_k f(x_k),
// exact for polynomials f of degree below 2K (Abramowitz & Stegun 25.4.46).
// Adaptive quadrature (runtime/adaptive_quadrature) centers and scales it
// at each level's conditional mode.
#pragma once

#include <vector>

namespace mlec::rt {

struct GaussHermiteRule {
    std::vector<double> nodes;    // ascending
    std::vector<double> weights;  // positive; they sum to sqrt(pi)
};

// The K-node rule, K >= 1 (K = 1: the node 0 with weight sqrt(pi)).
GaussHermiteRule gauss_hermite(int nodes);

}  // namespace mlec::rt

#include "runtime/gauss_hermite.hpp"

#include <Eigen/Eigenvalues>
#include <cmath>

namespace mlec::rt {

namespace {

// The orthonormal Hermite polynomials for the weight exp(-x^2),
//     p_0 = pi^(-1/4),  p_{j+1} = x sqrt(2/(j+1)) p_j - sqrt(j/(j+1)) p_{j-1},
// evaluated at x up to degree K: returns p_K(x) and p_{K-1}(x), and the
// Christoffel sum sum_{j<K} p_j(x)^2.
struct Orthonormal {
    double p_k = 0, p_k_minus_1 = 0, christoffel = 0;
};

Orthonormal orthonormal(int k, double x) {
    Orthonormal out;
    double previous = 0;
    double p = std::pow(M_PI, -0.25);
    for (int j = 0; j < k; ++j) {
        out.christoffel += p * p;
        const double next = x * std::sqrt(2.0 / (j + 1)) * p - std::sqrt(static_cast<double>(j) / (j + 1)) * previous;
        previous = p;
        p = next;
    }
    out.p_k = p;
    out.p_k_minus_1 = previous;
    return out;
}

}  // namespace

// Golub & Welsch (1969): the nodes are the eigenvalues of the Jacobi matrix
// of the recurrence (off-diagonal sqrt(j/2)). Each is then polished by
// Newton's method on p_K (p_K' = sqrt(2K) p_{K-1}), and the weights are
// the Christoffel numbers w_k = 1 / sum_{j<K} p_j(x_k)^2: a sum of positive
// terms, so even the tails' tiny weights keep their relative accuracy,
// which weights from the eigenvectors' first components would not.
GaussHermiteRule gauss_hermite(int nodes) {
    GaussHermiteRule rule;
    Eigen::MatrixXd jacobi = Eigen::MatrixXd::Zero(nodes, nodes);
    for (int j = 1; j < nodes; ++j) jacobi(j, j - 1) = jacobi(j - 1, j) = std::sqrt(j / 2.0);
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(jacobi, Eigen::EigenvaluesOnly);
    for (int k = 0; k < nodes; ++k) {
        double x = solver.eigenvalues()[k];
        for (int step = 0; step < 3; ++step) {
            const Orthonormal p = orthonormal(nodes, x);
            x -= p.p_k / (std::sqrt(2.0 * nodes) * p.p_k_minus_1);
        }
        // The rule is symmetric: the middle node of an odd rule is 0.
        if (nodes % 2 == 1 && k == nodes / 2) x = 0;
        rule.nodes.push_back(x);
        rule.weights.push_back(1 / orthonormal(nodes, x).christoffel);
    }
    // Symmetrize: x_k = -x_{K-1-k} exactly, and equal weights.
    for (int k = 0; k < nodes / 2; ++k) {
        const auto lo = static_cast<std::size_t>(k), hi = static_cast<std::size_t>(nodes - 1 - k);
        const double x = 0.5 * (rule.nodes[hi] - rule.nodes[lo]);
        const double w = 0.5 * (rule.weights[hi] + rule.weights[lo]);
        rule.nodes[lo] = -x;
        rule.nodes[hi] = x;
        rule.weights[lo] = rule.weights[hi] = w;
    }
    return rule;
}

}  // namespace mlec::rt

// One elementwise operation of the expression graph: a built-in function
// (exp, lgamma, +, ...) or a distribution's log density. The evaluator calls
// an op once per node per block of rows, so the op's inner loops are Eigen
// array expressions over the whole block (docs/architecture.md, "The evaluator").
//
// An op computes its value and, when asked, its exact local first and second
// partial derivatives with respect to each input. The evaluator chains them:
// the reverse sweep uses the first partials for the gradient, and the Hessian
//     H = sum over nodes n, rows r of  adj_n(r) * sum_ij d2_n,ij(r) t_i(r) t_j(r)^T
//         + (the same first-order chain rule through the tangents t)
// uses the second partials, so no op ever needs a global view.
#pragma once

#include <Eigen/Core>
#include <span>
#include <string_view>

namespace mlec::rt {

using ConstCol = Eigen::Map<const Eigen::ArrayXd>;
using Col = Eigen::Map<Eigen::ArrayXd>;

// Index of the second partial d2f/(d in_i d in_j), i <= j, among the
// arity*(arity+1)/2 packed pairs: (0,0) (0,1) .. (0,k-1) (1,1) (1,2) ...
constexpr int pair_index(int i, int j, int arity) {
    if (i > j) {
        int t = i;
        i = j;
        j = t;
    }
    return i * arity - i * (i - 1) / 2 + (j - i);
}

constexpr int pair_count(int arity) { return arity * (arity + 1) / 2; }

// The arguments of one evaluation. Every input and output has the same length
// n (the evaluator broadcasts row-invariant inputs before calling the op).
struct OpCall {
    std::span<const ConstCol> in;  // the inputs
    Col value;                     // out: f(in) elementwise
    // out: d1[i] = df/d in_i. A map of size 0 means "not wanted": skip it.
    // Empty span when no first derivatives are wanted at all.
    std::span<Col> d1;
    // out: d2[pair_index(i, j)] = d2f/(d in_i d in_j). Size-0 maps and an
    // empty span mean "not wanted", as for d1.
    std::span<Col> d2;

    bool want_d1(int i) const { return !d1.empty() && d1[i].size() > 0; }
    bool want_d2(int i, int j) const {
        return !d2.empty() && d2[pair_index(i, j, static_cast<int>(in.size()))].size() > 0;
    }
};

// Whether the caller wants any partial at all: an op (a built-in function,
// a distribution) that computes its partials together may skip them all.
inline bool want_any_partial(const OpCall& c) {
    for (const Col& d : c.d1) {
        if (d.size() > 0) return true;
    }
    for (const Col& d : c.d2) {
        if (d.size() > 0) return true;
    }
    return false;
}

using OpFunction = void (*)(OpCall& call);

struct OpDef {
    std::string_view name;  // as written in a model: "exp", "normal", "+"
    int arity = 1;          // -1: variadic (log_sum_exp, categorical); in.size() tells
    OpFunction eval = nullptr;
    // True when every second partial is identically zero (+, -, unary -):
    // lets the Hessian pass skip the node.
    bool linear = false;
    // When every first partial is a constant (+: 1, 1; -: 1, -1; unary -:
    // -1; sum: all 1), this returns the one for input i, and the evaluator
    // neither asks the op for d1 nor stores it: sums are the commonest
    // nodes of a linear predictor.
    double (*constant_partial)(int input) = nullptr;
    // A product or a sum of products of input pairs (a * b; x1*y1 + x2*y2
    // + ...): the partial in input i is the value of input i^1, which the
    // evaluator reads in place instead of having it copied into d1, and
    // the only non-zero second partials are those of the pairs (2k, 2k+1),
    // all 1, which the evaluator knows without storing them.
    bool product = false;
    // ifelse(c, a, b): the value is input 1 or input 2, chosen per row by
    // input 0. The evaluator keeps the untaken input out of the
    // derivatives (docs/architecture.md, "Conditionals").
    bool branch = false;
};

}  // namespace mlec::rt

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
// uses the second partials, so no op ever needs a global view. Ops marked
// `third` also return their exact local third partials on request: the
// derivative of a Hessian (the Laplace approximation's log det H, Kristensen
// et al. 2016) chains them the same way.
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

// The number of sorted triples i <= j <= k < arity: arity (arity+1) (arity+2)/6.
constexpr int triple_count(int arity) { return arity * (arity + 1) * (arity + 2) / 6; }

// Index of the third partial d3f/(d in_i d in_j d in_k) among the
// triple_count(arity) packed triples, for its arguments in any order: sorted
// to i <= j <= k, then in lexicographic order (0,0,0) (0,0,1) .. (0,0,m-1)
// (0,1,1) .. (m-1,m-1,m-1). The triples that start below i number
// sum_{a<i} pair_count(m - a) = triple_count(m) - triple_count(m - i); those
// starting at i are the pairs (j, k) of the inputs i..m-1, in pair_index order.
constexpr int triple_index(int i, int j, int k, int arity) {
    if (i > j) {
        int t = i;
        i = j;
        j = t;
    }
    if (j > k) {
        int t = j;
        j = k;
        k = t;
    }
    if (i > j) {
        int t = i;
        i = j;
        j = t;
    }
    return triple_count(arity) - triple_count(arity - i) + pair_index(j - i, k - i, arity - i);
}

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
    // out: d3[triple_index(i, j, k)] = d3f/(d in_i d in_j d in_k), only from
    // an op whose OpDef says `third`. Size-0 maps and an empty span mean
    // "not wanted", as for d1.
    std::span<Col> d3 = {};

    bool want_d1(int i) const { return !d1.empty() && d1[i].size() > 0; }
    bool want_d2(int i, int j) const {
        return !d2.empty() && d2[pair_index(i, j, static_cast<int>(in.size()))].size() > 0;
    }
    bool want_d3(int i, int j, int k) const {
        return !d3.empty() && d3[triple_index(i, j, k, static_cast<int>(in.size()))].size() > 0;
    }
    // Whether any third partial is wanted: ops compute them only then, so
    // the value, gradient and Hessian paths cost nothing more.
    bool want_any_d3() const {
        for (const Col& d : d3) {
            if (d.size() > 0) return true;
        }
        return false;
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
    return c.want_any_d3();
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
    // The op fills every wanted third partial (OpCall::d3). Ops that are
    // `linear`, `product` or have a `constant_partial` need not: all their
    // third partials are identically zero, and the evaluator knows it from
    // those flags. An op with neither (a distribution function, lcdf/lccdf)
    // has no third partials to offer. Last, so that OpDefs initialized by
    // position ({"exp", 1, &eval_exp, false}) stay valid.
    bool third = false;
};

}  // namespace mlec::rt

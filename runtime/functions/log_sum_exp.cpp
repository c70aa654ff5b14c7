// log_sum_exp(x1, ..., xk) = log(exp(x1) + ... + exp(xk)), which never
// overflows.
#include "runtime/functions/detail.hpp"

#include "runtime/special_functions.hpp"

namespace mlec::rt::fn {
namespace {

// log_sum_exp(x1, ..., xk) = m + log(sum_i exp(x_i - m)), m = max_i x_i,
// never overflowing. The winning term exp(x_j - m) = 1 (j = the first input
// attaining m) is kept out of the sum: with rest = sum_{i != j} exp(x_i - m),
//     value = m + log1p(rest)
// keeps the tiny contributions that 1 + rest would round away. Partials:
//     d/dx_i = s_i = exp(x_i - m)/(1 + rest)            (the softmax)
//     d2/dx_i dx_j = s_i (delta_ij - s_j),
// the diagonal as s_i (1 - s_i) with 1 - s_j = rest/(1 + rest) for the
// winner (no cancellation when s_j -> 1). Third partials, from
// d s_i/dx_k = s_i (delta_ik - s_k):
//     d3/dx_i dx_j dx_k = s_i delta_ijk - (delta_ij s_i s_k + delta_ik s_i s_j
//                         + delta_jk s_j s_i) + 2 s_i s_j s_k,
// that is 2 s_i s_j s_k for distinct inputs, -s_i s_k (1 - 2 s_i) for
// i = j != k, and s_i (1 - s_i)(1 - 2 s_i) for i = j = k, with
// 1 - 2 s_i = (1 - s_i) - s_i from the same 1 - s_i. Rows where m is infinite: every
// input -inf gives -inf, some input +inf gives +inf, with s = 1 on the first
// such input, 0 elsewhere (the limit along any path on which it stays the
// largest); a NaN input gives NaN.
void eval_log_sum_exp(OpCall& c) {
    const int k = static_cast<int>(c.in.size());
    const Eigen::Index n = c.value.size();
    if (k == 0) {
        c.value.setConstant(-std::numeric_limits<double>::infinity());
        return;
    }
    Eigen::ArrayXd m = c.in[0];
    Eigen::ArrayXd which = Eigen::ArrayXd::Zero(n);
    for (int i = 1; i < k; ++i) {
        const ConstCol& x = c.in[i];
        for (Eigen::Index r = 0; r < n; ++r) {
            if (x[r] > m[r]) {
                m[r] = x[r];
                which[r] = i;
            }
        }
    }
    const bool finite = m.isFinite().all();
    // Shift by m only where it is finite (inf - inf would be NaN); rows with
    // an infinite m are redone below.
    const Eigen::ArrayXd shift = m.isFinite().select(m, 0.0);
    const bool partials = want_any_partial(c);
    // e.col(i) = exp(x_i - m), with the winner's term set to 0 so that the
    // column sum is `rest`; kept only when partials are wanted.
    Eigen::ArrayXXd e(partials ? n : 0, partials ? k : 0);
    Eigen::ArrayXd rest = Eigen::ArrayXd::Zero(n);
    Eigen::ArrayXd term(n);
    for (int i = 0; i < k; ++i) {
        special::assign_exp(term, c.in[i] - shift);
        term = (which == static_cast<double>(i)).select(0.0, term);
        rest += term;
        if (partials) e.col(i) = term;
    }
    c.value = shift + rest.log1p();
    if (partials) {
        const Eigen::ArrayXd inv_total = (1.0 + rest).inverse();
        // softmax s_i into e (the winner's entry: 1/(1 + rest))
        for (int i = 0; i < k; ++i) {
            e.col(i) = (which == static_cast<double>(i)).select(inv_total, e.col(i) * inv_total);
        }
        for (int i = 0; i < k; ++i) {
            if (c.want_d1(i)) c.d1[i] = e.col(i);
        }
        for (int i = 0; i < k; ++i) {
            for (int j = i; j < k; ++j) {
                if (!c.want_d2(i, j)) continue;
                Col& out = c.d2[pair_index(i, j, k)];
                if (i == j) {
                    // 1 - s_i: rest/(1 + rest) for the winner, else 1 - s_i
                    // directly (s_i <= 1/2 there, no cancellation).
                    out = e.col(i) * (which == static_cast<double>(i)).select(rest * inv_total, 1.0 - e.col(i));
                } else {
                    out = -e.col(i) * e.col(j);
                }
            }
        }
        if (c.want_any_d3()) {
            // 1 - s_i, as for the diagonal above
            Eigen::ArrayXXd one_minus(n, k);
            for (int i = 0; i < k; ++i) {
                one_minus.col(i) = (which == static_cast<double>(i)).select(rest * inv_total, 1.0 - e.col(i));
            }
            for (int i = 0; i < k; ++i) {
                for (int j = i; j < k; ++j) {
                    for (int l = j; l < k; ++l) {
                        if (!c.want_d3(i, j, l)) continue;
                        Col& out = c.d3[triple_index(i, j, l, k)];
                        if (i == j && j == l) {
                            out = e.col(i) * one_minus.col(i) * (one_minus.col(i) - e.col(i));
                        } else if (i == j || j == l) {
                            // the repeated input m and the other o
                            const int m = j;
                            const int o = i == j ? l : i;
                            out = -e.col(m) * e.col(o) * (one_minus.col(m) - e.col(m));
                        } else {
                            out = 2.0 * e.col(i) * e.col(j) * e.col(l);
                        }
                    }
                }
            }
        }
    }
    if (finite) return;
    for (Eigen::Index r = 0; r < n; ++r) {
        if (std::isfinite(m[r])) continue;
        bool has_nan = false;
        for (int i = 0; i < k; ++i) has_nan = has_nan || std::isnan(c.in[i][r]);
        c.value[r] = has_nan ? nan : m[r];
        // which[r] is already the first input equal to m[r] (strict > above).
        for (int i = 0; i < k; ++i) {
            if (c.want_d1(i)) c.d1[i][r] = has_nan ? nan : (which[r] == i ? 1.0 : 0.0);
            for (int j = i; j < k; ++j) {
                if (c.want_d2(i, j)) c.d2[pair_index(i, j, k)][r] = has_nan ? nan : 0.0;
                for (int l = j; l < k; ++l) {
                    if (c.want_d3(i, j, l)) c.d3[triple_index(i, j, l, k)][r] = has_nan ? nan : 0.0;
                }
            }
        }
    }
}

constexpr OpDef log_sum_exp_def{.name = "log_sum_exp", .arity = -1, .eval = &eval_log_sum_exp, .third = true};

}  // namespace
}  // namespace mlec::rt::fn

namespace mlec::rt {

const OpDef& op_log_sum_exp() { return fn::log_sum_exp_def; }

}  // namespace mlec::rt

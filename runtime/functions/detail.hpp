// Shared by the built-in function files (one per function or tight family)
// and not part of any interface. Each op writes its value and only the
// partials the caller asked for (OpCall::want_d1 / want_d2). Outputs are
// assumed not to alias inputs; an op may use its own output buffers as
// scratch space before writing their final contents.
#pragma once

#include <array>
#include <cmath>
#include <limits>

#include "runtime/functions.hpp"

namespace mlec::rt::fn {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr double inf = std::numeric_limits<double>::infinity();

// Packed second-partial slots (see pair_index) for one and two inputs.
constexpr int p00 = 0;  // unary f''
constexpr int a_a = pair_index(0, 0, 2);
constexpr int a_b = pair_index(0, 1, 2);
constexpr int b_b = pair_index(1, 1, 2);

// Packed third-partial slots (see triple_index) for one and two inputs.
constexpr int t000 = 0;  // unary f'''
constexpr int a_a_a = triple_index(0, 0, 0, 2);
constexpr int a_a_b = triple_index(0, 0, 1, 2);
constexpr int a_b_b = triple_index(0, 1, 1, 2);
constexpr int b_b_b = triple_index(1, 1, 1, 2);

inline void zero_requested_d2(OpCall& c) {
    for (Col& d : c.d2) {
        if (d.size() > 0) d.setZero();
    }
}

// The constant first partial of a sum's every input (OpDef::constant_partial).
constexpr double partial_one(int) { return 1.0; }

// The constant first partial of a step (comparisons, logical operators).
constexpr double partial_zero(int) { return 0.0; }

inline void zero_requested_d3(OpCall& c) {
    for (Col& d : c.d3) {
        if (d.size() > 0) d.setZero();
    }
}

// A unary special function whose argument is often a broadcast parameter,
// identical on every row: value and derivatives (computed together by
// `at(x, want_d1, want_d2, want_d3)` -> {f, f', f'', f'''}) are recomputed
// only when the argument changes from the previous row.
template <class At>
void eval_cached_unary(OpCall& c, At&& at) {
    const ConstCol& x = c.in[0];
    const Eigen::Index n = x.size();
    const bool d1 = c.want_d1(0);
    const bool d2 = c.want_d2(0, 0);
    const bool d3 = c.want_d3(0, 0, 0);
    double last = nan;
    std::array<double, 4> f{nan, nan, nan, nan};
    for (Eigen::Index i = 0; i < n; ++i) {
        if (!(x[i] == last)) {
            last = x[i];
            f = at(last, d1, d2, d3);
        }
        c.value[i] = f[0];
        if (d1) c.d1[0][i] = f[1];
        if (d2) c.d2[p00][i] = f[2];
        if (d3) c.d3[t000][i] = f[3];
    }
}

}  // namespace mlec::rt::fn

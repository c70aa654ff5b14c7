// select(i, x_1, ..., x_K) = x_i: picks, row by row, the entry of a vector
// that a data column names — effect[g] for a group parameter, beta[k] for an
// integer column k. Linear in the x's (each row's value is one of them), so
// its second partials vanish.
#pragma once

#include "runtime/op.hpp"

namespace mlec::rt {

// in[0] holds 1-based level numbers (data; never differentiated), in[1..K]
// the candidates. A level outside 1..K gives NaN: the binding step checks the
// data before any evaluation, so that never reaches a fit.
const OpDef& op_select();

}  // namespace mlec::rt

// Shared by the distribution files (one per distribution) and the table in
// runtime/distributions.cpp; not part of any public interface.
#pragma once

#include <cmath>
#include <limits>

#include "runtime/distributions.hpp"

namespace mlec::rt::detail {

constexpr double neg_inf = -std::numeric_limits<double>::infinity();
constexpr double log_sqrt_2pi = 0.91893853320467274178032973640562;  // log(sqrt(2 pi))

// The log densities use Eigen's vectorized log, which clamps a subnormal
// argument (below 2.2e-308) to the smallest normal double. A parameter or
// outcome that small already puts the log density below -708, where the
// difference does not matter; the built-in log function is exact there
// (special::assign_log).

inline bool in_domain_fast(Domain d, double x) {
    switch (d) {
        case Domain::real: return std::isfinite(x);
        case Domain::positive: return x > 0 && x < std::numeric_limits<double>::infinity();
        case Domain::nonnegative: return x >= 0 && x < std::numeric_limits<double>::infinity();
        case Domain::unit_open: return x > 0 && x < 1;
        case Domain::unit_closed: return x >= 0 && x <= 1;
        case Domain::binary: return x == 0 || x == 1;
        case Domain::count:
            return x >= 0 && x < std::numeric_limits<double>::infinity() && x == std::floor(x);
        case Domain::category:
            return x >= 1 && x < std::numeric_limits<double>::infinity() && x == std::floor(x);
    }
    return false;
}

inline bool want_any_partial(const OpCall& c) {
    for (const Col& d : c.d1) {
        if (d.size() > 0) return true;
    }
    for (const Col& d : c.d2) {
        if (d.size() > 0) return true;
    }
    return false;
}

// Whole-column form of in_domain_fast, as one vectorizable pass.
inline bool column_in_domain(Domain d, const ConstCol& x) {
    constexpr double inf = std::numeric_limits<double>::infinity();
    switch (d) {
        case Domain::real: return x.isFinite().all();
        case Domain::positive: return ((x > 0.0) && (x < inf)).all();
        case Domain::nonnegative: return ((x >= 0.0) && (x < inf)).all();
        case Domain::unit_open: return ((x > 0.0) && (x < 1.0)).all();
        case Domain::unit_closed: return ((x >= 0.0) && (x <= 1.0)).all();
        case Domain::binary: return ((x == 0.0) || (x == 1.0)).all();
        case Domain::count: return ((x >= 0.0) && (x < inf) && (x == x.floor())).all();
        case Domain::category: return ((x >= 1.0) && (x < inf) && (x == x.floor())).all();
    }
    return false;
}

// The argument checks of Stan Math's order, run after the vectorized value so
// that the common all-valid block stays a few passes of array expressions:
// every row whose outcome or arguments lie outside their domains, or whose
// log density came out -inf (probability zero, e.g. bernoulli(1 | 0), or a
// row the distribution itself rejected, like binomial's y > n) gets log
// density -inf and zero partials. A zero partial keeps the evaluator's chain
// rule finite; the -inf already tells an optimizer to reject the step.
// Discrete outcomes are never differentiated; any partial in y requested
// anyway is zero.
inline void finish_rows(OpCall& c, const DistributionDef& def) {
    const int arity = static_cast<int>(c.in.size());
    if (def.discrete) {
        if (c.want_d1(0)) c.d1[0].setZero();
        for (int j = 0; j < arity; ++j) {
            if (c.want_d2(0, j)) c.d2[pair_index(0, j, arity)].setZero();
        }
    }
    // Fast path: every row valid, nothing to repair.
    bool all_ok = (c.value > neg_inf).all() && column_in_domain(def.outcome, c.in[0]);
    for (int k = 1; all_ok && k < arity; ++k) all_ok = column_in_domain(def.args[k - 1].domain, c.in[k]);
    if (all_ok) return;

    const Eigen::Index n = c.value.size();
    for (Eigen::Index r = 0; r < n; ++r) {
        bool ok = c.value[r] > neg_inf && in_domain_fast(def.outcome, c.in[0][r]);
        for (int k = 1; ok && k < arity; ++k) ok = in_domain_fast(def.args[k - 1].domain, c.in[k][r]);
        if (ok) continue;
        c.value[r] = neg_inf;
        for (Col& d : c.d1) {
            if (d.size() > 0) d[r] = 0.0;
        }
        for (Col& d : c.d2) {
            if (d.size() > 0) d[r] = 0.0;
        }
    }
}

// One definition per file under runtime/distributions/.
const DistributionDef& bernoulli_def();
const DistributionDef& bernoulli_logit_def();
const DistributionDef& binomial_def();
const DistributionDef& poisson_def();
const DistributionDef& poisson_log_def();
const DistributionDef& normal_def();
const DistributionDef& lognormal_def();
const DistributionDef& exponential_def();
const DistributionDef& gamma_def();

}  // namespace mlec::rt::detail

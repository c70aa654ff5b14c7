// Test helpers shared by the op tests (built-in functions, distributions):
// run an op on rows of scalars, and check its partials against finite
// differences (Stan Math's expect_ad idea: every op's derivatives against
// numbers computed without them).
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/distributions.hpp"
#include "runtime/op.hpp"

namespace mlec::test {

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double qnan = std::numeric_limits<double>::quiet_NaN();

using Row = std::vector<double>;

struct Evaluated {
    double value = qnan;
    Row d1;  // one per input; NaN where not requested
    Row d2;  // packed pairs (pair_index); NaN where not requested
    Row d3;  // packed triples (triple_index); NaN where not requested
};

// Which partials to request: want_d1[i], want_d2[pair], want_d3[triple].
// Empty = none at all of that order.
struct Request {
    std::vector<bool> d1;
    std::vector<bool> d2;
    std::vector<bool> d3 = {};

    // Every partial, the third ones too (an op without OpDef::third leaves
    // them unwritten: NaN).
    static Request all(int arity) {
        return {std::vector<bool>(arity, true), std::vector<bool>(rt::pair_count(arity), true),
                std::vector<bool>(rt::triple_count(arity), true)};
    }
    static Request none() { return {}; }
};

// The number of inputs of `op` at the point x: its arity, or for a variadic
// op (arity -1) the number of entries of x.
inline int arity_at(const rt::OpDef& op, const Row& x) { return op.arity >= 0 ? op.arity : static_cast<int>(x.size()); }

// Evaluates `op` once on a block whose row r holds rows[r] (one entry per
// input), the way the evaluator calls it. A variadic op gets as many inputs
// as the rows have entries (every row the same number).
inline std::vector<Evaluated> eval_block(const rt::OpDef& op, const std::vector<Row>& rows, const Request& want) {
    const int arity = rows.empty() ? std::max(op.arity, 0) : arity_at(op, rows.front());
    const Eigen::Index n = static_cast<Eigen::Index>(rows.size());
    std::vector<Eigen::ArrayXd> in_data(arity, Eigen::ArrayXd(n));
    for (Eigen::Index r = 0; r < n; ++r) {
        REQUIRE(static_cast<int>(rows[r].size()) == arity);
        for (int i = 0; i < arity; ++i) in_data[i][r] = rows[r][i];
    }
    std::vector<rt::ConstCol> in;
    for (int i = 0; i < arity; ++i) in.emplace_back(in_data[i].data(), n);

    // Outputs start as NaN so a partial that was requested but not written
    // shows up as a mismatch.
    Eigen::ArrayXd value = Eigen::ArrayXd::Constant(n, qnan);
    std::vector<Eigen::ArrayXd> d1_data;
    std::vector<Eigen::ArrayXd> d2_data;
    std::vector<Eigen::ArrayXd> d3_data;
    std::vector<rt::Col> d1;
    std::vector<rt::Col> d2;
    std::vector<rt::Col> d3;
    if (!want.d1.empty()) {
        d1_data.assign(arity, Eigen::ArrayXd::Constant(n, qnan));
        for (int i = 0; i < arity; ++i) d1.emplace_back(d1_data[i].data(), want.d1[i] ? n : 0);
    }
    if (!want.d2.empty()) {
        d2_data.assign(rt::pair_count(arity), Eigen::ArrayXd::Constant(n, qnan));
        for (int k = 0; k < rt::pair_count(arity); ++k) {
            d2.emplace_back(d2_data[k].data(), want.d2[k] ? n : 0);
        }
    }
    if (!want.d3.empty()) {
        d3_data.assign(rt::triple_count(arity), Eigen::ArrayXd::Constant(n, qnan));
        for (int k = 0; k < rt::triple_count(arity); ++k) {
            d3.emplace_back(d3_data[k].data(), want.d3[k] ? n : 0);
        }
    }
    rt::OpCall call{std::span<const rt::ConstCol>(in), rt::Col(value.data(), n), std::span<rt::Col>(d1),
                    std::span<rt::Col>(d2), std::span<rt::Col>(d3)};
    op.eval(call);

    std::vector<Evaluated> out(n);
    for (Eigen::Index r = 0; r < n; ++r) {
        out[r].value = value[r];
        out[r].d1.assign(arity, qnan);
        out[r].d2.assign(rt::pair_count(arity), qnan);
        out[r].d3.assign(rt::triple_count(arity), qnan);
        for (int i = 0; i < static_cast<int>(d1.size()); ++i) {
            if (want.d1[i]) out[r].d1[i] = d1_data[i][r];
        }
        for (int k = 0; k < static_cast<int>(d2.size()); ++k) {
            if (want.d2[k]) out[r].d2[k] = d2_data[k][r];
        }
        for (int k = 0; k < static_cast<int>(d3.size()); ++k) {
            if (want.d3[k]) out[r].d3[k] = d3_data[k][r];
        }
    }
    return out;
}

inline Evaluated eval_one(const rt::OpDef& op, const Row& x) {
    return eval_block(op, {x}, Request::all(arity_at(op, x))).front();
}

inline std::string show(const Row& x) {
    std::ostringstream s;
    s.precision(17);
    s << "(";
    for (std::size_t i = 0; i < x.size(); ++i) s << (i ? ", " : "") << x[i];
    s << ")";
    return s.str();
}

// Value comparison against an independent source: equal non-finite values,
// or agreement to `rel` relative to max(1, |expected|).
inline bool close_value(double got, double expected, double rel) {
    if (std::isnan(expected)) return std::isnan(got);
    if (std::isinf(expected)) return got == expected;
    return std::abs(got - expected) <= rel * std::max(1.0, std::abs(expected));
}

// Two evaluations of the same quantity by different code paths (a block of
// many rows against a block of one): equal up to a few ulp, since Eigen's
// vectorized exp/log may differ from the scalar ones in the last bit, and a
// sum of large terms (a log b - lgamma(a) + ...) can magnify that a little.
inline bool same_number(double a, double b) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
    if (a == b) return true;
    return std::abs(a - b) <= 1e-12 * std::max(std::abs(a), std::abs(b));
}

struct FdEstimate {
    double value = qnan;
    double error = inf;
};

// Ridders' method: central differences (f(x+h) - f(x-h))/2h for h shrinking
// geometrically from h0, extrapolated to h -> 0 in a Neville tableau; the
// entry with the smallest estimated error wins. This reaches ~1e-10 relative
// accuracy where a single central difference stalls at ~1e-7. All rounds run
// (no early stop as in the textbook version): with a coarse first step the
// early tableau looks worse before it converges.
template <class F>
FdEstimate ridders(F&& f, double x, double h0) {
    constexpr int rounds = 12;
    constexpr double shrink = 1.4;
    constexpr double shrink2 = shrink * shrink;
    double table[rounds][rounds];
    FdEstimate best;
    double h = h0;
    for (int i = 0; i < rounds; ++i, h /= shrink) {
        const double hi = x + h;
        const double lo = x - h;
        table[0][i] = (f(hi) - f(lo)) / (hi - lo);
        if (i == 0) {
            best.value = table[0][0];
            continue;
        }
        double factor = shrink2;
        for (int j = 1; j <= i; ++j, factor *= shrink2) {
            table[j][i] = (table[j - 1][i] * factor - table[j - 1][i - 1]) / (factor - 1.0);
            const double err =
                std::max(std::abs(table[j][i] - table[j - 1][i]), std::abs(table[j][i] - table[j - 1][i - 1]));
            if (err <= best.error) {
                best.error = err;
                best.value = table[j][i];
            }
        }
    }
    return best;
}

// A first step for the differences in one input that keeps x +- h inside
// the input's domain; 0 = do not differentiate in this input (discrete, or
// x on the boundary of its domain).
inline double default_step(rt::Domain d, double x) {
    switch (d) {
        case rt::Domain::real: return 0.1 * std::max(1.0, std::abs(x));
        case rt::Domain::positive:
        case rt::Domain::nonnegative: return x > 0 ? 0.25 * x : 0.0;
        case rt::Domain::unit_open:
        case rt::Domain::unit_closed: {
            const double dist = std::min(x, 1.0 - x);
            return dist > 0 ? 0.25 * dist : 0.0;
        }
        case rt::Domain::binary:
        case rt::Domain::count:
        case rt::Domain::category: return 0.0;
    }
    return 0.0;
}

struct Tolerance {
    double rel = 1e-6;
    double abs = 1e-10;
};

inline bool close_partial(double analytic, double fd, Tolerance tol) {
    return std::abs(analytic - fd) <= tol.rel * std::abs(analytic) + tol.abs;
}

// Checks every first partial against finite differences of the value, and
// every second partial d2f/dx_i dx_j against finite differences of the op's
// own first partial in x_i taken along x_j (both orders, so the packed pair
// must serve both). step[i] = 0 skips input i.
inline void check_partials(const rt::OpDef& op, const Row& x, const Row& step, Tolerance tol) {
    const int arity = arity_at(op, x);
    const Evaluated at = eval_one(op, x);
    for (int j = 0; j < arity; ++j) {
        if (step[j] <= 0) continue;
        auto moved = [&](double v) {
            Row xv = x;
            xv[j] = v;
            return eval_one(op, xv);
        };
        const FdEstimate fd = ridders([&](double v) { return moved(v).value; }, x[j], step[j]);
        INFO(op.name << " at " << show(x) << ": d/dx" << j << " analytic " << at.d1[j] << ", finite difference "
                     << fd.value << " (+- " << fd.error << ")");
        CHECK(close_partial(at.d1[j], fd.value, tol));
        for (int i = 0; i < arity; ++i) {
            if (step[i] <= 0) continue;
            const FdEstimate fd2 = ridders([&](double v) { return moved(v).d1[i]; }, x[j], step[j]);
            const double analytic = at.d2[rt::pair_index(i, j, arity)];
            INFO(op.name << " at " << show(x) << ": d2/dx" << i << "dx" << j << " analytic " << analytic
                         << ", finite difference of d/dx" << i << " " << fd2.value << " (+- " << fd2.error << ")");
            CHECK(close_partial(analytic, fd2.value, tol));
        }
    }
}

// Checks every third partial d3f/dx_i dx_k dx_j of an op with OpDef::third
// against finite differences (Ridders) of the op's own second partial in
// (x_i, x_k) taken along x_j, for every j (so the one packed entry must
// serve every order). Tolerance: relative `tol.rel`, with an absolute floor
// of tol.abs plus the rounding a difference of second partials of size |d2|
// over a step h can resolve, 1e-9 |d2|/h. Returns the largest relative
// error |analytic - fd| / max(|analytic|, floor) seen (for the report).
inline double check_third_partials(const rt::OpDef& op, const Row& x, const Row& step, Tolerance tol) {
    const int arity = arity_at(op, x);
    const Evaluated at = eval_one(op, x);
    double worst = 0;
    for (int j = 0; j < arity; ++j) {
        if (step[j] <= 0) continue;
        auto moved = [&](double v) {
            Row xv = x;
            xv[j] = v;
            return eval_one(op, xv);
        };
        for (int i = 0; i < arity; ++i) {
            if (step[i] <= 0) continue;
            for (int k = i; k < arity; ++k) {
                if (step[k] <= 0) continue;
                const int pair = rt::pair_index(i, k, arity);
                const FdEstimate fd = ridders([&](double v) { return moved(v).d2[pair]; }, x[j], step[j]);
                const double analytic = at.d3[rt::triple_index(i, k, j, arity)];
                const double floor = tol.abs + 1e-9 * std::abs(at.d2[pair]) / step[j];
                INFO(op.name << " at " << show(x) << ": d3/dx" << i << "dx" << k << "dx" << j << " analytic "
                             << analytic << ", finite difference of d2/dx" << i << "dx" << k << " " << fd.value
                             << " (+- " << fd.error << ")");
                // (equal infinities: a third partial beyond the double range,
                // as its differences are)
                CHECK((analytic == fd.value || std::abs(analytic - fd.value) <= tol.rel * std::abs(analytic) + floor));
                if (std::isfinite(analytic) && std::isfinite(fd.value)) {
                    worst = std::max(worst, std::abs(analytic - fd.value) / std::max(std::abs(analytic), floor));
                }
            }
        }
    }
    return worst;
}

// The block form: the op run once on all rows (in forward and reversed order,
// so vectorized and scalar-tail code paths both see every row) must equal the
// op run on each row alone, for every pattern of requested partials. The
// points of a variadic op are checked in one block per number of inputs.
inline void check_block_form(const rt::OpDef& op, const std::vector<Row>& points) {
    if (points.empty()) return;
    std::vector<Row> same_size;
    std::vector<Row> other_sizes;
    for (const Row& x : points) (x.size() == points.front().size() ? same_size : other_sizes).push_back(x);
    if (!other_sizes.empty()) {
        REQUIRE(op.arity < 0);
        check_block_form(op, other_sizes);
    }
    const int arity = arity_at(op, same_size.front());
    std::vector<Row> rows = same_size;
    rows.insert(rows.end(), same_size.rbegin(), same_size.rend());
    std::vector<Evaluated> single;
    for (const Row& x : rows) single.push_back(eval_one(op, x));

    std::vector<Request> requests{Request::all(arity), Request::none()};
    for (int i = 0; i < arity; ++i) {
        // Only d/dx_i and d2/dx_i^2: what a node with one varying input asks.
        Request r{std::vector<bool>(arity, false), std::vector<bool>(rt::pair_count(arity), false)};
        r.d1[i] = true;
        r.d2[rt::pair_index(i, i, arity)] = true;
        requests.push_back(r);
        // Only the second partial (d1 not wanted at all).
        Request s{std::vector<bool>(arity, false), std::vector<bool>(rt::pair_count(arity), false)};
        s.d2[rt::pair_index(i, i, arity)] = true;
        requests.push_back(s);
        if (!op.third) continue;
        // Only d3/dx_i^3, nothing of lower order (an empty d1 and d2 span).
        Request t{{}, {}, std::vector<bool>(rt::triple_count(arity), false)};
        t.d3[rt::triple_index(i, i, i, arity)] = true;
        requests.push_back(t);
        // The third partials that involve x_i, with d/dx_i and d2/dx_i^2:
        // what the derivative of a Hessian along one input asks.
        Request u = r;
        u.d3.assign(rt::triple_count(arity), false);
        for (int j = 0; j < arity; ++j) {
            for (int k = j; k < arity; ++k) u.d3[rt::triple_index(i, j, k, arity)] = true;
        }
        requests.push_back(u);
    }
    if (op.third && arity > 1) {
        // Every third partial but the first (a subset that is neither one
        // input's nor all).
        Request v = Request::all(arity);
        v.d3[0] = false;
        requests.push_back(v);
    }
    for (std::size_t q = 0; q < requests.size(); ++q) {
        const Request& want = requests[q];
        const std::vector<Evaluated> block = eval_block(op, rows, want);
        for (std::size_t r = 0; r < rows.size(); ++r) {
            INFO(op.name << " block row " << r << " " << show(rows[r]) << ", request " << q);
            CHECK(same_number(block[r].value, single[r].value));
            for (int i = 0; i < static_cast<int>(want.d1.size()); ++i) {
                if (!want.d1[i]) continue;
                INFO("d/dx" << i);
                CHECK(same_number(block[r].d1[i], single[r].d1[i]));
            }
            for (int k = 0; k < static_cast<int>(want.d2.size()); ++k) {
                if (!want.d2[k]) continue;
                INFO("d2 pair " << k);
                CHECK(same_number(block[r].d2[k], single[r].d2[k]));
            }
            if (!op.third) continue;
            for (int k = 0; k < static_cast<int>(want.d3.size()); ++k) {
                if (!want.d3[k]) continue;
                INFO("d3 triple " << k);
                CHECK(same_number(block[r].d3[k], single[r].d3[k]));
            }
        }
    }
}

}  // namespace mlec::test

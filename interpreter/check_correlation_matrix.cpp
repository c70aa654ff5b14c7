// A correlation matrix parameter, `param R corr[K]` (checker.hpp;
// docs/language.md, "Parameters"): K x K, unit diagonal, positive definite,
// optimized on K(K-1)/2 unconstrained coordinates by the canonical partial
// correlations (CPCs) of Lewandowski, Kurowicka and Joe (2009), as in the
// Stan reference manual ("Cholesky factors of correlation matrices"):
// CPC_ij = tanh(x_ij) for i > j, and the Cholesky factor L of R row by row,
//     L[1,1] = 1,
//     L[i,j] = CPC_ij sqrt(1 - sum_{k<j} L[i,k]^2)   (j < i),
//     L[i,i] = sqrt(1 - sum_{k<i} L[i,k]^2).
// Since 1 - sum_{k<j} L[i,k]^2 = prod_{k<j} (1 - CPC_ik^2) (by induction on
// j) and 1 - tanh(x)^2 = 1 / cosh(x)^2, the graph holds
//     L[i,j] = tanh(x_ij) prod_{k<j} sech(x_ik),   L[i,i] = prod_{k<i} sech(x_ik),
// which has no cancellation in 1 - sum. Every row of L has unit length, so
// R = L L' has unit diagonal, and L's positive diagonal makes R positive
// definite for every x. The entries R[i,j] (i < j) are Estimands computed
// from the coordinates, with delta-method standard errors, like a simplex's
// weights; the diagonal is the constant 1.
#include <cmath>

#include "interpreter/checker.hpp"
#include "runtime/functions.hpp"

namespace mlec::interp::check {

namespace {

// "R[1,2]"
std::string entry_name(const std::string& name, int i, int j) {
    return std::string(name).append("[").append(std::to_string(i)).append(",").append(std::to_string(j)).append("]");
}

// Entry number `index` (0-based) of R[1,2], R[1,3], ..., R[2,3], ...
std::string entry_in_row_order(const std::string& name, int k, std::size_t index) {
    for (int i = 1; i <= k; ++i)
        for (int j = i + 1; j <= k; ++j)
            if (index-- == 0) return entry_name(name, i, j);
    return name;
}

// The coordinates x (in the order of R[1,2], R[1,3], ..., R[2,3], ...) of a
// correlation matrix given by those entries: its Cholesky factor, then
// CPC_ij = L[i,j] / sqrt(1 - sum_{k<j} L[i,k]^2) and x = atanh(CPC). Nothing
// when the matrix is not positive definite (or a CPC rounds to +-1).
std::optional<std::vector<double>> coordinates_of(const std::vector<double>& upper, int k) {
    const auto at = [k](int i, int j) { return static_cast<std::size_t>(i * k + j); };
    std::vector<double> r(static_cast<std::size_t>(k * k), 0.0);
    std::size_t next = 0;
    for (int i = 0; i < k; ++i) {
        r[at(i, i)] = 1;
        for (int j = i + 1; j < k; ++j) r[at(i, j)] = r[at(j, i)] = upper[next++];
    }
    std::vector<double> l(r.size(), 0.0);
    for (int i = 0; i < k; ++i)
        for (int j = 0; j <= i; ++j) {
            double rest = r[at(i, j)];
            for (int m = 0; m < j; ++m) rest -= l[at(i, m)] * l[at(j, m)];
            if (i == j) {
                if (!(rest > 0)) return std::nullopt;
                l[at(i, i)] = std::sqrt(rest);
            } else {
                l[at(i, j)] = rest / l[at(j, j)];
            }
        }
    std::vector<double> x(upper.size());
    for (int i = 1; i < k; ++i) {
        double left = 1;  // 1 - sum_{m<j} L[i,m]^2
        for (int j = 0; j < i; ++j) {
            const double cpc = l[at(i, j)] / std::sqrt(left);
            const double coordinate = std::atanh(cpc);
            if (!std::isfinite(coordinate)) return std::nullopt;
            // R[j,i] is entry number j*K - j(j+1)/2 + (i - j - 1) in row order.
            x[static_cast<std::size_t>(j * k - j * (j + 1) / 2 + (i - j - 1))] = coordinate;
            left -= l[at(i, j)] * l[at(i, j)];
        }
    }
    return x;
}

}  // namespace

Checker::ParamEntry Checker::corr_parameter(const ast::ParamDecl& d) {
    const std::string& name = d.name;
    const Span at = d.name_span;
    const int k = size_of(d.dims[0], name);
    if (k < 2)
        fail(d.dims[0].span, "a correlation matrix has at least 2 rows (one correlation), as in '" + name +
                                 " corr[2]'; corr[" + std::to_string(k) + "] has no correlation to estimate");
    std::vector<double> start(static_cast<std::size_t>(k * (k - 1) / 2), 0.0);  // the identity
    if (d.start) start = corr_start(d, k);
    // Coordinates in the order of the correlations they set: R[1,2],
    // R[1,3], ..., R[2,3], ...; x for R[j,i] sets CPC_ij of L's row i.
    const auto ks = static_cast<std::size_t>(k);
    std::vector<std::vector<int>> x(ks, std::vector<int>(ks, -1));
    std::size_t next = 0;
    for (int j = 0; j < k; ++j)
        for (int i = j + 1; i < k; ++i)
            x[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] = coordinate(
                "atanh(cpc " + entry_name(name, j + 1, i + 1) + ")", at, true, rt::Bounds{}, "", start[next++], false);
    std::vector<int> cpc_coordinates(ks * ks, -1);
    for (std::size_t i = 0; i < ks; ++i)
        for (std::size_t j = 0; j < i; ++j) cpc_coordinates[i * ks + j] = out_.graph.node(x[i][j]).parameter;
    const int one = build_.constant(1.0);
    // (L[1,1] and the first factor of each product are the constant 1, not
    // multiplied in: for K = 2, R[1,2] is the node tanh(x) itself.)
    const auto times = [&](int a, int b) { return a == one ? b : b == one ? a : build_.op(rt::op_mul(), {a, b}); };
    std::vector<int> l(ks * ks, build_.constant(0.0));
    for (std::size_t i = 0; i < ks; ++i) {
        int remaining = one;  // prod_{m<j} sech(x_im)
        for (std::size_t j = 0; j < i; ++j) {
            const int xij = x[i][j];
            l[i * ks + j] = times(build_.op(rt::op_tanh(), {xij}), remaining);
            remaining = times(remaining, build_.op(rt::op_div(), {one, build_.op(rt::op_cosh(), {xij})}));
        }
        l[i * ks + i] = remaining;
    }
    std::vector<int> r(ks * ks, one);
    std::vector<int> correlation_estimands(ks * ks, -1);
    for (std::size_t i = 0; i < ks; ++i)
        for (std::size_t j = i + 1; j < ks; ++j) {
            std::vector<int> products;  // R[i,j] = sum_{m<=i} L[i,m] L[j,m]
            for (std::size_t m = 0; m <= i; ++m) products.push_back(times(l[i * ks + m], l[j * ks + m]));
            r[i * ks + j] = r[j * ks + i] = build_.sum(products);
            Estimand e;
            e.name = entry_name(name, static_cast<int>(i) + 1, static_cast<int>(j) + 1);
            e.node = r[i * ks + j];
            e.bounds = rt::Bounds{-1, 1};
            correlation_estimands[j * ks + i] = static_cast<int>(out_.estimands.size());
            out_.estimands.push_back(std::move(e));
        }
    ParamEntry entry;
    entry.value = Value::matrix(k, k, std::move(r));
    entry.cholesky = std::move(l);
    entry.cpc_coordinates = std::move(cpc_coordinates);
    entry.correlation_estimands = std::move(correlation_estimands);
    return entry;
}

// `param R corr[3] = [0.3, 0, -0.2]`: the K(K-1)/2 correlations R[1,2],
// R[1,3], ..., R[2,3], ... in row order, constants in (-1, 1) that make a
// positive definite matrix. Returns the coordinates that start there.
std::vector<double> Checker::corr_start(const ast::ParamDecl& d, int k) {
    const ast::Expr& s = *d.start;
    const std::string what = "the start value of '" + d.name + "'";
    const auto count = static_cast<std::size_t>(k * (k - 1) / 2);
    std::string entries;  // "R[1,2], R[1,3], R[2,3]"; "R[1,2], R[1,3], ..., R[4,5]" for more
    for (int i = 1; i <= k; ++i)
        for (int j = i + 1; j <= k; ++j)
            if (count <= 3 || (i == 1 && j <= 3))
                entries.append(entries.empty() ? "" : ", ").append(entry_name(d.name, i, j));
    if (count > 3) entries.append(", ..., ").append(entry_name(d.name, k - 1, k));
    const Value v = expression(s);
    if (v.shape != Shape::vector || v.nodes.size() != count)
        fail(s.span, what + " must be a vector of the " + std::to_string(count) +
                         (count == 1 ? " correlation " : " correlations ") + entries +
                         (count == 1 ? ", as in '[0.3]'" : " in that order, as in '[0.3, ...]'") + ", not " +
                         describe(v));
    const auto* literal = std::get_if<ast::VectorLiteral>(&s.node);
    const auto span_of = [&](std::size_t i) { return literal ? literal->elements[i].span : s.span; };
    std::vector<double> out;
    for (std::size_t i = 0; i < v.nodes.size(); ++i) {
        const rt::Node& n = out_.graph.node(v.nodes[i]);
        if (n.kind != rt::NodeKind::constant || !std::isfinite(n.constant))
            fail(span_of(i), what + " must be finite constants (numbers or expressions of numbers)");
        if (!(std::abs(n.constant) < 1))
            fail(span_of(i), what + " holds correlations, strictly between -1 and 1: entry " + std::to_string(i + 1) +
                                 " (" + entry_in_row_order(d.name, k, i) + ") is " + format_number(n.constant));
        out.push_back(n.constant);
    }
    const std::optional<std::vector<double>> x = coordinates_of(out, k);
    if (!x)
        fail(s.span, what +
                         " is not a correlation matrix: with these correlations it is not positive definite "
                         "(some combination of the variables would have a negative variance)");
    return *x;
}

}  // namespace mlec::interp::check

// The Laplace approximation's linear algebra on InstEval's crossed design
// (models/mixed/InstEval.csv: random intercepts for 2972 students s, 1128
// lecturers d and 14 departments, q = 4114 effects): H = I + Lambda Z'Z
// Lambda / sigma^2, a linear mixed model's Hessian in its spherical
// effects, at lmer's estimates. mlec's EffectFactor (CHOLMOD's analysis,
// factored by supernodes with Eigen's kernels, supernodal selected inverse)
// against the hand-written baseline it replaced, in the same run: Eigen's
// SimplicialLLT with AMD and the column-by-column Takahashi recurrence on
// its factor; and, for the factorization alone, CHOLMOD's own supernodal
// one on the same analysis (through the BLAS Debian has installed); and
// mlec's factorization and selected inverse on two threads (TreeHalves).
// mlec and the baseline are checked to agree first. Prints medians.
//
//   build/bench/laplace_factor [csv=models/mixed/InstEval.csv] [repetitions=11]
#include <Eigen/SparseCholesky>
#include <Eigen/SparseCore>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "runtime/cholmod_handles.hpp"
#include "runtime/effect_factor.hpp"

namespace {

template <class F>
double median_seconds(int repetitions, F&& f) {
    std::vector<double> t;
    for (int i = 0; i < repetitions; ++i) {
        const auto start = std::chrono::steady_clock::now();
        f();
        t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

// H's lower triangle in the evaluator's pattern form, and its values.
struct Hessian {
    mlec::rt::EffectPattern pattern;
    std::vector<double> zz;  // H - I on the pattern
};

// The effects s, d, dept of each row, their scales and sigma from
// InstEval.expected.json (lmer, ML).
Hessian insteval_hessian(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    std::vector<std::string> header;
    for (std::stringstream ss(line); std::getline(ss, line, ',');) header.push_back(line);
    const std::vector<std::string> groups{"s", "d", "dept"};
    const std::vector<double> scales{0.32637221427946667, 0.51060590309415221, 0.078691918367007049};
    const double sigma = 1.1761535090081212;
    std::vector<std::size_t> column;
    for (const auto& g : groups)
        column.push_back(static_cast<std::size_t>(std::find(header.begin(), header.end(), g) - header.begin()));
    std::vector<std::map<std::string, int>> levels(groups.size());
    std::vector<std::vector<int>> rows;
    while (std::getline(in, line)) {
        std::vector<std::string> field;
        std::string f;
        for (std::stringstream ss(line); std::getline(ss, f, ',');) field.push_back(f);
        std::vector<int> r;
        for (std::size_t g = 0; g < groups.size(); ++g)
            r.push_back(levels[g].emplace(field[column[g]], static_cast<int>(levels[g].size())).first->second);
        rows.push_back(r);
    }
    std::vector<int> offset{0};
    for (const auto& l : levels) offset.push_back(offset.back() + static_cast<int>(l.size()));
    std::vector<std::map<int, double>> h(static_cast<std::size_t>(offset.back()));
    for (std::size_t j = 0; j < h.size(); ++j) h[j][static_cast<int>(j)] = 0;
    for (const auto& r : rows)
        for (std::size_t a = 0; a < groups.size(); ++a)
            for (std::size_t b = 0; b <= a; ++b)
                h[static_cast<std::size_t>(offset[b] + r[b])][offset[a] + r[a]] +=
                    scales[a] * scales[b] / (sigma * sigma);
    Hessian out;
    out.pattern.col_start.push_back(0);
    for (const auto& col : h) {
        for (const auto& [i, v] : col) {
            out.pattern.row.push_back(i);
            out.zz.push_back(v);
        }
        out.pattern.col_start.push_back(static_cast<int>(out.pattern.row.size()));
    }
    return out;
}

using Sparse = Eigen::SparseMatrix<double>;
using Simplicial = Eigen::SimplicialLLT<Sparse, Eigen::Lower, Eigen::AMDOrdering<int>>;

// The baseline's selected inverse: the Takahashi recurrence column by
// column on a simplicial factor (mlec's before this benchmark was written),
//     Z_ij = -(1/L_jj) sum_{k in S_j} L_kj Z_ik,   Z_jj = 1/L_jj^2 - (1/L_jj) sum_{k in S_j} L_kj Z_kj,
// then H^-1 read at H's entries through the ordering.
std::vector<double> simplicial_selected_inverse(const Simplicial& llt, const Sparse& h) {
    const Sparse& l = llt.matrixL().nestedExpression();
    const auto q = static_cast<std::size_t>(l.cols());
    const int* start = l.outerIndexPtr();
    const int* row = l.innerIndexPtr();
    const double* value = l.valuePtr();
    const auto at = [](int k) { return static_cast<std::size_t>(k); };
    std::vector<double> z(at(static_cast<int>(l.nonZeros()))), sum(z.size());
    std::vector<int> where(q, -1);
    for (std::size_t j = q; j-- > 0;) {
        const int diag = start[j], end = start[j + 1];
        const double ljj = value[diag];
        for (int a = diag + 1; a < end; ++a) {
            where[at(row[a])] = a;
            sum[at(a)] = 0;
        }
        for (int b = diag + 1; b < end; ++b) {
            const auto k = at(row[b]);
            sum[at(b)] += value[b] * z[at(start[k])];
            for (int c = start[k] + 1; c < start[k + 1]; ++c) {
                const int a = where[at(row[c])];
                if (a < 0) continue;
                sum[at(a)] += value[b] * z[at(c)];
                sum[at(b)] += value[a] * z[at(c)];
            }
        }
        double diagonal = 0;
        for (int a = diag + 1; a < end; ++a) {
            z[at(a)] = -sum[at(a)] / ljj;
            diagonal += value[a] * z[at(a)];
            where[at(row[a])] = -1;
        }
        z[at(diag)] = 1 / (ljj * ljj) - diagonal / ljj;
    }
    const auto& perm = llt.permutationP().indices();
    std::vector<double> out;
    for (Eigen::Index j = 0; j < h.cols(); ++j)
        for (int k = h.outerIndexPtr()[j]; k < h.outerIndexPtr()[j + 1]; ++k) {
            const int a = perm[h.innerIndexPtr()[k]], b = perm[j];
            const int col = std::min(a, b), r = std::max(a, b);
            const int* it = std::lower_bound(row + start[col], row + start[col + 1], r);
            out.push_back(z[at(static_cast<int>(it - row))]);
        }
    return out;
}

// CHOLMOD's analysis (AMD and METIS, as mlec's) and its supernodal
// numeric factorization, on H with its values: seconds of the analysis and
// the median factorization; 0 when it fails.
std::pair<double, double> cholmod_seconds(const Hessian& hessian, int repetitions) {
    mlec::rt::CholmodCommon common;
    cholmod_common* c = common.get();
    const std::size_t q = hessian.pattern.col_start.size() - 1;
    mlec::rt::CholmodSparse h(cholmod_allocate_sparse(q, q, hessian.zz.size(), 1, 1, -1, CHOLMOD_REAL, c), common);
    std::copy(hessian.pattern.col_start.begin(), hessian.pattern.col_start.end(), static_cast<int*>(h->p));
    std::copy(hessian.pattern.row.begin(), hessian.pattern.row.end(), static_cast<int*>(h->i));
    auto* x = static_cast<double*>(h->x);
    std::copy(hessian.zz.begin(), hessian.zz.end(), x);
    for (std::size_t j = 0; j < q; ++j) x[hessian.pattern.col_start[j]] += 1;
    c->nmethods = 2;
    c->method[0].ordering = CHOLMOD_AMD;
    c->method[1].ordering = CHOLMOD_METIS;
    c->supernodal = CHOLMOD_SUPERNODAL;
    mlec::rt::CholmodFactor l(nullptr, common);
    const double analyze = median_seconds(1, [&] { l.reset(cholmod_analyze(h.get(), c)); });
    bool ok = true;
    const double factor = median_seconds(
        repetitions, [&] { ok = cholmod_factorize(h.get(), l.get(), c) && c->status == CHOLMOD_OK && ok; });
    return ok ? std::make_pair(analyze, factor) : std::make_pair(0.0, 0.0);
}

}  // namespace

int main(int argc, char** argv) {
    const std::string path = argc > 1 ? argv[1] : "models/mixed/InstEval.csv";
    const int repetitions = argc > 2 ? std::atoi(argv[2]) : 11;
    const Hessian hessian = insteval_hessian(path);
    const auto q = static_cast<Eigen::Index>(hessian.pattern.col_start.size()) - 1;
    std::vector<Eigen::Triplet<double>> entries;
    for (Eigen::Index j = 0; j < q; ++j)
        for (int k = hessian.pattern.col_start[static_cast<std::size_t>(j)];
             k < hessian.pattern.col_start[static_cast<std::size_t>(j) + 1]; ++k) {
            const int i = hessian.pattern.row[static_cast<std::size_t>(k)];
            entries.emplace_back(i, j, hessian.zz[static_cast<std::size_t>(k)] + (i == j ? 1.0 : 0.0));
        }
    Sparse h(q, q);
    h.setFromTriplets(entries.begin(), entries.end());
    std::printf("InstEval: q = %ld effects, %zu entries in H's lower triangle; repetitions %d (medians)\n",
                static_cast<long>(q), hessian.pattern.row.size(), repetitions);

    Simplicial llt;
    const double base_analyze = median_seconds(1, [&] { llt.analyzePattern(h); });
    const double base_factor = median_seconds(repetitions, [&] { llt.factorize(h); });
    std::vector<double> base_inverse;
    const double base_selected =
        median_seconds(repetitions, [&] { base_inverse = simplicial_selected_inverse(llt, h); });
    const Eigen::VectorXd b = Eigen::VectorXd::LinSpaced(q, -1, 1);
    Eigen::VectorXd base_x;
    const double base_solve = median_seconds(repetitions, [&] { base_x = llt.solve(b); });

    const auto start = std::chrono::steady_clock::now();
    mlec::rt::EffectFactor factor(hessian.pattern);
    const double analyze = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    bool ok = true;
    const double factor_seconds = median_seconds(repetitions, [&] { ok = factor.factor(hessian.zz) && ok; });
    std::vector<double> inverse;
    const double selected = median_seconds(repetitions, [&] { inverse = factor.selected_inverse(); });
    // (and on two threads, the same numbers: TreeHalves)
    const double factor_two = median_seconds(repetitions, [&] { ok = factor.factor(hessian.zz, 0, true) && ok; });
    const double selected_two = median_seconds(repetitions, [&] { inverse = factor.selected_inverse(true); });
    Eigen::VectorXd x;
    const double solve = median_seconds(repetitions, [&] { x = factor.solve(b); });

    double worst = 0;
    for (std::size_t k = 0; k < inverse.size(); ++k) worst = std::max(worst, std::abs(inverse[k] - base_inverse[k]));
    const Sparse& l = llt.matrixL().nestedExpression();
    double base_log_det = 0;
    for (Eigen::Index j = 0; j < q; ++j) base_log_det += 2 * std::log(l.coeff(j, j));
    std::printf(
        "agree: factored %s, selected inverse max |difference| %.1e, log det %.17g vs %.17g, "
        "solve max |difference| %.1e\n",
        ok ? "yes" : "NO", worst, factor.log_determinant(), base_log_det, (x - base_x).lpNorm<Eigen::Infinity>());
    std::printf("factor entries: mlec %zu (supernodes, with their explicit zeros), baseline %ld\n",
                factor.factor_entries(), static_cast<long>(l.nonZeros()));
    const auto [cholmod_analyze_seconds, cholmod_factor_seconds] = cholmod_seconds(hessian, repetitions);
    std::printf("%-18s %12s %12s %8s %12s\n", "seconds", "baseline", "mlec", "ratio", "CHOLMOD");
    const auto line = [](const char* what, double base, double ours, double cholmod) {
        std::printf("%-18s %12.5f %12.5f %7.1fx", what, base, ours, base / ours);
        if (cholmod > 0) std::printf(" %12.5f", cholmod);
        std::printf("\n");
    };
    line("analysis (once)", base_analyze, analyze, cholmod_analyze_seconds);
    line("factorization", base_factor, factor_seconds, cholmod_factor_seconds);
    line("  two threads", base_factor, factor_two, 0);
    line("selected inverse", base_selected, selected, 0);
    line("  two threads", base_selected, selected_two, 0);
    line("solve", base_solve, solve, 0);
    return ok && worst < 1e-10 ? 0 : 1;
}

// EffectFactor (runtime/effect_factor): the Laplace approximation's H =
// H_zz + I, factored by supernodes, against dense linear algebra (Eigen's
// dense LLT and inverse), over random designs: one grouping factor, and
// crossed ones, whose factor has large dense supernodes (InstEval's design
// in small). Checked: H^-1 b (a column and several), log det H, the
// selected inverse (H^-1 on H's pattern), the same numbers on two threads,
// refactoring on the same analysis, and that a matrix that is not positive
// definite is refused.
#include <catch2/catch.hpp>

#include <Eigen/Dense>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <random>
#include <thread>

#include "runtime/effect_factor.hpp"
#include "runtime/inverse_ahead.hpp"
#include "runtime/supernodes.hpp"

namespace {

using mlec::rt::EffectFactor;

// H_zz = Z' W Z for rows that each pick one level of every grouping factor
// (levels[g] levels, numbered after the previous factors'), W > 0 random:
// the normal model's Hessian in its effects. Its lower triangle, in the
// evaluator's pattern form (columns sorted by row, the diagonal first).
struct Design {
    mlec::rt::EffectPattern pattern;
    std::vector<double> zz;
    Eigen::MatrixXd dense;  // H = H_zz + I
};

Design make_design(const std::vector<int>& levels, int rows, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> weight(0.1, 3.0);
    int q = 0;
    for (int l : levels) q += l;
    std::vector<std::map<int, double>> columns(static_cast<std::size_t>(q));
    for (int j = 0; j < q; ++j) columns[static_cast<std::size_t>(j)][j] = 0;
    for (int r = 0; r < rows; ++r) {
        std::vector<int> picked;
        int offset = 0;
        for (int l : levels) {
            picked.push_back(offset + std::uniform_int_distribution<int>(0, l - 1)(rng));
            offset += l;
        }
        const double w = weight(rng);
        for (int a : picked)
            for (int b : picked)
                if (a >= b) columns[static_cast<std::size_t>(b)][a] += w;
    }
    Design d;
    d.dense = Eigen::MatrixXd::Identity(q, q);
    d.pattern.col_start.push_back(0);
    for (int j = 0; j < q; ++j) {
        for (const auto& [i, v] : columns[static_cast<std::size_t>(j)]) {
            d.pattern.row.push_back(i);
            d.zz.push_back(v);
            d.dense(i, j) += v;
            if (i != j) d.dense(j, i) += v;
        }
        d.pattern.col_start.push_back(static_cast<int>(d.pattern.row.size()));
    }
    return d;
}

void check_against_dense(const Design& d) {
    EffectFactor factor(d.pattern);
    REQUIRE(factor.factor(d.zz));
    const Eigen::LLT<Eigen::MatrixXd> llt(d.dense);
    const Eigen::MatrixXd l = llt.matrixL();
    const double log_det = 2 * l.diagonal().array().log().sum();
    CHECK(std::abs(factor.log_determinant() - log_det) <= 1e-12 * std::abs(log_det));
    const Eigen::VectorXd b = Eigen::VectorXd::LinSpaced(d.dense.rows(), -1, 2);
    CHECK((factor.solve(b) - llt.solve(b)).lpNorm<Eigen::Infinity>() <= 1e-12 * llt.solve(b).lpNorm<Eigen::Infinity>());
    // several columns at once
    Eigen::MatrixXd columns(d.dense.rows(), 3);
    columns << b, b.cwiseAbs2(), Eigen::VectorXd::Ones(d.dense.rows());
    const Eigen::MatrixXd solved = llt.solve(columns);
    CHECK((factor.solve_columns(columns) - solved).lpNorm<Eigen::Infinity>() <=
          1e-12 * solved.lpNorm<Eigen::Infinity>());
    const Eigen::MatrixXd inverse = d.dense.inverse();
    const std::vector<double> selected = factor.selected_inverse();
    REQUIRE(selected.size() == d.pattern.row.size());
    // H >= I, so |H^-1| <= 1 entrywise: an absolute tolerance.
    double worst = 0;
    for (std::size_t j = 0; j + 1 < d.pattern.col_start.size(); ++j)
        for (auto k = static_cast<std::size_t>(d.pattern.col_start[j]);
             k < static_cast<std::size_t>(d.pattern.col_start[j + 1]); ++k)
            worst = std::max(worst, std::abs(selected[k] - inverse(d.pattern.row[k], static_cast<Eigen::Index>(j))));
    CHECK(worst <= 1e-12);
}

}  // namespace

TEST_CASE("the factor's solves, log det and selected inverse equal dense linear algebra") {
    // levels per grouping factor, rows
    const std::vector<std::pair<std::vector<int>, int>> designs{
        {{7}, 40}, {{9, 4}, 150}, {{120, 40}, 900}, {{150, 60, 5}, 1500}, {{30, 30, 30}, 400}};
    for (std::size_t i = 0; i < designs.size(); ++i)
        for (unsigned seed = 1; seed <= 3; ++seed) {
            INFO("design " << i << " seed " << seed);
            check_against_dense(make_design(designs[i].first, designs[i].second, seed));
        }
}

// Two dense blocks A and B (200 each), each coupled to a dense C (250) and
// not to each other: the ordering makes A one wide supernode with C's rows
// below it, and B and C together the other, at the top.
Design arrow_design(unsigned seed, int a = 200, int b = 200, int c = 250) {
    const int q = a + b + c;
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> uniform(0.0, 0.01);
    Eigen::MatrixXd zz = Eigen::MatrixXd::Zero(q, q);
    const auto coupled = [a, b](int i, int j) { return i / a == j / a || i >= a + b || j >= a + b; };
    for (int j = 0; j < q; ++j)
        for (int i = j + 1; i < q; ++i)
            if (coupled(i, j)) zz(i, j) = zz(j, i) = uniform(rng);
    for (int j = 0; j < q; ++j) zz(j, j) = zz.col(j).sum();
    Design d;
    d.dense = zz + Eigen::MatrixXd::Identity(q, q);
    d.pattern.col_start.push_back(0);
    for (int j = 0; j < q; ++j) {
        for (int i = j; i < q; ++i)
            if (i == j || coupled(i, j)) {
                d.pattern.row.push_back(i);
                d.zz.push_back(zz(i, j));
            }
        d.pattern.col_start.push_back(static_cast<int>(d.pattern.row.size()));
    }
    return d;
}

// The tree below its top in two halves, one per thread, and a wide
// supernode's products in two halves, in the factorization as in the
// selected inverse: every entry the same as on one thread (the halves'
// updates of the top kept apart, a supernode's inverse reading only its
// ancestors' entries, a product's halves split where the sizes alone say),
// and equal to the dense inverse's.
TEST_CASE("the factor and selected inverse on two threads equal those on one, entry for entry") {
    for (unsigned seed = 1; seed <= 2; ++seed) {
        INFO("seed " << seed);
        // (a crossed design: a wide top with no rows below it, and students'
        // small subtrees in two halves; the arrow: two wide supernodes, one
        // with rows below it)
        for (const bool arrow : {false, true}) {
            const Design d = arrow ? arrow_design(seed) : make_design({600, 300, 8}, 40000, seed);
            EffectFactor factor(d.pattern), other(d.pattern);
            CHECK(factor.splits() == !arrow);
            CHECK(factor.inverse_wide_supernodes() == (arrow ? 2 : 1));
            CHECK(factor.factor_wide_supernodes() == (arrow ? 1 : 0));
            REQUIRE(factor.factor(d.zz, 0, true));
            REQUIRE(other.factor(d.zz, 0, false));
            CHECK(factor.log_determinant() == other.log_determinant());
            const Eigen::VectorXd b = Eigen::VectorXd::LinSpaced(d.dense.rows(), -1, 2);
            CHECK(factor.solve(b) == other.solve(b));
            const std::vector<double> one = other.selected_inverse(false);
            const std::vector<double> two = factor.selected_inverse(true);
            CHECK(two == one);
            // and again, the workspaces reused
            CHECK(factor.selected_inverse(true) == one);
            check_against_dense(d);
        }
    }
    // Wide supernodes (220 columns) with only 3 rows below them: their split
    // of the rows below stays within them.
    {
        const Design d = arrow_design(3, 220, 220, 3);
        EffectFactor factor(d.pattern);
        CHECK(factor.inverse_wide_supernodes() >= 1);
        REQUIRE(factor.factor(d.zz, 0, true));
        const std::vector<double> one = factor.selected_inverse(false);
        CHECK(factor.selected_inverse(true) == one);
        check_against_dense(d);
    }
    // A small design does not split, and gives the same numbers either way.
    const Design small = make_design({7}, 40, 1);
    EffectFactor factor(small.pattern);
    CHECK_FALSE(factor.splits());
    REQUIRE(factor.factor(small.zz));
    CHECK(factor.selected_inverse(true) == factor.selected_inverse(false));
}

// The rows' maps kept for tall supernodes (Supernodes::local_rows) place
// every row as a fresh map does, and some are kept on a crossed design.
TEST_CASE("the kept maps of tall supernodes equal fresh ones") {
    const Design d = make_design({600, 300, 8}, 40000, 2);
    const mlec::rt::Supernodes st = mlec::rt::analyze_supernodes(d.pattern);
    CHECK(std::count_if(st.kept_index.begin(), st.kept_index.end(), [](int k) { return k >= 0; }) > 0);
    std::vector<int> fresh(st.order.size(), -1), scratch(st.order.size(), -1);
    std::size_t mapped = st.count();
    for (std::size_t t = 0; t < st.count(); ++t) {
        st.map_rows(t, fresh);
        const int* local = st.local_rows(t, scratch, mapped);
        for (int r = st.row_start[t]; r < st.row_start[t + 1]; ++r)
            REQUIRE(local[st.rows[static_cast<std::size_t>(r)]] ==
                    fresh[static_cast<std::size_t>(st.rows[static_cast<std::size_t>(r)])]);
    }
}

// The selected inverse on a worker thread that the caller helps
// (InverseAhead): the caller asks at once, so the two share the halves, or
// after the worker is done; or drops it and starts again. Every entry is
// the one thread's.
TEST_CASE("the selected inverse computed ahead, with the caller's help, equals the one on one thread") {
    const Design d = make_design({600, 300, 8}, 40000, 3);
    EffectFactor factor(d.pattern);
    REQUIRE(factor.splits());
    REQUIRE(factor.factor(d.zz));
    const std::vector<double> one = factor.selected_inverse(false);
    mlec::rt::InverseAhead ahead;
    for (const bool two_threads : {false, true}) {
        REQUIRE(ahead.start(factor, two_threads));
        CHECK(ahead.running());
        CHECK(ahead.get() == one);
        CHECK_FALSE(ahead.running());
        REQUIRE(ahead.start(factor, two_threads));
        ahead.settle();
        REQUIRE(ahead.start(factor, two_threads));
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        CHECK(ahead.get() == one);
    }
}

TEST_CASE("refactoring on the same pattern gives the new matrix's results") {
    // The symbolic analysis is done once; later factorizations reuse it.
    const Design first = make_design({120, 40}, 900, 4);
    Design second = first;
    for (std::size_t k = 0; k < second.zz.size(); ++k) second.zz[k] *= 0.25;
    second.dense = 0.25 * first.dense + 0.75 * Eigen::MatrixXd::Identity(first.dense.rows(), first.dense.cols());
    EffectFactor factor(first.pattern);
    REQUIRE(factor.factor(first.zz));
    REQUIRE(factor.factor(second.zz));
    const Eigen::MatrixXd inverse = second.dense.inverse();
    const std::vector<double> selected = factor.selected_inverse();
    for (std::size_t k = 0; k < static_cast<std::size_t>(second.pattern.col_start[1]); ++k)
        CHECK(std::abs(selected[k] - inverse(second.pattern.row[k], 0)) <= 1e-12);
    const Eigen::MatrixXd l = second.dense.llt().matrixL();
    CHECK(std::abs(factor.log_determinant() - 2 * l.diagonal().array().log().sum()) <= 1e-10);
}

TEST_CASE("a matrix that is not positive definite is refused, and a shift that makes it so is taken") {
    const Design d = make_design({120, 40}, 900, 5);
    std::vector<double> negative = d.zz;
    for (double& v : negative) v = -v;  // H = I - Z'WZ: Z'WZ's largest eigenvalue is far above 1
    const Eigen::MatrixXd zz = d.dense - Eigen::MatrixXd::Identity(d.dense.rows(), d.dense.cols());
    const double largest = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(zz).eigenvalues().maxCoeff();
    EffectFactor factor(d.pattern);
    CHECK_FALSE(factor.factor(negative));
    CHECK_FALSE(factor.factor(negative, 0.5 * largest));
    REQUIRE(factor.factor(negative, 1.01 * largest));
    // Then an ordinary factorization works again on the same analysis.
    REQUIRE(factor.factor(d.zz));
    const Eigen::MatrixXd l = d.dense.llt().matrixL();
    CHECK(std::abs(factor.log_determinant() - 2 * l.diagonal().array().log().sum()) <= 1e-10);
    // And a NaN is refused, not factored into NaNs.
    std::vector<double> nan = d.zz;
    nan.back() = std::nan("");
    CHECK_FALSE(factor.factor(nan));
}

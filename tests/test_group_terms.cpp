// Group-level terms, `target += expr per g`: added once per level of g, not
// once per row. The per-level form against the same terms written out once
// each (value, gradient and Hessian), weights that leave them alone, the
// report's note, and simulate and the bootstrap, which draw only outcomes.
#include <catch2/catch.hpp>
#include <cmath>
#include <sstream>

#include "mlec/mlec.hpp"
#include "support/bound_model.hpp"

namespace {

using mlec::test::bind_model;
using mlec::test::Bound;

// 15 rows over 4 levels of g, in no order (level 3 first), with a weight
// column w, a column z that is constant within each level, and m, 1 on the
// first row of each level (written out by hand: rows 1, 2, 4 and 5).
const char* const rows =
    "g,x,y,w,z,m\n3,0.5,1.2,1,7,1\n1,-1.0,0.3,2,5,1\n3,0.1,2.1,0,7,0\n2,1.5,2.8,1,6,1\n4,0.0,0.9,3,8,1\n"
    "1,0.7,1.1,1,5,0\n2,-0.4,0.2,1,6,0\n4,1.1,2.6,1,8,0\n3,-0.8,-0.5,2,7,0\n1,0.3,1.4,1,5,0\n2,0.9,1.9,1,6,0\n"
    "4,-1.2,-0.1,1,8,0\n3,1.3,2.2,1,7,0\n1,0.2,0.8,1,5,0\n2,-0.6,0.4,1,6,0\n";

const std::string base = "param u[g]\nparam sigma > 0\ny ~ normal(b0 + b1*x + u[g], sigma)\n";

// Points in theta = (u[1..4], sigma's coordinate, b0, b1).
std::vector<Eigen::VectorXd> points() {
    std::vector<Eigen::VectorXd> out;
    for (int k = 0; k < 4; ++k) {
        Eigen::VectorXd t(7);
        for (int i = 0; i < 7; ++i) t[i] = 0.3 * std::sin(1.7 * (i + 1) * (k + 1)) + 0.1 * k;
        out.push_back(t);
    }
    return out;
}

void check_equal(const mlec::Problem& a, const mlec::Problem& b) {
    for (const Eigen::VectorXd& t : points()) {
        Eigen::VectorXd ga, gb;
        Eigen::MatrixXd ha, hb;
        const double va = a.nll_gradient_hessian(t, ga, ha);
        const double vb = b.nll_gradient_hessian(t, gb, hb);
        CHECK(va == Approx(vb).epsilon(1e-12));
        CHECK(a.nll(t) == Approx(b.nll(t)).epsilon(1e-12));
        REQUIRE(ga.size() == gb.size());
        for (Eigen::Index i = 0; i < ga.size(); ++i) CHECK(ga[i] == Approx(gb[i]).epsilon(1e-12).margin(1e-12));
        for (Eigen::Index i = 0; i < ha.rows(); ++i)
            for (Eigen::Index j = 0; j < ha.cols(); ++j)
                CHECK(ha(i, j) == Approx(hb(i, j)).epsilon(1e-12).margin(1e-12));
    }
}

}  // namespace

TEST_CASE("a group-level term equals its levels' terms written out once each") {
    // Property: `per g` adds the term once per level, so it equals the same
    // term added on the rows that m marks, one per level; a term on no data
    // equals the once-term written out for the 4 levels.
    const std::vector<std::pair<std::string, std::string>> forms{
        {"target += normal_lpdf(u[g] | 0, 2) per g\n", "target += m * normal_lpdf(u[g] | 0, 2)\n"},
        {"target += normal_lpdf(u[g] | 0.1 * z, sigma) per g\n", "target += m * normal_lpdf(u[g] | 0.1 * z, sigma)\n"},
        {"target += -0.5 * b0^2 per g\n", "target += -2 * b0^2\n"},
        // Through a user function: inlining keeps the term's `per g`.
        {"def pen(v, s) = normal_lpdf(v | 0, s)\ntarget += pen(u[g], 2) per g\n",
         "target += m * normal_lpdf(u[g] | 0, 2)\n"},
    };
    for (const auto& [per, written] : forms) {
        INFO(per);
        Bound a = bind_model(base + per, rows);
        Bound b = bind_model(base + written, rows);
        check_equal(*a.problem, *b.problem);
    }
    // Closed form: normal_lpdf(u[g] | 0, 2) per g adds sum_l log N(u_l; 0, 2).
    Bound with = bind_model(base + std::get<0>(forms[0]), rows);
    Bound without = bind_model(base, rows);
    for (const Eigen::VectorXd& t : points()) {
        double penalty = 0;
        for (int l = 0; l < 4; ++l) penalty += -std::log(2.0) - 0.5 * std::log(2 * M_PI) - t[l] * t[l] / 8;
        CHECK(-with.problem->nll(t) == Approx(-without.problem->nll(t) + penalty).epsilon(1e-12));
    }
}

TEST_CASE("a group-level term is not weighted: its share of the objective is the same with and without weights") {
    const std::string per = "target += normal_lpdf(u[g] | 0.1 * z, sigma) per g\n";
    Bound a = bind_model("weight w\n" + base + per, rows);
    Bound a0 = bind_model("weight w\n" + base, rows);
    Bound b = bind_model(base + per, rows);
    Bound b0 = bind_model(base, rows);
    for (const Eigen::VectorXd& t : points()) {
        Eigen::VectorXd ga, ga0, gb, gb0;
        Eigen::MatrixXd ha, ha0, hb, hb0;
        const double share_weighted =
            a.problem->nll_gradient_hessian(t, ga, ha) - a0.problem->nll_gradient_hessian(t, ga0, ha0);
        const double share = b.problem->nll_gradient_hessian(t, gb, hb) - b0.problem->nll_gradient_hessian(t, gb0, hb0);
        CHECK(share_weighted == Approx(share).epsilon(1e-10).margin(1e-10));
        for (Eigen::Index i = 0; i < ga.size(); ++i)
            CHECK(ga[i] - ga0[i] == Approx(gb[i] - gb0[i]).epsilon(1e-10).margin(1e-10));
        for (Eigen::Index i = 0; i < ha.rows(); ++i)
            for (Eigen::Index j = 0; j < ha.cols(); ++j)
                CHECK(ha(i, j) - ha0(i, j) == Approx(hb(i, j) - hb0(i, j)).epsilon(1e-10).margin(1e-10));
    }
}

TEST_CASE("a group-level term is noted in the report, and the observations are still the rows") {
    Bound b = bind_model(base + "target += normal_lpdf(u[g] | 0, 2) per g\n", rows);
    const auto& notes = b.problem->notes();
    CHECK(std::find(notes.begin(), notes.end(),
                    "line 4: 'normal_lpdf(u[g] | 0, 2)' is added once per level of g (4 levels), not once per "
                    "row") != notes.end());
    CHECK(b.problem->observations() == 15);
    CHECK(b.problem->data_columns() == std::vector<std::string>{"g", "x", "y"});
}

TEST_CASE("simulate and the bootstrap draw the outcomes of a model with a group-level term") {
    Bound b = bind_model("weight w\n" + base + "target += normal_lpdf(u[g] | 0, 2) per g\n", rows);
    mlec::FitOptions o;
    o.bootstrap = 50;
    o.seed = 3;
    const auto r = mlec::fit(*b.problem, o);
    REQUIRE(r.converged);
    CHECK(r.bootstrap_replicates + r.bootstrap_failed == 50);
    CHECK(r.bootstrap_replicates > 40);
    mlec::Diagnostics ds;
    const auto sim = mlec::simulate_csv(*b.problem, r, 7, ds);
    INFO(mlec::format(ds));
    REQUIRE(sim);
    std::istringstream lines(*sim);
    std::string header;
    std::getline(lines, header);
    CHECK(header == "g,x,y,w");
    int n = 0;
    for (std::string line; std::getline(lines, line);) ++n;
    CHECK(n == 18);  // the weights' sum: one row per observation
}

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
// column and a column z that is constant within each level.
const char* const rows =
    "g,x,y,w,z\n3,0.5,1.2,1,7\n1,-1.0,0.3,2,5\n3,0.1,2.1,0,7\n2,1.5,2.8,1,6\n4,0.0,0.9,3,8\n1,0.7,1.1,1,5\n"
    "2,-0.4,0.2,1,6\n4,1.1,2.6,1,8\n3,-0.8,-0.5,2,7\n1,0.3,1.4,1,5\n2,0.9,1.9,1,6\n4,-1.2,-0.1,1,8\n"
    "3,1.3,2.2,1,7\n1,0.2,0.8,1,5\n2,-0.6,0.4,1,6\n";

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
    // Property: `per g` adds the term once per level, so it equals the
    // once-terms (no data) that write it out for u[1], ..., u[4], with and
    // without a weight (which a group-level term, like a prior, ignores),
    // and with data constant within each level (z).
    const std::vector<std::pair<std::string, std::string>> forms{
        {"target += normal_lpdf(u[g] | 0, 2) per g\n",
         "target += normal_lpdf(u[1] | 0, 2) + normal_lpdf(u[2] | 0, 2) + normal_lpdf(u[3] | 0, 2) + "
         "normal_lpdf(u[4] | 0, 2)\n"},
        {"target += normal_lpdf(u[g] | 0.1 * z, sigma) per g\n",
         "target += normal_lpdf(u[1] | 0.5, sigma) + normal_lpdf(u[2] | 0.6, sigma) + normal_lpdf(u[3] | 0.7, "
         "sigma) + normal_lpdf(u[4] | 0.8, sigma)\n"},
        {"target += -0.5 * b0^2 per g\n", "target += -2 * b0^2\n"},
    };
    for (const auto& [per, written] : forms) {
        for (const std::string weight : {"", "weight w\n"}) {
            INFO(weight << per);
            Bound a = bind_model(weight + base + per, rows);
            Bound b = bind_model(weight + base + written, rows);
            check_equal(*a.problem, *b.problem);
        }
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

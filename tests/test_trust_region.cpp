// The trust-region subproblem against its optimality certificate (Moré &
// Sorensen, 1983): p solves min c'p + p'Bp/2 over ||p|| <= radius exactly
// when (B + mu I) p = -c for some mu >= 0 with B + mu I positive
// semidefinite and mu (radius - ||p||) = 0. Checked on random symmetric
// matrices of every kind (definite, indefinite, singular, the hard case),
// and against random points of the ball.
#include <catch2/catch.hpp>

#include <Eigen/Eigenvalues>
#include <cmath>
#include <random>

#include "optim/trust_region.hpp"

namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

double model(const MatrixXd& b, const VectorXd& c, const VectorXd& p) { return c.dot(p) + 0.5 * p.dot(b * p); }

struct Case {
    MatrixXd b;
    VectorXd c;
    double radius;
};

mlec::optim::TrustRegionStep solve(const Case& k) {
    const Eigen::SelfAdjointEigenSolver<MatrixXd> eigen(k.b);
    return mlec::optim::solve_trust_region(eigen.eigenvalues(), eigen.eigenvectors(), k.c, k.radius);
}

// The certificate: mu from p'(B + mu I) p = -p'c, then the residual of
// (B + mu I) p = -c, positivity of B + mu I, and complementarity.
void check_certificate(const Case& k, const mlec::optim::TrustRegionStep& s) {
    const VectorXd& p = s.p;
    REQUIRE(p.allFinite());
    const double scale = std::max({1.0, k.c.norm(), k.b.norm() * k.radius});
    CHECK(p.norm() <= k.radius * (1 + 1e-9));
    const double lambda_min = Eigen::SelfAdjointEigenSolver<MatrixXd>(k.b).eigenvalues()[0];
    double mu = 0;
    if (p.norm() > 0) mu = std::max(0.0, -(p.dot(k.b * p) + p.dot(k.c)) / p.squaredNorm());
    CHECK(mu >= -1e-12 * scale);
    CHECK(mu >= -lambda_min - 1e-8 * scale);
    CHECK((k.b * p + mu * p + k.c).norm() <= 1e-8 * scale);
    CHECK(mu * (k.radius - p.norm()) <= 1e-8 * scale * k.radius);
    CHECK(s.predicted_decrease == Approx(-model(k.b, k.c, p)).margin(1e-10 * scale * k.radius));
}

Case random_case(std::mt19937_64& rng, int n, int kind) {
    std::normal_distribution<double> normal;
    MatrixXd q = MatrixXd::NullaryExpr(n, n, [&] { return normal(rng); });
    const Eigen::HouseholderQR<MatrixXd> qr(q);
    const MatrixXd v = qr.householderQ();
    VectorXd lambda = VectorXd::NullaryExpr(n, [&] { return normal(rng); });
    if (kind == 0) lambda = lambda.cwiseAbs().array() + 0.1;  // definite
    if (kind == 2) lambda[0] = 0;                             // singular
    if (kind == 3) {                                          // the hard case
        lambda = lambda.cwiseAbs();
        lambda[0] = -1.5;
    }
    Case k;
    k.b = v * lambda.asDiagonal() * v.transpose();
    k.b = 0.5 * (k.b + k.b.transpose());
    k.c = VectorXd::NullaryExpr(n, [&] { return normal(rng); });
    if (kind == 3) k.c -= v.col(0).dot(k.c) * v.col(0);  // no component along the smallest eigenvector
    k.radius = std::exp(3 * normal(rng));
    return k;
}

}  // namespace

TEST_CASE("a positive definite model with the Newton step inside takes it exactly") {
    Case k{MatrixXd(2, 2), VectorXd(2), 10};
    k.b << 4, 1, 1, 3;
    k.c << 1, -2;
    const auto s = solve(k);
    const VectorXd newton = -k.b.ldlt().solve(k.c);
    CHECK((s.p - newton).norm() < 1e-14);
    CHECK_FALSE(s.on_boundary);
    check_certificate(k, s);
}

TEST_CASE("a zero gradient at a saddle steps along the negative curvature to the boundary") {
    // B = [[0, 1], [1, 0]]: eigenvalues -1 and 1, the first along (1, -1).
    Case k{MatrixXd(2, 2), VectorXd::Zero(2), 0.5};
    k.b << 0, 1, 1, 0;
    const auto s = solve(k);
    CHECK(s.on_boundary);
    CHECK(s.p.norm() == Approx(0.5));
    CHECK(std::abs(s.p[0] + s.p[1]) < 1e-14);
    CHECK(s.predicted_decrease == Approx(0.5 * 0.25));
    check_certificate(k, s);
}

TEST_CASE("a flat direction without gradient is not moved along") {
    Case k{MatrixXd::Zero(2, 2), VectorXd(2), 100};
    k.b(0, 0) = 2;
    k.c << -2, 0;
    const auto s = solve(k);
    CHECK(s.p[0] == Approx(1));
    CHECK(s.p[1] == 0);
    CHECK_FALSE(s.on_boundary);
}

TEST_CASE("the solution meets the optimality certificate on random models of every kind") {
    std::mt19937_64 rng(20261204);
    for (int trial = 0; trial < 400; ++trial) {
        const int n = 1 + trial % 6;
        const int kind = trial % 4;
        const Case k = random_case(rng, n, kind);
        INFO("trial " << trial << " n " << n << " kind " << kind << " radius " << k.radius);
        const auto s = solve(k);
        check_certificate(k, s);
        // No point of the ball does better.
        std::normal_distribution<double> normal;
        std::uniform_real_distribution<double> uniform;
        const double best = model(k.b, k.c, s.p);
        for (int j = 0; j < 200; ++j) {
            VectorXd q = VectorXd::NullaryExpr(n, [&] { return normal(rng); });
            q *= k.radius * std::pow(uniform(rng), 1.0 / n) / q.norm();
            CHECK(model(k.b, k.c, q) >= best - 1e-9 * std::max(1.0, std::abs(best)));
        }
    }
}

TEST_CASE("a symmetric indefinite model with eigenvalues of equal size is solved") {
    // Eigenvalues -18 and 18 (an XOR network at its symmetric start): the
    // secular equation starts at its pole.
    Case k{MatrixXd(3, 3), VectorXd(3), 0.03125};
    k.b << 0, 18, 0, 18, 0, 0, 0, 0, 1;
    k.c << 0.3, 0.1, -0.2;
    check_certificate(k, solve(k));
}

#include "optim/lbfgs.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace mlec::optim::detail {

namespace {

// A pair is kept only when s'y > curvature_tolerance |s| |y|: the BFGS update
// stays positive definite only for s'y > 0 (Nocedal & Wright, 2006, eq. 6.7),
// and a nearly orthogonal pair would put a huge weight 1/s'y on noise.
constexpr double curvature_tolerance = 1e-10;

}  // namespace

Iterate LbfgsStepper::start(const Eigen::VectorXd& x) {
    Iterate it;
    it.x = x;
    it.g.resize(x.size());
    it.f = objective_.value_gradient(x, it.g);
    return it;
}

// Two-loop recursion (Nocedal & Wright, alg. 7.4) with the initial matrix
// H0 = gamma I, gamma = s'y / y'y of the newest pair (eq. 7.20).
Eigen::VectorXd LbfgsStepper::direction(const Eigen::VectorXd& gradient) const {
    Eigen::VectorXd q = gradient;
    std::vector<double> alpha(pairs_.size());
    for (std::size_t i = pairs_.size(); i-- > 0;) {
        alpha[i] = pairs_[i].rho * pairs_[i].s.dot(q);
        q -= alpha[i] * pairs_[i].y;
    }
    const Pair& newest = pairs_.back();
    q *= newest.s.dot(newest.y) / newest.y.squaredNorm();
    for (std::size_t i = 0; i < pairs_.size(); ++i) {
        const double beta = pairs_[i].rho * pairs_[i].y.dot(q);
        q += (alpha[i] - beta) * pairs_[i].s;
    }
    return -q;
}

std::optional<double> LbfgsStepper::advance(Iterate& current) {
    if (!pairs_.empty()) {
        const Eigen::VectorXd d = direction(current.g);
        if (d.allFinite() && current.g.dot(d) < 0) {
            if (past_rounding_ && -current.g.dot(d) <= rounding_level(current.f)) return closing_step(current, d);
            if (const auto step = step_along(current, d, 1.0)) return step;
        }
        // The memory led nowhere: forget it and restart from steepest descent.
        pairs_.clear();
    }
    // Steepest descent, first trial a step of unit length (no curvature
    // known), or in units of unit curvature the diagonal Newton step.
    const double gradient_norm = current.g.norm();
    if (!(gradient_norm > 0)) return std::nullopt;
    return step_along(current, -current.g, unit_curvature_ ? 1.0 : 1 / gradient_norm);
}

std::optional<double> LbfgsStepper::step_along(Iterate& current, const Eigen::VectorXd& d, double alpha_start) {
    const double alpha_max = max_step_length(current.x) / d.norm();
    auto step = strong_wolfe(objective_, current, d, alpha_start, alpha_max);
    if (!step) return std::nullopt;

    Iterate next{std::move(step->x), step->f, std::move(step->g)};
    remember(current, next);
    current = std::move(next);
    return step->alpha;
}

void LbfgsStepper::remember(const Iterate& from, const Iterate& to) {
    Pair pair;
    pair.s = to.x - from.x;
    pair.y = to.g - from.g;
    const double sy = pair.s.dot(pair.y);
    if (sy > curvature_tolerance * pair.s.norm() * pair.y.norm()) {
        pair.rho = 1 / sy;
        pairs_.push_back(std::move(pair));
        if (static_cast<int>(pairs_.size()) > std::max(memory_, 1)) pairs_.pop_front();
    }
}

// The full quasi-Newton step d promises -g'd / 2, less than f's rounding:
// comparing f cannot judge it. It is taken when f does not rise beyond a
// few times its rounding and the promise at the new point, by the same
// memory, falls fourfold (as Newton's closing step judges its own);
// otherwise the iterations end here.
std::optional<double> LbfgsStepper::closing_step(Iterate& current, const Eigen::VectorXd& d) {
    Iterate next;
    next.x = current.x + d;
    if (next.x == current.x) return std::nullopt;
    next.g.resize(d.size());
    next.f = objective_.value_gradient(next.x, next.g);
    if (!std::isfinite(next.f) || !next.g.allFinite() || next.f > current.f + 4 * rounding_level(current.f))
        return std::nullopt;
    const double promise = -current.g.dot(d);
    const Eigen::VectorXd d_next = direction(next.g);
    if (!(-next.g.dot(d_next) < 0.25 * promise)) return std::nullopt;
    remember(current, next);
    current = std::move(next);
    return 1.0;
}

}  // namespace mlec::optim::detail

#include "inference/linear_profile.hpp"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "runtime/difference_hessian.hpp"

namespace mlec::inference {

namespace {

// The NLL as a function of c.objective's coordinates other than the free
// fixed effects, those at their best.
class LinearProfile final : public optim::Objective {
public:
    LinearProfile(FitContext& c, rt::Laplace& laplace, Eigen::VectorXd x) : c_(c), laplace_(laplace), x_(std::move(x)) {
        const std::vector<int>& linear = laplace.linear_coordinates();
        const std::vector<int>& free = c.objective.free_coordinates();
        for (int i = 0; i < c.k; ++i) {
            const int a = free[static_cast<std::size_t>(i)];
            if (std::find(linear.begin(), linear.end(), a) != linear.end()) linear_.push_back(a);
            else others_.push_back(i);
        }
    }

    int dimension() const override { return static_cast<int>(others_.size()); }
    double value(const Eigen::VectorXd& y) override { return evaluate(y, nullptr); }
    double value_gradient(const Eigen::VectorXd& y, Eigen::VectorXd& g) override { return evaluate(y, &g); }
    // (central differences of the exact gradient, as the Laplace NLL's)
    double value_gradient_hessian(const Eigen::VectorXd& y, Eigen::VectorXd& g, Eigen::MatrixXd& h) override {
        return rt::difference_hessian(
            [this](const Eigen::VectorXd& at, Eigen::VectorXd& gradient) { return value_gradient(at, gradient); }, y, g,
            h);
    }

    Eigen::VectorXd reduce(const Eigen::VectorXd& x) const { return x(others_); }
    // c.objective's coordinates at `y`, the fixed effects at their best.
    Eigen::VectorXd point(const Eigen::VectorXd& y) {
        if (!(y.size() == last_.size() && y == last_)) evaluate(y, nullptr);
        return x_;
    }

private:
    double evaluate(const Eigen::VectorXd& y, Eigen::VectorXd* g) {
        x_(others_) = y;
        Eigen::VectorXd theta = c_.full(x_);
        Eigen::VectorXd gradient;
        const double f = laplace_.minimize_linear(theta, linear_, g ? &gradient : nullptr);
        if (!std::isfinite(f)) return f;
        x_ = c_.objective.reduce(theta);
        last_ = y;
        if (g) *g = c_.objective.reduce(gradient)(others_);
        return f;
    }

    FitContext& c_;
    rt::Laplace& laplace_;
    Eigen::VectorXd x_;        // c.objective's coordinates: the last point, the fixed effects at their best
    Eigen::VectorXd last_;     // the last point's y
    std::vector<int> linear_;  // theta's coordinates profiled
    std::vector<int> others_;  // c.objective's coordinates the profile is a function of
};

}  // namespace

bool linear_profile_applies(const FitContext& c) {
    const rt::Laplace* laplace = c.p.workspace.laplace.get();
    // (not with correlated effects: their correlations' plateaus at +-1 and
    // the maxima on several boundaries at once, an SD at 0 or a correlation
    // at 1, are where the optimizer's escapes from the start serve, and
    // where a path first over the profile may end in the lesser one)
    // (nor where the user chose the optimizer: it is then that one's path)
    if (!laplace || c.p.workspace.quadrature || !block_scale_coordinates(c).empty() ||
        c.options.method != Method::automatic)
        return false;
    const std::vector<int>& linear = laplace->linear_coordinates();
    int profiled = 0;
    for (const int a : c.objective.free_coordinates())
        profiled += std::find(linear.begin(), linear.end(), a) != linear.end() ? 1 : 0;
    return profiled > 0 && profiled < c.k;
}

std::optional<optim::OptimizeResult> approach_by_linear_profile(FitContext& c, const Eigen::VectorXd& from,
                                                                const optim::IterationCallback& callback) {
    if (!linear_profile_applies(c)) return std::nullopt;
    LinearProfile profile(c, *c.p.workspace.laplace, from);
    optim::OptimizeOptions options = c.optimize_options;
    // (to where the optimizer's Newton step has nothing left to do: its
    // Hessian costs more than a few more gradients)
    options.lbfgs_relative_gradient = 1e-14;
    options.lbfgs_past_rounding = true;
    options.lbfgs_newton_first = true;
    if (options.lbfgs_scale.size() == c.k) options.lbfgs_scale = profile.reduce(options.lbfgs_scale).eval();
    optim::OptimizeResult run = optim::minimize_lbfgs(profile, profile.reduce(from), options, callback);
    if (!std::isfinite(run.f) || run.x.size() != profile.dimension()) return std::nullopt;
    // (no worse than `from`: its first evaluation, at from's other
    // coordinates, has the fixed effects at their best)
    run.x = profile.point(run.x);
    return run;
}

}  // namespace mlec::inference
